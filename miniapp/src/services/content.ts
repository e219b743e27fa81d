import type { ReadEvent, RecordReadRequest, RecordReadResponse } from '@careloop/shared'

import { api } from '../api/endpoints'
import { newRequestId } from './followup'

/**
 * 健康科普 (F22): reading an article. The page reports each opening to the server (`open`, then
 * `progress` every 10 visible seconds and when hidden or scrolled to the end, `close` when it goes
 * away) under one `readId`, with the seconds the page was visible so far; the server keeps the
 * largest, so lost or repeated reports do no harm. A read of 30 s or to the end may earn points.
 */

/** Visible seconds between two progress reports. */
export const PROGRESS_EVERY_SECONDS = 10

export type SendRead = (articleId: string, body: RecordReadRequest) => Promise<RecordReadResponse>

export class ArticleReadTracker {
  readonly readId = newRequestId('read').replace(/[^\w-]/g, '-')
  private seconds = 0
  private visible = false
  private completed = false
  private closed = false
  private timer: ReturnType<typeof setInterval> | null = null

  constructor(
    private readonly articleId: string,
    private readonly o: {
      campaignRunId?: string
      /** Called when a report earned points (the server credits them once per article). */
      onPoints?: (points: number) => void
      send?: SendRead
    } = {},
  ) {}

  /** The page shows the article: report the opening and start counting visible seconds. */
  open(): void {
    if (this.timer || this.closed) return
    this.visible = true
    this.report('open')
    this.timer = setInterval(() => this.tick(), 1000)
  }

  /** The page is visible again (back from another page or the background). */
  show(): void {
    if (!this.closed) this.visible = true
  }

  /** The page is hidden: stop counting and save what was read so far. */
  hide(): void {
    if (this.closed || !this.visible) return
    this.visible = false
    this.report('progress')
  }

  /** The reader scrolled to the end. */
  reachEnd(): void {
    if (this.closed || this.completed) return
    this.completed = true
    this.report('progress')
  }

  /** The page goes away: stop the timer and report the last seconds. */
  close(): void {
    if (this.closed) return
    this.closed = true
    if (this.timer) clearInterval(this.timer)
    this.timer = null
    if (this.seconds > 0 || this.completed) this.report('close')
  }

  /** Seconds the page has been visible in this opening. */
  get visibleSeconds(): number {
    return this.seconds
  }

  private tick(): void {
    if (!this.visible || this.closed) return
    this.seconds++
    if (this.seconds % PROGRESS_EVERY_SECONDS === 0) this.report('progress')
  }

  private report(event: ReadEvent): void {
    const body: RecordReadRequest = {
      readId: this.readId,
      event,
      seconds: this.seconds,
      ...(this.completed ? { completed: true } : {}),
      ...(this.o.campaignRunId ? { campaignRunId: this.o.campaignRunId } : {}),
    }
    const send = this.o.send ?? api.recordArticleRead
    // Best effort: reading never fails because a report did; the next report carries the seconds.
    send(this.articleId, body)
      .then((r) => {
        if (r.pointsAwarded > 0) this.o.onPoints?.(r.pointsAwarded)
      })
      .catch(() => undefined)
  }
}

/**
 * The article's sanitised HTML for RichText: images fit the screen width (the server allows only
 * `src`/`alt` on images, so the style is added here).
 */
export const richTextHtml = (html: string): string =>
  html.replace(/<img\s/g, '<img style="max-width:100%;height:auto;display:block;margin:12px 0" ')

/** A campaign run id from the page query, if it looks like one (the server checks it again). */
export const campaignRunIdOf = (raw: string | undefined): string | undefined => {
  const v = raw ? decodeURIComponent(raw).trim() : ''
  return /^[\w.:-]{1,64}$/.test(v) ? v : undefined
}

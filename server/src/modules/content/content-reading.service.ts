import {
  AppError,
  CONTENT_READ_COMPLETE_SECONDS,
  type ArticleReadStats,
  type MyArticlesQuery,
  type MyArticlesResponse,
  type PatientArticle,
  type RecordReadRequest,
  type RecordReadResponse,
} from '@careloop/shared'
import type { Clock } from '../../clock'
import type { PatientPrincipal } from '../../http/context'
import type { Logger } from '../../logger'
import type { PointsPort } from '../points/points.port'
import { articlePage, type ContentPort } from './content.port'
import type { ArticleDoc, ContentReadDoc, PublishedEntry } from './content.model'
import { presentPatientArticle, presentPatientRow } from './content-present'
import { ReadIdTakenError, type ContentReadRepo } from './content-read.repo'
import type { ContentRepo } from './content.repo'

/** No single opening counts more than this (a page left open overnight is not reading). */
export const MAX_READ_SECONDS = 30 * 60
/** Reported seconds may exceed the server's view of the opening by this much (clock skew, latency). */
const ELAPSED_GRACE_SECONDS = 10

export interface ContentReadingService {
  list(q: MyArticlesQuery): Promise<MyArticlesResponse>
  article(articleId: string): Promise<PatientArticle>
  recordRead(p: PatientPrincipal, articleId: string, body: RecordReadRequest): Promise<RecordReadResponse>
  stats(articleId: string): Promise<ArticleReadStats>
  /** Retries the points of completed openings whose earn failed (ledger down); returns counts. */
  repairPoints(limit?: number): Promise<{ repaired: number; failed: number }>
  port: ContentPort
}

type Published = ArticleDoc & { published: PublishedEntry }
const isPublished = (d: ArticleDoc | null): d is Published => !!d?.published

export const createContentReadingService = (deps: {
  articles: ContentRepo
  reads: ContentReadRepo
  clock: Clock
  logger: Logger
  points?: PointsPort
}): ContentReadingService => {
  const { articles, reads, clock, logger, points } = deps

  const published = async (articleId: string): Promise<Published> => {
    const d = await articles.find(articleId)
    if (!isPublished(d)) throw new AppError('CONTENT_NOT_FOUND', 'No such article')
    return d
  }

  /**
   * Best effort: a failure leaves `pointsDone` false for the repair job. Answers what was credited
   * and whether the ledger answered.
   */
  const earn = async (r: ContentReadDoc): Promise<{ awarded: number; done: boolean }> => {
    if (!points || r.pointsDone || !r.completed) return { awarded: 0, done: r.pointsDone }
    const profileId = r.profileId.toHexString()
    const articleId = r.articleId.toHexString()
    try {
      const res = await points.earn({
        profileId,
        rule: 'content_read',
        refKey: `content_read:${profileId}:${articleId}`,
        at: r.completedAt ?? clock.now(),
      })
      await reads.markPointsDone(r.readId)
      return { awarded: res.duplicate ? 0 : res.awarded, done: true }
    } catch (err) {
      logger.warn({ err, readId: r.readId }, 'content read points not earned yet')
      return { awarded: 0, done: false }
    }
  }

  const service: ContentReadingService = {
    async list(q) {
      const rows = await articles.published({ category: q.category, limit: q.limit })
      return { articles: rows.filter(isPublished).map(presentPatientRow) }
    },
    async article(articleId) {
      const d = await published(articleId)
      const v = d.versions.find((x) => x.n === d.published.n)!
      return presentPatientArticle(d, v)
    },
    async recordRead(p, articleId, body) {
      const d = await published(articleId)
      const now = clock.now()
      let r: ContentReadDoc
      try {
        r = await reads.touch({
          readId: body.readId,
          profileId: p.profileId,
          articleId,
          version: d.published.n,
          campaignRunId: body.campaignRunId,
          event: body.event,
          now,
        })
      } catch (e) {
        if (e instanceof ReadIdTakenError)
          throw new AppError('CONTENT_STATE', 'This readId belongs to another reading', { field: 'readId' })
        throw e
      }
      // Seconds never exceed the time since the opening was first reported (plus a little grace).
      const elapsed = Math.floor((now.getTime() - r.openedAt.getTime()) / 1000) + ELAPSED_GRACE_SECONDS
      const seconds = Math.max(0, Math.min(body.seconds, MAX_READ_SECONDS, elapsed))
      const complete =
        !r.completed &&
        (body.completed === true || Math.max(seconds, r.seconds) >= CONTENT_READ_COMPLETE_SECONDS)
      if (seconds > r.seconds || complete) r = await reads.progress(body.readId, seconds, complete, now)
      const { awarded } = await earn(r)
      return { readId: r.readId, seconds: r.seconds, completed: r.completed, pointsAwarded: awarded }
    },
    async stats(articleId) {
      if (!(await articles.find(articleId))) throw new AppError('CONTENT_NOT_FOUND', 'No such article')
      const t = await reads.totals(articleId)
      const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits
      return {
        articleId,
        opens: t.opens,
        uniqueReaders: t.uniqueReaders,
        avgReadSeconds: t.opens ? round(t.totalSeconds / t.opens, 1) : 0,
        completed: t.completed,
        completionRate: t.opens ? round(t.completed / t.opens, 4) : 0,
      }
    },
    async repairPoints(limit = 200) {
      if (!points) return { repaired: 0, failed: 0 }
      let repaired = 0
      let failed = 0
      for (const r of await reads.pointsPending(limit))
        if ((await earn(r)).done) repaired++
        else failed++
      return { repaired, failed }
    },
    port: {
      async approvedVersion(articleId) {
        const d = await articles.find(articleId)
        if (!isPublished(d)) return undefined
        return {
          articleId,
          version: d.published.n,
          title: d.published.title,
          summary: d.published.summary,
          ...(d.published.coverUrl ? { coverUrl: d.published.coverUrl } : {}),
          page: articlePage(articleId),
        }
      },
      async readsForCampaign(campaignRunId) {
        const rows = await reads.forCampaign(campaignRunId)
        const byKey = new Map<
          string,
          { profileId: string; articleId: string; firstOpenAt: Date; completed: boolean }
        >()
        for (const r of rows) {
          const key = `${r.profileId.toHexString()}:${r.articleId.toHexString()}`
          const prior = byKey.get(key)
          if (!prior)
            byKey.set(key, {
              profileId: r.profileId.toHexString(),
              articleId: r.articleId.toHexString(),
              firstOpenAt: r.openedAt,
              completed: r.completed,
            })
          else prior.completed ||= r.completed
        }
        const readers = [...byKey.values()]
        return {
          campaignRunId,
          openedProfiles: new Set(readers.map((r) => r.profileId)).size,
          completedProfiles: new Set(readers.filter((r) => r.completed).map((r) => r.profileId)).size,
          readers,
        }
      },
    },
  }
  return service
}

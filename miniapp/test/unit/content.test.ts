import type { RecordReadRequest } from '@careloop/shared'

import { messageUrl } from '../../src/services/inbox'
import { ArticleReadTracker, campaignRunIdOf, richTextHtml } from '../../src/services/content'

const ARTICLE_ID = '65f0c0ffee00000000a00001'

describe('article read tracking', () => {
  beforeEach(() => jest.useFakeTimers())
  afterEach(() => jest.useRealTimers())

  const tracker = (reply = { pointsAwarded: 0 }) => {
    const sent: RecordReadRequest[] = []
    const onPoints = jest.fn()
    const t = new ArticleReadTracker(ARTICLE_ID, {
      campaignRunId: 'run-1',
      onPoints,
      send: (id, body) => {
        expect(id).toBe(ARTICLE_ID)
        sent.push(body)
        return Promise.resolve({ readId: body.readId, seconds: body.seconds, completed: false, ...reply })
      },
    })
    return { t, sent, onPoints, events: () => sent.map((b) => [b.event, b.seconds, b.completed ?? false]) }
  }

  it('reports open, progress every 10 visible seconds, hidden time not counted, to the end, close', () => {
    const { t, sent, events } = tracker()
    t.open()
    t.open() // a second call does not start another timer
    jest.advanceTimersByTime(10_000)
    t.hide()
    jest.advanceTimersByTime(60_000)
    t.show()
    jest.advanceTimersByTime(10_000)
    t.reachEnd()
    t.reachEnd()
    t.close()
    t.close()
    jest.advanceTimersByTime(30_000)
    expect(events()).toEqual([
      ['open', 0, false],
      ['progress', 10, false],
      ['progress', 10, false],
      ['progress', 20, false],
      ['progress', 20, true],
      ['close', 20, true],
    ])
    expect(new Set(sent.map((b) => b.readId))).toEqual(new Set([t.readId]))
    expect(t.readId).toMatch(/^[\w-]{8,64}$/)
    expect(sent.every((b) => b.campaignRunId === 'run-1')).toBe(true)
  })

  it('says when a report earned points; a closed opening with nothing read sends no close', async () => {
    const { t, onPoints, events } = tracker({ pointsAwarded: 5 })
    t.open()
    await Promise.resolve()
    await Promise.resolve()
    expect(onPoints).toHaveBeenCalledWith(5)
    t.close()
    expect(events()).toEqual([['open', 0, false]])
  })

  it('a failing report does not break reading', async () => {
    const t = new ArticleReadTracker(ARTICLE_ID, { send: () => Promise.reject(new Error('offline')) })
    t.open()
    jest.advanceTimersByTime(12_000)
    await Promise.resolve()
    expect(t.visibleSeconds).toBe(12)
    t.close()
  })
})

describe('article helpers', () => {
  it('fits images to the screen and reads the campaign run id from the query', () => {
    expect(richTextHtml('<p>a</p><img src="https://x/a.png" alt="" />')).toBe(
      '<p>a</p><img style="max-width:100%;height:auto;display:block;margin:12px 0" src="https://x/a.png" alt="" />',
    )
    expect(campaignRunIdOf('run%3A2026-01')).toBe('run:2026-01')
    expect(campaignRunIdOf('<script>')).toBeUndefined()
    expect(campaignRunIdOf(undefined)).toBeUndefined()
  })

  it('inbox messages linking an article open the article page', () => {
    expect(messageUrl({ page: `pkg-content/article/index?id=${ARTICLE_ID}&campaignRunId=run-1` })).toBe(
      `/pkg-content/article/index?id=${ARTICLE_ID}&campaignRunId=run-1`,
    )
  })
})

import { ArticleReadStats, ErrorBody, RecordReadResponse } from '@careloop/shared'
import { articleIn } from '../../../../tests/src/harness/content-fixture'
import { EarningPoints } from '../../../../tests/src/harness/fake-pay'
import { consentingPatient, useModuleApp } from '../../../../tests/src/harness/module-app'
import { useStaffHarness } from '../../../../tests/src/harness/server-harness'
import { createLogger } from '../../logger'
import { contentReadModel } from './content.model'
import { createContentModule, type ContentModule } from './content.module'

/**
 * Read tracking (F22) from the mini-program's article page: openings, read time, completion, points
 * (a module app wired with an in-memory points ledger), statistics and the campaigns port.
 */
// patient tokens outlive the clock advances below
const h = useStaffHarness({ env: { ACCESS_TOKEN_TTL_SECONDS: '86400' } })
const points = new EarningPoints(5)
let content: ContentModule
const app = useModuleApp(h, (router, guard) => {
  content = createContentModule({ clock: h.clock, db: h.db, logger: createLogger('silent'), points })
  content.mount(router, guard)
})
const tok = {} as Record<'marketer' | 'head' | 'admin' | 'nurse', string>
const patients = {} as Record<'a' | 'b', { token: string; patientId: string }>
let articleId = ''
let otherId = ''
let draftId = ''
let seq = 0

const read = (token: string, body: Record<string, unknown>, id = articleId) =>
  app.request('POST', `/api/v1/me/articles/${id}/reads`, { token, body })
const parsed = async (token: string, body: Record<string, unknown>, id = articleId) => {
  const r = await read(token, body, id)
  if (r.status !== 200) throw new Error(`${r.status} ${JSON.stringify(r.body)}`)
  return RecordReadResponse.parse(r.body)
}
const newReadId = () => `read-${++seq}-0000-aaaa`

beforeAll(async () => {
  await h.seedStaff()
  tok.marketer = (await h.staffLogin('marketing.zhao')).accessToken
  tok.head = (await h.staffLogin('headnurse.wang')).accessToken
  tok.admin = (await h.staffLogin('admin')).accessToken
  tok.nurse = (await h.staffLogin('nurse.li')).accessToken
  patients.a = await consentingPatient(h, 'reader-a')
  patients.b = await consentingPatient(h, 'reader-b')
  const t = { marketer: tok.marketer, head: tok.head, admin: tok.admin }
  articleId = (await articleIn(h, t, 'approved', { title: '高血压的居家监测' })).id
  otherId = (await articleIn(h, t, 'approved', { title: '低盐饮食' })).id
  draftId = (await articleIn(h, t, 'compliance_review', { title: '未审完' })).id
})

describe('recording reads', () => {
  it('only approved articles take reads; consent is required', async () => {
    const r = await read(patients.a.token, { readId: newReadId(), event: 'open' }, draftId)
    expect([r.status, ErrorBody.parse(r.body).error.code]).toEqual([404, 'CONTENT_NOT_FOUND'])
    const fresh = await h.login('no-consent-reader')
    const c = await read(fresh.accessToken, { readId: newReadId(), event: 'open' })
    expect(ErrorBody.parse(c.body).error.code).toBe('CONSENT_REQUIRED')
  })

  it('is idempotent per opening: repeated and out-of-order events count once, seconds only grow', async () => {
    const readId = newReadId()
    const open = await parsed(patients.a.token, { readId, event: 'open' })
    expect(open).toEqual({ readId, seconds: 0, completed: false, pointsAwarded: 0 })
    await parsed(patients.a.token, { readId, event: 'open' })
    h.clock.advance(12_000)
    expect((await parsed(patients.a.token, { readId, event: 'progress', seconds: 10 })).seconds).toBe(10)
    // a late, smaller progress does not lower it; a retried one changes nothing
    expect((await parsed(patients.a.token, { readId, event: 'progress', seconds: 4 })).seconds).toBe(10)
    expect((await parsed(patients.a.token, { readId, event: 'progress', seconds: 10 })).seconds).toBe(10)
    const rows = await contentReadModel(h.db).find({ readId }).lean()
    expect(rows).toHaveLength(1)
    expect(rows[0]!.events.sort()).toEqual(['open', 'progress'])
    expect(points.earns.size).toBe(0)
  })

  it('caps seconds by the time since the opening and by 30 minutes', async () => {
    const readId = newReadId()
    await parsed(patients.b.token, { readId, event: 'open' })
    h.clock.advance(5_000)
    // 5 s after opening (plus 10 s grace) cannot be 600 s of reading: no points either
    const early = await parsed(patients.b.token, { readId, event: 'progress', seconds: 600 })
    expect([early.seconds, early.completed, early.pointsAwarded]).toEqual([15, false, 0])
    h.clock.advance(31 * 60_000)
    expect((await parsed(patients.b.token, { readId, event: 'close', seconds: 86_400 })).seconds).toBe(1800)
  })

  it('a read of 30 s earns points once per article per patient; scrolling to the end counts too', async () => {
    const first = newReadId()
    await parsed(patients.a.token, { readId: first, event: 'open' })
    h.clock.advance(31_000)
    const done = await parsed(patients.a.token, { readId: first, event: 'progress', seconds: 31 })
    expect(done).toMatchObject({ seconds: 31, completed: true, pointsAwarded: 5 })
    expect(points.earns.get(`content_read:${patients.a.patientId}:${articleId}`)).toMatchObject({
      profileId: patients.a.patientId,
      rule: 'content_read',
    })
    // the close of the same opening, and a second full reading: no more points
    expect(
      (await parsed(patients.a.token, { readId: first, event: 'close', seconds: 40 })).pointsAwarded,
    ).toBe(0)
    const second = newReadId()
    await parsed(patients.a.token, { readId: second, event: 'open' })
    const end = await parsed(patients.a.token, {
      readId: second,
      event: 'close',
      seconds: 3,
      completed: true,
    })
    expect([end.completed, end.pointsAwarded]).toEqual([true, 0])
    expect(
      [...points.earns.keys()].filter((k) => k.startsWith(`content_read:${patients.a.patientId}:`)),
    ).toEqual([`content_read:${patients.a.patientId}:${articleId}`])
    // another article earns on its own
    const other = await parsed(
      patients.a.token,
      { readId: newReadId(), event: 'open', completed: true },
      otherId,
    )
    expect(other.pointsAwarded).toBe(5)
    expect(points.balances.get(patients.a.patientId)).toBe(10)
  })

  it('a failed earn is repaired later, still once', async () => {
    const readId = newReadId()
    points.failEarn = 1
    const before = points.balances.get(patients.b.patientId) ?? 0
    const r = await parsed(patients.b.token, { readId, event: 'open', completed: true }, otherId)
    expect([r.completed, r.pointsAwarded]).toEqual([true, 0])
    expect(await contentReadModel(h.db).countDocuments({ readId, pointsDone: false })).toBe(1)
    expect(await content.reading.repairPoints()).toEqual({ repaired: 1, failed: 0 })
    expect(await content.reading.repairPoints()).toEqual({ repaired: 0, failed: 0 })
    expect(points.balances.get(patients.b.patientId)).toBe(before + 5)
    expect(points.earns.has(`content_read:${patients.b.patientId}:${otherId}`)).toBe(true)
  })

  it("another patient's readId is refused", async () => {
    const readId = newReadId()
    await parsed(patients.a.token, { readId, event: 'open' })
    const r = await read(patients.b.token, { readId, event: 'progress', seconds: 5 })
    expect([r.status, ErrorBody.parse(r.body).error.code]).toEqual([409, 'CONTENT_STATE'])
  })
})

describe('statistics and the campaigns port', () => {
  it('counts opens, unique readers, average read time and completion', async () => {
    const stats = ArticleReadStats.parse(
      (await h.request('GET', `/api/v1/staff/articles/${otherId}/stats`, { token: tok.nurse })).body,
    )
    expect(stats).toEqual({
      articleId: otherId,
      opens: 2,
      uniqueReaders: 2,
      avgReadSeconds: 0,
      completed: 2,
      completionRate: 1,
    })
    const main = ArticleReadStats.parse(
      (await app.request('GET', `/api/v1/staff/articles/${articleId}/stats`, { token: tok.marketer })).body,
    )
    // a: 10 s, 40 s (completed), 3 s (completed, scrolled to the end), 0 s; b: 1800 s (completed)
    expect(main).toMatchObject({ opens: 5, uniqueReaders: 2, completed: 3, completionRate: 0.6 })
    expect(main.avgReadSeconds).toBeCloseTo((10 + 40 + 3 + 0 + 1800) / 5, 1)
  })

  it('serves approved versions only and counts a campaign run’s openings by profile', async () => {
    expect(await content.port.approvedVersion(draftId)).toBeUndefined()
    expect(await content.port.approvedVersion('000000000000000000000000')).toBeUndefined()
    expect(await content.port.approvedVersion(articleId)).toEqual({
      articleId,
      version: 1,
      title: '高血压的居家监测',
      summary: expect.any(String) as string,
      page: `pkg-content/article/index?id=${articleId}`,
    })
    const run = 'run-2026-0001'
    await parsed(patients.a.token, { readId: newReadId(), event: 'open', campaignRunId: run })
    await parsed(patients.a.token, {
      readId: newReadId(),
      event: 'open',
      campaignRunId: run,
      completed: true,
    })
    const bRead = newReadId()
    await parsed(patients.b.token, { readId: bRead, event: 'open', campaignRunId: run })
    await parsed(patients.b.token, { readId: bRead, event: 'close', seconds: 2, campaignRunId: run })
    const s = await content.port.readsForCampaign(run)
    expect([s.openedProfiles, s.completedProfiles]).toEqual([2, 1])
    expect(s.readers.map((r) => [r.profileId, r.completed]).sort()).toEqual(
      [
        [patients.a.patientId, true],
        [patients.b.patientId, false],
      ].sort(),
    )
    expect((await content.port.readsForCampaign('run-none')).openedProfiles).toBe(0)
  })
})

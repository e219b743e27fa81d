import { CampaignRunResponse, CampaignStatsResponse, InboxResponse } from '@careloop/shared'
import { Types } from 'mongoose'
import { approvedCampaign, campaignBody, seedTag } from '../../../../tests/src/harness/campaign-fixture'
import { articleIn } from '../../../../tests/src/harness/content-fixture'
import {
  acceptTemplate,
  consentedPatient,
  pushWorkerFor,
  shanghai,
  type TestPatient,
} from '../../../../tests/src/harness/push-kit'
import { useStaffHarness } from '../../../../tests/src/harness/server-harness'
import { createLogger } from '../../logger'
import { membershipModel } from '../communities/community.model'
import { createContentModule } from '../content/content.module'
import { patientModel } from '../patients/patient.model'
import { campaignRunModel } from './campaign.model'
import { createCampaignsModule } from './campaign.module'

/**
 * Statistics (F24) of a run dispatched by the real push worker: subscribe (WeChat simulator) with
 * the inbox as fallback, consent, the frequency cap, inbox reads, article opens under the run id,
 * and conversions (a community joined within the goal's days after the message).
 */
const h = useStaffHarness()
const logger = createLogger('silent')
const HEALTH_NOTICE = 'tmpl-health-notice'
const TAG = '春季活动对象'

it('counts targeted, skipped, fallbacks, delivered, opened, clicked, converted and the funnel', async () => {
  h.clock.set(shanghai('2030-06-03T10:00'))
  await h.seedStaff()
  const tok = {
    marketer: (await h.staffLogin('marketing.zhao')).accessToken,
    head: (await h.staffLogin('headnurse.wang')).accessToken,
    admin: (await h.staffLogin('admin')).accessToken,
  }
  const push = pushWorkerFor(h)
  const tagId = await seedTag(h, TAG)
  const patients: Record<'subscribed' | 'reader' | 'clicker' | 'noConsent' | 'capped', TestPatient> = {
    subscribed: await consentedPatient(h, 'stats-subscribed', { marketing: true }),
    reader: await consentedPatient(h, 'stats-reader', { marketing: true }),
    clicker: await consentedPatient(h, 'stats-clicker', { marketing: true }),
    noConsent: await consentedPatient(h, 'stats-no-consent'),
    capped: await consentedPatient(h, 'stats-capped', { marketing: true }),
  }
  const at = h.clock.now()
  for (const p of Object.values(patients))
    await patientModel(h.db).updateOne(
      { _id: p.patientId },
      { $push: { tags: { tagId, source: 'manual', reason: 'test', by: { kind: 'system', id: null }, at } } },
    )
  await acceptTemplate(h, patients.subscribed, HEALTH_NOTICE)
  // the capped patient already had today's marketing message (the cap is 1 a day)
  await push.port.enqueue([
    {
      dedupeKey: 'earlier-marketing',
      purpose: 'marketing',
      dueAt: at,
      patientId: patients.capped.patientId,
      channels: ['inbox'],
      content: { title: '会员日', body: '本周会员日' },
      source: { kind: 'test', id: '1' },
    },
  ])
  await push.worker.dispatchDue()

  const article = await articleIn(h, tok, 'approved', {
    title: '春季养肝小贴士',
    summary: '早睡早起，清淡饮食',
  })
  const c = await approvedCampaign(
    h,
    tok,
    campaignBody(TAG, {
      content: { kind: 'article', articleId: article.id },
      channels: ['subscribe', 'inbox'],
      goal: { event: 'community_joined', withinDays: 7 },
      expiresAfterHours: 2,
    }),
  )
  const runner = createCampaignsModule({
    config: h.config,
    clock: h.clock,
    db: h.db,
    logger,
    push: push.port,
    content: createContentModule({ clock: h.clock, db: h.db, logger }).port,
    owner: 'stats-instance',
  }).runner
  expect(await runner.tick()).toMatchObject({ runsCreated: 1, runsMaterialised: 1, rowsCreated: 5 })
  const run = (await campaignRunModel(h.db)
    .findOne({ campaignId: new Types.ObjectId(c.id) })
    .lean())!
  const runId = run._id.toHexString()
  expect(run.contentVersion).toBe(1)
  await push.worker.dispatchDue()

  // WeChat got the subscribe message with the fitted article title; the others fell back to the inbox
  const wx = h.sim.subscriptions.messages.filter((m) => m.touser === patients.subscribed.openid)
  expect(wx.map((m) => [m.data.thing1?.value, m.page])).toEqual([
    ['春季养肝小贴士', `pkg-content/article/index?id=${article.id}&campaignRunId=${runId}`],
  ])

  // the reader reads the inbox message; the clicker opens the article from it (to the end)
  const inbox = InboxResponse.parse(
    (await h.request('GET', '/api/v1/me/inbox', { token: patients.reader.token })).body,
  )
  const msg = inbox.messages.find((m) => m.title === '春季养肝小贴士')!
  expect(msg.page).toBe(`pkg-content/article/index?id=${article.id}&campaignRunId=${runId}`)
  expect(
    (await h.request('POST', `/api/v1/me/inbox/${msg.id}/read`, { token: patients.reader.token })).status,
  ).toBe(200)
  for (const event of ['open', 'close'] as const) {
    const r = await h.request('POST', `/api/v1/me/articles/${article.id}/reads`, {
      token: patients.clicker.token,
      body: { readId: 'stats-clicker-read-1', event, seconds: 40, completed: true, campaignRunId: runId },
    })
    expect(r.status).toBe(200)
  }

  // conversions: the clicker joins a disease group two days later; the reader had joined before the send
  const join = (p: TestPatient, joinedAt: Date, memberId: string) =>
    membershipModel(h.db).create({
      communityId: new Types.ObjectId(),
      memberId,
      seq: 1,
      memberType: 'customer',
      patientId: new Types.ObjectId(p.patientId),
      joinedAt,
      lastEventAt: joinedAt,
    })
  await join(patients.clicker, new Date(at.getTime() + 2 * 86_400_000), 'wm-clicker')
  await join(patients.reader, new Date(at.getTime() - 86_400_000), 'wm-reader')

  const expected = {
    targeted: 5,
    skipped: { NO_CONSENT: 1, FREQUENCY_CAP: 1 },
    fallbacks: { NO_SUBSCRIBE_CREDIT: 2 },
    sent: 3,
    delivered: 3,
    deliveredByChannel: { subscribe: 1, inbox: 2 },
    failed: {},
    pending: 0,
    cancelled: 0,
    opened: 2,
    clicked: 1,
    converted: 1,
    funnel: [
      { step: 'targeted', count: 5 },
      { step: 'delivered', count: 3 },
      { step: 'opened', count: 2 },
      { step: 'clicked', count: 1 },
      { step: 'converted', count: 1 },
    ],
  }
  const live = await h.request('GET', `/api/v1/staff/campaigns/${c.id}/runs/${runId}`, { token: tok.head })
  const one = CampaignRunResponse.parse(live.body)
  expect(one.run).toMatchObject({
    state: 'materialised',
    progress: { materialised: 5, total: 5 },
    contentVersion: 1,
  })
  expect(one.stats).toEqual(expected)

  const all = CampaignStatsResponse.parse(
    (await h.request('GET', `/api/v1/staff/campaigns/${c.id}/stats`, { token: tok.marketer })).body,
  )
  expect(all).toMatchObject({ runsTotal: 1, goal: { event: 'community_joined', withinDays: 7 } })
  expect(all.totals).toEqual(expected)
  expect(all.runs.map((r) => r.run.id)).toEqual([runId])
})

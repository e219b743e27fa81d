import {
  CampaignPreviewResponse,
  CampaignResponse,
  CampaignsResponse,
  ErrorBody,
  type Campaign,
} from '@careloop/shared'
import {
  approvedCampaign,
  campaignBody,
  seedTag,
  seedTaggedPatients,
} from '../../../../tests/src/harness/campaign-fixture'
import { articleIn } from '../../../../tests/src/harness/content-fixture'
import { shanghai } from '../../../../tests/src/harness/push-kit'
import { useStaffHarness } from '../../../../tests/src/harness/server-harness'
import { auditModel } from '../audit/audit.model'
import { campaignModel } from './campaign.model'

/** Campaigns through the real app (F23): drafting, approval by someone else, preview, controls. */
const h = useStaffHarness()
const tok = {} as Record<'admin' | 'head' | 'marketer' | 'nurse' | 'admin2', string>
const TAG = '春季活动'

const err = (b: unknown) => ErrorBody.parse(b).error
const campaignOf = (b: unknown): Campaign => CampaignResponse.parse(b).campaign
const post = (path: string, token: string, body?: unknown) => h.request('POST', path, { token, body })
const url = (id: string, rest = '') => `/api/v1/staff/campaigns/${id}${rest}`
const create = async (body: Record<string, unknown>, token = tok.marketer): Promise<Campaign> => {
  const r = await post('/api/v1/staff/campaigns', token, body)
  expect(r.status).toBe(201)
  return campaignOf(r.body)
}

beforeAll(async () => {
  h.clock.set(shanghai('2030-04-01T10:00'))
  await h.seedStaff()
  tok.admin = (await h.staffLogin('admin')).accessToken
  tok.head = (await h.staffLogin('headnurse.wang')).accessToken
  tok.marketer = (await h.staffLogin('marketing.zhao')).accessToken
  tok.nurse = (await h.staffLogin('nurse.li')).accessToken
  const created = await post('/api/v1/admin/staff', tok.admin, {
    username: 'ops.sun',
    name: '孙运营',
    role: 'admin',
    password: 'ops-sun-pass-1',
  })
  expect(created.status).toBe(201)
  tok.admin2 = (await h.staffLogin('ops.sun', 'ops-sun-pass-1')).accessToken
  const tagId = await seedTag(h, TAG)
  await seedTaggedPatients(h, tagId, 7)
  await seedTaggedPatients(h, tagId, 2, { marketing: false })
})

describe('drafting', () => {
  it('marketers and admins draft; the expression is stored canonical; nurses and head nurses may not', async () => {
    const c = await create(campaignBody(`${TAG}  AND  age>=18`))
    expect(c).toMatchObject({
      state: 'draft',
      segment: { expression: `${TAG} AND age>=18`, segmentId: null },
      channels: ['inbox'],
      subscribeKind: null,
      expiresAfterHours: 24,
      goal: null,
      nextRunAt: null,
      lastRun: null,
    })
    for (const token of [tok.nurse, tok.head]) {
      const r = await post('/api/v1/staff/campaigns', token, campaignBody(TAG))
      expect([r.status, err(r.body).code]).toEqual([403, 'FORBIDDEN'])
    }
    const list = CampaignsResponse.parse(
      (await h.request('GET', '/api/v1/staff/campaigns?state=draft', { token: tok.head })).body,
    )
    expect(list.campaigns.map((x) => x.id)).toContain(c.id)
    expect(
      await auditModel(h.db).countDocuments({ action: 'campaign.create', 'detail.campaignId': c.id }),
    ).toBe(1)
  })

  it('refuses a sub-hourly cron saying why, a bad cron, an end date behind, an unknown tag', async () => {
    const before = await campaignModel(h.db).countDocuments()
    const cases: [Record<string, unknown>, string, string, string][] = [
      [
        { kind: 'cron', cron: '*/15 * * * *', endAt: '2030-06-01T00:00' },
        'CAMPAIGN_SCHEDULE_INVALID',
        'schedule.cron',
        'once an hour',
      ],
      [
        { kind: 'cron', cron: '0 9 * * funday', endAt: '2030-06-01T00:00' },
        'CAMPAIGN_SCHEDULE_INVALID',
        'schedule.cron',
        'invalid cron',
      ],
      [
        { kind: 'cron', cron: '0 9 * * 1', endAt: '2030-03-01T00:00' },
        'CAMPAIGN_SCHEDULE_INVALID',
        'schedule.endAt',
        'future',
      ],
      [{ kind: 'at', at: '2030-04-01T09:00' }, 'CAMPAIGN_SCHEDULE_INVALID', 'schedule.at', 'future'],
    ]
    for (const [schedule, code, field, why] of cases) {
      const r = await post('/api/v1/staff/campaigns', tok.marketer, campaignBody(TAG, { schedule } as never))
      expect([r.status, err(r.body).code]).toEqual([400, code])
      const details = err(r.body).details as { path: string; message: string }[]
      expect(details.map((d) => d.path)).toEqual([field])
      expect(details[0]!.message).toContain(why)
    }
    const unknown = await post('/api/v1/staff/campaigns', tok.marketer, campaignBody('不存在的标签'))
    expect([unknown.status, err(unknown.body).code]).toEqual([400, 'SEGMENT_INVALID'])
    const wecom = await post('/api/v1/staff/campaigns', tok.marketer, {
      ...campaignBody(TAG),
      channels: ['wecom-app'],
    })
    expect([wecom.status, err(wecom.body).code]).toEqual([400, 'VALIDATION_FAILED'])
    expect(await campaignModel(h.db).countDocuments()).toBe(before)
  })

  it('a weekly cron shows its next run in the hospital zone once approved', async () => {
    const c = await approvedCampaign(
      h,
      { marketer: tok.marketer, head: tok.head },
      campaignBody(TAG, { schedule: { kind: 'cron', cron: '0 9 * * 1', endAt: '2030-05-01T00:00' } }),
    )
    // 2030-04-01 is a Monday, 10:00 now: the next run is next Monday 09:00 Shanghai
    expect(c).toMatchObject({ state: 'approved', nextRunAt: shanghai('2030-04-08T09:00').toISOString() })
  })
})

describe('approval before send', () => {
  it('the author cannot approve; an editor cannot either; another admin or a head nurse can', async () => {
    const c = await create(campaignBody(TAG), tok.admin)
    const early = await post(url(c.id, '/decision'), tok.head, { decision: 'approve' })
    expect([early.status, err(early.body).code]).toEqual([409, 'CAMPAIGN_STATE'])
    expect((await post(url(c.id, '/submit'), tok.admin)).status).toBe(200)
    const own = await post(url(c.id, '/decision'), tok.admin, { decision: 'approve' })
    expect([own.status, err(own.body).code]).toEqual([403, 'CAMPAIGN_SELF_APPROVAL'])
    const marketer = await post(url(c.id, '/decision'), tok.marketer, { decision: 'approve' })
    expect([marketer.status, err(marketer.body).code]).toEqual([403, 'FORBIDDEN'])

    // rejected back to draft with a comment; edited by the second admin, who then may not approve
    const noComment = await post(url(c.id, '/decision'), tok.head, { decision: 'reject' })
    expect([noComment.status, err(noComment.body).code]).toEqual([400, 'VALIDATION_FAILED'])
    const rejected = await post(url(c.id, '/decision'), tok.head, { decision: 'reject', comment: '标题太长' })
    expect(campaignOf(rejected.body).state).toBe('draft')
    const again = await post(url(c.id, '/decision'), tok.head, { decision: 'reject', comment: '标题太长' })
    expect([again.status, campaignOf(again.body).state]).toEqual([200, 'draft'])
    const edited = await h.request('PUT', url(c.id), {
      token: tok.admin2,
      body: campaignBody(TAG, { name: '春季体检' }),
    })
    expect(campaignOf(edited.body).name).toBe('春季体检')
    await post(url(c.id, '/submit'), tok.admin)
    const editor = await post(url(c.id, '/decision'), tok.admin2, { decision: 'approve' })
    expect([editor.status, err(editor.body).code]).toEqual([403, 'CAMPAIGN_SELF_APPROVAL'])
    const ok = await post(url(c.id, '/decision'), tok.head, { decision: 'approve', comment: '可以' })
    const approved = campaignOf(ok.body)
    expect(approved.state).toBe('approved')
    expect(approved.approvals.map((a) => a.decision)).toEqual(['submit', 'reject', 'submit', 'approve'])
    // repeated: answered as it is; an approved campaign is no longer edited
    const repeat = await post(url(c.id, '/decision'), tok.head, { decision: 'approve' })
    expect([repeat.status, campaignOf(repeat.body).approvals.length]).toEqual([200, 4])
    const edit = await h.request('PUT', url(c.id), { token: tok.admin, body: campaignBody(TAG) })
    expect([edit.status, err(edit.body).code]).toEqual([409, 'CAMPAIGN_STATE'])
    expect(
      await auditModel(h.db).countDocuments({ action: 'campaign.approve', 'detail.campaignId': c.id }),
    ).toBe(1)
  })

  it('the approver sees the audience count now and the message per channel', async () => {
    const c = await create(
      campaignBody(TAG, {
        channels: ['subscribe', 'inbox'],
        schedule: { kind: 'at', at: '2030-04-02T09:30' },
        content: {
          kind: 'template',
          title: '春季免费体检活动开始预约啦欢迎大家踊跃参加报名',
          body: '本周六上午门诊楼一楼',
          page: 'pages/index/index',
        },
      }),
    )
    await post(url(c.id, '/submit'), tok.marketer)
    const r = await h.request('GET', url(c.id, '/preview'), { token: tok.head })
    expect(r.status).toBe(200)
    const p = CampaignPreviewResponse.parse(r.body)
    expect(p).toMatchObject({ audienceCount: 9, expression: TAG, contentProblem: null })
    expect(p.channels).toEqual([
      {
        channel: 'subscribe',
        kind: 'health_notice',
        templateId: 'tmpl-health-notice',
        data: {
          thing1: '春季免费体检活动开始预约啦欢迎大家踊跃…',
          thing2: '本周六上午门诊楼一楼',
          time3: '2030-04-02 09:30',
        },
        problem: null,
      },
      {
        channel: 'inbox',
        title: '春季免费体检活动开始预约啦欢迎大家踊跃参加报名',
        body: '本周六上午门诊楼一楼',
        page: 'pages/index/index',
      },
    ])
    expect(await auditModel(h.db).countDocuments({ action: 'campaign.preview', 'detail.count': 9 })).toBe(1)
  })

  it('an article campaign needs an approved version to be approved; the preview says why', async () => {
    const t = { marketer: tok.marketer, head: tok.head, admin: tok.admin }
    const draft = await articleIn(h, t, 'clinical_review', { title: '春季过敏防护' })
    const c = await create(campaignBody(TAG, { content: { kind: 'article', articleId: draft.id } }))
    await post(url(c.id, '/submit'), tok.marketer)
    const p = CampaignPreviewResponse.parse(
      (await h.request('GET', url(c.id, '/preview'), { token: tok.head })).body,
    )
    expect(p.content).toBeNull()
    expect(p.contentProblem).toContain('no approved version')
    const refused = await post(url(c.id, '/decision'), tok.head, { decision: 'approve' })
    expect([refused.status, err(refused.body).code]).toEqual([409, 'CAMPAIGN_CONTENT_NOT_APPROVED'])

    const article = await articleIn(h, t, 'approved', { title: '春季养生' })
    const ok = await create(campaignBody(TAG, { content: { kind: 'article', articleId: article.id } }))
    await post(url(ok.id, '/submit'), tok.marketer)
    const shown = CampaignPreviewResponse.parse(
      (await h.request('GET', url(ok.id, '/preview'), { token: tok.admin })).body,
    )
    expect(shown.content).toMatchObject({ title: '春季养生', version: 1 })
    expect(shown.channels).toEqual([
      expect.objectContaining({ channel: 'inbox', page: `pkg-content/article/index?id=${article.id}` }),
    ])
    expect((await post(url(ok.id, '/decision'), tok.admin, { decision: 'approve' })).status).toBe(200)
  })
})

describe('controls', () => {
  it('pause, resume and cancel follow the states; repeats answer it again', async () => {
    const draft = await create(campaignBody(TAG))
    const pauseDraft = await post(url(draft.id, '/pause'), tok.marketer)
    expect([pauseDraft.status, err(pauseDraft.body).code]).toEqual([409, 'CAMPAIGN_STATE'])
    const c = await approvedCampaign(
      h,
      { marketer: tok.marketer, head: tok.head },
      campaignBody(TAG, { schedule: { kind: 'at', at: '2030-04-03T09:00' } }),
    )
    for (let i = 0; i < 2; i++)
      expect(campaignOf((await post(url(c.id, '/pause'), tok.head)).body)).toMatchObject({
        state: 'paused',
        nextRunAt: null,
      })
    for (let i = 0; i < 2; i++)
      expect(campaignOf((await post(url(c.id, '/resume'), tok.marketer)).body)).toMatchObject({
        state: 'approved',
        nextRunAt: shanghai('2030-04-03T09:00').toISOString(),
      })
    for (let i = 0; i < 2; i++)
      expect(campaignOf((await post(url(c.id, '/cancel'), tok.admin)).body).state).toBe('cancelled')
    const resume = await post(url(c.id, '/resume'), tok.admin)
    expect([resume.status, err(resume.body).code]).toEqual([409, 'CAMPAIGN_STATE'])
    const missing = await h.request('GET', url('000000000000000000000000'), { token: tok.head })
    expect([missing.status, err(missing.body).code]).toEqual([404, 'CAMPAIGN_NOT_FOUND'])
    const run = await h.request('GET', url(c.id, '/runs/000000000000000000000000'), { token: tok.head })
    expect([run.status, err(run.body).code]).toEqual([404, 'CAMPAIGN_RUN_NOT_FOUND'])
  })
})

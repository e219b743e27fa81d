import { ErrorBody, FollowupPlan, FollowupPlansResponse } from '@careloop/shared'
import { Types } from 'mongoose'
import { useFollowupHarness, type PlanBody } from '../../../../tests/src/harness/followup-fixture'
import { auditModel } from '../audit/audit.model'
import { questionnaireModel } from '../questionnaires/questionnaire.model'
import { tagGroupModel, tagModel } from '../tags/tag.model'
import { planModel } from './followup.model'

const kit = useFollowupHarness()
const { h } = kit
let published = ''
let draft = ''
let tagId = ''

const postSurgery = (name: string, questionnaireId = published): PlanBody => ({
  name,
  description: '术后常规随访',
  anchor: 'surgery',
  steps: [
    { offsetDays: 1, kind: 'reminder', title: '术后第1天提醒', body: '注意伤口，按时服药', windowDays: 1 },
    {
      offsetDays: 3,
      time: '10:30',
      kind: 'questionnaire',
      title: '术后问卷',
      questionnaireId,
      windowDays: 2,
    },
    {
      offsetDays: 7,
      kind: 'content',
      title: '术后康复指导',
      link: 'https://example.org/rehab',
      windowDays: 3,
    },
  ],
  thresholds: { bpSystolic: { max: 160 }, noReadingDays: 14 },
})

const details = (body: unknown): string[] =>
  (ErrorBody.parse(body).error.details as { path: string }[]).map((d) => d.path)

beforeAll(async () => {
  const Q = questionnaireModel(h.db)
  const base = { kind: 'clinical', definition: { title: 'x', questions: [] }, version: 1, revision: 1 }
  published = (
    await Q.create({ ...base, title: '术后问卷', status: 'published', publishedVersion: 1 })
  )._id.toHexString()
  draft = (await Q.create({ ...base, title: '草稿问卷', status: 'draft' }))._id.toHexString()
  const g = await tagGroupModel(h.db).create({ name: '方案分组', kind: 'stage' })
  tagId = (await tagModel(h.db).create({ groupId: g._id, name: '术后' }))._id.toHexString()
})

describe('follow-up plan templates', () => {
  it('a head nurse builds a post-surgery plan; steps get stable keys, sorted by day', async () => {
    const plan = await kit.plan({ ...postSurgery('术后随访'), autoEnrolTagId: tagId })
    expect(plan.version).toBe(1)
    expect(plan.status).toBe('active')
    expect(plan.anchor).toBe('surgery')
    expect(plan.steps.map((s) => [s.offsetDays, s.kind, s.time])).toEqual([
      [1, 'reminder', '09:00'],
      [3, 'questionnaire', '10:30'],
      [7, 'content', '09:00'],
    ])
    expect(new Set(plan.steps.map((s) => s.key)).size).toBe(3)
    for (const s of plan.steps) expect(s.key).toMatch(/^d\d+-[0-9a-f]{4}$/)
    expect(plan.thresholds).toEqual({ bpSystolic: { max: 160 }, noReadingDays: 14 })
    expect(plan.autoEnrolTag).toEqual({ id: tagId, name: '术后' })
    expect(plan.activeEnrolments).toBe(0)
    const audit = await auditModel(h.db).findOne({ action: 'followup.plan_create' }).lean()
    expect(audit?.actor?.id).toBe(kit.ids.headWang)
  })

  it('an edit keeps step keys given back, bumps the version, and archiving hides the plan from the default list', async () => {
    const plan = await kit.plan(postSurgery('出院随访'))
    const head = await kit.token('head_nurse')
    const steps = plan.steps.map((s) => ({
      key: s.key,
      offsetDays: s.offsetDays,
      kind: s.kind,
      title: `${s.title}（新）`,
      windowDays: s.windowDays,
      ...(s.questionnaireId ? { questionnaireId: s.questionnaireId } : {}),
    }))
    const r = await h.request('PUT', `/api/v1/staff/followup/plans/${plan.id}`, {
      token: head,
      body: { steps: [...steps, { offsetDays: 30, kind: 'nurse_task', title: '电话回访', windowDays: 3 }] },
    })
    expect(r.status).toBe(200)
    const edited = FollowupPlan.parse(r.body)
    expect(edited.version).toBe(2)
    expect(edited.steps.slice(0, 3).map((s) => s.key)).toEqual(plan.steps.map((s) => s.key))
    expect(edited.steps[3]!.kind).toBe('nurse_task')
    const archived = await h.request('PUT', `/api/v1/staff/followup/plans/${plan.id}`, {
      token: head,
      body: { status: 'archived' },
    })
    expect(FollowupPlan.parse(archived.body)).toMatchObject({ status: 'archived', version: 3 })
    const nurse = await kit.token('nurse')
    const active = FollowupPlansResponse.parse(
      (await h.request('GET', '/api/v1/staff/followup/plans', { token: nurse })).body,
    )
    expect(active.plans.map((p) => p.name)).not.toContain('出院随访')
    const all = FollowupPlansResponse.parse(
      (await h.request('GET', '/api/v1/staff/followup/plans?status=all', { token: nurse })).body,
    )
    expect(all.plans.map((p) => p.name)).toContain('出院随访')
  })

  it('nurses read plans but may not edit them; marketers see none', async () => {
    const plan = await kit.plan(postSurgery('只读方案'))
    const nurse = await kit.token('nurse')
    expect((await h.request('GET', `/api/v1/staff/followup/plans/${plan.id}`, { token: nurse })).status).toBe(
      200,
    )
    const edit = await h.request('PUT', `/api/v1/staff/followup/plans/${plan.id}`, {
      token: nurse,
      body: { name: 'x' },
    })
    expect(edit.status).toBe(403)
    const create = await h.request('POST', '/api/v1/staff/followup/plans', {
      token: nurse,
      body: postSurgery('护士方案'),
    })
    expect(create.status).toBe(403)
    const marketer = await kit.token('marketer')
    expect((await h.request('GET', '/api/v1/staff/followup/plans', { token: marketer })).status).toBe(403)
  })

  it.each<[string, (b: PlanBody) => unknown, string]>([
    ['no name', (b) => ({ ...b, name: '' }), 'name'],
    ['an unknown anchor', (b) => ({ ...b, anchor: 'birthday' }), 'anchor'],
    ['no steps', (b) => ({ ...b, steps: [] }), 'steps'],
    [
      'a negative offset',
      (b) => ({ ...b, steps: [{ ...b.steps[0]!, offsetDays: -1 }] }),
      'steps.0.offsetDays',
    ],
    [
      'an offset past ten years',
      (b) => ({ ...b, steps: [{ ...b.steps[0]!, offsetDays: 3651 }] }),
      'steps.0.offsetDays',
    ],
    [
      'a fractional window',
      (b) => ({ ...b, steps: [{ ...b.steps[0]!, windowDays: 1.5 }] }),
      'steps.0.windowDays',
    ],
    ['a bad time', (b) => ({ ...b, steps: [{ ...b.steps[0]!, time: '24:00' }] }), 'steps.0.time'],
    ['an unknown kind', (b) => ({ ...b, steps: [{ ...b.steps[0]!, kind: 'sms' }] }), 'steps.0.kind'],
    [
      'a questionnaire step without a questionnaire',
      (b) => ({ ...b, steps: [{ offsetDays: 3, kind: 'questionnaire', title: '问卷', windowDays: 1 }] }),
      'steps.0.questionnaireId',
    ],
    [
      'a link on a reminder',
      (b) => ({ ...b, steps: [{ ...b.steps[0]!, link: 'https://example.org' }] }),
      'steps.0.link',
    ],
    [
      'duplicate step keys',
      (b) => ({
        ...b,
        steps: [
          { ...b.steps[0]!, key: 'a' },
          { ...b.steps[2]!, key: 'a' },
        ],
      }),
      'steps.1.key',
    ],
    [
      'min above max',
      (b) => ({ ...b, thresholds: { glucose: { min: 10, max: 3 } } }),
      'thresholds.glucose.min',
    ],
    ['an unknown field', (b) => ({ ...b, colour: 'red' }), '(root)'],
  ])('refuses %s with 400 naming the field, writing nothing', async (_n, change, field) => {
    const before = await planModel(h.db).countDocuments()
    const r = await h.request('POST', '/api/v1/staff/followup/plans', {
      token: await kit.token('admin'),
      body: change(postSurgery(`坏方案${field}`)),
    })
    expect(r.status).toBe(400)
    expect(kit.code(r.body)).toBe('VALIDATION_FAILED')
    expect(details(r.body)).toContain(field)
    expect(await planModel(h.db).countDocuments()).toBe(before)
  })

  it('checks questionnaires and the auto-enrol tag exist (a draft questionnaire is not enough)', async () => {
    const admin = await kit.token('admin')
    const missing = new Types.ObjectId().toHexString()
    for (const [qid, message] of [
      [missing, /no questionnaire/],
      [draft, /draft, not published/],
    ] as const) {
      const r = await h.request('POST', '/api/v1/staff/followup/plans', {
        token: admin,
        body: postSurgery('问卷校验', qid),
      })
      expect(r.status).toBe(400)
      expect(details(r.body)).toEqual(['steps.1.questionnaireId'])
      expect(ErrorBody.parse(r.body).error.message).toMatch(message)
    }
    const tag = await h.request('POST', '/api/v1/staff/followup/plans', {
      token: admin,
      body: { ...postSurgery('标签校验'), autoEnrolTagId: missing },
    })
    expect(tag.status).toBe(400)
    expect(details(tag.body)).toEqual(['autoEnrolTagId'])
  })

  it('names are unique; unknown plans answer 404', async () => {
    await kit.plan(postSurgery('同名方案'))
    const r = await h.request('POST', '/api/v1/staff/followup/plans', {
      token: await kit.token('admin'),
      body: postSurgery('同名方案'),
    })
    expect(r.status).toBe(409)
    expect(kit.code(r.body)).toBe('FOLLOWUP_PLAN_NAME_TAKEN')
    const nf = await h.request('GET', `/api/v1/staff/followup/plans/${new Types.ObjectId().toHexString()}`, {
      token: await kit.token('nurse'),
    })
    expect(nf.status).toBe(404)
    expect(kit.code(nf.body)).toBe('FOLLOWUP_PLAN_NOT_FOUND')
  })
})

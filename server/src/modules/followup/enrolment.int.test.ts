import { EnrolmentResponse, EnrolmentsResponse, EnrolResponse, ErrorBody } from '@careloop/shared'
import { Types } from 'mongoose'
import { useFollowupHarness, type PlanBody } from '../../../../tests/src/harness/followup-fixture'
import { auditModel } from '../audit/audit.model'
import { syncIndexes } from '../../db/connection'
import { questionnaireModel } from '../questionnaires/questionnaire.model'
import { tagGroupModel, tagModel } from '../tags/tag.model'
import { taskModel } from '../tasks/task.model'
import { enrolmentModel, stepModel } from './followup.model'

const kit = useFollowupHarness()
const { h, push } = kit
const DAY = 86_400_000
/** 2026-03-02 10:00 in Shanghai (UTC+8, no daylight saving). */
const NOW = new Date('2026-03-02T02:00:00Z')
let questionnaireId = ''
let planId = ''
let keys: string[] = []

const surgeryPlan = (name: string): PlanBody => ({
  name,
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
})

const surgery = async (patientId: string, at: string): Promise<void> => {
  const r = await h.request('POST', `/api/v1/staff/patients/${patientId}/events`, {
    token: await kit.token('nurse'),
    body: { kind: 'surgery', at },
  })
  expect(r.status).toBe(201)
}

const call = async (path: string, who: Parameters<typeof kit.token>[0] = 'nurse') =>
  h.request('POST', path, { token: await kit.token(who) })

beforeAll(async () => {
  h.clock.set(NOW)
  questionnaireId = (
    await questionnaireModel(h.db).create({
      title: '术后问卷',
      kind: 'clinical',
      definition: { title: '术后问卷', questions: [] },
      status: 'published',
      version: 1,
      publishedVersion: 1,
      revision: 1,
    })
  )._id.toHexString()
  const plan = await kit.plan(surgeryPlan('术后随访'))
  planId = plan.id
  keys = plan.steps.map((s) => s.key)
  await syncIndexes(h.db)
})

beforeEach(() => h.clock.set(NOW))

describe('enrolment', () => {
  it('counts D+N from the latest surgery in the hospital zone (local midnight edges) and materialises the schedule', async () => {
    // 2026-03-01T16:30Z is 2026-03-02 00:30 in Shanghai: the anchor day is the 2nd, not the 1st.
    const late = await kit.patient({ name: '张秀兰' })
    await surgery(late, '2026-02-01T03:00:00Z')
    await surgery(late, '2026-03-01T16:30:00Z')
    const r = await kit.enrol(late, { planId })
    expect(r.created).toBe(true)
    const e = r.enrolment
    expect([e.anchor, e.anchorDate, e.anchorSource, e.status, e.via]).toEqual([
      'surgery',
      '2026-03-02',
      'event',
      'active',
      'console',
    ])
    expect(e.nurse).toEqual({ id: kit.ids.nurseLi, name: '李娜' })
    expect(e.plan).toMatchObject({ id: planId, name: '术后随访', version: 1 })
    expect(e.steps.map((s) => [s.key, s.dueAt, s.windowEnd, s.dueAtLocal, s.status])).toEqual([
      [keys[0], '2026-03-03T01:00:00.000Z', '2026-03-04T16:00:00.000Z', '2026-03-03 09:00', 'scheduled'],
      [keys[1], '2026-03-05T02:30:00.000Z', '2026-03-07T16:00:00.000Z', '2026-03-05 10:30', 'scheduled'],
      [keys[2], '2026-03-09T01:00:00.000Z', '2026-03-12T16:00:00.000Z', '2026-03-09 09:00', 'scheduled'],
    ])

    // 2026-03-01T15:59Z is 2026-03-01 23:59 local: the anchor day is the 1st.
    const early = await kit.patient()
    await surgery(early, '2026-03-01T15:59:00Z')
    const r2 = await kit.enrol(early, { planId })
    expect(r2.enrolment.anchorDate).toBe('2026-03-01')
    expect(r2.enrolment.steps[0]!.dueAt).toBe('2026-03-02T01:00:00.000Z')

    // one outbox message per patient step, keyed by enrolment and step
    const msgs = push.messages(`followup:${e.id}:`)
    expect(msgs).toHaveLength(3)
    const [reminder, questionnaire, content] = keys.map(
      (k) => msgs.find((m) => m.dedupeKey === `followup:${e.id}:${k}`)!,
    )
    const step = (i: number) => e.steps[i]!
    expect(reminder).toMatchObject({
      purpose: 'care',
      patientId: late,
      channels: ['subscribe', 'inbox'],
      dueAt: new Date(step(0).dueAt),
      expiresAt: new Date(step(0).windowEnd),
      source: { kind: 'followup-step', id: step(0).id, groupId: e.id },
      content: {
        title: '术后第1天提醒',
        body: '注意伤口，按时服药',
        page: `pkg-followup/step/index?id=${step(0).id}`,
        subscribe: {
          kind: 'followup_reminder',
          fields: { title: '术后第1天提醒', time: '2026-03-03 09:00' },
        },
      },
    })
    expect(questionnaire!.content.page).toBe(`pkg-followup/questionnaire/index?step=${step(1).id}`)
    expect(questionnaire!.content.subscribe).toMatchObject({
      kind: 'questionnaire_due',
      fields: { title: '术后问卷', time: '2026-03-07 23:59' },
    })
    expect(content!.content.subscribe?.kind).toBe('health_notice')
    expect(
      await auditModel(h.db).countDocuments({
        action: 'followup.enrol',
        patientId: new Types.ObjectId(late),
      }),
    ).toBe(1)
  })

  it('asks for the anchor date when the patient has no matching event; a given date wins', async () => {
    const p = await kit.patient()
    const r = await h.request('POST', `/api/v1/staff/patients/${p}/enrolments`, {
      token: await kit.token('nurse'),
      body: { planId },
    })
    expect(r.status).toBe(400)
    expect(kit.code(r.body)).toBe('FOLLOWUP_ANCHOR_REQUIRED')
    expect((ErrorBody.parse(r.body).error.details as { path: string }[])[0]!.path).toBe('anchorDate')
    expect(await enrolmentModel(h.db).countDocuments({ patientId: new Types.ObjectId(p) })).toBe(0)
    const ok = await kit.enrol(p, { planId, anchorDate: '2026-03-02' })
    expect([ok.enrolment.anchorDate, ok.enrolment.anchorSource]).toEqual(['2026-03-02', 'given'])
    const bad = await h.request('POST', `/api/v1/staff/patients/${p}/enrolments`, {
      token: await kit.token('nurse'),
      body: { planId, anchorDate: '2026-02-30' },
    })
    expect(bad.status).toBe(400)
  })

  it('is idempotent: enrolling again returns the running enrolment; 20 at once make one enrolment and one schedule', async () => {
    const p = await kit.patient()
    const first = await kit.enrol(p, { planId, anchorDate: '2026-03-02' })
    const again = await kit.enrol(p, { planId, anchorDate: '2026-03-20' })
    expect(again.created).toBe(false)
    expect(again.enrolment.id).toBe(first.enrolment.id)
    expect(again.enrolment.anchorDate).toBe('2026-03-02')

    const q = await kit.patient()
    const token = await kit.token('nurse')
    const all = await Promise.all(
      Array.from({ length: 20 }, () =>
        h.request('POST', `/api/v1/staff/patients/${q}/enrolments`, {
          token,
          body: { planId, anchorDate: '2026-03-02' },
        }),
      ),
    )
    expect(all.map((r) => r.status)).toEqual(Array(20).fill(200))
    const parsed = all.map((r) => EnrolResponse.parse(r.body))
    expect(parsed.filter((r) => r.created)).toHaveLength(1)
    expect(new Set(parsed.map((r) => r.enrolment.id)).size).toBe(1)
    const pid = new Types.ObjectId(q)
    expect(await enrolmentModel(h.db).countDocuments({ patientId: pid })).toBe(1)
    expect(await stepModel(h.db).countDocuments({ patientId: pid })).toBe(3)
    expect(push.messages(`followup:${parsed[0]!.enrolment.id}:`)).toHaveLength(3)
  })

  it('cancels steps whose window closed before a back-dated enrolment and says why', async () => {
    const p = await kit.patient()
    const r = await kit.enrol(p, { planId, anchorDate: '2026-02-26' })
    expect(r.enrolment.steps.map((s) => [s.status, s.cancelReason])).toEqual([
      ['cancelled', 'before_enrolment'],
      ['due', null],
      ['scheduled', null],
    ])
    expect(r.enrolment.counts).toMatchObject({ total: 3, cancelled: 1, open: 2 })
    expect(push.messages(`followup:${r.enrolment.id}:`).map((m) => m.dedupeKey)).toEqual([
      `followup:${r.enrolment.id}:${keys[1]}`,
      `followup:${r.enrolment.id}:${keys[2]}`,
    ])
  })

  it('pause holds the reminders, resume revives them, stop cancels steps, reminders and tasks (each idempotent)', async () => {
    const p = await kit.patient()
    const e = (await kit.enrol(p, { planId, anchorDate: '2026-03-02' })).enrolment
    const group = { kind: 'followup-step', groupId: e.id }
    const prefix = `followup:${e.id}:`

    const paused = await call(`/api/v1/staff/enrolments/${e.id}/pause`)
    expect(paused.status).toBe(200)
    expect(EnrolmentResponse.parse(paused.body).enrolment.status).toBe('paused')
    expect(push.ops('cancelBySource')).toContainEqual(group)
    expect(push.messages(prefix, 'cancelled')).toHaveLength(3)
    expect(EnrolmentResponse.parse(paused.body).enrolment.steps.every((s) => s.held)).toBe(true)
    expect((await call(`/api/v1/staff/enrolments/${e.id}/pause`)).status).toBe(200)

    // the first step's window closes while paused: on resume it is cancelled, not missed
    h.clock.set(new Date(NOW.getTime() + 3 * DAY))
    const resumed = await call(`/api/v1/staff/enrolments/${e.id}/resume`)
    expect(resumed.status).toBe(200)
    const after = EnrolmentResponse.parse(resumed.body).enrolment
    expect(after.status).toBe('active')
    expect(after.steps.map((s) => [s.status, s.cancelReason, s.held])).toEqual([
      ['cancelled', 'paused', false],
      ['scheduled', null, false],
      ['scheduled', null, false],
    ])
    expect(push.ops('reviveBySource')).toContainEqual(group)
    expect(push.messages(prefix, 'pending')).toHaveLength(3)
    expect((await call(`/api/v1/staff/enrolments/${e.id}/resume`)).status).toBe(200)

    await taskModel(h.db).create({
      dedupeKey: `test:${e.id}`,
      patientId: new Types.ObjectId(p),
      kind: 'missed',
      priority: 'normal',
      title: '漏访',
      dueAt: NOW,
      status: 'open',
      source: { kind: 'followup-step', id: after.steps[0]!.id, groupId: e.id },
    })
    const stopped = await call(`/api/v1/staff/enrolments/${e.id}/stop`)
    expect(stopped.status).toBe(200)
    const s = EnrolmentResponse.parse(stopped.body).enrolment
    expect(s.status).toBe('stopped')
    expect(s.steps.map((x) => x.cancelReason)).toEqual(['paused', 'stopped', 'stopped'])
    expect(push.messages(prefix, 'pending')).toHaveLength(0)
    expect(
      (await taskModel(h.db)
        .findOne({ dedupeKey: `test:${e.id}` })
        .lean())!.status,
    ).toBe('cancelled')
    expect(s.history.map((x) => x.action)).toEqual(['enrolled', 'paused', 'resumed', 'stopped'])
    expect((await call(`/api/v1/staff/enrolments/${e.id}/stop`)).status).toBe(200)

    for (const action of ['pause', 'resume']) {
      const r = await call(`/api/v1/staff/enrolments/${e.id}/${action}`)
      expect(r.status).toBe(409)
      expect(kit.code(r.body)).toBe('FOLLOWUP_ENROLMENT_STATE')
    }
    // a stopped enrolment frees the slot: enrolling again starts a new one with new message keys
    const again = await kit.enrol(p, { planId, anchorDate: '2026-03-05' })
    expect(again.created).toBe(true)
    expect(again.enrolment.id).not.toBe(e.id)
    expect(push.messages(`followup:${again.enrolment.id}:`, 'pending')).toHaveLength(3)
    expect(
      await auditModel(h.db).countDocuments({
        action: { $in: ['followup.pause', 'followup.resume', 'followup.stop'] },
        patientId: new Types.ObjectId(p),
      }),
    ).toBe(3)
  })

  it("keeps nurses to their scope: another nurse's patient or enrolment answers 404", async () => {
    const p = await kit.patient()
    const e = (await kit.enrol(p, { planId, anchorDate: '2026-03-02' })).enrolment
    const zhou = await kit.token('nurse.zhou')
    const enrol = await h.request('POST', `/api/v1/staff/patients/${p}/enrolments`, {
      token: zhou,
      body: { planId },
    })
    expect([enrol.status, kit.code(enrol.body)]).toEqual([404, 'PATIENT_NOT_FOUND'])
    const list = await h.request('GET', `/api/v1/staff/patients/${p}/enrolments`, { token: zhou })
    expect([list.status, kit.code(list.body)]).toEqual([404, 'PATIENT_NOT_FOUND'])
    const pause = await h.request('POST', `/api/v1/staff/enrolments/${e.id}/pause`, { token: zhou })
    expect([pause.status, kit.code(pause.body)]).toEqual([404, 'FOLLOWUP_ENROLMENT_NOT_FOUND'])
    const unknown = await call(`/api/v1/staff/enrolments/${new Types.ObjectId().toHexString()}/stop`)
    expect(unknown.status).toBe(404)

    // naming someone else as the responsible nurse is for head nurses
    const fresh = await kit.patient()
    const other = await h.request('POST', `/api/v1/staff/patients/${fresh}/enrolments`, {
      token: await kit.token('nurse'),
      body: { planId, anchorDate: '2026-03-02', nurseId: kit.ids.nurseZhou },
    })
    expect([other.status, kit.code(other.body)]).toEqual([400, 'FOLLOWUP_NURSE_INVALID'])
    const marketer = await h.request('POST', `/api/v1/staff/patients/${fresh}/enrolments`, {
      token: await kit.token('head_nurse'),
      body: { planId, anchorDate: '2026-03-02', nurseId: kit.ids.admin },
    })
    expect([marketer.status, kit.code(marketer.body)]).toEqual([400, 'FOLLOWUP_NURSE_INVALID'])
  })

  it('a nurse made responsible for an enrolment sees its patient (her scope grows with her enrolments)', async () => {
    const p = await kit.patient({ nurseId: null })
    const zhou = await kit.token('nurse.zhou')
    expect((await h.request('GET', `/api/v1/staff/patients/${p}`, { token: zhou })).status).toBe(404)
    const e = await kit.enrol(
      p,
      { planId, anchorDate: '2026-03-02', nurseId: kit.ids.nurseZhou },
      'head_nurse',
    )
    expect(e.enrolment.nurse?.id).toBe(kit.ids.nurseZhou)
    expect((await h.request('GET', `/api/v1/staff/patients/${p}`, { token: zhou })).status).toBe(200)
    const list = EnrolmentsResponse.parse(
      (await h.request('GET', `/api/v1/staff/patients/${p}/enrolments`, { token: zhou })).body,
    )
    expect(list.enrolments.map((x) => x.id)).toEqual([e.enrolment.id])
    expect(
      await auditModel(h.db).countDocuments({
        action: 'followup.enrolments_read',
        patientId: new Types.ObjectId(p),
      }),
    ).toBe(1)
    // stopped: the patient leaves her scope again
    await call(`/api/v1/staff/enrolments/${e.enrolment.id}/stop`, 'head_nurse')
    expect((await h.request('GET', `/api/v1/staff/patients/${p}`, { token: zhou })).status).toBe(404)
  })

  it('an admin enrolling names the patient’s assigned nurse; archived plans take nobody new', async () => {
    const p = await kit.patient()
    const e = await kit.enrol(p, { planId, anchorDate: '2026-03-02' }, 'admin')
    expect(e.enrolment.nurse?.id).toBe(kit.ids.nurseLi)
    const old = await kit.plan(surgeryPlan('旧方案'))
    await h.request('PUT', `/api/v1/staff/followup/plans/${old.id}`, {
      token: await kit.token('admin'),
      body: { status: 'archived' },
    })
    const r = await h.request('POST', `/api/v1/staff/patients/${p}/enrolments`, {
      token: await kit.token('nurse'),
      body: { planId: old.id, anchorDate: '2026-03-02' },
    })
    expect([r.status, kit.code(r.body)]).toEqual([409, 'FOLLOWUP_PLAN_ARCHIVED'])
  })

  it('a head nurse enrolling keeps the patient’s own nurse responsible, and is responsible only when there is none', async () => {
    const assigned = await kit.patient()
    const e1 = await kit.enrol(assigned, { planId, anchorDate: '2026-03-02' }, 'head_nurse')
    expect(e1.enrolment.nurse?.id).toBe(kit.ids.nurseLi)
    const orphan = await kit.patient({ nurseId: null })
    const e2 = await kit.enrol(orphan, { planId, anchorDate: '2026-03-02' }, 'head_nurse')
    expect(e2.enrolment.nurse?.id).toBe(kit.ids.headWang)
  })
})

describe('tag-rule enrolment', () => {
  it('enrols a patient when the plan’s tag is assigned (once), and skips a plan whose anchor event is missing', async () => {
    const g = await tagGroupModel(h.db).create({ name: '随访标签', kind: 'stage' })
    const tagId = (await tagModel(h.db).create({ groupId: g._id, name: '术后入组' }))._id.toHexString()
    const byTag = await kit.plan({
      name: '入组即随访',
      anchor: 'enrolment',
      autoEnrolTagId: tagId,
      steps: [{ offsetDays: 0, time: '18:00', kind: 'reminder', title: '欢迎加入随访', windowDays: 1 }],
    })
    const bySurgery = await kit.plan({ ...surgeryPlan('标签术后随访'), autoEnrolTagId: tagId })
    const nurse = await kit.token('nurse')
    const tag = (p: string) =>
      h.request('POST', `/api/v1/staff/patients/${p}/tags`, { token: nurse, body: { tagId, reason: '手术' } })
    const untag = (p: string) =>
      h.request('DELETE', `/api/v1/staff/patients/${p}/tags/${tagId}?reason=test`, { token: nurse })

    const without = await kit.patient()
    expect((await tag(without)).status).toBe(200)
    const rows = await enrolmentModel(h.db)
      .find({ patientId: new Types.ObjectId(without) })
      .lean()
    expect(rows.map((r) => [r.planId.toHexString(), r.via, r.anchorSource, r.anchorDate, r.by.kind])).toEqual(
      [[byTag.id, 'tag', 'tag', '2026-03-02', 'rule']],
    )

    const withSurgery = await kit.patient()
    await surgery(withSurgery, '2026-03-01T02:00:00Z')
    await tag(withSurgery)
    await untag(withSurgery)
    await tag(withSurgery)
    const both = await enrolmentModel(h.db)
      .find({ patientId: new Types.ObjectId(withSurgery) })
      .lean()
    expect(both.map((r) => [r.planId.toHexString(), r.anchorSource]).sort()).toEqual(
      [
        [byTag.id, 'tag'],
        [bySurgery.id, 'event'],
      ].sort(),
    )
    expect(both.find((r) => r.planId.toHexString() === bySurgery.id)!.nurseId?.toHexString()).toBe(
      kit.ids.nurseLi,
    )
  })
})

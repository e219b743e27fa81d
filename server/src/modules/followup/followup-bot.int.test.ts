import { randomBytes } from 'node:crypto'
import { ServiceCompleteResponse, ServiceEnrolResponse, ServiceTodayResponse } from '@careloop/shared'
import { Types } from 'mongoose'
import { useFollowupHarness } from '../../../../tests/src/harness/followup-fixture'
import { auditModel } from '../audit/audit.model'
import { createTaskRepo } from '../tasks/task.repo'
import { stepModel } from './followup.model'

const SERVICE_TOKEN = randomBytes(24).toString('base64url')
const kit = useFollowupHarness({ env: { SERVICE_TOKEN } })
const { h } = kit
/** 2026-03-02 10:00 in Shanghai. */
const NOW = new Date('2026-03-02T02:00:00Z')
let planId = ''
let patient = ''
let urgentId = ''
let missedId = ''

const service = (method: string, path: string, body?: unknown) =>
  h.request(method, `/api/v1/service/nurses/${path}`, { token: SERVICE_TOKEN, body })
const today = async (userid = 'LiNa') => {
  const r = await service('GET', `${userid}/followup/today`)
  expect(r.status).toBe(200)
  return ServiceTodayResponse.parse(r.body)
}
const complete = (item: string, userid = 'LiNa', note?: string) =>
  service('POST', `${userid}/followup/complete`, { item, ...(note ? { note } : {}) })

beforeAll(async () => {
  h.clock.set(NOW)
  planId = (
    await kit.plan({
      name: '术后随访',
      anchor: 'surgery',
      steps: [
        { offsetDays: 0, kind: 'reminder', title: '术后当天提醒', windowDays: 1 },
        { offsetDays: 0, time: '15:00', kind: 'nurse_task', title: '电话回访', windowDays: 0 },
        { offsetDays: 5, kind: 'reminder', title: '拆线提醒', windowDays: 1 },
      ],
    })
  ).id
  patient = await kit.patient({ name: '张秀兰' })
  await kit.enrol(patient, { planId, anchorDate: '2026-03-02' })
  const tasks = createTaskRepo(h.db)
  const open = async (key: string, priority: 'urgent' | 'normal', dueAt: Date) =>
    (
      await tasks.openOnce({
        dedupeKey: `bot-test:${key}`,
        patientId: patient,
        nurseId: kit.ids.nurseLi,
        kind: priority === 'urgent' ? 'red_flag' : 'missed',
        priority,
        title: priority === 'urgent' ? '红旗症状：伤口渗液' : '漏访：术前宣教',
        dueAt,
        source: { kind: 'test', id: key },
      })
    ).task._id.toHexString()
  urgentId = await open('urgent', 'urgent', new Date('2026-03-02T01:50:00Z'))
  missedId = await open('missed', 'normal', new Date('2026-03-01T10:00:00Z'))
})

describe('the bot’s follow-up service routes', () => {
  it('今日随访: urgent first, then tasks, then her patients’ steps due today; another nurse sees none of it', async () => {
    h.clock.set(NOW)
    const r = await today()
    expect(r.nurse).toMatchObject({ id: kit.ids.nurseLi, name: '李娜' })
    expect(r.date).toBe('2026-03-02')
    expect(r.items.map((i) => [i.n, i.type, i.kind, i.title, i.urgent, i.overdue])).toEqual([
      [1, 'task', 'red_flag', '红旗症状：伤口渗液', true, false],
      [2, 'task', 'missed', '漏访：术前宣教', false, true],
      [3, 'task', 'followup', '电话回访', false, false],
      [4, 'step', 'reminder', '术后当天提醒', false, false],
    ])
    expect(r.items[0]).toMatchObject({ ref: urgentId.slice(-6), patient: { id: patient, name: '张秀兰' } })
    expect(r.more).toBe(0)
    expect((await today('ZhouMin')).items).toEqual([])
    expect(
      await auditModel(h.db).countDocuments({ action: 'task.list', 'detail.via': 'wecom-bot' }),
    ).toBeGreaterThan(0)
  })

  it('完成 <n> marks the n-th item of her last list; a repeat says it was done already', async () => {
    h.clock.set(NOW)
    await today()
    const first = await complete('1', 'LiNa', '已处理伤口')
    expect(first.status).toBe(200)
    expect(ServiceCompleteResponse.parse(first.body)).toMatchObject({
      alreadyDone: false,
      type: 'task',
      ref: urgentId.slice(-6),
      title: '红旗症状：伤口渗液',
      patient: { name: '张秀兰' },
    })
    expect(ServiceCompleteResponse.parse((await complete('1')).body).alreadyDone).toBe(true)
    // the step item: the nurse followed up by phone
    const step = await complete('4')
    expect(ServiceCompleteResponse.parse(step.body)).toMatchObject({
      type: 'step',
      title: '术后当天提醒',
      alreadyDone: false,
    })
    const row = await stepModel(h.db)
      .findOne({ patientId: new Types.ObjectId(patient), title: '术后当天提醒' })
      .lean()
    expect(row?.status).toBe('done')
    expect(row?.doneBy).toEqual({ kind: 'staff', id: kit.ids.nurseLi })
    const none = await complete('9')
    expect([none.status, kit.code(none.body)]).toEqual([404, 'TASK_NOT_FOUND'])
  })

  it('完成 <ref> completes a task by the short ref alerts show, even without a list', async () => {
    h.clock.set(NOW)
    const r = await complete(missedId.slice(-6).toUpperCase(), 'LiNa')
    expect(r.status).toBe(200)
    expect(ServiceCompleteResponse.parse(r.body)).toMatchObject({
      type: 'task',
      title: '漏访：术前宣教',
      alreadyDone: false,
    })
    // another nurse cannot complete hers
    const zhou = await complete(missedId.slice(-6), 'ZhouMin')
    expect([zhou.status, kit.code(zhou.body)]).toEqual([404, 'TASK_NOT_FOUND'])
  })

  it('a list number needs today’s list', async () => {
    h.clock.set(NOW)
    const never = await complete('1', 'WangFang')
    expect([never.status, kit.code(never.body)]).toEqual([409, 'FOLLOWUP_LIST_EXPIRED'])
    await today()
    h.clock.set(new Date(NOW.getTime() + 86_400_000))
    const stale = await complete('1')
    expect([stale.status, kit.code(stale.body)]).toEqual([409, 'FOLLOWUP_LIST_EXPIRED'])
    h.clock.set(NOW)
  })

  it('入组 enrols a patient of hers in a plan by name (idempotent); ambiguity and strangers are answered', async () => {
    h.clock.set(NOW)
    const p = await kit.patient({ name: '欧阳娜' })
    const r = await service('POST', 'LiNa/enrolments', {
      patient: '欧阳娜',
      plan: '术后',
      anchorDate: '2026-03-02',
    })
    expect(r.status).toBe(200)
    const done = ServiceEnrolResponse.parse(r.body)
    expect(done).toMatchObject({
      outcome: 'done',
      created: true,
      patient: { id: p, name: '欧阳娜' },
      plan: { id: planId, name: '术后随访' },
      anchorDate: '2026-03-02',
      next: { title: '术后当天提醒', dueAtLocal: '2026-03-02 09:00' },
    })
    const again = ServiceEnrolResponse.parse(
      (await service('POST', 'LiNa/enrolments', { patient: '欧阳娜', plan: '术后随访' })).body,
    )
    expect(again).toMatchObject({ outcome: 'done', created: false })

    await kit.patient({ name: '欧阳峰' })
    const amb = ServiceEnrolResponse.parse(
      (await service('POST', 'LiNa/enrolments', { patient: '欧阳', plan: '术后随访' })).body,
    )
    expect(amb).toMatchObject({ outcome: 'ambiguous', field: 'patient', total: 2 })
    const noPlan = await service('POST', 'LiNa/enrolments', { patient: '欧阳娜', plan: '糖尿病' })
    expect([noPlan.status, kit.code(noPlan.body)]).toEqual([404, 'FOLLOWUP_PLAN_NOT_FOUND'])
    const stranger = await service('POST', 'ZhouMin/enrolments', { patient: '欧阳娜', plan: '术后随访' })
    expect([stranger.status, kit.code(stranger.body)]).toEqual([404, 'PATIENT_NOT_FOUND'])
    const anchor = await service('POST', 'LiNa/enrolments', { patient: '欧阳峰', plan: '术后随访' })
    expect([anchor.status, kit.code(anchor.body)]).toEqual([400, 'FOLLOWUP_ANCHOR_REQUIRED'])
  })

  it('refuses unknown nurses, a wrong token and bad input', async () => {
    const unknown = await service('GET', 'Nobody/followup/today')
    expect([unknown.status, kit.code(unknown.body)]).toEqual([404, 'STAFF_NOT_FOUND'])
    const wrong = await h.request('GET', '/api/v1/service/nurses/LiNa/followup/today', {
      token: 'x'.repeat(40),
    })
    expect(wrong.status).toBe(401)
    const staff = await h.request('GET', '/api/v1/service/nurses/LiNa/followup/today', {
      token: await kit.token('nurse'),
    })
    expect(staff.status).toBe(401)
    for (const [path, body, field] of [
      ['LiNa/followup/complete', { item: 'xyz' }, 'item'],
      ['LiNa/enrolments', { patient: '张秀兰' }, 'plan'],
      ['LiNa/enrolments', { patient: '张秀兰', plan: '术后随访', anchorDate: '3月5日' }, 'anchorDate'],
      ['bad%20user!/followup/complete', { item: '1' }, 'userid'],
    ] as const) {
      const r = await service('POST', path, body)
      expect(r.status).toBe(400)
      expect(
        (r.body as { error: { details: { path: string }[] } }).error.details.map((d) => d.path),
      ).toContain(field)
    }
  })
})

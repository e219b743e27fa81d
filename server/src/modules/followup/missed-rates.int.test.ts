import { CompleteTaskResponse, RatesResponse } from '@careloop/shared'
import { Types } from 'mongoose'
import { useFollowupHarness } from '../../../../tests/src/harness/followup-fixture'
import { createLogger } from '../../logger'
import { createPiiCrypto } from '../../privacy/pii-crypto'
import { communityModel, membershipModel } from '../communities/community.model'
import { taskModel } from '../tasks/task.model'
import { enrolmentModel, stepModel } from './followup.model'
import { createFollowupModule, type FollowupModule } from './followup.module'

const kit = useFollowupHarness()
const { h, push } = kit
/** 2026-03-02 10:00 in Shanghai. */
const NOW = new Date('2026-03-02T02:00:00Z')
let worker: FollowupModule

beforeAll(() => {
  h.clock.set(NOW)
  // The worker's side of the module (its job), on the same database and push port as the API.
  worker = createFollowupModule({
    config: h.config,
    clock: h.clock,
    db: h.db,
    logger: createLogger('silent'),
    push,
    pii: createPiiCrypto(h.config.pii),
  })
})

const stepsOf = (enrolmentId: string) =>
  stepModel(h.db)
    .find({ enrolmentId: new Types.ObjectId(enrolmentId) })
    .sort({ dueAt: 1 })
    .lean()

describe('due / missed tracking', () => {
  it('turns a step past its window into a missed task and one alert, once however often the job runs', async () => {
    h.clock.set(NOW)
    const plan = await kit.plan({
      name: '漏访考核',
      anchor: 'enrolment',
      steps: [
        { offsetDays: 0, time: '18:00', kind: 'reminder', title: '今晚量血压', windowDays: 0 },
        { offsetDays: 1, kind: 'nurse_task', title: '电话回访', body: '询问伤口情况', windowDays: 1 },
        { offsetDays: 2, kind: 'reminder', title: '复查提醒', windowDays: 0 },
      ],
    })
    const p = await kit.patient({ name: '刘桂芳' })
    const e = (await kit.enrol(p, { planId: plan.id })).enrolment
    expect(e.anchorDate).toBe('2026-03-02')
    const [evening, call, recheck] = await stepsOf(e.id)

    // the nurse step is her task from the start, due with the step
    const callTask = await taskModel(h.db)
      .findOne({ dedupeKey: `followup-task:${call!._id.toHexString()}` })
      .lean()
    expect(callTask).toMatchObject({
      kind: 'followup',
      status: 'open',
      title: '电话回访',
      detail: '询问伤口情况',
    })
    expect(callTask!.dueAt.toISOString()).toBe('2026-03-03T01:00:00.000Z')
    expect(callTask!.nurseId?.toHexString()).toBe(kit.ids.nurseLi)

    // nothing is missed before the window closes (2026-03-03 00:00 local)
    h.clock.set(new Date('2026-03-02T15:59:00Z'))
    expect((await worker.runMissed()).missed).toBe(0)

    h.clock.set(new Date('2026-03-02T16:00:00Z'))
    expect(await worker.runMissed()).toEqual({ missed: 1, alerted: 1, completed: 0 })
    expect(await worker.runMissed()).toEqual({ missed: 0, alerted: 0, completed: 0 })
    const missed = await stepModel(h.db).findById(evening!._id).lean()
    expect(missed?.status).toBe('missed')
    const tasks = await taskModel(h.db).find({ 'source.groupId': e.id, kind: 'missed' }).lean()
    expect(tasks).toHaveLength(1)
    expect(tasks[0]).toMatchObject({
      dedupeKey: `missed:${evening!._id.toHexString()}`,
      status: 'open',
      priority: 'normal',
    })
    expect(tasks[0]!.nurseId?.toHexString()).toBe(kit.ids.nurseLi)
    const alerts = push.messages(`alert:missed:${evening!._id.toHexString()}`)
    expect(alerts).toHaveLength(1)
    expect(alerts[0]).toMatchObject({
      purpose: 'staff',
      staffId: kit.ids.nurseLi,
      channels: ['wecom-app'],
      urgent: true,
    })
    expect(alerts[0]!.content.body).toContain('刘桂芳')
    expect(alerts[0]!.content.body).toContain(`完成 ${tasks[0]!._id.toHexString().slice(-6)}`)

    // the nurse calls: completing her task completes the step, and a repeat changes nothing
    const nurse = await kit.token('nurse')
    const done = await h.request('POST', `/api/v1/staff/tasks/${callTask!._id.toHexString()}/complete`, {
      token: nurse,
      body: { note: '伤口愈合良好' },
    })
    expect(done.status).toBe(200)
    expect(CompleteTaskResponse.parse(done.body)).toMatchObject({
      alreadyDone: false,
      task: { status: 'done', note: '伤口愈合良好' },
    })
    expect((await stepModel(h.db).findById(call!._id).lean())?.status).toBe('done')
    const again = await h.request('POST', `/api/v1/staff/tasks/${callTask!._id.toHexString()}/complete`, {
      token: nurse,
      body: {},
    })
    expect(CompleteTaskResponse.parse(again.body)).toMatchObject({
      alreadyDone: true,
      task: { note: '伤口愈合良好' },
    })

    // the last step missed too: nothing scheduled remains, the enrolment completes
    h.clock.set(new Date('2026-03-04T16:00:00Z'))
    expect(await worker.runMissed()).toEqual({ missed: 1, alerted: 1, completed: 1 })
    expect((await stepModel(h.db).findById(recheck!._id).lean())?.status).toBe('missed')
    const final = await enrolmentModel(h.db).findById(e.id).lean()
    expect(final?.status).toBe('completed')
    expect(final?.activeKey).toBeUndefined()
  })

  it('repairs a run that crashed between marking a step missed and alerting', async () => {
    h.clock.set(NOW)
    const plan = await kit.plan({
      name: '崩溃修复',
      anchor: 'enrolment',
      steps: [{ offsetDays: 0, time: '20:00', kind: 'reminder', title: '睡前服药', windowDays: 0 }],
    })
    const p = await kit.patient()
    const e = (await kit.enrol(p, { planId: plan.id })).enrolment
    const [step] = await stepsOf(e.id)
    // what a crash leaves: missed, no alert, no task
    await stepModel(h.db).updateOne({ _id: step!._id }, { $set: { status: 'missed' } })
    h.clock.set(new Date('2026-03-02T17:00:00Z'))
    expect(await worker.runMissed()).toMatchObject({ missed: 0, alerted: 1 })
    expect(await taskModel(h.db).countDocuments({ dedupeKey: `missed:${step!._id.toHexString()}` })).toBe(1)
    expect(await worker.runMissed()).toMatchObject({ missed: 0, alerted: 0 })
    expect(push.messages(`alert:missed:${step!._id.toHexString()}`)).toHaveLength(1)
  })

  it('a paused enrolment’s steps are never missed', async () => {
    h.clock.set(NOW)
    const plan = await kit.plan({
      name: '暂停不漏访',
      anchor: 'enrolment',
      steps: [{ offsetDays: 0, time: '20:00', kind: 'reminder', title: '暂停测试', windowDays: 0 }],
    })
    const p = await kit.patient()
    const e = (await kit.enrol(p, { planId: plan.id })).enrolment
    expect(
      (await h.request('POST', `/api/v1/staff/enrolments/${e.id}/pause`, { token: await kit.token('nurse') }))
        .status,
    ).toBe(200)
    h.clock.set(new Date('2026-03-05T00:00:00Z'))
    await worker.runMissed()
    expect((await stepsOf(e.id)).map((s) => s.status)).toEqual(['scheduled'])
  })
})

describe('follow-up rates', () => {
  let planA = ''
  let planB = ''
  let communityId = ''

  beforeAll(async () => {
    h.clock.set(NOW)
    planA = (
      await kit.plan({
        name: '高血压随访',
        anchor: 'enrolment',
        steps: [{ offsetDays: 0, kind: 'reminder', title: '量血压', windowDays: 1 }],
      })
    ).id
    planB = (
      await kit.plan({
        name: '糖尿病随访',
        anchor: 'enrolment',
        steps: [{ offsetDays: 0, kind: 'reminder', title: '测血糖', windowDays: 1 }],
      })
    ).id
    // windows closing in June 2026: done / missed set directly (the job and completions are tested above)
    const make = async (planId: string, nurse: 'nurse' | 'nurse.zhou', outcome: 'done' | 'missed') => {
      const p = await kit.patient({ nurseId: nurse === 'nurse' ? kit.ids.nurseLi : kit.ids.nurseZhou })
      const e = (await kit.enrol(p, { planId, anchorDate: '2026-06-10' }, nurse)).enrolment
      await stepModel(h.db).updateMany(
        { enrolmentId: new Types.ObjectId(e.id) },
        { $set: { status: outcome } },
      )
      return p
    }
    await make(planA, 'nurse', 'done')
    await make(planA, 'nurse', 'missed')
    await make(planB, 'nurse.zhou', 'missed')
    const grouped = await make(planB, 'nurse.zhou', 'done')
    await make(planB, 'nurse.zhou', 'done')
    communityId = (
      await communityModel(h.db).create({
        name: '糖友之家',
        diseaseTagId: new Types.ObjectId().toHexString(),
        ownerNurseId: new Types.ObjectId(kit.ids.nurseZhou),
        chatId: 'wrRatesChat',
        capacity: 200,
        status: 'active',
      })
    )._id.toHexString()
    await membershipModel(h.db).create({
      communityId: new Types.ObjectId(communityId),
      memberId: 'wmRates1',
      seq: 1,
      memberType: 'customer',
      patientId: new Types.ObjectId(grouped),
      joinedAt: NOW,
      lastEventAt: NOW,
    })
  })

  const rates = async (query: string, who: Parameters<typeof kit.token>[0] = 'head_nurse') => {
    const r = await h.request('GET', `/api/v1/staff/followup/rates?${query}`, { token: await kit.token(who) })
    expect(r.status).toBe(200)
    return RatesResponse.parse(r.body)
  }
  const brief = (r: RatesResponse) => r.rows.map((x) => [x.label, x.due, x.done, x.missed, x.rate])

  it('by plan, nurse and community over the steps whose window ended in the range', async () => {
    const byPlan = await rates('from=2026-06-01&to=2026-06-30&groupBy=plan')
    expect(brief(byPlan)).toEqual([
      ['糖尿病随访', 3, 2, 1, 0.6667],
      ['高血压随访', 2, 1, 1, 0.5],
    ])
    expect(byPlan.total).toMatchObject({ due: 5, done: 3, missed: 2, rate: 0.6 })
    expect(brief(await rates('from=2026-06-01&to=2026-06-30&groupBy=nurse'))).toEqual([
      ['周敏', 3, 2, 1, 0.6667],
      ['李娜', 2, 1, 1, 0.5],
    ])
    expect(brief(await rates('from=2026-06-01&to=2026-06-30&groupBy=community'))).toEqual([
      ['未入群', 4, 2, 2, 0.5],
      ['糖友之家', 1, 1, 0, 1],
    ])
    // outside the range nothing counts; marketers see the aggregates too
    const empty = await rates('from=2026-07-01&to=2026-07-31', 'marketer')
    expect(empty.rows).toEqual([])
    expect(empty.total.rate).toBeNull()
  })

  it('a nurse sees her own', async () => {
    const mine = await rates('from=2026-06-01&to=2026-06-30&groupBy=plan', 'nurse')
    expect(brief(mine)).toEqual([['高血压随访', 2, 1, 1, 0.5]])
  })

  it('refuses a range longer than a year or backwards (400 naming from)', async () => {
    const token = await kit.token('admin')
    for (const q of ['from=2025-01-01&to=2026-06-30', 'from=2026-06-30&to=2026-06-01', 'groupBy=ward']) {
      const r = await h.request('GET', `/api/v1/staff/followup/rates?${q}`, { token })
      expect(r.status).toBe(400)
    }
  })
})

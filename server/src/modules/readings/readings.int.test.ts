import { ErrorBody, ReadingsResponse, StaffReadingsResponse, SubmitReadingResponse } from '@careloop/shared'
import { Types } from 'mongoose'
import { useStaffHarness } from '../../../../tests/src/harness/server-harness'
import { consentingPatient, RecordingPush, useModuleApp } from '../../../../tests/src/harness/module-app'
import { createLogger } from '../../logger'
import { auditModel } from '../audit/audit.model'
import { patientModel } from '../patients/patient.model'
import type { PushMessage } from '../push/push.port'
import { staffModel } from '../staff/staff.model'
import { taskModel } from '../tasks/task.model'
import type { ActiveEnrolment, FollowupLookup, MonitoredEnrolment } from './followup-lookup.port'
import { readingModel } from './reading.model'
import { createReadingsModule, type ReadingsModule } from './reading.module'

/** Health readings (F18): validation, idempotency, thresholds (plan vs default), no-reading job, isolation. */
const h = useStaffHarness()

/** Push that can be told to fail the next enqueue (a crash between storing a reading and its alert). */
class FlakyPush extends RecordingPush {
  failNext = 0
  override enqueue(messages: PushMessage[]): Promise<{ created: number }> {
    if (this.failNext > 0) {
      this.failNext--
      return Promise.reject(new Error('outbox unavailable'))
    }
    return super.enqueue(messages)
  }
}
const push = new FlakyPush()

/** Enrolments as the follow-up module would report them. */
class FakeFollowup implements FollowupLookup {
  enrolments: MonitoredEnrolment[] = []
  activeEnrolments(patientId: string): Promise<ActiveEnrolment[]> {
    return Promise.resolve(this.enrolments.filter((e) => e.patientId === patientId))
  }
  listActiveWithReadings(): Promise<MonitoredEnrolment[]> {
    return Promise.resolve([...this.enrolments])
  }
}
const followup = new FakeFollowup()
let mod: ReadingsModule
const app = useModuleApp(h, (router, guard) => {
  mod = createReadingsModule({
    config: h.config,
    clock: h.clock,
    db: h.db,
    logger: createLogger('silent'),
    push,
    followup,
  })
  mod.mount(router, guard)
})

let me = { token: '', patientId: '', familyId: null as string | null }
let other = { token: '', patientId: '' }
const staff = {} as Record<'admin' | 'nurse' | 'nurse2' | 'marketer', string>
let nurseLi = ''
let headNurse = ''
let seq = 0

const codeOf = (body: unknown): string => ErrorBody.parse(body).error.code
const pathsOf = (body: unknown): string[] =>
  (ErrorBody.parse(body).error.details as { path: string }[]).map((d) => d.path)
const ago = (minutes: number): string => new Date(h.clock.now().getTime() - minutes * 60_000).toISOString()
const post = (body: Record<string, unknown>, token = me.token) =>
  app.request('POST', '/api/v1/me/readings', {
    token,
    body: { patientId: me.patientId, requestId: `reading-req-${++seq}`, measuredAt: ago(5), ...body },
  })
const ok = (r: { status: number; body: unknown }): SubmitReadingResponse => {
  if (r.status !== 201) throw new Error(`reading: ${r.status} ${JSON.stringify(r.body)}`)
  return SubmitReadingResponse.parse(r.body)
}
const tasks = (prefix: string) =>
  taskModel(h.db)
    .find({ dedupeKey: { $regex: `^${prefix}` } })
    .lean()
const login = async (): Promise<void> => {
  staff.admin = (await h.staffLogin('admin')).accessToken
  staff.nurse = (await h.staffLogin('nurse.li')).accessToken
  staff.marketer = (await h.staffLogin('marketing.zhao')).accessToken
  if (me.patientId) me.token = (await h.login('reading-patient')).accessToken
}

beforeAll(async () => {
  await h.seedStaff()
  await login()
  me = await consentingPatient(h, 'reading-patient', { family: '母亲' })
  other = await consentingPatient(h, 'reading-other')
  nurseLi = (await staffModel(h.db).findOne({ username: 'nurse.li' }).lean())!._id.toHexString()
  headNurse = (await staffModel(h.db).findOne({ username: 'headnurse.wang' }).lean())!._id.toHexString()
  await patientModel(h.db).updateOne(
    { _id: new Types.ObjectId(me.patientId) },
    { $set: { assignedNurseId: new Types.ObjectId(nurseLi) } },
  )
  await h.request('POST', '/api/v1/admin/staff', {
    token: staff.admin,
    body: { username: 'nurse.zhao', name: '赵护士', role: 'nurse', password: 'nurse-zhao-123' },
  })
  staff.nurse2 = (await h.staffLogin('nurse.zhao', 'nurse-zhao-123')).accessToken
})

describe('recording readings', () => {
  it('answers 400 READING_INVALID naming the field, and writes nothing', async () => {
    const before = await readingModel(h.db).countDocuments()
    const cases: [Record<string, unknown>, string][] = [
      [{ kind: 'bp', systolic: 320, diastolic: 80 }, 'systolic'],
      [{ kind: 'bp', systolic: 120, diastolic: 130 }, 'diastolic'],
      [{ kind: 'bp', systolic: 120 }, 'diastolic'],
      [{ kind: 'glucose', value: 0.3 }, 'value'],
      [{ kind: 'glucose', value: 55, context: 'fasting' }, 'value'],
      [{ kind: 'weight', value: 1.5 }, 'value'],
      [{ kind: 'weight', value: 60, context: 'fasting' }, 'context'],
      [{ kind: 'bp', systolic: 120, diastolic: 80, measuredAt: ago(-10) }, 'measuredAt'],
    ]
    for (const [body, field] of cases) {
      const r = await post(body)
      expect([JSON.stringify(body), r.status, codeOf(r.body), pathsOf(r.body)]).toEqual([
        JSON.stringify(body),
        400,
        'READING_INVALID',
        [field],
      ])
    }
    const shape = await post({ kind: 'temperature', value: 37 })
    expect([shape.status, codeOf(shape.body), pathsOf(shape.body)]).toEqual([
      400,
      'VALIDATION_FAILED',
      ['kind'],
    ])
    expect(await readingModel(h.db).countDocuments()).toBe(before)
  })

  it('is idempotent by requestId, also under concurrent retries', async () => {
    const body = { requestId: 'weight-retry-1', kind: 'weight', value: 62.4, measuredAt: ago(30) }
    const all = (await Promise.all(Array.from({ length: 5 }, () => post(body)))).map(ok)
    expect(new Set(all.map((r) => r.id)).size).toBe(1)
    expect(all.filter((r) => !r.duplicate)).toHaveLength(1)
    expect(all[0]).toMatchObject({ kind: 'weight', value: 62.4, unit: 'kg', abnormal: false, notice: null })
    expect(await readingModel(h.db).countDocuments({ requestId: 'weight-retry-1' })).toBe(1)
  })

  it('alerts the nurse on values outside the hospital defaults when no plan sets thresholds', async () => {
    const normal = ok(await post({ kind: 'bp', systolic: 128, diastolic: 82 }))
    expect(normal.abnormal).toBe(false)
    expect(await tasks(`reading:${normal.id}`)).toHaveLength(0)
    const high = ok(await post({ kind: 'bp', systolic: 172, diastolic: 96 }))
    expect(high).toMatchObject({ abnormal: true })
    expect(high.notice).toMatch(/护士已收到提醒/)
    const [task] = await tasks(`reading:${high.id}`)
    expect(task).toMatchObject({
      kind: 'abnormal_reading',
      priority: 'urgent',
      title: '血压异常 172/96 mmHg',
    })
    expect(task!.detail).toContain('收缩压 172 高于 159（医院默认目标）')
    expect(task!.nurseId?.toHexString()).toBe(nurseLi)
    expect(push.withPrefix(`alert:reading:${high.id}:`).map((m) => [m.staffId, m.urgent])).toEqual([
      [nurseLi, true],
    ])
    const low = ok(await post({ kind: 'glucose', value: 3.2, context: 'fasting' }))
    expect([low.abnormal, low.context]).toEqual([true, 'fasting'])
    expect(await tasks(`reading:${low.id}`)).toHaveLength(1)
  })

  it('uses the thresholds of the patient’s plans and tells the enrolment’s nurse', async () => {
    followup.enrolments = [
      {
        enrolmentId: new Types.ObjectId().toHexString(),
        planId: 'plan-htn',
        nurseId: headNurse,
        thresholds: { bpSystolic: { max: 140 }, bpDiastolic: { max: 90 } },
        patientId: me.patientId,
        enrolledAt: h.clock.now(),
      },
    ]
    try {
      // below the defaults, above the plan's targets
      const r = ok(await post({ kind: 'bp', systolic: 150, diastolic: 85 }))
      expect(r.abnormal).toBe(true)
      const [task] = await tasks(`reading:${r.id}`)
      expect(task!.nurseId?.toHexString()).toBe(headNurse)
      expect(task!.detail).toContain('收缩压 150 高于 140（随访方案目标）')
      // glucose: the plan sets nothing, so the defaults still apply
      const g = ok(await post({ kind: 'glucose', value: 12.5, context: 'postprandial' }))
      expect(g.abnormal).toBe(true)
      const staffView = StaffReadingsResponse.parse(
        (await app.request('GET', `/api/v1/staff/patients/${me.patientId}/readings`, { token: staff.nurse }))
          .body,
      )
      expect(staffView.readings.find((x) => x.id === r.id)!.findings).toEqual([
        { metric: 'bpSystolic', value: 150, min: null, max: 140, source: 'plan' },
      ])
      expect(staffView.readings.find((x) => x.id === g.id)!.findings[0]!.source).toBe('default')
    } finally {
      followup.enrolments = []
    }
  })

  it('judges old diary entries but does not alert on them', async () => {
    const r = ok(await post({ kind: 'bp', systolic: 185, diastolic: 110, measuredAt: ago(5 * 24 * 60) }))
    expect(r.abnormal).toBe(true)
    expect(r.notice).not.toMatch(/护士/)
    expect(await tasks(`reading:${r.id}`)).toHaveLength(0)
  })

  it('repairs an alert lost between storing the reading and raising it', async () => {
    push.failNext = 1
    const r = ok(await post({ kind: 'glucose', value: 16.2 }))
    expect(push.withPrefix(`alert:reading:${r.id}:`)).toHaveLength(0)
    expect((await readingModel(h.db).findById(r.id).lean())!.effectsAppliedAt).toBeNull()
    const job = mod.jobs().find((j) => j.name === 'readings.effects')!
    await job.run()
    await job.run()
    expect(push.withPrefix(`alert:reading:${r.id}:`)).toHaveLength(1)
    expect(await tasks(`reading:${r.id}`)).toHaveLength(1)
    expect((await readingModel(h.db).findById(r.id).lean())!.effectsAppliedAt).not.toBeNull()
  })
})

describe('lists and isolation', () => {
  it('lists my readings by kind and range, for my profiles only', async () => {
    const fam = ok(await post({ patientId: me.familyId, kind: 'weight', value: 55 }))
    expect(fam.patientId).toBe(me.familyId)
    const bp = ReadingsResponse.parse(
      (await app.request('GET', '/api/v1/me/readings?kind=bp', { token: me.token })).body,
    )
    expect(bp.readings.length).toBeGreaterThan(0)
    expect(bp.readings.every((r) => r.kind === 'bp' && r.patientId === me.patientId)).toBe(true)
    const times = bp.readings.map((r) => r.measuredAt)
    expect([...times].sort().reverse()).toEqual(times)
    const recent = ReadingsResponse.parse(
      (
        await app.request('GET', `/api/v1/me/readings?from=${encodeURIComponent(ago(24 * 60))}`, {
          token: me.token,
        })
      ).body,
    )
    expect(recent.readings.every((r) => r.measuredAt >= ago(24 * 60))).toBe(true)
    expect(recent.readings.length).toBeLessThan(
      ReadingsResponse.parse((await app.request('GET', '/api/v1/me/readings', { token: me.token })).body)
        .readings.length,
    )
    const famList = ReadingsResponse.parse(
      (await app.request('GET', `/api/v1/me/readings?patientId=${me.familyId}`, { token: me.token })).body,
    )
    expect(famList.readings.map((r) => r.id)).toEqual([fam.id])

    const foreignPost = await post({ patientId: other.patientId, kind: 'weight', value: 70 })
    expect([foreignPost.status, codeOf(foreignPost.body)]).toEqual([404, 'PROFILE_NOT_FOUND'])
    const foreignList = await app.request('GET', `/api/v1/me/readings?patientId=${me.patientId}`, {
      token: other.token,
    })
    expect([foreignList.status, codeOf(foreignList.body)]).toEqual([404, 'PROFILE_NOT_FOUND'])
  })

  it('scopes the staff view to the nurse and audits it', async () => {
    const path = `/api/v1/staff/patients/${me.patientId}/readings?kind=bp`
    const mine = StaffReadingsResponse.parse((await app.request('GET', path, { token: staff.nurse })).body)
    expect(mine.readings.length).toBeGreaterThan(0)
    const theirs = await app.request('GET', path, { token: staff.nurse2 })
    expect([theirs.status, codeOf(theirs.body)]).toEqual([404, 'PATIENT_NOT_FOUND'])
    expect((await app.request('GET', path, { token: staff.marketer })).status).toBe(403)
    expect(
      await auditModel(h.db).countDocuments({
        action: 'patient.read_readings',
        patientId: new Types.ObjectId(me.patientId),
      }),
    ).toBeGreaterThan(0)
  })
})

describe('no reading in N days', () => {
  it('alerts once per gap; a new reading ends the gap; the next gap alerts again', async () => {
    const day = 86_400_000
    const s = await consentingPatient(h, 'silent-patient')
    const enrolmentId = new Types.ObjectId().toHexString()
    followup.enrolments = [
      {
        enrolmentId,
        planId: 'plan-dm',
        nurseId: nurseLi,
        thresholds: { glucose: { min: 4, max: 10 } },
        patientId: s.patientId,
        enrolledAt: new Date(h.clock.now().getTime() - 10 * day),
      },
      // a plan that watches nothing: never checked
      {
        enrolmentId: new Types.ObjectId().toHexString(),
        planId: 'plan-edu',
        nurseId: nurseLi,
        thresholds: {},
        patientId: s.patientId,
        enrolledAt: new Date(h.clock.now().getTime() - 100 * day),
      },
    ]
    try {
      // 10 days since enrolment < 14 (the default for plans with thresholds)
      expect(await mod.noReading.run()).toMatchObject({ checked: 1, alerted: 0 })
      h.clock.advance(5 * day)
      expect(await mod.noReading.run()).toMatchObject({ alerted: 1 })
      expect(await mod.noReading.run()).toMatchObject({ alerted: 0 })
      const first = await tasks(`no-reading:${enrolmentId}:`)
      expect(first.map((t) => [t.dedupeKey, t.kind, t.priority, t.nurseId?.toHexString()])).toEqual([
        [`no-reading:${enrolmentId}:none`, 'no_reading', 'normal', nurseLi],
      ])
      expect(first[0]!.title).toBe('15 天未记录血糖')

      // a weight reading does not count for a glucose plan; a glucose reading ends the gap
      await login()
      const token = (await h.login('silent-patient')).accessToken
      const send = (body: Record<string, unknown>) =>
        app.request('POST', '/api/v1/me/readings', {
          token,
          body: { patientId: s.patientId, requestId: `silent-${++seq}`, measuredAt: ago(1), ...body },
        })
      ok(await send({ kind: 'weight', value: 70 }))
      const g = ok(await send({ kind: 'glucose', value: 6.2, context: 'fasting' }))
      h.clock.advance(13 * day)
      expect(await mod.noReading.run()).toMatchObject({ alerted: 0 })
      h.clock.advance(2 * day)
      expect(await mod.noReading.run()).toMatchObject({ alerted: 1 })
      expect(await mod.noReading.run()).toMatchObject({ alerted: 0 })
      expect((await tasks(`no-reading:${enrolmentId}:`)).map((t) => t.dedupeKey).sort()).toEqual(
        [`no-reading:${enrolmentId}:${g.id}`, `no-reading:${enrolmentId}:none`].sort(),
      )
      expect(push.withPrefix(`alert:no-reading:${enrolmentId}:`)).toHaveLength(2)
    } finally {
      followup.enrolments = []
      await login()
    }
  })

  it('uses the plan’s noReadingDays', async () => {
    const day = 86_400_000
    const s = await consentingPatient(h, 'three-day-patient')
    const enrolmentId = new Types.ObjectId().toHexString()
    followup.enrolments = [
      {
        enrolmentId,
        planId: 'plan-weight',
        nurseId: null,
        thresholds: { noReadingDays: 3 },
        patientId: s.patientId,
        enrolledAt: new Date(h.clock.now().getTime() - 2 * day),
      },
    ]
    try {
      expect(await mod.noReading.run()).toMatchObject({ checked: 1, alerted: 0 })
      h.clock.advance(day)
      expect(await mod.noReading.run()).toMatchObject({ alerted: 1 })
      const [task] = await tasks(`no-reading:${enrolmentId}:`)
      expect(task!.title).toBe('3 天未记录健康指标')
    } finally {
      followup.enrolments = []
      await login()
    }
  })
})

describe('wired into the app', () => {
  it('an abnormal reading recorded through the app’s own route alerts the nurse', async () => {
    await login()
    const r = ok(
      await h.request('POST', '/api/v1/me/readings', {
        token: me.token,
        body: {
          patientId: me.patientId,
          requestId: 'in-app-reading-1',
          kind: 'bp',
          systolic: 190,
          diastolic: 105,
          measuredAt: ago(2),
        },
      }),
    )
    expect(r.abnormal).toBe(true)
    expect((await tasks(`reading:${r.id}`)).map((t) => t.kind)).toEqual(['abnormal_reading'])
    const mine = ReadingsResponse.parse(
      (await h.request('GET', '/api/v1/me/readings', { token: me.token })).body,
    )
    expect(mine.readings.map((x) => x.id)).toContain(r.id)
  })
})

import { ErrorBody, MyAnswersResponse, Questionnaire, SubmitAnswerResponse } from '@careloop/shared'
import { Types } from 'mongoose'
import { useStaffHarness } from '../../../../tests/src/harness/server-harness'
import { consentingPatient, RecordingPush, useModuleApp } from '../../../../tests/src/harness/module-app'
import { postSurgeryCheck } from '../../../../tests/src/harness/questionnaire-fixture'
import { createLogger } from '../../logger'
import { patientModel } from '../patients/patient.model'
import { outboxModel } from '../push/outbox.model'
import { staffModel } from '../staff/staff.model'
import { taskModel } from '../tasks/task.model'
import type { FollowupStepRef, FollowupSteps } from './followup-steps.port'
import { answerModel } from './questionnaire.model'
import { createQuestionnairesModule, type QuestionnairesModule } from './questionnaire.module'

/** Answering (F17): validation, red flags → one urgent task + one WeCom alert, steps, repair, isolation. */
const h = useStaffHarness()
const push = new RecordingPush()

/** Follow-up steps as the follow-up module would answer; `failNext` makes the next completion throw. */
class FakeSteps implements FollowupSteps {
  readonly steps = new Map<string, FollowupStepRef & { patientId: string }>()
  readonly completed: { stepId: string; answerId: string }[] = []
  failNext = 0
  add(patientId: string, questionnaireId: string | null, nurseId: string | null): string {
    const stepId = new Types.ObjectId().toHexString()
    this.steps.set(stepId, {
      stepId,
      enrolmentId: new Types.ObjectId().toHexString(),
      nurseId,
      questionnaireId,
      patientId,
    })
    return stepId
  }
  findStep(stepId: string, patientId: string): Promise<FollowupStepRef | null> {
    const s = this.steps.get(stepId)
    return Promise.resolve(s && s.patientId === patientId ? s : null)
  }
  completeByAnswer(stepId: string, _patientId: string, answerId: string): Promise<boolean> {
    if (this.failNext > 0) {
      this.failNext--
      return Promise.reject(new Error('follow-up store unavailable'))
    }
    if (this.completed.some((c) => c.stepId === stepId)) return Promise.resolve(false)
    this.completed.push({ stepId, answerId })
    return Promise.resolve(true)
  }
}
const steps = new FakeSteps()
let mod: QuestionnairesModule
const app = useModuleApp(h, (router, guard) => {
  mod = createQuestionnairesModule({ clock: h.clock, db: h.db, logger: createLogger('silent'), push, steps })
  mod.mount(router, guard)
})

let admin = ''
let me = { token: '', patientId: '', familyId: null as string | null }
let other = { token: '', patientId: '' }
let nurseLi = ''
let headNurse = ''
let qid = ''
let seq = 0

const codeOf = (body: unknown): string => ErrorBody.parse(body).error.code
const submit = (body: Record<string, unknown>, token = me.token, id = qid) =>
  app.request('POST', `/api/v1/me/questionnaires/${id}/answers`, {
    token,
    body: { patientId: me.patientId, requestId: `answer-req-${++seq}`, ...body },
  })
const ok = (r: { status: number; body: unknown }): SubmitAnswerResponse => {
  if (r.status !== 201) throw new Error(`answer: ${r.status} ${JSON.stringify(r.body)}`)
  return SubmitAnswerResponse.parse(r.body)
}
const tasksOf = (prefix: string) =>
  taskModel(h.db)
    .find({ dedupeKey: { $regex: `^${prefix}` } })
    .lean()

beforeAll(async () => {
  await h.seedStaff()
  admin = (await h.staffLogin('admin')).accessToken
  me = await consentingPatient(h, 'answering-patient', { family: '母亲' })
  other = await consentingPatient(h, 'other-patient')
  nurseLi = (await staffModel(h.db).findOne({ username: 'nurse.li' }).lean())!._id.toHexString()
  headNurse = (await staffModel(h.db).findOne({ username: 'headnurse.wang' }).lean())!._id.toHexString()
  await patientModel(h.db).updateOne(
    { _id: new Types.ObjectId(me.patientId) },
    { $set: { assignedNurseId: new Types.ObjectId(nurseLi) } },
  )
  const created = await app.request('POST', '/api/v1/staff/questionnaires', {
    token: admin,
    body: postSurgeryCheck(),
  })
  qid = Questionnaire.parse(created.body).id
  expect(
    (await app.request('POST', `/api/v1/staff/questionnaires/${qid}/publish`, { token: admin })).status,
  ).toBe(200)
})

describe('answer validation', () => {
  it('accepts every question type and stores the checked values', async () => {
    const a = ok(
      await submit({
        answers: { wound: 'none', symptoms: ['pain'], temp: 36.9, pain: 2, note: '  伤口不痛 ' },
      }),
    )
    expect(a).toMatchObject({
      questionnaireId: qid,
      version: 1,
      patientId: me.patientId,
      stepId: null,
      score: 3,
      band: '恢复良好',
      notice: null,
      duplicate: false,
    })
    expect(a.answers).toEqual({ wound: 'none', symptoms: ['pain'], temp: 36.9, pain: 2, note: '伤口不痛' })
  })

  it('answers 400 QUESTIONNAIRE_ANSWER_INVALID naming each question and problem, writing nothing', async () => {
    const before = await answerModel(h.db).countDocuments()
    const cases: [Record<string, unknown>, string[]][] = [
      [{ temp: 37, pain: 1 }, ['wound:required']],
      [{ wound: 'lots', temp: 37, pain: 1 }, ['wound:not_an_option']],
      [{ wound: ['none'], temp: 37, pain: 1 }, ['wound:wrong_type']],
      [{ wound: 'none', symptoms: ['cough'], temp: 37, pain: 1 }, ['symptoms:not_an_option']],
      [{ wound: 'none', symptoms: 'pain', temp: 37, pain: 1 }, ['symptoms:wrong_type']],
      [{ wound: 'none', temp: 44, pain: 1 }, ['temp:out_of_range']],
      [{ wound: 'none', temp: 37.25, pain: 1 }, ['temp:step']],
      [{ wound: 'none', temp: '37', pain: 1 }, ['temp:wrong_type']],
      [{ wound: 'none', temp: 37, pain: 11 }, ['pain:out_of_range']],
      [{ wound: 'none', temp: 37, pain: 1.5 }, ['pain:wrong_type']],
      [{ wound: 'none', temp: 37, pain: 1, note: 42 }, ['note:wrong_type']],
      [{ wound: 'none', temp: 37, pain: 1, mood: 'ok' }, ['mood:unknown_question']],
      [{}, ['wound:required', 'temp:required', 'pain:required']],
    ]
    for (const [answers, expected] of cases) {
      const r = await submit({ answers })
      expect([JSON.stringify(answers), r.status, codeOf(r.body)]).toEqual([
        JSON.stringify(answers),
        400,
        'QUESTIONNAIRE_ANSWER_INVALID',
      ])
      const details = ErrorBody.parse(r.body).error.details as {
        questionKey: string
        problem: string
        path: string
      }[]
      expect(details.map((d) => `${d.questionKey}:${d.problem}`)).toEqual(expected)
      expect(details[0]!.path).toBe(`answers.${expected[0]!.split(':')[0]}`)
    }
    expect(await answerModel(h.db).countDocuments()).toBe(before)
  })
})

describe('red flags', () => {
  it('opens one urgent task and enqueues one WeCom alert per rule, even with 5 concurrent retries', async () => {
    const kicks = push.kicks
    const body = { requestId: 'red-flag-retry-1', answers: { wound: 'much', temp: 38.9, pain: 7 } }
    const all = await Promise.all(Array.from({ length: 5 }, () => submit(body)))
    const answers = all.map(ok)
    const id = answers[0]!.id
    expect(new Set(answers.map((a) => a.id))).toEqual(new Set([id]))
    expect(answers.filter((a) => !a.duplicate)).toHaveLength(1)
    expect(answers[0]!.notice).toMatch(/护士已收到提醒/)
    expect(JSON.stringify(answers[0])).not.toMatch(/伤口渗液|体温≥/)
    expect(await answerModel(h.db).countDocuments({ requestId: 'red-flag-retry-1' })).toBe(1)

    const tasks = await tasksOf(`red-flag:${id}:`)
    expect(
      tasks.map((t) => [t.dedupeKey, t.kind, t.priority, t.title, t.nurseId?.toHexString()]).sort(),
    ).toEqual([
      [`red-flag:${id}:fever`, 'red_flag', 'urgent', '体温≥38.5℃', nurseLi],
      [`red-flag:${id}:leak`, 'red_flag', 'urgent', '伤口渗液', nurseLi],
    ])
    expect(tasks.find((t) => t.title === '伤口渗液')!.detail).toContain('伤口有无渗液？：较多')
    const alerts = push.withPrefix(`alert:red-flag:${id}:`)
    expect(alerts).toHaveLength(2)
    for (const m of alerts) {
      expect(m).toMatchObject({ purpose: 'staff', staffId: nurseLi, channels: ['wecom-app'], urgent: true })
      expect(m.dueAt.getTime()).toBeLessThanOrEqual(h.clock.now().getTime())
    }
    expect(push.kicks).toBeGreaterThan(kicks)
    expect((await answerModel(h.db).findById(id).lean())!.effectsAppliedAt).not.toBeNull()
  })

  it('tells the nurse of the step’s enrolment, completes the step once, and refuses a second answer (409)', async () => {
    const stepId = steps.add(me.patientId, qid, headNurse)
    const first = ok(await submit({ stepId, answers: { wound: 'much', temp: 37, pain: 1 } }))
    expect(first.stepId).toBe(stepId)
    expect(steps.completed).toEqual([{ stepId, answerId: first.id }])
    expect(push.withPrefix(`alert:red-flag:${first.id}:leak:`).map((m) => m.staffId)).toEqual([headNurse])
    // the same request again: the first answer, 201, duplicate
    const again = await app.request('POST', `/api/v1/me/questionnaires/${qid}/answers`, {
      token: me.token,
      body: { patientId: me.patientId, stepId, requestId: `answer-req-${seq}`, answers: { wound: 'none' } },
    })
    expect(ok(again)).toMatchObject({ id: first.id, duplicate: true })
    // a new request for the same step: 409 with the first answer
    const second = await submit({ stepId, answers: { wound: 'none', temp: 37, pain: 1 } })
    expect([second.status, codeOf(second.body)]).toEqual([409, 'QUESTIONNAIRE_ALREADY_ANSWERED'])
    expect((ErrorBody.parse(second.body).error.details as { answer: { id: string } }).answer.id).toBe(
      first.id,
    )
    // concurrent different requests for one new step: exactly one wins
    const step2 = steps.add(me.patientId, qid, null)
    const race = await Promise.all(
      Array.from({ length: 4 }, () =>
        submit({ stepId: step2, answers: { wound: 'none', temp: 37, pain: 1 } }),
      ),
    )
    expect(race.map((r) => r.status).sort()).toEqual([201, 409, 409, 409])
  })

  it('answers 404 for a step of another patient or of another questionnaire', async () => {
    const foreign = steps.add(other.patientId, qid, null)
    const r1 = await submit({ stepId: foreign, answers: { wound: 'none', temp: 37, pain: 1 } })
    expect([r1.status, codeOf(r1.body)]).toEqual([404, 'QUESTIONNAIRE_STEP_NOT_FOUND'])
    const otherQuestionnaire = steps.add(me.patientId, new Types.ObjectId().toHexString(), null)
    const r2 = await submit({ stepId: otherQuestionnaire, answers: { wound: 'none', temp: 37, pain: 1 } })
    expect([r2.status, codeOf(r2.body)]).toEqual([404, 'QUESTIONNAIRE_STEP_NOT_FOUND'])
  })

  it('repairs effects lost between storing the answer and applying them', async () => {
    const stepId = steps.add(me.patientId, qid, nurseLi)
    steps.failNext = 1
    const a = ok(await submit({ stepId, answers: { wound: 'none', temp: 39.2, pain: 2 } }))
    // the patient got the answer; the effects did not run
    expect((await answerModel(h.db).findById(a.id).lean())!.effectsAppliedAt).toBeNull()
    expect(await tasksOf(`red-flag:${a.id}:`)).toHaveLength(0)
    const job = mod.jobs().find((j) => j.name === 'questionnaires.effects')!
    await job.run()
    expect((await answerModel(h.db).findById(a.id).lean())!.effectsAppliedAt).not.toBeNull()
    expect((await tasksOf(`red-flag:${a.id}:`)).map((t) => t.title)).toEqual(['体温≥38.5℃'])
    expect(push.withPrefix(`alert:red-flag:${a.id}:`)).toHaveLength(1)
    expect(steps.completed.filter((c) => c.stepId === stepId)).toEqual([{ stepId, answerId: a.id }])
    await job.run()
    expect(await tasksOf(`red-flag:${a.id}:`)).toHaveLength(1)
    expect(push.withPrefix(`alert:red-flag:${a.id}:`)).toHaveLength(1)
  })
})

describe('patient isolation and consent', () => {
  it('answers for a family profile of the account, never for another account’s profile', async () => {
    const fam = ok(await submit({ patientId: me.familyId, answers: { wound: 'none', temp: 36.5, pain: 0 } }))
    expect(fam.patientId).toBe(me.familyId)
    const foreign = await submit({
      patientId: other.patientId,
      answers: { wound: 'none', temp: 36.5, pain: 0 },
    })
    expect([foreign.status, codeOf(foreign.body)]).toEqual([404, 'PROFILE_NOT_FOUND'])
    const list = await app.request('GET', `/api/v1/me/answers?patientId=${other.patientId}`, {
      token: me.token,
    })
    expect([list.status, codeOf(list.body)]).toEqual([404, 'PROFILE_NOT_FOUND'])
    const famList = MyAnswersResponse.parse(
      (await app.request('GET', `/api/v1/me/answers?patientId=${me.familyId}`, { token: me.token })).body,
    )
    expect(famList.answers.map((a) => a.id)).toEqual([fam.id])
    // default: the active profile's answers, newest first, with the red-flag notice but no rule labels
    const mine = MyAnswersResponse.parse(
      (await app.request('GET', '/api/v1/me/answers', { token: me.token })).body,
    )
    expect(mine.answers.every((a) => a.patientId === me.patientId)).toBe(true)
    expect(mine.answers.some((a) => a.notice !== null)).toBe(true)
    const theirs = MyAnswersResponse.parse(
      (await app.request('GET', '/api/v1/me/answers', { token: other.token })).body,
    )
    expect(theirs.answers).toEqual([])
  })

  it('requires care consent (403 CONSENT_REQUIRED)', async () => {
    const s = await h.login('no-consent-patient')
    const r = await app.request('POST', `/api/v1/me/questionnaires/${qid}/answers`, {
      token: s.accessToken,
      body: { patientId: s.patient.id, requestId: 'no-consent-1', answers: { wound: 'none' } },
    })
    expect([r.status, codeOf(r.body)]).toEqual([403, 'CONSENT_REQUIRED'])
    // a family profile without consent, while the active profile has it
    const made = await h.request('POST', '/api/v1/profiles', {
      token: me.token,
      body: { name: '父亲', relation: 'parent', proxyConsent: true },
    })
    const father = (made.body as { profiles: { id: string; name: string }[] }).profiles.find(
      (p) => p.name === '父亲',
    )!
    const f = await submit({ patientId: father.id, answers: { wound: 'none', temp: 36.5, pain: 0 } })
    expect([f.status, codeOf(f.body)]).toEqual([403, 'CONSENT_REQUIRED'])
  })

  it('refuses a requestId reused for another questionnaire', async () => {
    const created = await app.request('POST', '/api/v1/staff/questionnaires', {
      token: admin,
      body: postSurgeryCheck('另一份问卷'),
    })
    const q2 = Questionnaire.parse(created.body).id
    await app.request('POST', `/api/v1/staff/questionnaires/${q2}/publish`, { token: admin })
    ok(await submit({ requestId: 'shared-request-1', answers: { wound: 'none', temp: 36.5, pain: 0 } }))
    const r = await submit(
      { requestId: 'shared-request-1', answers: { wound: 'none', temp: 36.5, pain: 0 } },
      me.token,
      q2,
    )
    expect([r.status, codeOf(r.body)]).toEqual([400, 'VALIDATION_FAILED'])
  })
})

describe('wired into the app', () => {
  it('a red flag answered through the app’s own routes opens the task and an outbox row', async () => {
    const created = await h.request('POST', '/api/v1/staff/questionnaires', {
      token: admin,
      body: postSurgeryCheck('应用内问卷'),
    })
    const id = Questionnaire.parse(created.body).id
    expect(
      (await h.request('POST', `/api/v1/staff/questionnaires/${id}/publish`, { token: admin })).status,
    ).toBe(200)
    const r = await h.request('POST', `/api/v1/me/questionnaires/${id}/answers`, {
      token: me.token,
      body: {
        patientId: me.patientId,
        requestId: 'in-app-answer-1',
        answers: { wound: 'much', temp: 37, pain: 1 },
      },
    })
    const a = ok(r)
    expect((await tasksOf(`red-flag:${a.id}:`)).map((t) => t.title)).toEqual(['伤口渗液'])
    expect(
      await outboxModel(h.db).countDocuments({ dedupeKey: `alert:red-flag:${a.id}:leak:${nurseLi}` }),
    ).toBe(1)
    // a step the follow-up module does not know: 404
    const step = await h.request('POST', `/api/v1/me/questionnaires/${id}/answers`, {
      token: me.token,
      body: {
        patientId: me.patientId,
        stepId: new Types.ObjectId().toHexString(),
        requestId: 'in-app-answer-2',
        answers: { wound: 'none', temp: 37, pain: 1 },
      },
    })
    expect([step.status, codeOf(step.body)]).toEqual([404, 'QUESTIONNAIRE_STEP_NOT_FOUND'])
  })
})

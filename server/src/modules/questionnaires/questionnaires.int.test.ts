import {
  ErrorBody,
  PublishedQuestionnaire,
  Questionnaire,
  QuestionnaireListResponse,
  QuestionnaireStatsResponse,
  StaffAnswersResponse,
  SubmitAnswerResponse,
  type QuestionnaireDefinitionInput,
} from '@careloop/shared'
import { Types } from 'mongoose'
import { useStaffHarness } from '../../../../tests/src/harness/server-harness'
import { consentingPatient, RecordingPush, useModuleApp } from '../../../../tests/src/harness/module-app'
import { postSurgeryCheck, satisfactionSurvey } from '../../../../tests/src/harness/questionnaire-fixture'
import { createLogger } from '../../logger'
import { auditModel } from '../audit/audit.model'
import { patientModel } from '../patients/patient.model'
import { staffModel } from '../staff/staff.model'
import { questionnaireModel, questionnaireVersionModel } from './questionnaire.model'
import type { FollowupSteps } from './followup-steps.port'
import { createQuestionnairesModule } from './questionnaire.module'

/** The builder, versions, stats and the staff view of answers (answering itself: answers.int.test.ts). */
const h = useStaffHarness()
const push = new RecordingPush()
const steps: FollowupSteps = {
  findStep: () => Promise.resolve(null),
  completeByAnswer: () => Promise.resolve(false),
}
const app = useModuleApp(h, (router, guard) =>
  createQuestionnairesModule({ clock: h.clock, db: h.db, logger: createLogger('silent'), push, steps }).mount(
    router,
    guard,
  ),
)

const t = {} as Record<'admin' | 'head' | 'nurse' | 'marketer' | 'nurse2', string>
let patient = { token: '', patientId: '' }
let seq = 0

const codeOf = (body: unknown): string => ErrorBody.parse(body).error.code
const pathsOf = (body: unknown): string[] =>
  (ErrorBody.parse(body).error.details as { path: string }[]).map((d) => d.path)

const create = async (def: QuestionnaireDefinitionInput, token = t.head): Promise<Questionnaire> => {
  const r = await app.request('POST', '/api/v1/staff/questionnaires', { token, body: def })
  expect(r.status).toBe(201)
  return Questionnaire.parse(r.body)
}
const publish = async (id: string): Promise<Questionnaire> => {
  const r = await app.request('POST', `/api/v1/staff/questionnaires/${id}/publish`, { token: t.admin })
  expect(r.status).toBe(200)
  return Questionnaire.parse(r.body)
}
const answer = async (id: string, answers: Record<string, unknown>): Promise<SubmitAnswerResponse> => {
  const r = await app.request('POST', `/api/v1/me/questionnaires/${id}/answers`, {
    token: patient.token,
    body: { patientId: patient.patientId, requestId: `req-answer-${++seq}`, answers },
  })
  if (r.status !== 201) throw new Error(`answer: ${r.status} ${JSON.stringify(r.body)}`)
  return SubmitAnswerResponse.parse(r.body)
}

/** Tokens expire on the harness clock: log everyone in again after moving it. */
const login = async (): Promise<void> => {
  t.admin = (await h.staffLogin('admin')).accessToken
  t.head = (await h.staffLogin('headnurse.wang')).accessToken
  t.nurse = (await h.staffLogin('nurse.li')).accessToken
  t.marketer = (await h.staffLogin('marketing.zhao')).accessToken
  if (patient.patientId) patient.token = (await h.login('q-builder-patient')).accessToken
}

beforeAll(async () => {
  await h.seedStaff()
  await login()
  t.admin = (await h.staffLogin('admin')).accessToken
  t.head = (await h.staffLogin('headnurse.wang')).accessToken
  t.nurse = (await h.staffLogin('nurse.li')).accessToken
  t.marketer = (await h.staffLogin('marketing.zhao')).accessToken
  const made = await h.request('POST', '/api/v1/admin/staff', {
    token: t.admin,
    body: { username: 'nurse.zhang', name: '张护士', role: 'nurse', password: 'nurse-zhang-123' },
  })
  expect(made.status).toBe(201)
  patient = await consentingPatient(h, 'q-builder-patient')
  const li = await staffModel(h.db).findOne({ username: 'nurse.li' }).lean()
  await patientModel(h.db).updateOne(
    { _id: new Types.ObjectId(patient.patientId) },
    { $set: { assignedNurseId: li!._id } },
  )
})

describe('the questionnaire builder', () => {
  it('creates a draft that patients cannot open yet', async () => {
    const q = await create(postSurgeryCheck())
    expect(q).toMatchObject({
      status: 'draft',
      version: 1,
      publishedVersion: null,
      hasUnpublishedChanges: true,
    })
    expect(q.questions[0]!.required).toBe(true)
    const r = await app.request('GET', `/api/v1/me/questionnaires/${q.id}`, { token: patient.token })
    expect(r.status).toBe(404)
    expect(codeOf(r.body)).toBe('QUESTIONNAIRE_NOT_FOUND')
  })

  it('answers 400 QUESTIONNAIRE_INVALID naming the path, and writes nothing', async () => {
    const before = QuestionnaireListResponse.parse(
      (await app.request('GET', '/api/v1/staff/questionnaires', { token: t.admin })).body,
    ).questionnaires.length
    const missing = postSurgeryCheck()
    missing.redFlags![0]!.questionKey = 'bleeding'
    const textOptions = postSurgeryCheck()
    textOptions.questions[4]!.options = [{ value: 'a', label: 'A' }]
    const dupe = postSurgeryCheck()
    dupe.questions[2]!.key = 'wound'
    for (const [def, path] of [
      [missing, 'redFlags.0.questionKey'],
      [textOptions, 'questions.4.options'],
      [dupe, 'questions.2.key'],
    ] as const) {
      const r = await app.request('POST', '/api/v1/staff/questionnaires', { token: t.admin, body: def })
      expect(r.status).toBe(400)
      expect(codeOf(r.body)).toBe('QUESTIONNAIRE_INVALID')
      expect(pathsOf(r.body)).toContain(path)
    }
    // shapes are the schema's: 400 VALIDATION_FAILED
    const bad = { ...postSurgeryCheck(), questions: [{ key: 'd', type: 'date', text: '日期' }] }
    const r = await app.request('POST', '/api/v1/staff/questionnaires', { token: t.admin, body: bad })
    expect(codeOf(r.body)).toBe('VALIDATION_FAILED')
    expect(pathsOf(r.body)).toContain('questions.0.type')
    const after = QuestionnaireListResponse.parse(
      (await app.request('GET', '/api/v1/staff/questionnaires', { token: t.admin })).body,
    ).questionnaires.length
    expect(after).toBe(before)
  })

  it('lets only admin and head nurse edit; nurses read; marketers see satisfaction surveys only', async () => {
    const clinical = await create(postSurgeryCheck('权限测试'))
    const r1 = await app.request('POST', '/api/v1/staff/questionnaires', {
      token: t.nurse,
      body: postSurgeryCheck(),
    })
    expect([r1.status, codeOf(r1.body)]).toEqual([403, 'FORBIDDEN'])
    expect(
      (await app.request('GET', `/api/v1/staff/questionnaires/${clinical.id}`, { token: t.nurse })).status,
    ).toBe(200)
    expect(
      (await app.request('GET', `/api/v1/staff/questionnaires/${clinical.id}`, { token: t.marketer })).status,
    ).toBe(403)
    await create(satisfactionSurvey('营销可见'))
    const list = QuestionnaireListResponse.parse(
      (await app.request('GET', '/api/v1/staff/questionnaires', { token: t.marketer })).body,
    )
    expect(list.questionnaires.length).toBeGreaterThan(0)
    expect(list.questionnaires.every((q) => q.kind === 'satisfaction')).toBe(true)
    const stats = await app.request('GET', `/api/v1/staff/questionnaires/${clinical.id}/stats`, {
      token: t.marketer,
    })
    expect([stats.status, codeOf(stats.body)]).toEqual([403, 'FORBIDDEN'])
  })
})

describe('versions', () => {
  it('keeps a published version immutable: edits draft the next version; answers keep theirs', async () => {
    const q = await create(postSurgeryCheck('版本测试'))
    // a draft is edited in place
    const d = postSurgeryCheck('版本测试')
    d.description = '草稿修改'
    const edited = Questionnaire.parse(
      (await app.request('PUT', `/api/v1/staff/questionnaires/${q.id}`, { token: t.head, body: d })).body,
    )
    expect(edited.version).toBe(1)
    const v1 = await publish(q.id)
    expect(v1).toMatchObject({
      status: 'published',
      version: 1,
      publishedVersion: 1,
      hasUnpublishedChanges: false,
    })
    expect(await publish(q.id)).toMatchObject({ version: 1, publishedVersion: 1 })

    const first = await answer(q.id, { wound: 'none', temp: 36.6, pain: 1 })
    expect(first.version).toBe(1)

    const next = postSurgeryCheck('版本测试')
    next.questions[0]!.text = '伤口有无渗液或红肿？'
    const v2draft = Questionnaire.parse(
      (await app.request('PUT', `/api/v1/staff/questionnaires/${q.id}`, { token: t.head, body: next })).body,
    )
    expect(v2draft).toMatchObject({
      status: 'published',
      version: 2,
      publishedVersion: 1,
      hasUnpublishedChanges: true,
    })
    // a second edit of the unpublished version 2 stays version 2
    const again = Questionnaire.parse(
      (await app.request('PUT', `/api/v1/staff/questionnaires/${q.id}`, { token: t.head, body: next })).body,
    )
    expect(again.version).toBe(2)
    // patients still get version 1 as it was
    const shown = PublishedQuestionnaire.parse(
      (await app.request('GET', `/api/v1/me/questionnaires/${q.id}`, { token: patient.token })).body,
    )
    expect(shown.version).toBe(1)
    expect(shown.questions[0]!.text).toBe('伤口有无渗液？')
    // the answering page never sees scores or rules
    expect(JSON.stringify(shown)).not.toMatch(/score|redFlags|bands/)

    await publish(q.id)
    const v2 = PublishedQuestionnaire.parse(
      (await app.request('GET', `/api/v1/me/questionnaires/${q.id}`, { token: patient.token })).body,
    )
    expect([v2.version, v2.questions[0]!.text]).toEqual([2, '伤口有无渗液或红肿？'])
    const second = await answer(q.id, { wound: 'none', temp: 36.6, pain: 1 })
    expect(second.version).toBe(2)

    // the staff view renders each answer with the text of the version it answered
    const staff = StaffAnswersResponse.parse(
      (await app.request('GET', `/api/v1/staff/patients/${patient.patientId}/answers`, { token: t.nurse }))
        .body,
    )
    const texts = new Map(staff.answers.map((a) => [a.id, a.items[0]!.text]))
    expect(texts.get(first.id)).toBe('伤口有无渗液？')
    expect(texts.get(second.id)).toBe('伤口有无渗液或红肿？')
  })

  it('archives: patients can no longer open or answer; edits answer 409; publishing restores', async () => {
    const q = await create(postSurgeryCheck('归档测试'))
    await publish(q.id)
    const arch = await app.request('POST', `/api/v1/staff/questionnaires/${q.id}/archive`, { token: t.admin })
    expect(Questionnaire.parse(arch.body).status).toBe('archived')
    expect(
      (await app.request('POST', `/api/v1/staff/questionnaires/${q.id}/archive`, { token: t.admin })).status,
    ).toBe(200)
    expect(
      (await app.request('GET', `/api/v1/me/questionnaires/${q.id}`, { token: patient.token })).status,
    ).toBe(404)
    const r = await app.request('POST', `/api/v1/me/questionnaires/${q.id}/answers`, {
      token: patient.token,
      body: { patientId: patient.patientId, requestId: 'req-archived-1', answers: { wound: 'none' } },
    })
    expect([r.status, codeOf(r.body)]).toEqual([404, 'QUESTIONNAIRE_NOT_FOUND'])
    const put = await app.request('PUT', `/api/v1/staff/questionnaires/${q.id}`, {
      token: t.admin,
      body: postSurgeryCheck(),
    })
    expect([put.status, codeOf(put.body)]).toEqual([409, 'QUESTIONNAIRE_ARCHIVED'])
    expect(await publish(q.id)).toMatchObject({ status: 'published', version: 1 })
  })

  it('never changes a snapshotted version when edits race publishes', async () => {
    const q = await create(postSurgeryCheck('并发测试'))
    for (let round = 0; round < 3; round++) {
      await Promise.all([
        ...Array.from({ length: 4 }, (_, i) => {
          const d = postSurgeryCheck('并发测试')
          d.description = `第${round}轮修改${i}`
          return app.request('PUT', `/api/v1/staff/questionnaires/${q.id}`, { token: t.head, body: d })
        }),
        ...Array.from({ length: 3 }, () =>
          app.request('POST', `/api/v1/staff/questionnaires/${q.id}/publish`, { token: t.admin }),
        ),
      ])
      const doc = (await questionnaireModel(h.db).findById(q.id).lean())!
      const snaps = await questionnaireVersionModel(h.db).find({ questionnaireId: doc._id }).lean()
      // the version being edited has no snapshot unless it is exactly the published content
      const current = snaps.find((v) => v.version === doc.version)
      if (current) expect(current.definition).toEqual(doc.definition)
      expect(new Set(snaps.map((v) => v.version)).size).toBe(snaps.length)
      expect(doc.publishedVersion === null || snaps.some((v) => v.version === doc.publishedVersion)).toBe(
        true,
      )
    }
    // what patients get is one of the snapshots, unchanged
    const shown = PublishedQuestionnaire.parse(
      (await app.request('GET', `/api/v1/me/questionnaires/${q.id}`, { token: patient.token })).body,
    )
    const snap = await questionnaireVersionModel(h.db)
      .findOne({ questionnaireId: new Types.ObjectId(q.id), version: shown.version })
      .lean()
    expect(shown.description).toBe(snap!.definition.description)
  })

  it('answers 404 for unknown questionnaires', async () => {
    const id = new Types.ObjectId().toHexString()
    for (const [m, p] of [
      ['GET', `/api/v1/staff/questionnaires/${id}`],
      ['POST', `/api/v1/staff/questionnaires/${id}/publish`],
      ['GET', `/api/v1/staff/questionnaires/${id}/stats`],
    ] as const) {
      const r = await app.request(m, p, { token: t.admin })
      expect([m, p, r.status, codeOf(r.body)]).toEqual([m, p, 404, 'QUESTIONNAIRE_NOT_FOUND'])
    }
  })
})

describe('scoring and stats', () => {
  it('scores with option scores and scored scales, and names the band', async () => {
    const q = await create(postSurgeryCheck('计分测试'))
    await publish(q.id)
    const a = await answer(q.id, { wound: 'little', symptoms: ['fever', 'pain'], temp: 37.2, pain: 3 })
    expect([a.score, a.band, a.satisfaction, a.notice]).toEqual([9, '需关注', null, null])
    const b = await answer(q.id, { wound: 'much', symptoms: ['fever', 'pain', 'nausea'], temp: 37, pain: 8 })
    expect([b.score, b.band]).toEqual([18, '需尽快联系'])
    const s = QuestionnaireStatsResponse.parse(
      (await app.request('GET', `/api/v1/staff/questionnaires/${q.id}/stats`, { token: t.nurse })).body,
    )
    expect([s.count, s.meanScore, s.satisfaction, s.redFlagged]).toEqual([2, 13.5, null, 1])
    const wound = s.questions.find((x) => x.key === 'wound')!
    expect(wound.counts).toEqual([
      { value: 'none', label: '无', count: 0 },
      { value: 'little', label: '少量', count: 1 },
      { value: 'much', label: '较多', count: 1 },
    ])
    expect(s.questions.find((x) => x.key === 'temp')).toMatchObject({
      answered: 2,
      mean: 37.1,
      min: 37,
      max: 37.2,
    })
    expect(
      s.questions.find((x) => x.key === 'symptoms')!.counts!.find((c) => c.value === 'fever')!.count,
    ).toBe(2)
  })

  it('aggregates satisfaction 0–100 over a period for marketers', async () => {
    const q = await create(satisfactionSurvey('满意度聚合'))
    await publish(q.id)
    const start = h.clock.now()
    const a = await answer(q.id, { nursing: 5, environment: 5, recommend: 'yes', comment: '很好' })
    const b = await answer(q.id, { nursing: 4, environment: 3, recommend: 'maybe' })
    expect([a.satisfaction, b.satisfaction]).toEqual([100, 58.3])
    h.clock.advance(2 * 86_400_000)
    await login()
    const c = await answer(q.id, { nursing: 1, environment: 2, recommend: 'no' })
    expect(c.satisfaction).toBe(8.3)
    const all = QuestionnaireStatsResponse.parse(
      (await app.request('GET', `/api/v1/staff/questionnaires/${q.id}/stats`, { token: t.marketer })).body,
    )
    expect([all.count, all.satisfaction, all.meanScore]).toEqual([3, 55.5, 9.7])
    expect(all.questions.find((x) => x.key === 'nursing')).toMatchObject({ answered: 3, mean: 3.3 })
    expect(all.questions.find((x) => x.key === 'comment')).toEqual({
      key: 'comment',
      type: 'text',
      text: '意见建议',
      answered: 1,
    })
    const to = new Date(start.getTime() + 86_400_000).toISOString()
    const firstDay = QuestionnaireStatsResponse.parse(
      (
        await app.request(
          'GET',
          `/api/v1/staff/questionnaires/${q.id}/stats?from=${encodeURIComponent(start.toISOString())}&to=${encodeURIComponent(to)}`,
          { token: t.marketer },
        )
      ).body,
    )
    expect(firstDay.count).toBe(2)
    expect(firstDay.satisfaction).toBeCloseTo((100 + 58.3) / 2, 0)
    const bad = await app.request('GET', `/api/v1/staff/questionnaires/${q.id}/stats?from=yesterday`, {
      token: t.marketer,
    })
    expect([bad.status, pathsOf(bad.body)]).toEqual([400, ['from']])
  })
})

describe("staff view of a patient's answers", () => {
  it('is scoped to the nurse, shows red flags and is audit-logged', async () => {
    const q = await create(postSurgeryCheck('范围测试'))
    await publish(q.id)
    const a = await answer(q.id, { wound: 'much', temp: 38.8, pain: 6 })
    const mine = StaffAnswersResponse.parse(
      (await app.request('GET', `/api/v1/staff/patients/${patient.patientId}/answers`, { token: t.nurse }))
        .body,
    )
    const row = mine.answers.find((x) => x.id === a.id)!
    expect(row.redFlags.map((f) => f.label)).toEqual(['伤口渗液', '体温≥38.5℃'])
    expect(row.items.find((i) => i.key === 'temp')).toMatchObject({ value: 38.8, display: '38.8℃' })
    t.nurse2 = (await h.staffLogin('nurse.zhang', 'nurse-zhang-123')).accessToken
    const other = await app.request('GET', `/api/v1/staff/patients/${patient.patientId}/answers`, {
      token: t.nurse2,
    })
    expect([other.status, codeOf(other.body)]).toEqual([404, 'PATIENT_NOT_FOUND'])
    expect(
      (await app.request('GET', `/api/v1/staff/patients/${patient.patientId}/answers`, { token: t.marketer }))
        .status,
    ).toBe(403)
    expect(
      await auditModel(h.db).countDocuments({
        action: 'patient.read_answers',
        patientId: new Types.ObjectId(patient.patientId),
      }),
    ).toBeGreaterThan(0)
  })
})

import { MyFollowupResponse, ProfilesResponse, StepDoneResponse } from '@careloop/shared'
import { Types } from 'mongoose'
import { useFollowupHarness } from '../../../../tests/src/harness/followup-fixture'
import { createLogger } from '../../logger'
import { createPiiCrypto } from '../../privacy/pii-crypto'
import { patientModel } from '../patients/patient.model'
import { questionnaireModel } from '../questionnaires/questionnaire.model'
import { createFollowupModule, type FollowupModule } from './followup.module'

const kit = useFollowupHarness()
const { h } = kit
/** 2026-03-02 10:00 in Shanghai. */
const NOW = new Date('2026-03-02T02:00:00Z')
let planId = ''
let followup: FollowupModule

/** A logged-in WeChat user with care consent; its own profile is nurse.li's patient. */
const patientUser = async (user: string): Promise<{ token: string; profileId: string }> => {
  const s = await h.login(user)
  const policy = (await h.request('GET', '/api/v1/privacy-policy')).body as { version: string }
  const c = await h.request('POST', '/api/v1/me/consents', {
    token: s.accessToken,
    body: { purpose: 'care', granted: true, policyVersion: policy.version },
  })
  expect(c.status).toBe(200)
  await patientModel(h.db).updateOne(
    { _id: s.patient.id },
    { $set: { assignedNurseId: new Types.ObjectId(kit.ids.nurseLi) } },
  )
  return { token: s.accessToken, profileId: s.patient.id }
}

const mine = async (token: string, patientId?: string) => {
  const r = await h.request('GET', `/api/v1/me/followup${patientId ? `?patientId=${patientId}` : ''}`, {
    token,
  })
  return r
}
const done = (token: string, stepId: string) =>
  h.request('POST', `/api/v1/me/followup/steps/${stepId}/done`, { token })

beforeAll(async () => {
  h.clock.set(NOW)
  const questionnaireId = (
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
  planId = (
    await kit.plan({
      name: '术后随访',
      anchor: 'surgery',
      steps: [
        { offsetDays: 0, kind: 'reminder', title: '术后当天提醒', windowDays: 1 },
        {
          offsetDays: 0,
          time: '09:30',
          kind: 'questionnaire',
          title: '术后问卷',
          questionnaireId,
          windowDays: 2,
        },
        { offsetDays: 2, kind: 'content', title: '康复指导', link: 'https://example.org/r', windowDays: 3 },
      ],
    })
  ).id
  followup = createFollowupModule({
    config: h.config,
    clock: h.clock,
    db: h.db,
    logger: createLogger('silent'),
    push: kit.push,
    pii: createPiiCrypto(h.config.pii),
  })
})

describe('the patient side of follow-up', () => {
  it('shows my plans, steps (due now) and what comes next; I acknowledge a reminder once', async () => {
    const me = await patientUser('followup-patient-1')
    const e = (await kit.enrol(me.profileId, { planId, anchorDate: '2026-03-02' })).enrolment
    const r = await mine(me.token)
    expect(r.status).toBe(200)
    const view = MyFollowupResponse.parse(r.body)
    expect(view.patientId).toBe(me.profileId)
    expect(view.enrolments).toHaveLength(1)
    expect(view.enrolments[0]).toMatchObject({
      id: e.id,
      planName: '术后随访',
      anchorDate: '2026-03-02',
      nurseName: '李娜',
      status: 'active',
    })
    expect(view.enrolments[0]!.steps.map((s) => [s.kind, s.status])).toEqual([
      ['reminder', 'due'],
      ['questionnaire', 'due'],
      ['content', 'scheduled'],
    ])
    expect(view.next.map((s) => s.title)).toEqual(['术后当天提醒', '术后问卷', '康复指导'])

    const [reminder, questionnaire, content] = view.enrolments[0]!.steps
    const ack = await done(me.token, reminder!.id)
    expect(ack.status).toBe(200)
    expect(StepDoneResponse.parse(ack.body)).toMatchObject({
      alreadyDone: false,
      step: { status: 'done', doneBy: { kind: 'patient' } },
    })
    expect(StepDoneResponse.parse((await done(me.token, reminder!.id)).body).alreadyDone).toBe(true)

    // questionnaires are done by answering; content not yet due cannot be acknowledged
    for (const id of [questionnaire!.id, content!.id]) {
      const x = await done(me.token, id)
      expect([x.status, kit.code(x.body)]).toEqual([409, 'FOLLOWUP_STEP_STATE'])
    }

    // the questionnaires module completes its step through the port: only that patient's, only once
    const other = new Types.ObjectId().toHexString()
    expect(await followup.steps.findStep(questionnaire!.id, other)).toBeNull()
    expect(await followup.steps.findStep(questionnaire!.id, me.profileId)).toEqual({
      stepId: questionnaire!.id,
      enrolmentId: e.id,
      nurseId: kit.ids.nurseLi,
      questionnaireId: questionnaire!.questionnaireId,
    })
    expect(await followup.steps.completeByAnswer(questionnaire!.id, other, 'ans-0', NOW)).toBe(false)
    expect(await followup.steps.completeByAnswer(questionnaire!.id, me.profileId, 'ans-1', NOW)).toBe(true)
    expect(await followup.steps.completeByAnswer(questionnaire!.id, me.profileId, 'ans-2', NOW)).toBe(false)
    expect(await followup.steps.completeByAnswer(reminder!.id, me.profileId, 'ans-3', NOW)).toBe(false)
    const after = MyFollowupResponse.parse((await mine(me.token)).body)
    expect(after.enrolments[0]!.steps.map((s) => s.status)).toEqual(['done', 'done', 'scheduled'])
    expect(after.next.map((s) => s.title)).toEqual(['康复指导'])

    // two days on, the article is due and acknowledging it completes the enrolment
    h.clock.set(new Date(NOW.getTime() + 2 * 86_400_000))
    const token = (await h.login('followup-patient-1')).accessToken
    expect((await done(token, content!.id)).status).toBe(200)
    const last = MyFollowupResponse.parse((await mine(token)).body)
    expect(last.enrolments[0]!.status).toBe('completed')
    expect(last.next).toEqual([])
    h.clock.set(NOW)
  })

  it('reaches the family profiles of my account, never another account’s', async () => {
    const me = await patientUser('followup-patient-2')
    const fam = await h.request('POST', '/api/v1/profiles', {
      token: me.token,
      body: { name: '王父', relation: 'parent', proxyConsent: true },
    })
    expect(fam.status).toBe(201)
    const father = ProfilesResponse.parse(fam.body).profiles.find((p) => p.relation === 'parent')!.id
    await patientModel(h.db).updateOne(
      { _id: father },
      { $set: { assignedNurseId: new Types.ObjectId(kit.ids.nurseLi) } },
    )
    const e = (await kit.enrol(father, { planId, anchorDate: '2026-03-02' })).enrolment
    const view = MyFollowupResponse.parse((await mine(me.token, father)).body)
    expect(view.enrolments.map((x) => x.id)).toEqual([e.id])
    // my own profile has none
    expect(MyFollowupResponse.parse((await mine(me.token)).body).enrolments).toEqual([])
    // and I may acknowledge my father's reminder
    expect((await done(me.token, e.steps[0]!.id)).status).toBe(200)

    const stranger = await patientUser('followup-patient-3')
    const peek = await mine(stranger.token, father)
    expect([peek.status, kit.code(peek.body)]).toEqual([404, 'PROFILE_NOT_FOUND'])
    const touch = await done(stranger.token, e.steps[2]!.id)
    expect([touch.status, kit.code(touch.body)]).toEqual([404, 'FOLLOWUP_STEP_NOT_FOUND'])
    const bad = await mine(stranger.token, 'not-an-id')
    expect(bad.status).toBe(400)
  })

  it('hides stopped enrolments', async () => {
    const me = await patientUser('followup-patient-4')
    const e = (await kit.enrol(me.profileId, { planId, anchorDate: '2026-03-02' })).enrolment
    await h.request('POST', `/api/v1/staff/enrolments/${e.id}/stop`, { token: await kit.token('nurse') })
    expect(MyFollowupResponse.parse((await mine(me.token)).body).enrolments).toEqual([])
  })
})

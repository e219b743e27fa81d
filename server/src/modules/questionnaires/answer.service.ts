import {
  AppError,
  checkAnswers,
  displayAnswer,
  redFlagsOf,
  scoreAnswers,
  type MyAnswer,
  type MyAnswersResponse,
  type StaffAnswersResponse,
  type SubmitAnswerRequest,
  type SubmitAnswerResponse,
} from '@careloop/shared'
import { Types } from 'mongoose'
import type { Clock } from '../../clock'
import type { PatientPrincipal, StaffPrincipal } from '../../http/context'
import type { Logger } from '../../logger'
import type { AuditLog } from '../audit/audit.repo'
import { resolveMyProfile } from '../patients/my-profile'
import type { PatientRepo } from '../patients/patient.repo'
import type { PatientStaffRepo } from '../patients/patient-staff.repo'
import type { PointsPort } from '../points/points.port'
import { accessOf } from '../staff/staff-patients.service'
import { staffActor, type RequestMeta } from '../staff/staff.service'
import type { AlertService } from '../tasks/alert.service'
import type { AnswerDoc, AnswerRepo } from './answer.repo'
import type { FollowupSteps } from './followup-steps.port'
import type { QuestionnaireRepo } from './questionnaire.repo'
import type { QuestionnaireService } from './questionnaire.service'

const LIST_LIMIT = 200
const REPAIR_BATCH = 100

/** What a patient reads after an answer that raised a red flag (no clinical rule labels). */
export const RED_FLAG_NOTICE =
  '您的回答已提交，护士已收到提醒，会尽快与您联系。如症状加重，请及时就医或拨打 120。'

export interface AnswerService {
  submit(
    p: PatientPrincipal,
    questionnaireId: string,
    body: SubmitAnswerRequest,
  ): Promise<SubmitAnswerResponse>
  mine(p: PatientPrincipal, patientId: string | undefined): Promise<MyAnswersResponse>
  forStaff(p: StaffPrincipal, patientId: string, meta: RequestMeta): Promise<StaffAnswersResponse>
  /** Completes the step and raises the red-flag alerts of an answer, then marks it applied. Idempotent. */
  applyEffects(a: AnswerDoc): Promise<void>
  /** The repair job: re-applies the effects of answers not marked applied. */
  repairEffects(): Promise<{ repaired: number; failed: number }>
}

export const presentMyAnswer = (a: AnswerDoc): MyAnswer => ({
  id: a._id.toHexString(),
  patientId: a.patientId.toHexString(),
  questionnaireId: a.questionnaireId.toHexString(),
  title: a.title,
  kind: a.kind,
  version: a.version,
  stepId: a.stepId?.toHexString() ?? null,
  answers: a.values,
  score: a.score,
  band: a.band,
  satisfaction: a.satisfaction,
  notice: a.redFlags.length ? RED_FLAG_NOTICE : null,
  createdAt: a.createdAt.toISOString(),
})

export const createAnswerService = (deps: {
  answers: AnswerRepo
  questionnaires: QuestionnaireService
  versions: Pick<QuestionnaireRepo, 'findVersion' | 'findVersions'>
  patients: Pick<PatientRepo, 'findForAccount'>
  staffPatients: Pick<PatientStaffRepo, 'findInScope'>
  steps: FollowupSteps
  alerts: Pick<AlertService, 'raise'>
  audit: AuditLog
  clock: Clock
  logger: Logger
  points?: Pick<PointsPort, 'earn'>
}): AnswerService => {
  const { answers, clock } = deps

  const applyEffects = async (a: AnswerDoc): Promise<void> => {
    const answerId = a._id.toHexString()
    const patientId = a.patientId.toHexString()
    if (a.stepId) await deps.steps.completeByAnswer(a.stepId.toHexString(), patientId, answerId, a.createdAt)
    if (a.redFlags.length) {
      const version = await deps.versions.findVersion(a.questionnaireId.toHexString(), a.version)
      const questions = new Map((version?.definition.questions ?? []).map((q) => [q.key, q]))
      const scoreText = a.score === null ? '' : `；总分 ${a.score}${a.band ? `（${a.band}）` : ''}`
      for (const flag of a.redFlags) {
        const q = questions.get(flag.questionKey)
        const v = a.values[flag.questionKey]
        const shown = q && v !== undefined ? displayAnswer(q, v) : String(v ?? '')
        await deps.alerts.raise({
          dedupeKey: `red-flag:${answerId}:${flag.key}`,
          patientId,
          nurseId: a.nurseId,
          kind: 'red_flag',
          title: flag.label,
          detail: `《${a.title}》${q?.text ?? flag.questionKey}：${shown}${scoreText}`,
          source: { kind: 'questionnaire-answer', id: answerId },
        })
      }
    }
    // Points (F27): idempotent by the answer's id; a failure leaves the effects to the repair job.
    if (deps.points)
      await deps.points.earn({
        profileId: patientId,
        rule: 'questionnaire',
        refKey: `questionnaire:${answerId}`,
        at: a.createdAt,
      })
    await answers.markEffectsApplied(a._id, clock.now())
  }

  /** Effects run after the answer is stored; a failure is left to the repair job, never to the patient. */
  const applySafely = async (a: AnswerDoc): Promise<void> => {
    if (a.effectsAppliedAt) return
    try {
      await applyEffects(a)
    } catch (err) {
      deps.logger.error(
        { err, answerId: a._id.toHexString() },
        'answer effects failed; the repair job retries',
      )
    }
  }

  return {
    async submit(p, questionnaireId, body) {
      const profile = await resolveMyProfile(deps.patients, p, body.patientId)
      const patientId = profile._id.toHexString()
      const replay = async (a: AnswerDoc): Promise<SubmitAnswerResponse> => {
        if (!a.questionnaireId.equals(questionnaireId))
          throw new AppError('VALIDATION_FAILED', 'requestId was already used for another questionnaire', [
            { path: 'requestId', message: 'requestId was already used for another questionnaire' },
          ])
        await applySafely(a)
        return { ...presentMyAnswer(a), duplicate: true }
      }
      const earlier = await answers.findByRequest(patientId, body.requestId)
      if (earlier) return replay(earlier)

      const { doc, version } = await deps.questionnaires.published(questionnaireId)
      const def = version.definition
      const { values, issues } = checkAnswers(def.questions, body.answers)
      if (issues.length)
        throw new AppError(
          'QUESTIONNAIRE_ANSWER_INVALID',
          `Invalid answers: ${issues.map((i) => `${i.questionKey}: ${i.message}`).join('; ')}`,
          issues,
        )

      let step: { enrolmentId: string; nurseId: string | null } | null = null
      if (body.stepId) {
        const found = await deps.steps.findStep(body.stepId, patientId)
        if (!found || (found.questionnaireId !== null && found.questionnaireId !== questionnaireId))
          throw new AppError(
            'QUESTIONNAIRE_STEP_NOT_FOUND',
            'No such follow-up step for this questionnaire and profile',
          )
        const first = await answers.findByStep(body.stepId)
        if (first) throw alreadyAnswered(first)
        step = found
      }

      const score = scoreAnswers(def, values)
      const result = await answers.insert({
        questionnaireId: doc._id,
        version: version.version,
        title: def.title,
        kind: def.kind,
        patientId: profile._id,
        accountId: new Types.ObjectId(p.accountId),
        stepId: body.stepId ? new Types.ObjectId(body.stepId) : null,
        enrolmentId: step?.enrolmentId ?? null,
        nurseId: step?.nurseId ?? null,
        requestId: body.requestId,
        values,
        score: score.score,
        band: score.band,
        satisfaction: score.satisfaction,
        redFlags: redFlagsOf(def, values).map((r) => ({
          key: r.key,
          questionKey: r.questionKey,
          label: r.label,
        })),
        createdAt: clock.now(),
      })
      if (result.kind === 'same-request') return replay(result.answer)
      if (result.kind === 'step-taken') throw alreadyAnswered(result.answer)
      await applySafely(result.answer)
      return { ...presentMyAnswer(result.answer), duplicate: false }
    },

    async mine(p, patientId) {
      const profile = await resolveMyProfile(deps.patients, p, patientId)
      const rows = await answers.forPatient(profile._id.toHexString(), LIST_LIMIT)
      return { answers: rows.map(presentMyAnswer) }
    },

    async forStaff(p, patientId, meta) {
      if (!(await deps.staffPatients.findInScope(accessOf(p).scope, patientId)))
        throw new AppError('PATIENT_NOT_FOUND', 'No such patient in your scope')
      const rows = await answers.forPatient(patientId, LIST_LIMIT)
      const versions = await deps.versions.findVersions(
        rows.map((a) => ({ questionnaireId: a.questionnaireId.toHexString(), version: a.version })),
      )
      const defOf = new Map(
        versions.map((v) => [`${v.questionnaireId.toHexString()}:${v.version}`, v.definition]),
      )
      await deps.audit.record({
        actor: staffActor(p),
        action: 'patient.read_answers',
        patientId,
        detail: { count: rows.length },
        ...meta,
      })
      return {
        answers: rows.map((a) => {
          const def = defOf.get(`${a.questionnaireId.toHexString()}:${a.version}`)
          return {
            id: a._id.toHexString(),
            questionnaireId: a.questionnaireId.toHexString(),
            title: a.title,
            kind: a.kind,
            version: a.version,
            stepId: a.stepId?.toHexString() ?? null,
            score: a.score,
            band: a.band,
            satisfaction: a.satisfaction,
            redFlags: a.redFlags,
            items: (def?.questions ?? [])
              .filter((q) => a.values[q.key] !== undefined)
              .map((q) => ({
                key: q.key,
                text: q.text,
                type: q.type,
                value: a.values[q.key]!,
                display: displayAnswer(q, a.values[q.key]!),
              })),
            createdAt: a.createdAt.toISOString(),
          }
        }),
      }
    },

    applyEffects,

    async repairEffects() {
      let repaired = 0
      let failed = 0
      for (const a of await answers.pendingEffects(REPAIR_BATCH)) {
        try {
          await applyEffects(a)
          repaired++
        } catch (err) {
          failed++
          deps.logger.error({ err, answerId: a._id.toHexString() }, 'answer effects repair failed')
        }
      }
      return { repaired, failed }
    },
  }
}

const alreadyAnswered = (first: AnswerDoc): AppError =>
  new AppError('QUESTIONNAIRE_ALREADY_ANSWERED', 'This follow-up step has been answered already', {
    answer: presentMyAnswer(first),
  })

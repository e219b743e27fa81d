import type { PlanThresholds } from '@careloop/shared'
import { isValidObjectId, Types } from 'mongoose'
import type { Clock } from '../../clock'
import type { AlertService } from '../tasks/alert.service'
import type { EnrolmentRepo } from './enrolment.repo'
import type { StepDoc } from './followup.model'
import type { Materialiser } from './materialise'
import { STEP_SOURCE } from './materialise'
import type { PlanRepo } from './plan.repo'
import { formatLocal } from './schedule'
import type { StepRepo } from './step.repo'

/**
 * Port for the questionnaires module (F17): an answer to a questionnaire step completes it. Guarded:
 * only the patient's own step, only a questionnaire step, only while scheduled. True when it moved.
 */
export interface FollowupSteps {
  /** The step if it belongs to that patient (any status), else null. */
  findStep(
    stepId: string,
    patientId: string,
  ): Promise<{
    stepId: string
    enrolmentId: string
    nurseId: string | null
    questionnaireId: string | null
  } | null>
  completeByAnswer(stepId: string, patientId: string, answerId: string, at: Date): Promise<boolean>
}

/** Port for the readings module (F18): a patient's running enrolments and their plans' thresholds. */
export interface FollowupLookup {
  activeEnrolments(
    patientId: string,
  ): Promise<{ enrolmentId: string; planId: string; nurseId: string | null; thresholds: PlanThresholds }[]>
  /**
   * Every active enrolment whose plan watches readings, with since when readings are expected: the
   * enrolment, or its last resumption (a pause is not a gap in the patient's logging).
   */
  listActiveWithReadings(): Promise<
    {
      enrolmentId: string
      planId: string
      patientId: string
      nurseId: string | null
      thresholds: PlanThresholds
      enrolledAt: Date
    }[]
  >
}

export interface StepCompletion extends FollowupSteps {
  /** Marks a step done for a patient (reminder, content); null when no such step of theirs is open. */
  byPatient(
    stepId: string,
    patientIds: Types.ObjectId[],
    at: Date,
  ): Promise<{ step: StepDoc; alreadyDone: boolean } | 'not_found' | 'not_open'>
  /** A staff member carried the step out (a nurse task, or a phone follow-up from 今日随访). */
  byStaff(step: StepDoc, staffId: string, at: Date): Promise<{ step: StepDoc; alreadyDone: boolean } | null>
}

export interface MissedRun {
  missed: number
  alerted: number
  completed: number
}

const PATIENT_KINDS = ['reminder', 'content']
const BATCH = 500

export const createStepCompletion = (deps: {
  steps: StepRepo
  materialiser: Pick<Materialiser, 'completeIfDone'>
}): StepCompletion => {
  const { steps, materialiser } = deps
  return {
    async findStep(stepId, patientId) {
      const s = await steps.findById(stepId)
      if (!s || s.patientId.toHexString() !== patientId) return null
      return {
        stepId: s._id.toHexString(),
        enrolmentId: s.enrolmentId.toHexString(),
        nurseId: s.nurseId ? s.nurseId.toHexString() : null,
        questionnaireId: s.questionnaireId ?? null,
      }
    },
    async completeByAnswer(stepId, patientId, answerId, at) {
      if (!isValidObjectId(patientId)) return false
      const s = await steps.complete(
        stepId,
        { patientIds: [new Types.ObjectId(patientId)], kinds: ['questionnaire'], from: ['scheduled'] },
        { at, by: { kind: 'patient', id: patientId }, answerId },
      )
      if (!s) return false
      await materialiser.completeIfDone(s.enrolmentId)
      return true
    },
    async byPatient(stepId, patientIds, at) {
      const before = await steps.findById(stepId)
      if (!before || !patientIds.some((p) => p.equals(before.patientId))) return 'not_found'
      if (before.status === 'done') return { step: before, alreadyDone: true }
      if (!PATIENT_KINDS.includes(before.kind) || before.status !== 'scheduled' || before.dueAt > at)
        return 'not_open'
      const s = await steps.complete(
        stepId,
        { patientIds, kinds: PATIENT_KINDS, from: ['scheduled'] },
        { at, by: { kind: 'patient', id: before.patientId.toHexString() } },
      )
      if (!s) {
        const again = await steps.findById(stepId)
        return again?.status === 'done' ? { step: again, alreadyDone: true } : 'not_open'
      }
      await materialiser.completeIfDone(s.enrolmentId)
      return { step: s, alreadyDone: false }
    },
    async byStaff(step, staffId, at) {
      if (step.status === 'done') return { step, alreadyDone: true }
      // A nurse's own step may be done late (after it was missed); a patient's only while open.
      const from: StepDoc['status'][] = step.kind === 'nurse_task' ? ['scheduled', 'missed'] : ['scheduled']
      const s = await steps.complete(
        step._id.toHexString(),
        { from },
        { at, by: { kind: 'staff', id: staffId } },
      )
      if (!s) {
        const again = await steps.findById(step._id.toHexString())
        return again?.status === 'done' ? { step: again, alreadyDone: true } : null
      }
      await materialiser.completeIfDone(s.enrolmentId)
      return { step: s, alreadyDone: false }
    },
  }
}

export const createFollowupLookup = (deps: {
  enrolments: EnrolmentRepo
  plans: PlanRepo
}): FollowupLookup => ({
  async activeEnrolments(patientId) {
    const running = await deps.enrolments.runningForPatient(patientId)
    const out = []
    for (const e of running) {
      // Thresholds are read from the plan as it is now: tightening them applies to running enrolments.
      const plan = await deps.plans.findById(e.planId.toHexString())
      out.push({
        enrolmentId: e._id.toHexString(),
        planId: e.planId.toHexString(),
        nurseId: e.nurseId ? e.nurseId.toHexString() : null,
        thresholds: plan?.thresholds ?? {},
      })
    }
    return out
  },
  async listActiveWithReadings() {
    const plans = await deps.plans.watchingReadings()
    const byId = new Map(plans.map((p) => [p._id.toHexString(), p]))
    const running = await deps.enrolments.activeForPlans(plans.map((p) => p._id))
    return running.map((e) => {
      const resumed = e.history.filter((h) => h.action === 'resumed').map((h) => h.at.getTime())
      return {
        enrolmentId: e._id.toHexString(),
        planId: e.planId.toHexString(),
        patientId: e.patientId.toHexString(),
        nurseId: e.nurseId ? e.nurseId.toHexString() : null,
        thresholds: byId.get(e.planId.toHexString())?.thresholds ?? {},
        enrolledAt: new Date(Math.max(e.enrolledAt.getTime(), ...resumed)),
      }
    })
  },
})

/**
 * The due/missed job (F19): scheduled steps whose window closed become missed (guarded update), then
 * the responsible nurse gets a task and a WeCom alert (`missed:<stepId>`). A crash between the two is
 * repaired by the next run, which raises the alerts still owed (the dedupeKey makes a repeat
 * harmless). Enrolments with nothing left scheduled are completed.
 */
export const runMissedSteps = async (deps: {
  steps: StepRepo
  enrolments: EnrolmentRepo
  materialiser: Pick<Materialiser, 'completeIfDone'>
  alerts: Pick<AlertService, 'raise'>
  clock: Clock
  timeZone: string
}): Promise<MissedRun> => {
  const { steps, clock } = deps
  const now = clock.now()
  const out: MissedRun = { missed: 0, alerted: 0, completed: 0 }
  const touched = new Map<string, Types.ObjectId>()
  for (;;) {
    const batch = await steps.overdue(now, BATCH)
    for (const s of batch) if (await steps.markMissed(s._id)) out.missed++
    if (batch.length < BATCH) break
  }
  for (;;) {
    const owed = await steps.owedAlerts(BATCH)
    for (const s of owed) {
      touched.set(s.enrolmentId.toHexString(), s.enrolmentId)
      // A nurse's own step already is her task (it stays open); a patient's step becomes one.
      if (s.kind !== 'nurse_task') {
        const e = await deps.enrolments.findById(s.enrolmentId.toHexString())
        await deps.alerts.raise({
          dedupeKey: `missed:${s._id.toHexString()}`,
          patientId: s.patientId.toHexString(),
          nurseId: e?.nurseId ? e.nurseId.toHexString() : null,
          kind: 'missed',
          title: `漏访：${s.title}`,
          detail: `随访方案「${e?.planName ?? ''}」的「${s.title}」应于 ${formatLocal(s.dueAt, deps.timeZone)} 完成，已超过随访窗口。请联系患者。`,
          source: { kind: STEP_SOURCE, id: s._id.toHexString(), groupId: s.enrolmentId.toHexString() },
          dueAt: now,
        })
      }
      await steps.markAlerted(s._id, now)
      out.alerted++
    }
    if (owed.length < BATCH) break
  }
  for (const id of touched.values()) if (await deps.materialiser.completeIfDone(id)) out.completed++
  return out
}

import type { Clock } from '../../clock'
import type { PushMessage, PushPort, SubscribeKind } from '../push/push.port'
import type { TaskRepo } from '../tasks/task.repo'
import type { EnrolmentDoc, StepDoc } from './followup.model'
import type { EnrolmentRepo } from './enrolment.repo'
import { formatLocal, stepTiming } from './schedule'
import type { NewStep, StepRepo } from './step.repo'

/** The push source of a step: cancelling / reviving by `groupId` acts on the whole enrolment. */
export const STEP_SOURCE = 'followup-step'

/**
 * Turns an enrolment's schedule into data (architecture §5: jobs as data), idempotently: one step row
 * per plan step (unique by enrolment and key), one outbox message per patient step (unique dedupeKey
 * `followup:<enrolmentId>:<stepKey>`), one task per nurse step (`followup-task:<stepId>`). Running it
 * again, after a crash or on a repeated enrolment, adds only what is missing. Pause, resume and stop
 * act on the same rows through the push port's source group.
 */
export interface Materialiser {
  materialise(e: EnrolmentDoc): Promise<StepDoc[]>
  hold(e: EnrolmentDoc): Promise<void>
  /** Resume: release held steps, revive their messages, add anything missing, complete if nothing is left. */
  release(e: EnrolmentDoc): Promise<void>
  stop(e: EnrolmentDoc): Promise<void>
  /** active/paused → completed when no scheduled step remains; true when it moved. */
  completeIfDone(enrolmentId: EnrolmentDoc['_id']): Promise<boolean>
}

const SUBSCRIBE_KIND: Record<Exclude<StepDoc['kind'], 'nurse_task'>, SubscribeKind> = {
  reminder: 'followup_reminder',
  questionnaire: 'questionnaire_due',
  content: 'health_notice',
}

const MINUTE_MS = 60_000
const chars = (s: string, n: number): string => {
  const a = Array.from(s)
  return a.length > n ? `${a.slice(0, n - 1).join('')}…` : s
}

/** The outbox message of a patient step. */
export const stepMessage = (e: EnrolmentDoc, s: StepDoc, timeZone: string): PushMessage => {
  const kind = s.kind as Exclude<StepDoc['kind'], 'nurse_task'>
  const id = s._id.toHexString()
  const page =
    kind === 'questionnaire'
      ? `pkg-followup/questionnaire/index?step=${id}`
      : `pkg-followup/step/index?id=${id}`
  // Questionnaires show their deadline (the last minute of the window); the others when they are due.
  const time =
    kind === 'questionnaire'
      ? formatLocal(new Date(s.windowEnd.getTime() - MINUTE_MS), timeZone)
      : formatLocal(s.dueAt, timeZone)
  const body =
    s.body ??
    (kind === 'questionnaire'
      ? `请在 ${time} 前填写「${s.title}」。`
      : kind === 'content'
        ? `「${e.planName}」为您准备了健康宣教：${s.title}`
        : `「${e.planName}」随访提醒：${s.title}`)
  return {
    dedupeKey: `followup:${e._id.toHexString()}:${s.stepKey}`,
    purpose: 'care',
    dueAt: s.dueAt,
    expiresAt: s.windowEnd,
    patientId: s.patientId.toHexString(),
    channels: ['subscribe', 'inbox'],
    content: {
      title: s.title,
      body,
      page,
      subscribe: {
        kind: SUBSCRIBE_KIND[kind],
        fields: { title: chars(s.title, 20), time, note: chars(s.body ?? e.planName, 20) },
      },
    },
    source: { kind: STEP_SOURCE, id, groupId: e._id.toHexString() },
  }
}

export const createMaterialiser = (deps: {
  enrolments: EnrolmentRepo
  steps: StepRepo
  tasks: TaskRepo
  push: PushPort
  clock: Clock
  timeZone: string
}): Materialiser => {
  const { steps, tasks, push, clock, timeZone } = deps

  const rowsOf = (e: EnrolmentDoc): NewStep[] =>
    e.steps.map((s) => {
      const { dueAt, windowEnd } = stepTiming(e.anchorDate, s, timeZone)
      // A window already closed when the patient was enrolled (back-dated anchor): nobody can do it.
      const before = windowEnd.getTime() <= e.enrolledAt.getTime()
      return {
        enrolmentId: e._id,
        patientId: e.patientId,
        planId: e.planId,
        nurseId: e.nurseId,
        stepKey: s.key,
        kind: s.kind,
        title: s.title,
        body: s.body ?? null,
        questionnaireId: s.questionnaireId ?? null,
        link: s.link ?? null,
        dueAt,
        windowEnd,
        status: before ? 'cancelled' : 'scheduled',
        cancelReason: before ? 'before_enrolment' : null,
      }
    })

  const completeIfDone: Materialiser['completeIfDone'] = async (enrolmentId) => {
    if ((await steps.countScheduled(enrolmentId)) > 0) return false
    const moved = await deps.enrolments.transition(
      enrolmentId.toHexString(),
      ['active', 'paused'],
      'completed',
      {
        at: clock.now(),
        action: 'completed',
        by: { kind: 'system', id: null },
        note: null,
      },
    )
    return moved !== null
  }

  const materialise: Materialiser['materialise'] = async (e) => {
    const all = await steps.ensure(e._id, rowsOf(e))
    const open = all.filter((s) => s.status === 'scheduled' && !s.held)
    const messages = open.filter((s) => s.kind !== 'nurse_task').map((s) => stepMessage(e, s, timeZone))
    if (messages.length) await push.enqueue(messages)
    for (const s of open.filter((x) => x.kind === 'nurse_task'))
      await tasks.openOnce({
        dedupeKey: `followup-task:${s._id.toHexString()}`,
        patientId: s.patientId.toHexString(),
        nurseId: s.nurseId ? s.nurseId.toHexString() : null,
        kind: 'followup',
        priority: 'normal',
        title: s.title,
        detail: s.body ?? `随访方案「${e.planName}」`,
        dueAt: s.dueAt,
        source: { kind: STEP_SOURCE, id: s._id.toHexString(), groupId: e._id.toHexString() },
      })
    if (messages.length) push.kick()
    // Every step was already past (back-dated anchor): nothing left to follow.
    if (all.every((s) => s.status !== 'scheduled')) await completeIfDone(e._id)
    return all
  }

  const group = (e: EnrolmentDoc) => ({ kind: STEP_SOURCE, groupId: e._id.toHexString() })

  return {
    materialise,
    completeIfDone,
    async hold(e) {
      await steps.hold(e._id)
      await push.cancelBySource(group(e))
    },
    async release(e) {
      await steps.release(e._id, clock.now())
      await push.reviveBySource(group(e))
      await materialise(e)
      await completeIfDone(e._id)
    },
    async stop(e) {
      await steps.cancelOpen(e._id, 'stopped')
      await push.cancelBySource(group(e))
      await tasks.cancelBySource(group(e), clock.now())
    },
  }
}

import type { Enrolment, FollowupStep, StepStatus } from '@careloop/shared'
import type { StaffRepo } from '../staff/staff.repo'
import type { EnrolmentDoc, StepDoc } from './followup.model'
import { formatLocal } from './schedule'

/** The status a person reads: a scheduled step inside its window is `due`. */
export const shownStatus = (s: Pick<StepDoc, 'status' | 'dueAt' | 'windowEnd'>, now: Date): StepStatus =>
  s.status === 'scheduled' && s.dueAt <= now && now < s.windowEnd ? 'due' : s.status

export const presentStep = (s: StepDoc, now: Date, timeZone: string): FollowupStep => ({
  id: s._id.toHexString(),
  key: s.stepKey,
  kind: s.kind,
  title: s.title,
  body: s.body ?? null,
  questionnaireId: s.questionnaireId ?? null,
  link: s.link ?? null,
  dueAt: s.dueAt.toISOString(),
  dueAtLocal: formatLocal(s.dueAt, timeZone),
  windowEnd: s.windowEnd.toISOString(),
  status: shownStatus(s, now),
  cancelReason: s.cancelReason ?? null,
  held: s.held === true,
  doneAt: s.doneAt ? s.doneAt.toISOString() : null,
  doneBy: s.doneBy ? { kind: s.doneBy.kind, id: s.doneBy.id ?? null } : null,
})

/** Staff names by id, for the enrolments shown together. */
export const nurseNames = async (
  staff: Pick<StaffRepo, 'findByIds'>,
  enrolments: Pick<EnrolmentDoc, 'nurseId'>[],
): Promise<Map<string, string>> => {
  const ids = [...new Set(enrolments.flatMap((e) => (e.nurseId ? [e.nurseId.toHexString()] : [])))]
  return new Map((await staff.findByIds(ids)).map((s) => [s.id, s.name]))
}

export const presentEnrolment = (
  e: EnrolmentDoc,
  steps: StepDoc[],
  names: Map<string, string>,
  now: Date,
  timeZone: string,
): Enrolment => {
  const mine = steps.filter((s) => s.enrolmentId.equals(e._id))
  const count = (st: StepDoc['status']): number => mine.filter((s) => s.status === st).length
  return {
    id: e._id.toHexString(),
    patientId: e.patientId.toHexString(),
    plan: { id: e.planId.toHexString(), name: e.planName, version: e.planVersion },
    anchor: e.anchor,
    anchorDate: e.anchorDate,
    anchorSource: e.anchorSource,
    nurse: e.nurseId
      ? { id: e.nurseId.toHexString(), name: names.get(e.nurseId.toHexString()) ?? null }
      : null,
    status: e.status,
    via: e.via,
    counts: {
      total: mine.length,
      done: count('done'),
      missed: count('missed'),
      cancelled: count('cancelled'),
      open: count('scheduled'),
    },
    steps: mine.map((s) => presentStep(s, now, timeZone)),
    history: e.history.map((h) => ({
      at: h.at.toISOString(),
      action: h.action,
      by: { kind: h.by.kind, id: h.by.id ?? null },
      note: h.note ?? null,
    })),
    createdAt: e.enrolledAt.toISOString(),
  }
}

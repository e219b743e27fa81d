import { AppError, type MyFollowupResponse, type StepDoneResponse } from '@careloop/shared'
import type { Clock } from '../../clock'
import type { PatientPrincipal } from '../../http/context'
import type { PatientRepo } from '../patients/patient.repo'
import type { StaffRepo } from '../staff/staff.repo'
import type { EnrolmentRepo } from './enrolment.repo'
import { nurseNames, presentStep } from './followup-present'
import type { StepCompletion } from './followup-steps.service'
import type { StepRepo } from './step.repo'

/**
 * The patient's side of follow-up (mini-program): a profile's plans and steps, and acknowledging a
 * reminder or an article. An account reaches its own profiles only (itself and the family members it
 * manages, F2); anything else answers as if it did not exist.
 */
export interface FollowupPatientService {
  mine(p: PatientPrincipal, patientId: string | undefined): Promise<MyFollowupResponse>
  done(p: PatientPrincipal, stepId: string): Promise<StepDoneResponse>
}

const NEXT = 5

export const createFollowupPatientService = (deps: {
  patients: Pick<PatientRepo, 'findForAccount' | 'listByAccount'>
  enrolments: EnrolmentRepo
  steps: StepRepo
  completion: Pick<StepCompletion, 'byPatient'>
  staff: Pick<StaffRepo, 'findByIds'>
  clock: Clock
  timeZone: string
}): FollowupPatientService => {
  const { enrolments, steps, clock, timeZone } = deps
  return {
    async mine(p, patientId) {
      const id = patientId ?? p.profileId
      const profile = await deps.patients.findForAccount(p.accountId, id)
      if (!profile) throw new AppError('PROFILE_NOT_FOUND', 'No such profile on this account')
      const rows = (await enrolments.forPatient(id)).filter((e) => e.status !== 'stopped')
      const all = await steps.forEnrolments(rows.map((e) => e._id))
      const names = await nurseNames(deps.staff, rows)
      const now = clock.now()
      const next = rows
        .filter((e) => e.status === 'active')
        .flatMap((e) =>
          all
            .filter(
              (s) => s.enrolmentId.equals(e._id) && s.status === 'scheduled' && !s.held && s.windowEnd > now,
            )
            .map((s) => ({
              ...presentStep(s, now, timeZone),
              enrolmentId: e._id.toHexString(),
              planName: e.planName,
            })),
        )
        .sort((a, b) => a.dueAt.localeCompare(b.dueAt))
        .slice(0, NEXT)
      return {
        patientId: id,
        enrolments: rows.map((e) => ({
          id: e._id.toHexString(),
          planName: e.planName,
          anchor: e.anchor,
          anchorDate: e.anchorDate,
          nurseName: e.nurseId ? (names.get(e.nurseId.toHexString()) ?? null) : null,
          status: e.status,
          steps: all.filter((s) => s.enrolmentId.equals(e._id)).map((s) => presentStep(s, now, timeZone)),
        })),
        next,
      }
    },

    async done(p, stepId) {
      const profiles = await deps.patients.listByAccount(p.accountId)
      const now = clock.now()
      const r = await deps.completion.byPatient(
        stepId,
        profiles.map((x) => x._id),
        now,
      )
      if (r === 'not_found') throw new AppError('FOLLOWUP_STEP_NOT_FOUND', 'No such follow-up step of yours')
      if (r === 'not_open')
        throw new AppError(
          'FOLLOWUP_STEP_STATE',
          'This step cannot be marked done now: it is not due yet, closed, or done another way (questionnaires are done by answering them)',
        )
      return { step: presentStep(r.step, now, timeZone), alreadyDone: r.alreadyDone }
    },
  }
}

import {
  AppError,
  type EnrolmentResponse,
  type EnrolmentsResponse,
  type EnrolResponse,
} from '@careloop/shared'
import { Types } from 'mongoose'
import type { Clock } from '../../clock'
import type { StaffPrincipal } from '../../http/context'
import type { AuditLog } from '../audit/audit.repo'
import type { PatientEventRepo } from '../patient-events/patient-event.repo'
import type { PatientStaffRepo } from '../patients/patient-staff.repo'
import { accessOf } from '../staff/staff-patients.service'
import type { StaffRepo } from '../staff/staff.repo'
import { staffActor, type RequestMeta } from '../staff/staff.service'
import type { AlertService } from '../tasks/alert.service'
import type { EnrolmentActor, EnrolmentDoc, EnrolmentHistoryDoc, PlanDoc } from './followup.model'
import { nurseNames, presentEnrolment } from './followup-present'
import type { EnrolmentRepo } from './enrolment.repo'
import type { Materialiser } from './materialise'
import type { PlanRepo } from './plan.repo'
import { localDateOf } from './schedule'
import type { StepRepo } from './step.repo'

/** Who enrols, and how: a staff member (console or bot) or a tag rule. */
export type EnrolBy =
  | { kind: 'staff'; p: StaffPrincipal; via: 'console' | 'bot'; meta: RequestMeta }
  | { kind: 'rule'; tagId: string; via: 'tag'; tagAt: Date }

export interface EnrolInput {
  patientId: string
  planId: string
  anchorDate?: string
  nurseId?: string
}

export interface EnrolmentService {
  /** Enrols (or returns the running enrolment) and materialises its schedule; see EnrolRequest. */
  enrol(by: EnrolBy, input: EnrolInput): Promise<EnrolResponse>
  list(p: StaffPrincipal, patientId: string, meta: RequestMeta): Promise<EnrolmentsResponse>
  pause(p: StaffPrincipal, id: string, meta: RequestMeta): Promise<EnrolmentResponse>
  resume(p: StaffPrincipal, id: string, meta: RequestMeta): Promise<EnrolmentResponse>
  stop(p: StaffPrincipal, id: string, meta: RequestMeta): Promise<EnrolmentResponse>
}

const NURSE_ROLES = new Set(['nurse', 'head_nurse'])
const EVENT_OF = { surgery: 'surgery', discharge: 'discharge', first_visit: 'visit' } as const

export const createEnrolmentService = (deps: {
  plans: PlanRepo
  enrolments: EnrolmentRepo
  steps: StepRepo
  events: Pick<PatientEventRepo, 'edgeOfKind'>
  patients: PatientStaffRepo
  staff: StaffRepo
  alerts: Pick<AlertService, 'responsibleNurse'>
  materialiser: Materialiser
  audit: AuditLog
  clock: Clock
  timeZone: string
}): EnrolmentService => {
  const { plans, enrolments, steps, staff, audit, clock, timeZone, materialiser } = deps

  const view = async (e: EnrolmentDoc): Promise<EnrolmentResponse['enrolment']> => {
    const rows = await steps.forEnrolments([e._id])
    return presentEnrolment(e, rows, await nurseNames(staff, [e]), clock.now(), timeZone)
  }

  const inScope = async (p: StaffPrincipal, patientId: string): Promise<void> => {
    if (!(await deps.patients.findInScope(accessOf(p).scope, patientId)))
      throw new AppError('PATIENT_NOT_FOUND', 'No such patient in your scope')
  }

  /** The anchor date: given, else the patient's clinical event, else (anchor enrolment) today or the tag's day. */
  const anchorOf = async (
    anchor: EnrolmentDoc['anchor'],
    patientId: string,
    given: string | undefined,
    by: EnrolBy,
  ): Promise<{ date: string; source: EnrolmentDoc['anchorSource'] }> => {
    if (given) return { date: given, source: 'given' }
    if (anchor === 'enrolment')
      return by.kind === 'rule'
        ? { date: localDateOf(by.tagAt, timeZone), source: 'tag' }
        : { date: localDateOf(clock.now(), timeZone), source: 'enrolment' }
    // "first visit" counts from the earliest visit; surgery and discharge from the latest one.
    const ev = await deps.events.edgeOfKind(
      patientId,
      EVENT_OF[anchor],
      anchor === 'first_visit' ? 'earliest' : 'latest',
    )
    if (!ev)
      throw new AppError(
        'FOLLOWUP_ANCHOR_REQUIRED',
        `This plan counts from the ${anchor.replace('_', ' ')} date: give anchorDate or record the ${EVENT_OF[anchor]} event first`,
        [{ path: 'anchorDate', message: `required: the patient has no ${EVENT_OF[anchor]} event` }],
      )
    return { date: localDateOf(ev.at, timeZone), source: 'event' }
  }

  const nurseOf = async (
    by: EnrolBy,
    patientId: string,
    given: string | undefined,
  ): Promise<string | null> => {
    if (given) {
      if (by.kind === 'staff' && by.p.role === 'nurse' && given !== by.p.staffId)
        throw new AppError('FOLLOWUP_NURSE_INVALID', 'A nurse enrols patients under her own name', [
          { path: 'nurseId', message: 'must be your own id (or omitted)' },
        ])
      const s = await staff.findById(given)
      if (!s || !s.active || !NURSE_ROLES.has(s.role))
        throw new AppError('FOLLOWUP_NURSE_INVALID', 'nurseId must name an active nurse or head nurse', [
          { path: 'nurseId', message: 'is not an active nurse' },
        ])
      return s.id
    }
    // A nurse enrols under her own name; a head nurse or admin enrolling keeps the patient's own nurse
    // responsible (the head nurse only when the patient has none).
    if (by.kind === 'staff' && by.p.role === 'nurse') return by.p.staffId
    const responsible = await deps.alerts.responsibleNurse(patientId)
    if (responsible) return responsible
    return by.kind === 'staff' && NURSE_ROLES.has(by.p.role) ? by.p.staffId : null
  }

  const actorOf = (by: EnrolBy): EnrolmentActor =>
    by.kind === 'staff' ? { kind: 'staff', id: by.p.staffId } : { kind: 'rule', id: by.tagId }

  const entry = (action: EnrolmentHistoryDoc['action'], by: EnrolmentActor, note: string | null = null) => ({
    at: clock.now(),
    action,
    by,
    note,
  })

  /** The enrolment if the caller may reach its patient; 404 otherwise (existence does not leak). */
  const reachable = async (p: StaffPrincipal, id: string): Promise<EnrolmentDoc> => {
    const e = await enrolments.findById(id)
    if (!e || !(await deps.patients.findInScope(accessOf(p).scope, e.patientId.toHexString())))
      throw new AppError('FOLLOWUP_ENROLMENT_NOT_FOUND', 'No such enrolment in your scope')
    return e
  }

  const stateError = (e: EnrolmentDoc, wanted: string): AppError =>
    new AppError('FOLLOWUP_ENROLMENT_STATE', `A ${e.status} enrolment cannot be ${wanted}`, {
      status: e.status,
    })

  const record = (p: StaffPrincipal, action: string, e: EnrolmentDoc, meta: RequestMeta) =>
    audit.record({
      actor: staffActor(p),
      action,
      patientId: e.patientId.toHexString(),
      detail: { enrolmentId: e._id.toHexString(), planId: e.planId.toHexString(), status: e.status },
      ...meta,
    })

  const enrolOnce = async (plan: PlanDoc, by: EnrolBy, input: EnrolInput) => {
    const nurseId = await nurseOf(by, input.patientId, input.nurseId)
    const anchor = await anchorOf(plan.anchor, input.patientId, input.anchorDate, by)
    const actor = actorOf(by)
    return enrolments.enrolOnce({
      patientId: new Types.ObjectId(input.patientId),
      planId: plan._id,
      planName: plan.name,
      planVersion: plan.version,
      anchor: plan.anchor,
      anchorDate: anchor.date,
      anchorSource: anchor.source,
      steps: plan.steps,
      nurseId: nurseId ? new Types.ObjectId(nurseId) : null,
      via: by.via,
      by: actor,
      enrolledAt: clock.now(),
      history: [entry('enrolled', actor, by.kind === 'rule' ? `tag ${by.tagId}` : null)],
    })
  }

  return {
    async enrol(by, input) {
      if (by.kind === 'staff') await inScope(by.p, input.patientId)
      const plan = await plans.findById(input.planId)
      if (!plan) throw new AppError('FOLLOWUP_PLAN_NOT_FOUND', 'No such follow-up plan')
      if (plan.status !== 'active')
        throw new AppError(
          'FOLLOWUP_PLAN_ARCHIVED',
          `The plan ${plan.name} is archived: it takes no new patients`,
        )
      // Already running: answered as is (its anchor and nurse stand), whatever this request says.
      const running = await enrolments.findRunning(input.patientId, input.planId)
      const { enrolment, created } = running
        ? { enrolment: running, created: false }
        : await enrolOnce(plan, by, input)
      // Also on a repeat: repairs a schedule a crash left half-written (idempotent).
      if (enrolment.status === 'active') await materialiser.materialise(enrolment)
      if (by.kind === 'staff')
        await audit.record({
          actor: staffActor(by.p),
          action: 'followup.enrol',
          patientId: input.patientId,
          detail: { enrolmentId: enrolment._id.toHexString(), planId: input.planId, created, via: by.via },
          ...by.meta,
        })
      const fresh = (await enrolments.findById(enrolment._id.toHexString())) ?? enrolment
      return { created, enrolment: await view(fresh) }
    },

    async list(p, patientId, meta) {
      await inScope(p, patientId)
      const rows = await enrolments.forPatient(patientId)
      const all = await steps.forEnrolments(rows.map((e) => e._id))
      const names = await nurseNames(staff, rows)
      await audit.record({
        actor: staffActor(p),
        action: 'followup.enrolments_read',
        patientId,
        detail: { count: rows.length },
        ...meta,
      })
      const now = clock.now()
      return { enrolments: rows.map((e) => presentEnrolment(e, all, names, now, timeZone)) }
    },

    async pause(p, id, meta) {
      await reachable(p, id)
      const moved = await enrolments.transition(
        id,
        ['active'],
        'paused',
        entry('paused', { kind: 'staff', id: p.staffId }),
      )
      const now = moved ?? (await enrolments.findById(id))!
      if (now.status !== 'paused') throw stateError(now, 'paused')
      // Also when it was paused already: finishes what a crash may have left undone.
      await materialiser.hold(now)
      if (moved) await record(p, 'followup.pause', now, meta)
      return { enrolment: await view(now) }
    },

    async resume(p, id, meta) {
      await reachable(p, id)
      const moved = await enrolments.transition(
        id,
        ['paused'],
        'active',
        entry('resumed', { kind: 'staff', id: p.staffId }),
      )
      const now = moved ?? (await enrolments.findById(id))!
      if (now.status !== 'active') throw stateError(now, 'resumed')
      await materialiser.release(now)
      if (moved) await record(p, 'followup.resume', now, meta)
      const after = (await enrolments.findById(id)) ?? now
      return { enrolment: await view(after) }
    },

    async stop(p, id, meta) {
      await reachable(p, id)
      const moved = await enrolments.transition(
        id,
        ['active', 'paused'],
        'stopped',
        entry('stopped', { kind: 'staff', id: p.staffId }),
      )
      const now = moved ?? (await enrolments.findById(id))!
      if (now.status !== 'stopped') throw stateError(now, 'stopped')
      await materialiser.stop(now)
      if (moved) await record(p, 'followup.stop', now, meta)
      return { enrolment: await view(now) }
    },
  }
}

import {
  AppError,
  type PatientEvent,
  type PatientEventsResponse,
  type RecordPatientEventRequest,
  type RecordPatientEventResponse,
} from '@careloop/shared'
import type { Clock } from '../../clock'
import type { StaffPrincipal } from '../../http/context'
import type { AuditLog } from '../audit/audit.repo'
import type { PatientStaffRepo } from '../patients/patient-staff.repo'
import { accessOf } from '../staff/staff-patients.service'
import { staffActor, type RequestMeta } from '../staff/staff.service'
import type { TagRuleEngine } from '../tag-rules/tag-rule.engine'
import type { TagRepo } from '../tags/tag.repo'
import type { PatientEventDoc } from './patient-event.model'
import type { PatientEventRepo } from './patient-event.repo'

/** Clock skew allowed for "not in the future" (a client clock a little ahead of ours). */
const FUTURE_TOLERANCE_MS = 5 * 60 * 1000
const EARLIEST = new Date('1900-01-01T00:00:00Z')
const LIST_LIMIT = 500

export interface PatientEventService {
  record(
    p: StaffPrincipal,
    patientId: string,
    body: RecordPatientEventRequest,
    meta: RequestMeta,
  ): Promise<RecordPatientEventResponse>
  list(p: StaffPrincipal, patientId: string, meta: RequestMeta): Promise<PatientEventsResponse>
}

export const presentEvent = (e: PatientEventDoc): PatientEvent => ({
  id: e._id.toHexString(),
  patientId: e.patientId.toHexString(),
  kind: e.kind,
  code: e.code ?? null,
  at: e.at.toISOString(),
  note: e.note ?? null,
  source: e.source,
  by: { kind: e.by.kind, id: e.by.id ?? null },
  externalId: e.externalId ?? null,
  createdAt: e.createdAt.toISOString(),
})

export const createPatientEventService = (deps: {
  events: PatientEventRepo
  patients: PatientStaffRepo
  engine: TagRuleEngine
  tags: TagRepo
  audit: AuditLog
  clock: Clock
}): PatientEventService => {
  const inScope = async (p: StaffPrincipal, patientId: string): Promise<void> => {
    // Out of scope and unknown look the same: existence does not leak.
    if (!(await deps.patients.findInScope(accessOf(p).scope, patientId)))
      throw new AppError('PATIENT_NOT_FOUND', 'No such patient in your scope')
  }

  return {
    async record(p, patientId, body, meta) {
      const at = new Date(body.at)
      if (at.getTime() > deps.clock.now().getTime() + FUTURE_TOLERANCE_MS)
        throw new AppError('VALIDATION_FAILED', 'at must not be in the future', [
          { path: 'at', message: 'at must not be in the future' },
        ])
      if (at < EARLIEST)
        throw new AppError('VALIDATION_FAILED', 'at must be after 1900', [
          { path: 'at', message: 'at must be after 1900-01-01' },
        ])
      await inScope(p, patientId)
      const { event, duplicate } = await deps.events.record({
        patientId,
        kind: body.kind,
        code: body.code ? body.code : null,
        at,
        note: body.note ? body.note : null,
        source: 'staff',
        by: { kind: 'staff', id: p.staffId },
        externalId: body.externalId ?? null,
      })
      if (duplicate && !event.patientId.equals(patientId))
        throw new AppError(
          'PATIENT_EVENT_CONFLICT',
          'This externalId was already used for an event of another patient',
          { externalId: body.externalId },
        )
      // Applied on every delivery: a retry after a failure half-way completes the work, and is harmless otherwise.
      const changes = await deps.engine.applyToPatient(patientId)
      await deps.audit.record({
        actor: staffActor(p),
        action: 'patient.event_record',
        patientId,
        detail: {
          eventId: event._id.toHexString(),
          kind: event.kind,
          duplicate,
          tagsAdded: changes.filter((c) => c.action === 'added').map((c) => c.tagId),
          tagsRemoved: changes.filter((c) => c.action === 'removed').map((c) => c.tagId),
        },
        ...meta,
      })
      const names = new Map((await deps.tags.tags()).map((t) => [t._id.toHexString(), t.name]))
      return {
        event: presentEvent(event),
        duplicate,
        tagChanges: changes.map((c) => ({
          tagId: c.tagId,
          tagName: names.get(c.tagId) ?? null,
          ruleId: c.ruleId,
          action: c.action,
          reason: c.reason,
        })),
      }
    },

    async list(p, patientId, meta) {
      await inScope(p, patientId)
      const rows = await deps.events.forPatient(patientId, LIST_LIMIT)
      await deps.audit.record({
        actor: staffActor(p),
        action: 'patient.read_events',
        patientId,
        detail: { count: rows.length },
        ...meta,
      })
      return { events: rows.map(presentEvent) }
    },
  }
}

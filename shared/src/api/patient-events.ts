import { EventCode, Icd10Code, PatientEventKind } from '../tag-rules/condition'
import { z } from '../zod'
import { ObjectIdString } from './auth'
import { defineRoute } from './route'
import { IdParams } from './staff'

/**
 * Clinical events of a patient (visit, diagnosis, surgery, discharge, admission): recorded by staff or
 * delivered by the HIS, the input of auto-tag rules (F7). Recording one applies every enabled rule to
 * the patient at once.
 */

export const RecordPatientEventRequest = z
  .object({
    kind: PatientEventKind,
    /** ICD-10 (E11.9) for a diagnosis, where it is required; optional for other kinds. */
    code: z.string({ invalid_type_error: 'code must be a string' }).trim().optional(),
    /** When it happened (ISO 8601); not in the future. */
    at: z.string({ required_error: 'at is required' }).datetime({
      offset: true,
      message: 'at must be an ISO 8601 date-time, e.g. 2026-10-01T09:30:00+08:00',
    }),
    note: z.string().trim().max(200, 'note must be at most 200 characters').optional(),
    /**
     * The sender's id of the event: a second delivery with the same id records nothing new (idempotent).
     * Unique per source.
     */
    externalId: z
      .string()
      .trim()
      .min(1, 'externalId must not be empty')
      .max(64, 'externalId must be at most 64 characters')
      .optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.kind === 'diagnosis') {
      if (v.code === undefined || v.code === '')
        ctx.addIssue({
          code: 'custom',
          path: ['code'],
          message: 'code is required for a diagnosis (ICD-10, e.g. E11.9)',
        })
      else {
        const r = Icd10Code.safeParse(v.code)
        if (!r.success) ctx.addIssue({ code: 'custom', path: ['code'], message: r.error.issues[0]!.message })
      }
    } else if (v.code !== undefined && v.code !== '') {
      const r = EventCode.safeParse(v.code)
      if (!r.success) ctx.addIssue({ code: 'custom', path: ['code'], message: r.error.issues[0]!.message })
    }
  })
  .openapi('RecordPatientEventRequest')
export type RecordPatientEventRequest = z.infer<typeof RecordPatientEventRequest>

export const PatientEvent = z
  .object({
    id: ObjectIdString,
    patientId: ObjectIdString,
    kind: PatientEventKind,
    code: z.string().nullable(),
    at: z.string().datetime(),
    note: z.string().nullable(),
    source: z.enum(['staff', 'his']),
    by: z.object({ kind: z.enum(['staff', 'system']), id: z.string().nullable() }),
    externalId: z.string().nullable(),
    createdAt: z.string().datetime(),
  })
  .openapi('PatientEvent')
export type PatientEvent = z.infer<typeof PatientEvent>

/** A tag an event made a rule add or take back. */
export const RuleTagChange = z.object({
  tagId: ObjectIdString,
  tagName: z.string().nullable(),
  ruleId: ObjectIdString,
  action: z.enum(['added', 'removed']),
  reason: z.string(),
})
export type RuleTagChange = z.infer<typeof RuleTagChange>

export const RecordPatientEventResponse = z
  .object({
    event: PatientEvent,
    /** True when this externalId was recorded before: nothing new was written. */
    duplicate: z.boolean(),
    /** What the rules changed on the patient's tags because of this event. */
    tagChanges: z.array(RuleTagChange),
  })
  .openapi('RecordPatientEventResponse')
export type RecordPatientEventResponse = z.infer<typeof RecordPatientEventResponse>

export const PatientEventsResponse = z
  .object({ events: z.array(PatientEvent) })
  .openapi('PatientEventsResponse')
export type PatientEventsResponse = z.infer<typeof PatientEventsResponse>

const EVENT_ROLES = ['nurse', 'head_nurse', 'admin'] as const

export const patientEventRoutes = {
  recordPatientEvent: defineRoute({
    id: 'recordPatientEvent',
    method: 'post',
    path: '/api/v1/staff/patients/:id/events',
    summary: "Record a clinical event of a patient (within the caller's scope) and apply the auto-tag rules",
    tag: 'patient-events',
    auth: 'staff',
    roles: EVENT_ROLES,
    params: IdParams,
    body: RecordPatientEventRequest,
    response: RecordPatientEventResponse,
    status: 201,
    errors: ['VALIDATION_FAILED', 'PATIENT_NOT_FOUND', 'PATIENT_EVENT_CONFLICT'],
  }),
  listPatientEvents: defineRoute({
    id: 'listPatientEvents',
    method: 'get',
    path: '/api/v1/staff/patients/:id/events',
    summary: "A patient's clinical events, newest first (within the caller's scope)",
    tag: 'patient-events',
    auth: 'staff',
    roles: EVENT_ROLES,
    params: IdParams,
    response: PatientEventsResponse,
    errors: ['PATIENT_NOT_FOUND'],
  }),
}

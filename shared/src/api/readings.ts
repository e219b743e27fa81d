import { z } from '../zod'
import { ObjectIdString } from './auth'
import { RequestId } from './questionnaires'
import { defineRoute } from './route'
import { IdParams } from './staff'

/**
 * Health readings (F18): blood pressure (mmHg), blood glucose (mmol/L), weight (kg). The schema checks
 * shapes (400 VALIDATION_FAILED); `checkReading` checks that the values are physiologically possible
 * (400 READING_INVALID naming the field). Abnormal values against the patient's plan thresholds (or
 * the hospital's defaults) alert the responsible nurse.
 */

export const READING_KINDS = ['bp', 'glucose', 'weight'] as const
export const ReadingKind = z.enum(READING_KINDS)
export type ReadingKind = z.infer<typeof ReadingKind>

export const GLUCOSE_CONTEXTS = ['fasting', 'postprandial', 'random'] as const
export const GlucoseContext = z.enum(GLUCOSE_CONTEXTS)
export type GlucoseContext = z.infer<typeof GlucoseContext>

export const READING_UNITS: Record<ReadingKind, string> = { bp: 'mmHg', glucose: 'mmol/L', weight: 'kg' }

const num = (name: string) =>
  z.number({ invalid_type_error: `${name} must be a number` }).finite(`${name} must be finite`)

const IsoDateTime = (name: string) =>
  z.string({ required_error: `${name} is required` }).datetime({
    offset: true,
    message: `${name} must be an ISO 8601 date-time, e.g. 2026-10-01T07:30:00+08:00`,
  })

export const SubmitReadingRequest = z
  .object({
    /** The profile measured (the account's own or a family member's). */
    patientId: ObjectIdString,
    /** Client-generated; a retry with the same id returns the first reading. */
    requestId: RequestId,
    kind: ReadingKind,
    /** bp: mmHg. */
    systolic: num('systolic').optional(),
    diastolic: num('diastolic').optional(),
    /** glucose (mmol/L) or weight (kg). */
    value: num('value').optional(),
    /** glucose only. */
    context: GlucoseContext.optional(),
    measuredAt: IsoDateTime('measuredAt'),
  })
  .strict()
  .openapi('SubmitReadingRequest')
export type SubmitReadingRequest = z.infer<typeof SubmitReadingRequest>

export const Reading = z
  .object({
    id: ObjectIdString,
    patientId: ObjectIdString,
    kind: ReadingKind,
    systolic: z.number().nullable(),
    diastolic: z.number().nullable(),
    value: z.number().nullable(),
    unit: z.string(),
    context: GlucoseContext.nullable(),
    measuredAt: z.string().datetime(),
    /** Outside the patient's target range (plan thresholds, else the hospital's defaults). */
    abnormal: z.boolean(),
    /** For the patient: a gentle note when the nurse was told. */
    notice: z.string().nullable(),
    createdAt: z.string().datetime(),
  })
  .openapi('Reading')
export type Reading = z.infer<typeof Reading>

export const SubmitReadingResponse = Reading.extend({
  /** True when this requestId was recorded before: nothing new was written. */
  duplicate: z.boolean(),
}).openapi('SubmitReadingResponse')
export type SubmitReadingResponse = z.infer<typeof SubmitReadingResponse>

const range = {
  kind: ReadingKind.optional(),
  from: IsoDateTime('from').optional(),
  to: IsoDateTime('to').optional(),
}

export const MyReadingsQuery = z.object({ patientId: ObjectIdString.optional(), ...range }).strict()
export type MyReadingsQuery = z.infer<typeof MyReadingsQuery>

export const ReadingsQuery = z.object(range).strict()
export type ReadingsQuery = z.infer<typeof ReadingsQuery>

export const ReadingsResponse = z.object({ readings: z.array(Reading) }).openapi('ReadingsResponse')
export type ReadingsResponse = z.infer<typeof ReadingsResponse>

/** Why a reading is abnormal, for staff. */
export const ReadingFinding = z.object({
  metric: z.enum(['bpSystolic', 'bpDiastolic', 'glucose', 'weight']),
  value: z.number(),
  min: z.number().nullable(),
  max: z.number().nullable(),
  /** `plan`: a follow-up plan's threshold; `default`: the hospital's. */
  source: z.enum(['plan', 'default']),
})
export type ReadingFinding = z.infer<typeof ReadingFinding>

export const StaffReading = Reading.omit({ notice: true })
  .extend({ findings: z.array(ReadingFinding) })
  .openapi('StaffReading')
export type StaffReading = z.infer<typeof StaffReading>

export const StaffReadingsResponse = z
  .object({ readings: z.array(StaffReading) })
  .openapi('StaffReadingsResponse')
export type StaffReadingsResponse = z.infer<typeof StaffReadingsResponse>

export const readingRoutes = {
  submitReading: defineRoute({
    id: 'submitReading',
    method: 'post',
    path: '/api/v1/me/readings',
    summary: 'Record a reading for one of my profiles (idempotent by requestId)',
    tag: 'readings',
    auth: 'patient',
    body: SubmitReadingRequest,
    response: SubmitReadingResponse,
    status: 201,
    errors: ['VALIDATION_FAILED', 'READING_INVALID', 'PROFILE_NOT_FOUND', 'CONSENT_REQUIRED'],
  }),
  myReadings: defineRoute({
    id: 'myReadings',
    method: 'get',
    path: '/api/v1/me/readings',
    summary: 'My readings (a profile of this account; default the active one), newest measured first',
    tag: 'readings',
    auth: 'patient',
    query: MyReadingsQuery,
    response: ReadingsResponse,
    errors: ['VALIDATION_FAILED', 'PROFILE_NOT_FOUND', 'CONSENT_REQUIRED'],
  }),
  patientReadings: defineRoute({
    id: 'patientReadings',
    method: 'get',
    path: '/api/v1/staff/patients/:id/readings',
    summary: "A patient's readings with what made them abnormal, newest first (within the caller's scope)",
    tag: 'readings',
    auth: 'staff',
    roles: ['nurse', 'head_nurse', 'admin'],
    params: IdParams,
    query: ReadingsQuery,
    response: StaffReadingsResponse,
    errors: ['VALIDATION_FAILED', 'PATIENT_NOT_FOUND'],
  }),
}

// ---- physiological checks ---------------------------------------------------------------------

export interface ReadingIssue {
  path: string
  message: string
}

/** Clock skew allowed for "not in the future". */
export const READING_FUTURE_TOLERANCE_MS = 5 * 60 * 1000
/** How far back a reading may be entered (a paper diary of the last year). */
export const READING_MAX_AGE_DAYS = 366

/**
 * Is the reading physically possible and complete for its kind? Every problem, each naming its field.
 * Ranges: systolic 40–300, diastolic 20–200 and below systolic (mmHg); glucose 0.5–50 mmol/L;
 * weight 2–500 kg; measured not more than 5 minutes ahead of `now` nor more than a year before.
 */
export const checkReading = (r: SubmitReadingRequest, now: Date): ReadingIssue[] => {
  const issues: ReadingIssue[] = []
  const need = (field: 'systolic' | 'diastolic' | 'value', lo: number, hi: number, unit: string): void => {
    const v = r[field]
    if (v === undefined) issues.push({ path: field, message: `${field} is required for ${r.kind}` })
    else if (v < lo || v > hi) issues.push({ path: field, message: `${field} must be ${lo}–${hi} ${unit}` })
  }
  const none = (field: 'systolic' | 'diastolic' | 'value' | 'context'): void => {
    if (r[field] !== undefined) issues.push({ path: field, message: `${field} does not apply to ${r.kind}` })
  }
  if (r.kind === 'bp') {
    need('systolic', 40, 300, 'mmHg')
    need('diastolic', 20, 200, 'mmHg')
    if (r.systolic !== undefined && r.diastolic !== undefined && r.diastolic >= r.systolic)
      issues.push({ path: 'diastolic', message: 'diastolic must be below systolic' })
    none('value')
    none('context')
  } else {
    if (r.kind === 'glucose') need('value', 0.5, 50, 'mmol/L')
    else {
      need('value', 2, 500, 'kg')
      none('context')
    }
    none('systolic')
    none('diastolic')
  }
  const at = Date.parse(r.measuredAt)
  if (at > now.getTime() + READING_FUTURE_TOLERANCE_MS)
    issues.push({ path: 'measuredAt', message: 'measuredAt must not be in the future' })
  else if (at < now.getTime() - READING_MAX_AGE_DAYS * 86_400_000)
    issues.push({ path: 'measuredAt', message: 'measuredAt must be within the last year' })
  return issues
}

import { z } from '../zod'
import { ObjectIdString } from './auth'

/**
 * Follow-up (随访, F15, F16, F19): plan templates whose steps fall D+N days after an anchor date,
 * enrolments of patients in plans (by a nurse in the console or the bot, or by a tag rule), one
 * step instance per plan step with a due window, and the follow-up rate.
 *
 * Times: a step is due at `time` (hospital zone) on the day anchorDate + offsetDays; its window
 * closes at the end of the day anchorDate + offsetDays + windowDays (local midnight). A step still
 * not done then is missed (漏访) and becomes a nurse task.
 *
 * Who may do what: admin and head_nurse edit plans; nurses read them and enrol their own patients;
 * everyone but marketers sees enrolments within their patient scope; rates are aggregates (marketers
 * too; a nurse sees her own).
 */

export const PLAN_ANCHORS = ['surgery', 'discharge', 'first_visit', 'enrolment'] as const
export const PlanAnchor = z.enum(PLAN_ANCHORS)
export type PlanAnchor = z.infer<typeof PlanAnchor>

export const STEP_KINDS = ['reminder', 'questionnaire', 'content', 'nurse_task'] as const
export const StepKind = z.enum(STEP_KINDS)
export type StepKind = z.infer<typeof StepKind>

export const PLAN_MAX_STEPS = 100
export const STEP_MAX_OFFSET_DAYS = 3650
export const STEP_MAX_WINDOW_DAYS = 365
export const STEP_DEFAULT_TIME = '09:00'

/** `YYYY-MM-DD`, a real calendar date. */
export const LocalDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .refine((v) => {
    const [y, m, d] = v.split('-').map(Number) as [number, number, number]
    const t = new Date(Date.UTC(y, m - 1, d))
    return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d && y >= 1900
  }, 'is not a real date')

export const LocalTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time HH:mm (00:00–23:59)')

export const StepKey = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, 'must be 1–32 lowercase letters, digits, _ or - (a stable step id)')

export const PlanStepInput = z
  .object({
    /** Stable id of the step within the plan; generated when omitted (keep it when editing). */
    key: StepKey.optional(),
    /** Days after the anchor date (D+N). */
    offsetDays: z
      .number({ required_error: 'offsetDays is required' })
      .int('offsetDays must be a whole number')
      .min(0, 'offsetDays must be at least 0')
      .max(STEP_MAX_OFFSET_DAYS, `offsetDays must be at most ${STEP_MAX_OFFSET_DAYS}`),
    /** Local time of day the step is due (hospital zone). */
    time: LocalTime.default(STEP_DEFAULT_TIME),
    kind: StepKind,
    /** What the patient (or the nurse) sees; ≤20 characters reads best in a service notice. */
    title: z
      .string({ required_error: 'title is required' })
      .trim()
      .min(1, 'title must not be empty')
      .max(40, 'title must be at most 40 characters'),
    body: z.string().trim().max(500, 'body must be at most 500 characters').optional(),
    /** Questionnaire steps: the questionnaire to answer (must exist and be published). */
    questionnaireId: ObjectIdString.optional(),
    /** Content steps: the article or video to open. */
    link: z.string().trim().url('link must be a URL').max(500).optional(),
    /** Days the step stays due after its due day; then it is missed. 0 = the due day only. */
    windowDays: z
      .number({ required_error: 'windowDays is required' })
      .int('windowDays must be a whole number')
      .min(0, 'windowDays must be at least 0')
      .max(STEP_MAX_WINDOW_DAYS, `windowDays must be at most ${STEP_MAX_WINDOW_DAYS}`),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.kind === 'questionnaire' && !s.questionnaireId)
      ctx.addIssue({
        code: 'custom',
        path: ['questionnaireId'],
        message: 'questionnaireId is required for a questionnaire step',
      })
    if (s.kind !== 'questionnaire' && s.questionnaireId)
      ctx.addIssue({
        code: 'custom',
        path: ['questionnaireId'],
        message: 'questionnaireId is only for questionnaire steps',
      })
    if (s.kind !== 'content' && s.link)
      ctx.addIssue({ code: 'custom', path: ['link'], message: 'link is only for content steps' })
  })
export type PlanStepInput = z.input<typeof PlanStepInput>

const Range = (unit: string, max: number) =>
  z
    .object({
      min: z.number().min(0).max(max).optional(),
      max: z.number().min(0).max(max).optional(),
    })
    .strict()
    .refine((r) => r.min === undefined || r.max === undefined || r.min <= r.max, {
      message: `min must not exceed max (${unit})`,
      path: ['min'],
    })

/** Reading thresholds of the plan's patients (F18: the readings module applies them). */
export const PlanThresholds = z
  .object({
    bpSystolic: Range('mmHg', 300).optional(),
    bpDiastolic: Range('mmHg', 300).optional(),
    /** mmol/L */
    glucose: Range('mmol/L', 50).optional(),
    /** kg */
    weight: Range('kg', 500).optional(),
    /** Alert when no reading for this many days. */
    noReadingDays: z.number().int().min(1).max(365).optional(),
  })
  .strict()
  .openapi('PlanThresholds')
export type PlanThresholds = z.infer<typeof PlanThresholds>

const PlanName = z
  .string({ required_error: 'name is required' })
  .trim()
  .min(1, 'name must not be empty')
  .max(40, 'name must be at most 40 characters')
const PlanDescription = z.string().trim().max(500, 'description must be at most 500 characters').nullable()
const PlanSteps = z
  .array(PlanStepInput, { required_error: 'steps is required' })
  .min(1, 'a plan needs at least one step')
  .max(PLAN_MAX_STEPS, `a plan has at most ${PLAN_MAX_STEPS} steps`)
  .superRefine((steps, ctx) => {
    const seen = new Map<string, number>()
    steps.forEach((s, i) => {
      if (!s.key) return
      if (seen.has(s.key))
        ctx.addIssue({
          code: 'custom',
          path: [i, 'key'],
          message: `key ${s.key} is used by step ${seen.get(s.key)}`,
        })
      else seen.set(s.key, i)
    })
  })

export const CreatePlanRequest = z
  .object({
    name: PlanName,
    description: PlanDescription.optional(),
    anchor: PlanAnchor,
    steps: PlanSteps,
    thresholds: PlanThresholds.default({}),
    /** Enrol a patient automatically when this tag is assigned to them (tag rule, import, nurse…). */
    autoEnrolTagId: ObjectIdString.nullable().optional(),
  })
  .strict()
  .openapi('CreatePlanRequest')
export type CreatePlanRequest = z.infer<typeof CreatePlanRequest>

export const UpdatePlanRequest = z
  .object({
    name: PlanName.optional(),
    description: PlanDescription.optional(),
    anchor: PlanAnchor.optional(),
    /** Replaces the steps; keep each existing step's key. Existing enrolments keep their version. */
    steps: PlanSteps.optional(),
    thresholds: PlanThresholds.optional(),
    autoEnrolTagId: ObjectIdString.nullable().optional(),
    /** Archived plans take no new enrolments (running ones go on). */
    status: z.enum(['active', 'archived']).optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'at least one field is required')
  .openapi('UpdatePlanRequest')
export type UpdatePlanRequest = z.infer<typeof UpdatePlanRequest>

export const PlanStep = z
  .object({
    key: z.string(),
    offsetDays: z.number().int(),
    time: z.string(),
    kind: StepKind,
    title: z.string(),
    body: z.string().nullable(),
    questionnaireId: z.string().nullable(),
    link: z.string().nullable(),
    windowDays: z.number().int(),
  })
  .openapi('PlanStep')
export type PlanStep = z.infer<typeof PlanStep>

export const FollowupPlan = z
  .object({
    id: ObjectIdString,
    name: z.string(),
    description: z.string().nullable(),
    anchor: PlanAnchor,
    steps: z.array(PlanStep),
    thresholds: PlanThresholds,
    autoEnrolTag: z.object({ id: ObjectIdString, name: z.string().nullable() }).nullable(),
    status: z.enum(['active', 'archived']),
    /** Bumped on every edit; enrolments record the version they follow. */
    version: z.number().int().positive(),
    /** Enrolments active or paused now. */
    activeEnrolments: z.number().int().nonnegative(),
    createdAt: z.string().datetime(),
    updatedAt: z.string().datetime(),
  })
  .openapi('FollowupPlan')
export type FollowupPlan = z.infer<typeof FollowupPlan>

export const FollowupPlansResponse = z
  .object({ plans: z.array(FollowupPlan) })
  .openapi('FollowupPlansResponse')
export type FollowupPlansResponse = z.infer<typeof FollowupPlansResponse>

export const FollowupPlansQuery = z
  .object({ status: z.enum(['active', 'archived', 'all']).default('active') })
  .strict()

// ---- enrolments and steps ----

export const ENROLMENT_STATUSES = ['active', 'paused', 'stopped', 'completed'] as const
export const EnrolmentStatus = z.enum(ENROLMENT_STATUSES)
export type EnrolmentStatus = z.infer<typeof EnrolmentStatus>

/**
 * A step's status as shown: `scheduled` (not yet due), `due` (inside its window), `done`, `missed`
 * (window closed, not done: a nurse task was opened) or `cancelled` (see cancelReason).
 */
export const StepStatus = z.enum(['scheduled', 'due', 'done', 'missed', 'cancelled'])
export type StepStatus = z.infer<typeof StepStatus>

/**
 * `before_enrolment`: the window had closed already when the patient was enrolled (back-dated anchor),
 * nobody could do it; `stopped`: the enrolment was stopped; `paused`: its window closed while the
 * enrolment was paused. Cancelled steps count neither as done nor missed.
 */
export const StepCancelReason = z.enum(['before_enrolment', 'stopped', 'paused'])

export const FollowupStep = z
  .object({
    id: ObjectIdString,
    key: z.string(),
    kind: StepKind,
    title: z.string(),
    body: z.string().nullable(),
    questionnaireId: z.string().nullable(),
    link: z.string().nullable(),
    dueAt: z.string().datetime(),
    /** dueAt in the hospital's zone, `YYYY-MM-DD HH:mm`. */
    dueAtLocal: z.string(),
    /** The window closes then (exclusive). */
    windowEnd: z.string().datetime(),
    status: StepStatus,
    cancelReason: StepCancelReason.nullable(),
    /** The enrolment is paused: no reminders go out for it until resumed. */
    held: z.boolean(),
    doneAt: z.string().datetime().nullable(),
    doneBy: z.object({ kind: z.enum(['patient', 'staff', 'system']), id: z.string().nullable() }).nullable(),
  })
  .openapi('FollowupStep')
export type FollowupStep = z.infer<typeof FollowupStep>

export const EnrolmentHistoryEntry = z.object({
  at: z.string().datetime(),
  action: z.enum(['enrolled', 'paused', 'resumed', 'stopped', 'completed']),
  by: z.object({ kind: z.enum(['staff', 'system', 'rule']), id: z.string().nullable() }),
  note: z.string().nullable(),
})

export const Enrolment = z
  .object({
    id: ObjectIdString,
    patientId: ObjectIdString,
    plan: z.object({ id: ObjectIdString, name: z.string(), version: z.number().int() }),
    anchor: PlanAnchor,
    anchorDate: z.string(),
    /** Where the anchor date came from. */
    anchorSource: z.enum(['given', 'event', 'tag', 'enrolment']),
    nurse: z.object({ id: ObjectIdString, name: z.string().nullable() }).nullable(),
    status: EnrolmentStatus,
    via: z.enum(['console', 'bot', 'tag']),
    counts: z.object({
      total: z.number().int(),
      done: z.number().int(),
      missed: z.number().int(),
      cancelled: z.number().int(),
      open: z.number().int(),
    }),
    steps: z.array(FollowupStep),
    history: z.array(EnrolmentHistoryEntry),
    createdAt: z.string().datetime(),
  })
  .openapi('Enrolment')
export type Enrolment = z.infer<typeof Enrolment>

export const EnrolRequest = z
  .object({
    planId: ObjectIdString,
    /** The anchor date (hospital zone); omitted: the latest matching clinical event, or today for `enrolment`. */
    anchorDate: LocalDate.optional(),
    /** The responsible nurse; omitted: the enrolling nurse, else the patient's assigned nurse. */
    nurseId: ObjectIdString.optional(),
  })
  .strict()
  .openapi('EnrolRequest')
export type EnrolRequest = z.infer<typeof EnrolRequest>

export const EnrolResponse = z
  .object({
    /** false: the patient already had an active or paused enrolment in this plan (returned as is). */
    created: z.boolean(),
    enrolment: Enrolment,
  })
  .openapi('EnrolResponse')
export type EnrolResponse = z.infer<typeof EnrolResponse>

export const EnrolmentsResponse = z.object({ enrolments: z.array(Enrolment) }).openapi('EnrolmentsResponse')
export type EnrolmentsResponse = z.infer<typeof EnrolmentsResponse>

export const EnrolmentResponse = z.object({ enrolment: Enrolment }).openapi('EnrolmentResponse')
export type EnrolmentResponse = z.infer<typeof EnrolmentResponse>

// ---- rates ----

export const RatesQuery = z
  .object({
    /** First day (hospital zone), default 30 days ago. */
    from: LocalDate.optional(),
    /** Last day, inclusive; default today. */
    to: LocalDate.optional(),
    groupBy: z.enum(['plan', 'community', 'nurse']).default('plan'),
  })
  .strict()
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: 'from must not be after to', path: ['from'] })

export const RateRow = z
  .object({
    key: z.string(),
    label: z.string(),
    /** Steps whose window ended in the range (done + missed; cancelled steps do not count). */
    due: z.number().int().nonnegative(),
    done: z.number().int().nonnegative(),
    missed: z.number().int().nonnegative(),
    /** done / due, 0–1; null when nothing was due. */
    rate: z.number().min(0).max(1).nullable(),
  })
  .openapi('FollowupRateRow')

export const RatesResponse = z
  .object({
    from: z.string(),
    to: z.string(),
    groupBy: z.enum(['plan', 'community', 'nurse']),
    rows: z.array(RateRow),
    total: RateRow,
  })
  .openapi('FollowupRatesResponse')
export type RatesResponse = z.infer<typeof RatesResponse>

// ---- patients ----

export const MyFollowupQuery = z.object({ patientId: ObjectIdString.optional() }).strict()

export const MyEnrolment = z
  .object({
    id: ObjectIdString,
    planName: z.string(),
    anchor: PlanAnchor,
    anchorDate: z.string(),
    nurseName: z.string().nullable(),
    status: EnrolmentStatus,
    steps: z.array(FollowupStep),
  })
  .openapi('MyEnrolment')

export const MyFollowupResponse = z
  .object({
    patientId: ObjectIdString,
    enrolments: z.array(MyEnrolment),
    /** Due now and the next upcoming steps across enrolments (at most 5), soonest first. */
    next: z.array(FollowupStep.extend({ enrolmentId: ObjectIdString, planName: z.string() })),
  })
  .openapi('MyFollowupResponse')
export type MyFollowupResponse = z.infer<typeof MyFollowupResponse>

export const StepDoneResponse = z
  .object({ step: FollowupStep, alreadyDone: z.boolean() })
  .openapi('StepDoneResponse')
export type StepDoneResponse = z.infer<typeof StepDoneResponse>

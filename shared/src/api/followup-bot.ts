import { z } from '../zod'
import { ObjectIdString } from './auth'
import { BotPatient, ServiceNurse } from './communities'
import { LocalDate } from './followup'

// ---- the WeCom bot (今日随访 / 完成 / 入组) ----

export const TodayItem = z
  .object({
    /** Number shown in the list (完成 <n>). */
    n: z.number().int().positive(),
    /** Last 6 hex of the task or step id (完成 <ref>, as alerts say). */
    ref: z.string(),
    type: z.enum(['task', 'step']),
    id: ObjectIdString,
    /** Task kind, or the step kind for steps due today. */
    kind: z.string(),
    urgent: z.boolean(),
    title: z.string(),
    patient: z.object({ id: ObjectIdString, name: z.string().nullable() }),
    dueAt: z.string().datetime(),
    dueAtLocal: z.string(),
    /** Due before today (hospital zone). */
    overdue: z.boolean(),
  })
  .openapi('TodayItem')
export type TodayItem = z.infer<typeof TodayItem>

export const ServiceTodayResponse = z
  .object({
    nurse: ServiceNurse,
    /** Today in the hospital's zone. */
    date: z.string(),
    items: z.array(TodayItem),
    /** Items beyond the list's length (not numbered). */
    more: z.number().int().nonnegative(),
  })
  .openapi('ServiceTodayResponse')
export type ServiceTodayResponse = z.infer<typeof ServiceTodayResponse>

export const ServiceCompleteRequest = z
  .object({
    /** The item's number in the nurse's last 今日随访 list, or a task's short ref (6 hex). */
    item: z
      .string({ required_error: 'item is required' })
      .trim()
      .regex(/^(\d{1,3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{24})$/, 'item must be a list number or a 6-hex ref'),
    note: z.string().trim().max(200).optional(),
  })
  .strict()
  .openapi('ServiceCompleteRequest')
export type ServiceCompleteRequest = z.infer<typeof ServiceCompleteRequest>

export const ServiceCompleteResponse = z
  .object({
    nurse: ServiceNurse,
    alreadyDone: z.boolean(),
    type: z.enum(['task', 'step']),
    ref: z.string(),
    title: z.string(),
    patient: z.object({ id: ObjectIdString, name: z.string().nullable() }),
  })
  .openapi('ServiceCompleteResponse')
export type ServiceCompleteResponse = z.infer<typeof ServiceCompleteResponse>

export const ServiceEnrolRequest = z
  .object({
    /** A name (prefix), a 4-digit phone tail, a full mobile number or a hospital patient id. */
    patient: z.string({ required_error: 'patient is required' }).trim().min(1).max(40),
    /** The plan's name (exact, or a unique part of it). */
    plan: z.string({ required_error: 'plan is required' }).trim().min(1).max(40),
    anchorDate: LocalDate.optional(),
  })
  .strict()
  .openapi('ServiceEnrolRequest')
export type ServiceEnrolRequest = z.infer<typeof ServiceEnrolRequest>

export const ServiceEnrolResponse = z
  .discriminatedUnion('outcome', [
    z.object({
      outcome: z.literal('done'),
      created: z.boolean(),
      patient: BotPatient,
      plan: z.object({ id: ObjectIdString, name: z.string() }),
      anchorDate: z.string(),
      /** The first open step. */
      next: z.object({ title: z.string(), dueAtLocal: z.string() }).nullable(),
    }),
    z.object({
      outcome: z.literal('ambiguous'),
      /** Which argument matched several: the patient or the plan. */
      field: z.enum(['patient', 'plan']),
      candidates: z.array(z.object({ id: ObjectIdString, label: z.string() })),
      total: z.number().int(),
    }),
  ])
  .openapi('ServiceEnrolResponse')
export type ServiceEnrolResponse = z.infer<typeof ServiceEnrolResponse>

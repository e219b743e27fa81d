// The condition language of rule-based auto tags (F7): zod schemas (the server validates rules with them,
// the console builds and checks them) and their TypeScript types. Evaluation lives in ./evaluate.ts.
//
// A condition is `{ all: Atom[] }` (every atom holds) or `{ any: Atom[] }` (at least one holds). Atoms:
//
//   { attr: 'age', op: '>=', value: 60 }                 age in the hospital's zone (as in segments)
//   { attr: 'gender', op: '=', value: 'female' }         op '=' or '!='
//   { attr: 'relation', op: '=', value: 'self' }         op '=' or '!='
//   { event: 'diagnosis', codePrefix: 'E11', withinDays?: 365 }
//   { noEvent: 'visit', days: 90, codePrefix?: … }       "no visit in 90 days" (see evaluate.ts)
//   { eventCount: 'visit', withinDays: 365, op: '>=', value: 3, codePrefix?: … }

import { RELATIONS } from '../api/auth'
import { COMPARE_OPS } from '../segments/expression'
import { z } from '../zod'

/** Clinical events recorded for a patient (by staff or delivered by the HIS). */
export const PATIENT_EVENT_KINDS = ['visit', 'diagnosis', 'surgery', 'discharge', 'admission'] as const
export const PatientEventKind = z.enum(PATIENT_EVENT_KINDS)
export type PatientEventKind = z.infer<typeof PatientEventKind>

/** Chinese labels of the event kinds, for explanations and the console. */
export const PATIENT_EVENT_KIND_LABELS: Record<PatientEventKind, string> = {
  visit: '就诊',
  diagnosis: '诊断',
  surgery: '手术',
  discharge: '出院',
  admission: '入院',
}

/**
 * An ICD-10 diagnosis code: a letter, two characters (digits, or a digit and a letter as in C7A), and
 * optionally a dot with up to 8 more characters (E11.9, I10, the national clinical extension E11.900x001).
 */
export const ICD10_CODE = /^[A-Z]\d[0-9A-Z](?:\.[0-9A-Za-z]{1,8})?$/
export const Icd10Code = z
  .string()
  .trim()
  .regex(ICD10_CODE, 'code must be an ICD-10 code such as E11.9 (capital letter, two characters, .detail)')

/** A code of another event kind (e.g. an ICD-9-CM-3 procedure 36.1001): letters, digits, '.' and '-'. */
export const EVENT_CODE = /^[0-9A-Za-z][0-9A-Za-z.-]{0,19}$/
export const EventCode = z
  .string()
  .trim()
  .regex(EVENT_CODE, 'code may contain letters, digits, . and - only (at most 20 characters)')

/** The start of a code; matched case-insensitively against the start of an event's code. */
export const CodePrefix = z
  .string({ invalid_type_error: 'codePrefix must be a string' })
  .trim()
  .regex(EVENT_CODE, 'codePrefix must be the start of a code, e.g. E11 (letters, digits, . and - only)')

export const TagRuleCompareOp = z.enum(COMPARE_OPS)
export type TagRuleCompareOp = z.infer<typeof TagRuleCompareOp>
const EqualityOp = z.enum(['=', '!='])

/** Day counts: 1 day to 10 years. */
const Days = (field: string) =>
  z
    .number({ required_error: `${field} is required`, invalid_type_error: `${field} must be a number` })
    .int(`${field} must be a whole number of days`)
    .min(1, `${field} must be at least 1`)
    .max(3650, `${field} must be at most 3650 (10 years)`)

export const AgeAtom = z
  .object({
    attr: z.literal('age'),
    op: TagRuleCompareOp,
    value: z
      .number({ required_error: 'value is required', invalid_type_error: 'value must be a number' })
      .int('value must be a whole number')
      .min(0)
      .max(150),
  })
  .strict()
export const GenderAtom = z
  .object({ attr: z.literal('gender'), op: EqualityOp, value: z.enum(['male', 'female']) })
  .strict()
export const RelationAtom = z
  .object({ attr: z.literal('relation'), op: EqualityOp, value: z.enum(RELATIONS) })
  .strict()
/** Has an event of this kind (whose code starts with codePrefix), ever or within the last withinDays days. */
export const EventAtom = z
  .object({
    event: PatientEventKind,
    codePrefix: CodePrefix.optional(),
    withinDays: Days('withinDays').optional(),
  })
  .strict()
/** Has had no such event in the last `days` days (see evaluate.ts for the precise meaning). */
export const NoEventAtom = z
  .object({ noEvent: PatientEventKind, days: Days('days'), codePrefix: CodePrefix.optional() })
  .strict()
/** The number of such events in the last withinDays days compares with value. */
export const EventCountAtom = z
  .object({
    eventCount: PatientEventKind,
    withinDays: Days('withinDays'),
    op: TagRuleCompareOp,
    value: z
      .number({ required_error: 'value is required', invalid_type_error: 'value must be a number' })
      .int('value must be a whole number')
      .min(0)
      .max(10000),
    codePrefix: CodePrefix.optional(),
  })
  .strict()

export type AgeAtom = z.infer<typeof AgeAtom>
export type GenderAtom = z.infer<typeof GenderAtom>
export type RelationAtom = z.infer<typeof RelationAtom>
export type EventAtom = z.infer<typeof EventAtom>
export type NoEventAtom = z.infer<typeof NoEventAtom>
export type EventCountAtom = z.infer<typeof EventCountAtom>

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/** The schema a value must satisfy, or why none applies. */
type SchemaChoice = z.ZodTypeAny | { message: string; path: string[] }

/** The schema an atom must satisfy, chosen by its distinguishing key (so errors name the exact field). */
const atomSchemaOf = (v: Record<string, unknown>): SchemaChoice => {
  if ('attr' in v) {
    switch (v.attr) {
      case 'age':
        return AgeAtom
      case 'gender':
        return GenderAtom
      case 'relation':
        return RelationAtom
      default:
        return { message: 'attr must be age, gender or relation', path: ['attr'] }
    }
  }
  if ('event' in v) return EventAtom
  if ('noEvent' in v) return NoEventAtom
  if ('eventCount' in v) return EventCountAtom
  return { message: 'an atom needs one of attr, event, noEvent or eventCount', path: [] }
}

/**
 * Parsing `schema` after checking the value against the schema its keys select: a plain union would
 * report "invalid input" at the atom; this reports e.g. `condition.all.1.op`. The checks are fatal, so the
 * union (which types the result and documents the shape) only sees valid input.
 */
const dispatched = <T extends z.ZodTypeAny>(
  schema: T,
  pick: (v: Record<string, unknown>) => SchemaChoice,
  what: string,
) =>
  z.preprocess((v, ctx) => {
    if (!isRecord(v)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `${what} must be an object`, fatal: true })
      return v
    }
    const s = pick(v)
    if (!(s instanceof z.ZodType)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: s.message, path: s.path, fatal: true })
      return v
    }
    const r = s.safeParse(v)
    if (!r.success)
      for (const i of r.error.issues)
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: i.message, path: i.path, fatal: true })
    return v
  }, schema)

export const TagRuleAtom = dispatched(
  z.union([AgeAtom, GenderAtom, RelationAtom, EventAtom, NoEventAtom, EventCountAtom]),
  atomSchemaOf,
  'atom',
).openapi('TagRuleAtom')
export type TagRuleAtom = z.infer<typeof TagRuleAtom>

export const MAX_RULE_ATOMS = 20
const Atoms = (key: string) =>
  z
    .array(TagRuleAtom, { required_error: `${key} is required`, invalid_type_error: `${key} must be a list` })
    .min(1, `${key} needs at least one condition`)
    .max(MAX_RULE_ATOMS, `${key} may hold at most ${MAX_RULE_ATOMS} conditions`)

export const AllCondition = z.object({ all: Atoms('all') }).strict()
export const AnyCondition = z.object({ any: Atoms('any') }).strict()

/** `{all: [...]}`: every atom holds; `{any: [...]}`: at least one does. */
export const TagRuleCondition = dispatched(
  z.union([AllCondition, AnyCondition]),
  (v) =>
    'all' in v && 'any' in v
      ? { message: 'a condition has either all or any, not both', path: [] }
      : 'all' in v
        ? AllCondition
        : 'any' in v
          ? AnyCondition
          : { message: 'a condition needs all (every one holds) or any (at least one holds)', path: [] },
  'condition',
).openapi('TagRuleCondition')
export type TagRuleCondition = z.infer<typeof TagRuleCondition>

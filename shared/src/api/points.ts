import { z } from '../zod'
import { ObjectIdString } from './auth'

/**
 * Points (F26–F28) and tiers (F30). The ledger is append-only and idempotent: every entry has a
 * unique reference key, the balance never goes negative, staff adjustments carry actor and reason.
 * Points are earned by rule (daily and monthly caps in the hospital's zone; nothing for drug
 * purchases), expire N months after earning (oldest first, with a reminder), and the tier (by points
 * earned in the last 12 months, or by paid membership) multiplies what is earned.
 */

/** The earn rules of F27 (there is deliberately none for drug purchases). */
export const EARN_RULES = [
  'checkin',
  'questionnaire',
  'content_read',
  'lecture',
  'reading',
  'membership',
] as const
export const EarnRuleId = z.enum(EARN_RULES)
export type EarnRuleId = z.infer<typeof EarnRuleId>

export const EARN_RULE_LABELS: Record<EarnRuleId, string> = {
  checkin: '每日签到',
  questionnaire: '完成问卷',
  content_read: '阅读健康宣教',
  lecture: '参加健康讲堂',
  reading: '记录健康数据',
  membership: '开通付费会员',
}

/** Tiers, lowest first. */
export const POINTS_TIER_IDS = ['standard', 'silver', 'gold', 'platinum'] as const
export const PointsTierId = z.enum(POINTS_TIER_IDS)
export type PointsTierId = z.infer<typeof PointsTierId>

export const POINTS_ENTRY_KINDS = ['earn', 'spend', 'refund', 'adjust', 'expire'] as const
export const PointsEntryKind = z.enum(POINTS_ENTRY_KINDS)
export type PointsEntryKind = z.infer<typeof PointsEntryKind>

export const pointsInt = (name: string, min: number, max: number) =>
  z
    .number({ invalid_type_error: `${name} must be a number`, required_error: `${name} is required` })
    .int(`${name} must be a whole number`)
    .min(min, `${name} must be ${min}–${max}`)
    .max(max, `${name} must be ${min}–${max}`)

export const PointsMonth = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'month must be YYYY-MM, e.g. 2026-05')
export const PointsLimit = z.coerce
  .number({ invalid_type_error: 'limit must be a number' })
  .int('limit must be a whole number')
  .min(1, 'limit must be 1–100')
  .max(100, 'limit must be 1–100')

export const PointsTierStatus = z
  .object({
    id: PointsTierId,
    name: z.string(),
    multiplier: z.number(),
    benefits: z.array(z.string()),
    /** `membership`: a paid membership grants a higher tier than the points do. */
    source: z.enum(['points', 'membership']),
  })
  .openapi('PointsTierStatus')
export type PointsTierStatus = z.infer<typeof PointsTierStatus>

// ---- ledger entries ---------------------------------------------------------------------------

export const PointsEntry = z
  .object({
    id: ObjectIdString,
    kind: PointsEntryKind,
    /** Signed: earn/refund and positive adjustments add, spend/expire and negative adjustments take. */
    amount: z.number().int(),
    rule: EarnRuleId.nullable(),
    /** What the patient reads, e.g. 每日签到 or 兑换「体脂秤」. */
    title: z.string(),
    at: z.string().datetime(),
    /** Earned points: when they expire if not spent first. */
    expiresAt: z.string().datetime().nullable(),
    /** The balance right after this entry (null when recorded by the reconciliation job). */
    balanceAfter: z.number().int().nullable(),
  })
  .openapi('PointsEntry')
export type PointsEntry = z.infer<typeof PointsEntry>

// ---- patient routes ---------------------------------------------------------------------------

export const MyPointsQuery = z.object({ patientId: ObjectIdString.optional() }).strict()
export type MyPointsQuery = z.infer<typeof MyPointsQuery>

export const MyPointsResponse = z
  .object({
    patientId: ObjectIdString,
    balance: z.number().int(),
    /** Points earned in the last 12 months (this month and the 11 before), what the tier is based on. */
    earned12m: z.number().int(),
    tier: PointsTierStatus,
    /** The next tier by points, and how many more points earn it (null at the top). */
    nextTier: z
      .object({
        id: PointsTierId,
        name: z.string(),
        threshold: z.number().int(),
        remaining: z.number().int(),
      })
      .nullable(),
    /** Points that expire within `withinDays` unless spent first, and the first day that happens. */
    expiring: z.object({
      points: z.number().int(),
      withinDays: z.number().int(),
      firstDate: z.string().nullable(),
    }),
    checkin: z.object({ today: z.boolean(), streakDays: z.number().int() }),
  })
  .openapi('MyPointsResponse')
export type MyPointsResponse = z.infer<typeof MyPointsResponse>

export const MyPointsLedgerQuery = z
  .object({
    patientId: ObjectIdString.optional(),
    /** The `nextCursor` of the previous page. */
    cursor: ObjectIdString.optional(),
    limit: PointsLimit.default(20),
  })
  .strict()
export type MyPointsLedgerQuery = z.infer<typeof MyPointsLedgerQuery>

export const PointsLedgerResponse = z
  .object({ entries: z.array(PointsEntry), nextCursor: ObjectIdString.nullable() })
  .openapi('PointsLedgerResponse')
export type PointsLedgerResponse = z.infer<typeof PointsLedgerResponse>

export const PointsWay = z
  .object({
    rule: EarnRuleId,
    label: z.string(),
    /** Rule points per event, and what the patient's tier makes of them. */
    points: z.number().int(),
    pointsWithTier: z.number().int(),
    dailyCap: z.number().int().nullable(),
    monthlyCap: z.number().int().nullable(),
    /** Rule points earned today / this month (counted against the caps). */
    today: z.number().int(),
    thisMonth: z.number().int(),
    /** A cap is reached: no more points from this rule today (or this month). */
    capped: z.boolean(),
  })
  .openapi('PointsWay')
export type PointsWay = z.infer<typeof PointsWay>

export const PointsWaysResponse = z
  .object({ multiplier: z.number(), ways: z.array(PointsWay) })
  .openapi('PointsWaysResponse')
export type PointsWaysResponse = z.infer<typeof PointsWaysResponse>

export const CheckinRequest = z
  .object({ patientId: ObjectIdString.optional() })
  .strict()
  .openapi('CheckinRequest')
export type CheckinRequest = z.infer<typeof CheckinRequest>

export const CheckinResponse = z
  .object({
    /** True when this profile had checked in today already: nothing changed. */
    already: z.boolean(),
    awarded: z.number().int(),
    balance: z.number().int(),
    /** Consecutive hospital days with a check-in, today included. */
    streakDays: z.number().int(),
    limitedBy: z.enum(['daily_cap', 'monthly_cap', 'rule_disabled']).nullable(),
  })
  .openapi('CheckinResponse')
export type CheckinResponse = z.infer<typeof CheckinResponse>

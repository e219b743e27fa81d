import { z } from '../zod'
import {
  EarnRuleId,
  POINTS_TIER_IDS,
  PointsEntry,
  PointsLimit,
  PointsTierId,
  PointsTierStatus,
  pointsInt as int,
  PointsMonth,
} from './points'
import { ObjectIdString } from './auth'
import { RequestId } from './questionnaires'

/** Points (F26–F30), the staff console's side: earn rules, tiers, a patient's ledger, adjustments, liability. */

// ---- rules ------------------------------------------------------------------------------------

export const PointsRule = z
  .object({
    rule: EarnRuleId,
    label: z.string(),
    /** Points per earning event before the tier multiplier. */
    points: z.number().int(),
    /** Rule points (before the multiplier) a patient may earn per hospital day; null = no cap. */
    dailyCap: z.number().int().nullable(),
    /** Rule points per calendar month in the hospital's zone; null = no cap. */
    monthlyCap: z.number().int().nullable(),
    enabled: z.boolean(),
    updatedAt: z.string().datetime().nullable(),
  })
  .openapi('PointsRule')
export type PointsRule = z.infer<typeof PointsRule>

export const PointsRulesResponse = z.object({ rules: z.array(PointsRule) }).openapi('PointsRulesResponse')
export type PointsRulesResponse = z.infer<typeof PointsRulesResponse>

export const PointsRuleParams = z.object({ rule: EarnRuleId })

export const UpdatePointsRuleRequest = z
  .object({
    points: int('points', 0, 10_000).optional(),
    dailyCap: int('dailyCap', 1, 100_000).nullable().optional(),
    monthlyCap: int('monthlyCap', 1, 1_000_000).nullable().optional(),
    enabled: z.boolean({ invalid_type_error: 'enabled must be true or false' }).optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, { message: 'name at least one field to change' })
  .openapi('UpdatePointsRuleRequest')
export type UpdatePointsRuleRequest = z.infer<typeof UpdatePointsRuleRequest>

// ---- tiers ------------------------------------------------------------------------------------

export const TierDefinition = z
  .object({
    id: PointsTierId,
    name: z.string().trim().min(1, 'name is required').max(20, 'name must be at most 20 characters'),
    /** Points earned in the last 12 months that reach this tier (standard: 0). */
    threshold: int('threshold', 0, 10_000_000),
    /** Earned points are multiplied by this (rounded down). */
    multiplier: z
      .number({ invalid_type_error: 'multiplier must be a number' })
      .min(1, 'multiplier must be 1–5')
      .max(5, 'multiplier must be 1–5')
      .refine((m) => Math.abs(Math.round(m * 100) - m * 100) < 1e-9, 'multiplier has at most 2 decimals'),
    /** What the tier offers besides the multiplier (shown to patients), e.g. 优先预约. */
    benefits: z.array(z.string().trim().min(1).max(40)).max(10, 'at most 10 benefits'),
  })
  .openapi('TierDefinition')
export type TierDefinition = z.infer<typeof TierDefinition>

export const PointsTiersResponse = z
  .object({ tiers: z.array(TierDefinition), updatedAt: z.string().datetime().nullable() })
  .openapi('PointsTiersResponse')
export type PointsTiersResponse = z.infer<typeof PointsTiersResponse>

export const UpdatePointsTiersRequest = z
  .object({ tiers: z.array(TierDefinition) })
  .strict()
  .superRefine((b, ctx) => {
    if (b.tiers.length !== POINTS_TIER_IDS.length) {
      ctx.addIssue({ code: 'custom', path: ['tiers'], message: `give all ${POINTS_TIER_IDS.length} tiers` })
      return
    }
    b.tiers.forEach((t, i) => {
      if (t.id !== POINTS_TIER_IDS[i])
        ctx.addIssue({
          code: 'custom',
          path: ['tiers', i, 'id'],
          message: `tiers are ${POINTS_TIER_IDS.join(', ')} in this order`,
        })
      const prev = b.tiers[i - 1]
      if (i === 0 && t.threshold !== 0)
        ctx.addIssue({ code: 'custom', path: ['tiers', 0, 'threshold'], message: 'standard starts at 0' })
      if (prev && t.threshold <= prev.threshold)
        ctx.addIssue({
          code: 'custom',
          path: ['tiers', i, 'threshold'],
          message: 'thresholds must increase tier by tier',
        })
      if (prev && t.multiplier < prev.multiplier)
        ctx.addIssue({
          code: 'custom',
          path: ['tiers', i, 'multiplier'],
          message: 'a higher tier must not multiply less',
        })
    })
  })
  .openapi('UpdatePointsTiersRequest')
export type UpdatePointsTiersRequest = z.infer<typeof UpdatePointsTiersRequest>

/** A profile's tier as patients and staff see it. */
export const StaffPointsEntry = PointsEntry.extend({
  refKey: z.string(),
  source: z.object({ kind: z.string(), id: z.string() }).nullable(),
  /** Who made a staff adjustment. */
  actor: z.object({ id: z.string().nullable(), role: z.string().nullable() }).nullable(),
  reason: z.string().nullable(),
  /** Earned: rule points before the tier multiplier, and the multiplier applied. */
  base: z.number().int().nullable(),
  multiplier: z.number().nullable(),
}).openapi('StaffPointsEntry')
export type StaffPointsEntry = z.infer<typeof StaffPointsEntry>

// ---- staff routes -----------------------------------------------------------------------------

export const StaffPointsLedgerQuery = z
  .object({ cursor: ObjectIdString.optional(), limit: PointsLimit.default(50) })
  .strict()
export type StaffPointsLedgerQuery = z.infer<typeof StaffPointsLedgerQuery>

export const StaffPatientPointsResponse = z
  .object({
    patientId: ObjectIdString,
    balance: z.number().int(),
    earned12m: z.number().int(),
    tier: PointsTierStatus,
    entries: z.array(StaffPointsEntry),
    nextCursor: ObjectIdString.nullable(),
  })
  .openapi('StaffPatientPointsResponse')
export type StaffPatientPointsResponse = z.infer<typeof StaffPatientPointsResponse>

export const AdjustPointsRequest = z
  .object({
    /** Signed: a grant adds, a correction takes (never below a zero balance). */
    amount: int('amount', -100_000, 100_000).refine((a) => a !== 0, 'amount must not be 0'),
    reason: z
      .string({ required_error: 'reason is required' })
      .trim()
      .min(2, 'reason must be 2–200 characters')
      .max(200, 'reason must be 2–200 characters'),
    /** Client-generated; a retry with the same id changes nothing. */
    requestId: RequestId,
  })
  .strict()
  .openapi('AdjustPointsRequest')
export type AdjustPointsRequest = z.infer<typeof AdjustPointsRequest>

export const AdjustPointsResponse = z
  .object({ entry: StaffPointsEntry, balance: z.number().int(), duplicate: z.boolean() })
  .openapi('AdjustPointsResponse')
export type AdjustPointsResponse = z.infer<typeof AdjustPointsResponse>

export const PointsLiabilityQuery = z.object({ month: PointsMonth.optional() }).strict()
export type PointsLiabilityQuery = z.infer<typeof PointsLiabilityQuery>

export const PointsLiabilityResponse = z
  .object({
    /** Points held by patients now (what the hospital owes in rewards). */
    outstanding: z.number().int(),
    /** Profiles with a positive balance. */
    accounts: z.number().int(),
    /** Of `outstanding`, what expires within 30 / 90 days unless spent first. */
    expiring: z.object({ within30Days: z.number().int(), within90Days: z.number().int() }),
    /** Movements in one month of the hospital's zone (default: this month). */
    month: z.object({
      key: z.string(),
      earned: z.number().int(),
      spent: z.number().int(),
      refunded: z.number().int(),
      expired: z.number().int(),
      /** Net of staff adjustments. */
      adjusted: z.number().int(),
      byRule: z.array(
        z.object({ rule: EarnRuleId, label: z.string(), points: z.number().int(), count: z.number().int() }),
      ),
    }),
    generatedAt: z.string().datetime(),
  })
  .openapi('PointsLiabilityResponse')
export type PointsLiabilityResponse = z.infer<typeof PointsLiabilityResponse>

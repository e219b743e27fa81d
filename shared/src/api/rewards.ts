import { z } from '../zod'
import { ObjectIdString } from './auth'
import { RequestId } from './questionnaires'

/**
 * Rewards mall (F29): a catalogue with stock and per-patient limits; redeeming spends points and
 * yields a code (text + QR in the mini-program) that staff check off in the console; cancelling
 * (the patient before fulfilment, staff with a reason, or expiry) returns the points and the stock.
 * Every write is idempotent: redeem by the client's `requestId`, restock by its `requestId`, fulfil
 * and cancel by the redemption's state.
 */

export const REWARD_CATEGORIES = ['physical', 'service', 'coupon'] as const
export const RewardCategory = z.enum(REWARD_CATEGORIES)
export type RewardCategory = z.infer<typeof RewardCategory>

/** Patient tiers (F30), lowest first; a reward may require one. */
export const REWARD_TIERS = ['standard', 'silver', 'gold', 'platinum'] as const
export const RewardTier = z.enum(REWARD_TIERS)
export type RewardTier = z.infer<typeof RewardTier>

export const REDEMPTION_STATUSES = [
  /** Being processed (stock, limit, points); the reconciliation job finishes or undoes it. */
  'pending',
  'issued',
  'fulfilled',
  /** Cancel accepted; stock, limit and points are being returned. */
  'cancelling',
  'cancelled',
  /** Not fulfilled in time: cancelled by the job, points and stock returned. */
  'expired',
  /** Refused while processing (out of stock, limit, points); nothing was kept. */
  'failed',
] as const
export const RedemptionStatus = z.enum(REDEMPTION_STATUSES)
export type RedemptionStatus = z.infer<typeof RedemptionStatus>

/** Redemption codes: 10 characters of an alphabet without look-alikes (no 0/O, 1/I/L). */
export const REDEMPTION_CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ'
export const REDEMPTION_CODE_LENGTH = 10
/** Staff may type it in lower case or as shown, in groups (`ABCDE FGHJK`, `ABCDE-FGHJK`). */
export const RedemptionCode = z
  .string({ required_error: 'code is required', invalid_type_error: 'code must be a string' })
  .max(40, 'code must be the 10-character redemption code')
  .transform((v) => v.replace(/[\s-]/g, '').toUpperCase())
  .refine((v) => /^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{10}$/.test(v), {
    message: 'code must be the 10-character redemption code',
  })

const IsoDateTime = (name: string) =>
  z.string({ invalid_type_error: `${name} must be a string` }).datetime({
    offset: true,
    message: `${name} must be an ISO 8601 date-time, e.g. 2026-10-01T00:00:00+08:00`,
  })

const rewardFields = {
  name: z.string().trim().min(1, 'name is required').max(40, 'name must be at most 40 characters'),
  description: z.string().trim().max(1000, 'description must be at most 1000 characters'),
  imageUrl: z
    .string()
    .trim()
    .max(500)
    .regex(/^https?:\/\/\S+$/, 'imageUrl must be an http(s) URL')
    .nullable(),
  category: RewardCategory,
  pointsCost: z
    .number({ invalid_type_error: 'pointsCost must be a number' })
    .int('pointsCost must be a whole number')
    .min(1, 'pointsCost must be at least 1')
    .max(10_000_000),
  /** How many times one patient may hold this reward (issued or fulfilled); 1–99. */
  perPatientLimit: z
    .number()
    .int()
    .min(1, 'perPatientLimit must be 1–99')
    .max(99, 'perPatientLimit must be 1–99'),
  validFrom: IsoDateTime('validFrom').nullable(),
  validUntil: IsoDateTime('validUntil').nullable(),
  active: z.boolean({ invalid_type_error: 'active must be true or false' }),
  /** Lowest tier that may redeem (null: everyone). */
  tierRequired: RewardTier.nullable(),
}

const windowOk = (v: { validFrom?: string | null; validUntil?: string | null }, ctx: z.RefinementCtx) => {
  if (v.validFrom && v.validUntil && new Date(v.validUntil) <= new Date(v.validFrom))
    ctx.addIssue({ code: 'custom', path: ['validUntil'], message: 'validUntil must be after validFrom' })
}

export const CreateRewardRequest = z
  .object({
    name: rewardFields.name,
    description: rewardFields.description.default(''),
    imageUrl: rewardFields.imageUrl.optional(),
    category: rewardFields.category,
    pointsCost: rewardFields.pointsCost,
    /** Initial stock (units that can be redeemed). */
    stock: z.number().int('stock must be a whole number').min(0, 'stock must be ≥ 0').max(1_000_000),
    perPatientLimit: rewardFields.perPatientLimit.default(1),
    validFrom: rewardFields.validFrom.optional(),
    validUntil: rewardFields.validUntil.optional(),
    active: rewardFields.active.default(true),
    tierRequired: rewardFields.tierRequired.optional(),
  })
  .strict()
  .superRefine(windowOk)
  .openapi('CreateRewardRequest')
export type CreateRewardRequest = z.infer<typeof CreateRewardRequest>

/** Any subset of the fields (stock changes go through restock, which is race-free). */
export const UpdateRewardRequest = z
  .object({
    name: rewardFields.name.optional(),
    description: rewardFields.description.optional(),
    imageUrl: rewardFields.imageUrl.optional(),
    category: rewardFields.category.optional(),
    pointsCost: rewardFields.pointsCost.optional(),
    perPatientLimit: rewardFields.perPatientLimit.optional(),
    validFrom: rewardFields.validFrom.optional(),
    validUntil: rewardFields.validUntil.optional(),
    active: rewardFields.active.optional(),
    tierRequired: rewardFields.tierRequired.optional(),
  })
  .strict()
  .refine((v) => Object.keys(v).length > 0, { message: 'at least one field is required' })
  .superRefine(windowOk)
  .openapi('UpdateRewardRequest')
export type UpdateRewardRequest = z.infer<typeof UpdateRewardRequest>

export const RestockRewardRequest = z
  .object({
    /** Client-generated; repeating a restock with the same id changes the stock once. */
    requestId: RequestId,
    /** Units to add (negative: withdraw units that are still in stock). */
    delta: z
      .number({ required_error: 'delta is required', invalid_type_error: 'delta must be a number' })
      .int('delta must be a whole number')
      .min(-1_000_000)
      .max(1_000_000)
      .refine((n) => n !== 0, 'delta must not be 0'),
  })
  .strict()
  .openapi('RestockRewardRequest')
export type RestockRewardRequest = z.infer<typeof RestockRewardRequest>

export const RedemptionCounts = z.object({
  pending: z.number().int(),
  issued: z.number().int(),
  fulfilled: z.number().int(),
  cancelled: z.number().int(),
  expired: z.number().int(),
})
export type RedemptionCounts = z.infer<typeof RedemptionCounts>

export const StaffReward = z
  .object({
    id: ObjectIdString,
    name: z.string(),
    description: z.string(),
    imageUrl: z.string().nullable(),
    category: RewardCategory,
    pointsCost: z.number().int(),
    /** Units left to redeem. */
    stock: z.number().int(),
    /** Units ever stocked (initial + restocks). */
    totalStock: z.number().int(),
    perPatientLimit: z.number().int(),
    validFrom: z.string().datetime().nullable(),
    validUntil: z.string().datetime().nullable(),
    active: z.boolean(),
    tierRequired: RewardTier.nullable(),
    /** Redemptions by status (cancelling counted as cancelled; failed ones are not counted). */
    counts: RedemptionCounts,
    createdAt: z.string().datetime(),
    updatedAt: z.string().datetime(),
  })
  .openapi('StaffReward')
export type StaffReward = z.infer<typeof StaffReward>

export const StaffRewardsQuery = z
  .object({
    status: z.enum(['active', 'inactive', 'all']).default('all'),
    category: RewardCategory.optional(),
  })
  .strict()
export type StaffRewardsQuery = z.infer<typeof StaffRewardsQuery>

export const StaffRewardsResponse = z
  .object({ rewards: z.array(StaffReward) })
  .openapi('StaffRewardsResponse')
export type StaffRewardsResponse = z.infer<typeof StaffRewardsResponse>

/** Why a patient cannot redeem a reward right now. */
export const REWARD_BLOCKERS = [
  'not_started',
  'ended',
  'tier_required',
  'out_of_stock',
  'limit_reached',
  'insufficient_points',
] as const
export const RewardBlocker = z.enum(REWARD_BLOCKERS)
export type RewardBlocker = z.infer<typeof RewardBlocker>

export const PatientReward = z
  .object({
    id: ObjectIdString,
    name: z.string(),
    description: z.string(),
    imageUrl: z.string().nullable(),
    category: RewardCategory,
    pointsCost: z.number().int(),
    stock: z.number().int(),
    perPatientLimit: z.number().int(),
    validFrom: z.string().datetime().nullable(),
    validUntil: z.string().datetime().nullable(),
    tierRequired: RewardTier.nullable(),
    /** Times this profile holds it now (pending, issued or fulfilled). */
    redeemedByMe: z.number().int(),
    /** "You can redeem n more". */
    remainingForMe: z.number().int(),
    /** The balance covers the cost. */
    affordable: z.boolean(),
    canRedeem: z.boolean(),
    /** The first reason it cannot be redeemed now (null when it can). */
    blocker: RewardBlocker.nullable(),
  })
  .openapi('PatientReward')
export type PatientReward = z.infer<typeof PatientReward>

export const MyRewardsQuery = z.object({ category: RewardCategory.optional() }).strict()
export type MyRewardsQuery = z.infer<typeof MyRewardsQuery>

export const MyRewardsResponse = z
  .object({ balance: z.number().int(), rewards: z.array(PatientReward) })
  .openapi('MyRewardsResponse')
export type MyRewardsResponse = z.infer<typeof MyRewardsResponse>

export const MyRewardResponse = PatientReward.extend({ balance: z.number().int() }).openapi(
  'MyRewardResponse',
)
export type MyRewardResponse = z.infer<typeof MyRewardResponse>

export const RedeemRewardRequest = z
  .object({
    /** Client-generated; a retry with the same id answers the first redemption (or its refusal). */
    requestId: RequestId,
  })
  .strict()
  .openapi('RedeemRewardRequest')
export type RedeemRewardRequest = z.infer<typeof RedeemRewardRequest>

/** A redemption as its patient sees it. The QR shows `code`. */
export const Redemption = z
  .object({
    id: ObjectIdString,
    rewardId: ObjectIdString,
    rewardName: z.string(),
    category: RewardCategory,
    pointsCost: z.number().int(),
    status: RedemptionStatus,
    /** Shown as text and QR once issued (null while pending or when it failed). */
    code: z.string().nullable(),
    createdAt: z.string().datetime(),
    issuedAt: z.string().datetime().nullable(),
    /** An issued code not fulfilled by then is cancelled and its points returned (null: no expiry). */
    expiresAt: z.string().datetime().nullable(),
    fulfilledAt: z.string().datetime().nullable(),
    cancelledAt: z.string().datetime().nullable(),
    cancelReason: z.string().nullable(),
  })
  .openapi('Redemption')
export type Redemption = z.infer<typeof Redemption>

export const RedeemRewardResponse = Redemption.extend({
  /** True when this requestId was redeemed before: nothing new happened. */
  duplicate: z.boolean(),
  balance: z.number().int(),
}).openapi('RedeemRewardResponse')
export type RedeemRewardResponse = z.infer<typeof RedeemRewardResponse>

export const MyRedemptionsQuery = z.object({ status: RedemptionStatus.optional() }).strict()
export type MyRedemptionsQuery = z.infer<typeof MyRedemptionsQuery>

export const MyRedemptionsResponse = z
  .object({ redemptions: z.array(Redemption) })
  .openapi('MyRedemptionsResponse')
export type MyRedemptionsResponse = z.infer<typeof MyRedemptionsResponse>

const StaffRef = z.object({ id: z.string(), name: z.string().nullable() })

export const StaffRedemption = Redemption.extend({
  /** The patient's name is masked (王*英): the code, not the name, proves the claim. */
  patient: z.object({ id: ObjectIdString, name: z.string().nullable() }),
  fulfilledBy: StaffRef.nullable(),
  cancelledBy: z
    .object({
      kind: z.enum(['patient', 'staff', 'system']),
      id: z.string().nullable(),
      name: z.string().nullable(),
    })
    .nullable(),
  failReason: z.string().nullable(),
}).openapi('StaffRedemption')
export type StaffRedemption = z.infer<typeof StaffRedemption>

export const StaffRedemptionsQuery = z
  .object({
    /** A code presented at the counter: finds it whoever's patient it is. */
    code: RedemptionCode.optional(),
    status: RedemptionStatus.optional(),
    rewardId: ObjectIdString.optional(),
    patientId: ObjectIdString.optional(),
    /** Created at or after / before. */
    from: IsoDateTime('from').optional(),
    to: IsoDateTime('to').optional(),
    page: z.coerce.number().int().min(1).default(1),
    pageSize: z.coerce.number().int().min(1).max(100).default(20),
  })
  .strict()
export type StaffRedemptionsQuery = z.infer<typeof StaffRedemptionsQuery>

export const StaffRedemptionsResponse = z
  .object({
    total: z.number().int(),
    page: z.number().int(),
    pageSize: z.number().int(),
    redemptions: z.array(StaffRedemption),
  })
  .openapi('StaffRedemptionsResponse')
export type StaffRedemptionsResponse = z.infer<typeof StaffRedemptionsResponse>

export const FulfilRedemptionRequest = z
  .object({
    /** The code the patient shows: check-off needs it, so a row picked from a list is not fulfilled by mistake. */
    code: RedemptionCode,
  })
  .strict()
  .openapi('FulfilRedemptionRequest')
export type FulfilRedemptionRequest = z.infer<typeof FulfilRedemptionRequest>

export const StaffCancelRedemptionRequest = z
  .object({
    reason: z
      .string({ required_error: 'reason is required' })
      .trim()
      .min(1, 'reason is required')
      .max(200, 'reason must be at most 200 characters'),
  })
  .strict()
  .openapi('StaffCancelRedemptionRequest')
export type StaffCancelRedemptionRequest = z.infer<typeof StaffCancelRedemptionRequest>

import type { RewardCategory, RewardTier } from '@careloop/shared'
import { Schema, type Connection, type Model, type Types } from 'mongoose'

/** One applied restock: its `requestId` makes a retried restock a no-op. */
export interface RestockEntry {
  requestId: string
  delta: number
  by: string
  at: Date
}

/**
 * A reward of the mall (F29). `stock` is what is left to redeem; it only changes by guarded `$inc`
 * (never below 0). `holds` lists the redemptions that took a unit and have neither been fulfilled nor
 * given it back: taking (`$push`) and returning (`$pull`) are guarded by it, so each is done at most
 * once per redemption whatever retries, crashes or repairs happen.
 */
export interface RewardDoc {
  _id: Types.ObjectId
  name: string
  description: string
  imageUrl: string | null
  category: RewardCategory
  pointsCost: number
  stock: number
  totalStock: number
  perPatientLimit: number
  validFrom: Date | null
  validUntil: Date | null
  active: boolean
  tierRequired: RewardTier | null
  holds: string[]
  restocks: RestockEntry[]
  createdBy: string
  createdAt: Date
  updatedAt: Date
}

const restockSchema = new Schema<RestockEntry>(
  {
    requestId: { type: String, required: true },
    delta: { type: Number, required: true },
    by: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { _id: false },
)

const rewardSchema = new Schema<RewardDoc>(
  {
    name: { type: String, required: true },
    description: { type: String, default: '' },
    imageUrl: { type: String, default: null },
    category: { type: String, enum: ['physical', 'service', 'coupon'], required: true },
    pointsCost: { type: Number, required: true },
    stock: { type: Number, required: true },
    totalStock: { type: Number, required: true },
    perPatientLimit: { type: Number, required: true },
    validFrom: { type: Date, default: null },
    validUntil: { type: Date, default: null },
    active: { type: Boolean, required: true },
    tierRequired: { type: String, enum: ['standard', 'silver', 'gold', 'platinum', null], default: null },
    holds: { type: [String], default: [] },
    restocks: { type: [restockSchema], default: [] },
    createdBy: { type: String, required: true },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'rewards', versionKey: false },
)
// The patients' mall: active rewards by category.
rewardSchema.index({ active: 1, category: 1 })

/**
 * How many units of one reward one profile holds (pending, issued or fulfilled redemptions), for the
 * per-patient limit. `holders` are those redemptions: a guarded `$push`/`$pull` with `$inc` of
 * `count` keeps the limit race-safe and each redemption counted at most once.
 */
export interface RewardClaimDoc {
  _id: Types.ObjectId
  profileId: Types.ObjectId
  rewardId: Types.ObjectId
  holders: string[]
  count: number
}

const claimSchema = new Schema<RewardClaimDoc>(
  {
    profileId: { type: Schema.Types.ObjectId, required: true },
    rewardId: { type: Schema.Types.ObjectId, required: true },
    holders: { type: [String], default: [] },
    count: { type: Number, required: true, default: 0 },
  },
  { collection: 'reward_claims', versionKey: false },
)
// One counter per profile and reward (the guarded upsert relies on it).
claimSchema.index({ profileId: 1, rewardId: 1 }, { unique: true })

export const rewardModel = (conn: Connection): Model<RewardDoc> =>
  (conn.models.Reward as Model<RewardDoc> | undefined) ?? conn.model<RewardDoc>('Reward', rewardSchema)
export const rewardClaimModel = (conn: Connection): Model<RewardClaimDoc> =>
  (conn.models.RewardClaim as Model<RewardClaimDoc> | undefined) ??
  conn.model<RewardClaimDoc>('RewardClaim', claimSchema)

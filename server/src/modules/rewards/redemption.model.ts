import type { RewardCategory } from '@careloop/shared'
import { Schema, type Connection, type Model, type Types } from 'mongoose'

/**
 * Stored states. `failing` (internal; shown as failed) and `cancelling` are the points of no return
 * of the two undo paths: once set, nothing moves the redemption forward again, and whoever finishes
 * the undo (the request, a retry or the repair job) does the same idempotent steps.
 */
export type StoredRedemptionStatus =
  | 'pending'
  | 'issued'
  | 'fulfilled'
  | 'failing'
  | 'failed'
  | 'cancelling'
  | 'cancelled'
  | 'expired'

export interface RedemptionCancel {
  kind: 'patient' | 'staff' | 'system'
  id: string | null
  reason: string
  /** True when the expiry job cancelled it: it ends `expired`, not `cancelled`. */
  expired: boolean
  at: Date
}

/**
 * One redemption of a reward by a patient profile (F29). The steps (per-patient claim, stock, points
 * with refKey `redeem:<_id>`) live in other documents and are each idempotent per redemption; this
 * document records the state machine, the lease of whoever is moving it, and the code once issued.
 */
export interface RedemptionDoc {
  _id: Types.ObjectId
  profileId: Types.ObjectId
  accountId: Types.ObjectId
  requestId: string
  rewardId: Types.ObjectId
  /** Snapshots at redemption time: later catalogue edits do not change what was agreed. */
  rewardName: string
  category: RewardCategory
  pointsCost: number
  perPatientLimit: number
  status: StoredRedemptionStatus
  /** Absent until issued (the unique sparse index skips it). */
  code?: string
  /** Why it failed: the error code answered (and answered again to a retry) and its message. */
  failCode: string | null
  failReason: string | null
  /** Who is moving a pending / failing / cancelling redemption, and until when; then the job may. */
  leaseOwner: string | null
  leaseUntil: Date | null
  createdAt: Date
  updatedAt: Date
  issuedAt: Date | null
  expiresAt: Date | null
  fulfilledAt: Date | null
  fulfilledBy: string | null
  cancel: RedemptionCancel | null
  cancelledAt: Date | null
  /**
   * Terminal rows are settled once more after this instant (the idempotent undo, or the fulfilled
   * unit's hold dropped), which repairs a step a stalled process did after the row moved on.
   */
  settleAt: Date | null
  settledAt: Date | null
}

const cancelSchema = new Schema<RedemptionCancel>(
  {
    kind: { type: String, enum: ['patient', 'staff', 'system'], required: true },
    id: { type: String, default: null },
    reason: { type: String, required: true },
    expired: { type: Boolean, default: false },
    at: { type: Date, required: true },
  },
  { _id: false },
)

const redemptionSchema = new Schema<RedemptionDoc>(
  {
    profileId: { type: Schema.Types.ObjectId, required: true },
    accountId: { type: Schema.Types.ObjectId, required: true },
    requestId: { type: String, required: true },
    rewardId: { type: Schema.Types.ObjectId, required: true },
    rewardName: { type: String, required: true },
    category: { type: String, required: true },
    pointsCost: { type: Number, required: true },
    perPatientLimit: { type: Number, required: true },
    status: { type: String, required: true },
    code: { type: String },
    failCode: { type: String, default: null },
    failReason: { type: String, default: null },
    leaseOwner: { type: String, default: null },
    leaseUntil: { type: Date, default: null },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
    issuedAt: { type: Date, default: null },
    expiresAt: { type: Date, default: null },
    fulfilledAt: { type: Date, default: null },
    fulfilledBy: { type: String, default: null },
    cancel: { type: cancelSchema, default: null },
    cancelledAt: { type: Date, default: null },
    settleAt: { type: Date, default: null },
    settledAt: { type: Date, default: null },
  },
  { collection: 'redemptions', versionKey: false },
)
// Idempotency: a retry (same profile, same requestId) finds the first redemption.
redemptionSchema.index({ profileId: 1, requestId: 1 }, { unique: true })
// Check-off by code; codes are unique (a collision on issue draws another).
redemptionSchema.index({ code: 1 }, { unique: true, sparse: true })
// "My redemptions", newest first.
redemptionSchema.index({ profileId: 1, createdAt: -1 })
// The repair job: pending / failing / cancelling rows whose lease ran out.
redemptionSchema.index({ status: 1, leaseUntil: 1 })
// The expiry job: issued codes past their expiry.
redemptionSchema.index({ status: 1, expiresAt: 1 })
// The settle pass.
redemptionSchema.index({ settledAt: 1, settleAt: 1 })
// Counts per reward and status (the staff catalogue); a reward's redemptions.
redemptionSchema.index({ rewardId: 1, status: 1 })
// The staff list by date.
redemptionSchema.index({ createdAt: -1 })

export const redemptionModel = (conn: Connection): Model<RedemptionDoc> =>
  (conn.models.Redemption as Model<RedemptionDoc> | undefined) ??
  conn.model<RedemptionDoc>('Redemption', redemptionSchema)

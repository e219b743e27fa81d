import type { MembershipPeriod, MembershipTier, OrderStatus, PlanQuota, RefundStatus } from '@careloop/shared'
import { Schema, type Connection, type Model, type Types } from 'mongoose'

/** The plan's terms when the order was made (later plan edits do not change a bought order). */
export interface OrderPlanTerms {
  code: string
  name: string
  period: MembershipPeriod
  tier: MembershipTier
  quotas: PlanQuota[]
}

/** One refund of an order, kept on the order so "refunds ≤ paid" is one guarded update. */
export interface OrderRefundEntry {
  /** `<out_trade_no>R<n>`: unique across orders; refunds once at the platform. */
  outRefundNo: string
  /** The staff request it came from (idempotency within the order). */
  requestId: string
  amountFen: number
  reason: string
  status: RefundStatus
  refundId: string | null
  staffId: string | null
  createdAt: Date
  successAt: Date | null
}

export interface OrderFlag {
  kind: 'amount_mismatch' | 'merchant_mismatch' | 'paid_after_close'
  details: Record<string, unknown>
  at: Date
}

/**
 * A membership purchase (F31). Inserted PENDING *before* prepay is called, so a notify that beats
 * the prepay response finds it. Every write bumps `rev` (refunds update with `rev` as their guard).
 * Effects after PAID (membership grant, points) are idempotent and `grantedAt` null means they may
 * not have run: the reconciliation job finishes them.
 */
export interface OrderDoc {
  _id: Types.ObjectId
  outTradeNo: string
  accountId: Types.ObjectId
  /** The profile the membership is for (the active profile when ordering). */
  profileId: Types.ObjectId
  requestId: string
  plan: OrderPlanTerms
  amountFen: number
  description: string
  payerOpenid: string
  status: OrderStatus
  prepayId: string | null
  /** The `wx.requestPayment` parameters, answered again on a retried request. */
  payParams: Record<string, string> | null
  createdAt: Date
  expiresAt: Date
  paidAt: Date | null
  /** What the platform reported paid (fen). */
  paidFen: number | null
  transactionId: string | null
  flag: OrderFlag | null
  /** The membership interval this order granted (set when granted). */
  grantFrom: Date | null
  grantUntil: Date | null
  grantedAt: Date | null
  pointsAwarded: number | null
  refunds: OrderRefundEntry[]
  /** Sum of SUCCESS refunds. */
  refundedFen: number
  /** Last time a job asked the platform about this order. */
  checkedAt: Date | null
  closedAt: Date | null
  /** Full refund: the membership it granted was ended and its points taken back (when possible). */
  revokedAt: Date | null
  rev: number
}

const quotaSchema = new Schema<PlanQuota>(
  { kind: { type: String, required: true }, perMonth: { type: Number, required: true } },
  { _id: false },
)

const termsSchema = new Schema<OrderPlanTerms>(
  {
    code: { type: String, required: true },
    name: { type: String, required: true },
    period: { type: String, enum: ['month', 'year'], required: true },
    tier: { type: String, required: true },
    quotas: { type: [quotaSchema], default: [] },
  },
  { _id: false },
)

const refundSchema = new Schema<OrderRefundEntry>(
  {
    outRefundNo: { type: String, required: true },
    requestId: { type: String, required: true },
    amountFen: { type: Number, required: true },
    reason: { type: String, required: true },
    status: { type: String, required: true },
    refundId: { type: String, default: null },
    staffId: { type: String, default: null },
    createdAt: { type: Date, required: true },
    successAt: { type: Date, default: null },
  },
  { _id: false },
)

const flagSchema = new Schema<OrderFlag>(
  {
    kind: { type: String, required: true },
    details: { type: Schema.Types.Mixed, default: {} },
    at: { type: Date, required: true },
  },
  { _id: false },
)

const orderSchema = new Schema<OrderDoc>(
  {
    outTradeNo: { type: String, required: true },
    accountId: { type: Schema.Types.ObjectId, required: true },
    profileId: { type: Schema.Types.ObjectId, required: true },
    requestId: { type: String, required: true },
    plan: { type: termsSchema, required: true },
    amountFen: { type: Number, required: true },
    description: { type: String, required: true },
    payerOpenid: { type: String, required: true },
    status: { type: String, enum: ['PENDING', 'PAID', 'CLOSED', 'REFUNDED', 'FLAGGED'], required: true },
    prepayId: { type: String, default: null },
    payParams: { type: Schema.Types.Mixed, default: null },
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
    paidAt: { type: Date, default: null },
    paidFen: { type: Number, default: null },
    transactionId: { type: String, default: null },
    flag: { type: flagSchema, default: null },
    grantFrom: { type: Date, default: null },
    grantUntil: { type: Date, default: null },
    grantedAt: { type: Date, default: null },
    pointsAwarded: { type: Number, default: null },
    refunds: { type: [refundSchema], default: [] },
    refundedFen: { type: Number, default: 0 },
    checkedAt: { type: Date, default: null },
    closedAt: { type: Date, default: null },
    revokedAt: { type: Date, default: null },
    rev: { type: Number, default: 0 },
  },
  { collection: 'membership_orders', versionKey: false },
)
// The platform's key: notify and query find the order by it; unique per merchant (platform §5.1).
orderSchema.index({ outTradeNo: 1 }, { unique: true })
// Idempotent ordering: a retried request of the same account answers the first order.
orderSchema.index({ accountId: 1, requestId: 1 }, { unique: true })
// The refund notify finds its order by out_refund_no (`<out_trade_no>R<n>`: unique by construction).
orderSchema.index({ 'refunds.outRefundNo': 1 })
// "My orders", newest first.
orderSchema.index({ accountId: 1, createdAt: -1 })
// Jobs: pending orders by expiry (close), paid orders not yet granted (reconcile).
orderSchema.index({ status: 1, expiresAt: 1 })
orderSchema.index({ status: 1, grantedAt: 1 })
// The console's list, newest first, by patient or status.
orderSchema.index({ createdAt: -1 })
orderSchema.index({ profileId: 1, createdAt: -1 })

export const orderModel = (conn: Connection): Model<OrderDoc> =>
  (conn.models.MembershipOrder as Model<OrderDoc> | undefined) ??
  conn.model<OrderDoc>('MembershipOrder', orderSchema)

import type { MembershipPeriod, MembershipTier, PlanQuota, QuotaKind } from '@careloop/shared'
import { Schema, type Connection, type Model, type Types } from 'mongoose'

// ---- plans ----------------------------------------------------------------------------------------

/** A membership plan on (or off) sale. Seeded with the hospital's defaults; admins edit them. */
export interface PlanDoc {
  _id: Types.ObjectId
  code: string
  name: string
  period: MembershipPeriod
  priceFen: number
  tier: MembershipTier
  quotas: PlanQuota[]
  benefits: string
  active: boolean
  sort: number
  createdAt: Date
  updatedAt: Date
}

const quotaSchema = new Schema<PlanQuota>(
  { kind: { type: String, required: true }, perMonth: { type: Number, required: true } },
  { _id: false },
)

const planSchema = new Schema<PlanDoc>(
  {
    code: { type: String, required: true },
    name: { type: String, required: true },
    period: { type: String, enum: ['month', 'year'], required: true },
    priceFen: { type: Number, required: true },
    tier: { type: String, required: true },
    quotas: { type: [quotaSchema], default: [] },
    benefits: { type: String, default: '' },
    active: { type: Boolean, default: true },
    sort: { type: Number, default: 100 },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'membership_plans', versionKey: false },
)
// Plans are addressed by code (orders, the console's PUT).
planSchema.index({ code: 1 }, { unique: true })

export const planModel = (conn: Connection): Model<PlanDoc> =>
  (conn.models.MembershipPlan as Model<PlanDoc> | undefined) ??
  conn.model<PlanDoc>('MembershipPlan', planSchema)

// ---- memberships --------------------------------------------------------------------------------

/** What one paid order granted: a chained interval with the plan's tier and quotas. */
export interface GrantEntry {
  orderId: string
  planCode: string
  planName: string
  period: MembershipPeriod
  tier: MembershipTier
  quotas: PlanQuota[]
  from: Date
  until: Date
  grantedAt: Date
  /** Full refund: the interval was cut at `revokedAt` and the later grants moved up. */
  revokedAt: Date | null
}

/**
 * The paid membership of one profile: the grants of its orders, chained (each starts when the
 * previous ends, or when paid). One document per profile, so a grant is one guarded update: the
 * order id is pushed only if absent (a replayed notify grants once) and `rev` guards the chain.
 */
export interface MembershipDoc {
  _id: Types.ObjectId
  profileId: Types.ObjectId
  grants: GrantEntry[]
  /** End of the last grant (null: none). */
  until: Date | null
  rev: number
  updatedAt: Date
}

const grantSchema = new Schema<GrantEntry>(
  {
    orderId: { type: String, required: true },
    planCode: { type: String, required: true },
    planName: { type: String, required: true },
    period: { type: String, required: true },
    tier: { type: String, required: true },
    quotas: { type: [quotaSchema], default: [] },
    from: { type: Date, required: true },
    until: { type: Date, required: true },
    grantedAt: { type: Date, required: true },
    revokedAt: { type: Date, default: null },
  },
  { _id: false },
)

const membershipSchema = new Schema<MembershipDoc>(
  {
    profileId: { type: Schema.Types.ObjectId, required: true },
    grants: { type: [grantSchema], default: [] },
    until: { type: Date, default: null },
    rev: { type: Number, default: 0 },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'memberships', versionKey: false },
)
// One membership document per profile (the tier service and quotas look it up by profile).
membershipSchema.index({ profileId: 1 }, { unique: true })

export const membershipModel = (conn: Connection): Model<MembershipDoc> =>
  (conn.models.PaidMembership as Model<MembershipDoc> | undefined) ??
  conn.model<MembershipDoc>('PaidMembership', membershipSchema)

// ---- quota usage --------------------------------------------------------------------------------

/**
 * One use of a quota. `slot` (1..perMonth) numbers the uses of a (profile, kind, month): the unique
 * index on it makes "no more than perMonth" a property of a single insert, without a counter that
 * a crash could leave out of step. `requestId` makes a retried request a no-op.
 */
export interface QuotaUsageDoc {
  _id: Types.ObjectId
  profileId: Types.ObjectId
  kind: QuotaKind
  /** `YYYY-MM` in the hospital's zone. */
  month: string
  slot: number
  requestId: string
  staffId: string
  note: string
  at: Date
}

const quotaUsageSchema = new Schema<QuotaUsageDoc>(
  {
    profileId: { type: Schema.Types.ObjectId, required: true },
    kind: { type: String, required: true },
    month: { type: String, required: true },
    slot: { type: Number, required: true },
    requestId: { type: String, required: true },
    staffId: { type: String, required: true },
    note: { type: String, default: '' },
    at: { type: Date, required: true },
  },
  { collection: 'membership_quota_usage', versionKey: false },
)
// Idempotency: a retry of the same request finds the first use.
quotaUsageSchema.index({ profileId: 1, requestId: 1 }, { unique: true })
// At most one use per slot: the cap (and the "used" count of a month).
quotaUsageSchema.index({ profileId: 1, kind: 1, month: 1, slot: 1 }, { unique: true })

export const quotaUsageModel = (conn: Connection): Model<QuotaUsageDoc> =>
  (conn.models.MembershipQuotaUsage as Model<QuotaUsageDoc> | undefined) ??
  conn.model<QuotaUsageDoc>('MembershipQuotaUsage', quotaUsageSchema)

// ---- platform notifies --------------------------------------------------------------------------

/** A verified WeChat Pay notify, by its id (redeliveries of a handled one change nothing). */
export interface PayNotifyDoc {
  /** The notify's `id` (unique). */
  _id: string
  eventType: string
  outTradeNo: string
  outRefundNo: string | null
  receivedAt: Date
  deliveries: number
  /** Set when handled; a redelivery of an unhandled one (crash) is handled again. */
  processedAt: Date | null
  result: string | null
  /** The decrypted resource (transaction or refund), for the console. */
  resource: Record<string, unknown>
}

const payNotifySchema = new Schema<PayNotifyDoc>(
  {
    _id: { type: String, required: true },
    eventType: { type: String, required: true },
    outTradeNo: { type: String, required: true },
    outRefundNo: { type: String, default: null },
    receivedAt: { type: Date, required: true },
    deliveries: { type: Number, default: 1 },
    processedAt: { type: Date, default: null },
    result: { type: String, default: null },
    resource: { type: Schema.Types.Mixed, default: {} },
  },
  { collection: 'pay_notifies', versionKey: false },
)
// The order's detail lists its notifies.
payNotifySchema.index({ outTradeNo: 1, receivedAt: 1 })

export const payNotifyModel = (conn: Connection): Model<PayNotifyDoc> =>
  (conn.models.PayNotify as Model<PayNotifyDoc> | undefined) ??
  conn.model<PayNotifyDoc>('PayNotify', payNotifySchema)

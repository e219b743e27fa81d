import type { EarnRuleId, PointsEntryKind, PointsTierId } from '@careloop/shared'
import { Schema, type Connection, type Model, type Types } from 'mongoose'

/**
 * The points ledger (F26) and what it needs. Writes go through the raw driver (points-account.repo,
 * points-ledger.repo); these schemas document the shapes and declare the indexes.
 */

/** What a ledger entry says, as written into the account's journal before the entry exists. */
export interface EntryFields {
  refKey: string
  kind: PointsEntryKind
  /** Signed: earn, refund and grants add; spend, expire and corrections take. */
  amount: number
  rule: EarnRuleId | null
  /** Earn: rule points after the caps, before the tier multiplier. */
  base: number | null
  multiplier: number | null
  limitedBy: 'daily_cap' | 'monthly_cap' | null
  source: { kind: string; id: string } | null
  actor: { kind: 'staff' | 'system'; id: string | null; role: string | null } | null
  reason: string | null
  /** When it happened (an earn: the earning event, e.g. when the answer was stored). */
  at: Date
  /** Earned points and staff grants (a "lot"): when they expire unless spent first. */
  expiresAt: Date | null
  createdAt: Date
}

/** An account journal item: the entry to be (or already) recorded, and the counters it moved. */
export interface JournalItem extends EntryFields {
  id: Types.ObjectId
  /** Other counters the apply incremented (caps, earned month), undone with the item if ever needed. */
  inc: Record<string, number>
}

/** One entry of the append-only ledger (`points_ledger`). */
export interface PointsEntryDoc extends EntryFields {
  _id: Types.ObjectId
  profileId: Types.ObjectId
  /** The account balance right after this entry was applied (null: recorded by the repair job). */
  balanceAfter: number | null
}

/**
 * One account per profile (`points_accounts`, `_id` = profileId): the balance and what makes every
 * change to it atomic and idempotent in one document write.
 * - `ver` increments on every change (compare-and-set).
 * - `j` (journal): `hash(refKey)` → the entry each change is for, written in the same update as the
 *   balance; the ledger entry is inserted right after. An item leaves the journal once its entry is
 *   known to exist, so a change whose entry was never written (a crash between the two writes) is
 *   found and finished by the reconciliation job, and a retried refKey is seen while it is there.
 * - `cap`: rule points counted against the caps, `<rule>|d|YYYY-MM-DD` and `<rule>|m|YYYY-MM`.
 * - `earned`: points earned per month `YYYY-MM` (the tier counts the last 12).
 */
export interface PointsAccountDoc {
  _id: Types.ObjectId
  ver: number
  balance: number
  cap: Record<string, number>
  earned: Record<string, number>
  j: Record<string, JournalItem>
  /** Last journal write: the reconciliation job looks at accounts written since its last run. */
  jAt: Date | null
  updatedAt: Date
}

const sourceSchema = new Schema<{ kind: string; id: string }>(
  { kind: { type: String, required: true }, id: { type: String, required: true } },
  { _id: false },
)
const actorSchema = new Schema<{ kind: string; id: string | null; role: string | null }>(
  {
    kind: { type: String, required: true },
    id: { type: String, default: null },
    role: { type: String, default: null },
  },
  { _id: false },
)

const entrySchema = new Schema<PointsEntryDoc>(
  {
    profileId: { type: Schema.Types.ObjectId, required: true },
    refKey: { type: String, required: true },
    kind: { type: String, required: true },
    amount: { type: Number, required: true },
    rule: { type: String, default: null },
    base: { type: Number, default: null },
    multiplier: { type: Number, default: null },
    limitedBy: { type: String, default: null },
    source: { type: sourceSchema, default: null },
    actor: { type: actorSchema, default: null },
    reason: { type: String, default: null },
    at: { type: Date, required: true },
    expiresAt: { type: Date, default: null },
    balanceAfter: { type: Number, default: null },
    createdAt: { type: Date, required: true },
  },
  { collection: 'points_ledger', versionKey: false },
)
// Idempotency: one entry per reference key, forever (a retried earn or spend finds it).
entrySchema.index({ refKey: 1 }, { unique: true })
// A profile's history, newest first (patient and staff views, cursor = _id).
entrySchema.index({ profileId: 1, _id: -1 })
// Expiry: lots expiring in a window (the daily job) and a profile's lots still valid after a date.
entrySchema.index({ expiresAt: 1 })
entrySchema.index({ profileId: 1, expiresAt: 1 })
// The liability report: a month's movements by kind and rule.
entrySchema.index({ at: 1, kind: 1 })

const accountSchema = new Schema<PointsAccountDoc>(
  {
    ver: { type: Number, required: true, default: 0 },
    balance: { type: Number, required: true, default: 0 },
    cap: { type: Schema.Types.Mixed, default: {} },
    earned: { type: Schema.Types.Mixed, default: {} },
    j: { type: Schema.Types.Mixed, default: {} },
    jAt: { type: Date, default: null },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'points_accounts', versionKey: false, minimize: false },
)
// Compare-and-set `{_id, ver}`: a filter that is exactly a unique index's keys (the local engine
// answers only those from an index; MongoDB would use _id anyway).
accountSchema.index({ _id: 1, ver: 1 }, { unique: true })
// The reconciliation job: accounts whose journal was written since its last run.
accountSchema.index({ jAt: 1 })

/** An earn rule's settings (`points_rules`, `_id` = the rule). */
export interface PointsRuleDoc {
  _id: EarnRuleId
  points: number
  dailyCap: number | null
  monthlyCap: number | null
  enabled: boolean
  updatedAt: Date | null
  updatedBy: string | null
}

const ruleSchema = new Schema<PointsRuleDoc>(
  {
    _id: { type: String, required: true },
    points: { type: Number, required: true },
    dailyCap: { type: Number, default: null },
    monthlyCap: { type: Number, default: null },
    enabled: { type: Boolean, required: true },
    updatedAt: { type: Date, default: null },
    updatedBy: { type: String, default: null },
  },
  { collection: 'points_rules', versionKey: false },
)

export interface TierDoc {
  id: PointsTierId
  name: string
  threshold: number
  multiplier: number
  benefits: string[]
}

/** Settings and job checkpoints (`points_settings`): `tiers`, `job:<name>`. */
export interface PointsSettingsDoc {
  _id: string
  tiers?: TierDoc[]
  /** Jobs: the start of the last complete run. */
  through?: Date
  updatedAt: Date
  updatedBy?: string | null
}

const tierSchema = new Schema<TierDoc>(
  {
    id: { type: String, required: true },
    name: { type: String, required: true },
    threshold: { type: Number, required: true },
    multiplier: { type: Number, required: true },
    benefits: { type: [String], default: [] },
  },
  { _id: false },
)

const settingsSchema = new Schema<PointsSettingsDoc>(
  {
    _id: { type: String, required: true },
    tiers: { type: [tierSchema], default: undefined },
    through: { type: Date },
    updatedAt: { type: Date, required: true },
    updatedBy: { type: String, default: null },
  },
  { collection: 'points_settings', versionKey: false },
)

export const pointsEntryModel = (conn: Connection): Model<PointsEntryDoc> =>
  (conn.models.PointsEntry as Model<PointsEntryDoc> | undefined) ??
  conn.model<PointsEntryDoc>('PointsEntry', entrySchema)

export const pointsAccountModel = (conn: Connection): Model<PointsAccountDoc> =>
  (conn.models.PointsAccount as Model<PointsAccountDoc> | undefined) ??
  conn.model<PointsAccountDoc>('PointsAccount', accountSchema)

export const pointsRuleModel = (conn: Connection): Model<PointsRuleDoc> =>
  (conn.models.PointsRule as Model<PointsRuleDoc> | undefined) ??
  conn.model<PointsRuleDoc>('PointsRule', ruleSchema)

export const pointsSettingsModel = (conn: Connection): Model<PointsSettingsDoc> =>
  (conn.models.PointsSettings as Model<PointsSettingsDoc> | undefined) ??
  conn.model<PointsSettingsDoc>('PointsSettings', settingsSchema)

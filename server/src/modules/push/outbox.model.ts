import type { PushStatus } from '@careloop/shared'
import { Schema, type Connection, type Model, type Types } from 'mongoose'
import type { PushChannel, PushPurpose, SubscribeKind } from './push.port'

/** One line of a row's history (the console shows it); the array is capped at HISTORY_MAX. */
export interface OutboxHistory {
  at: Date
  channel: PushChannel | null
  result: string
  code: string | null
  reason: string | null
}
export const HISTORY_MAX = 12

export interface OutboxOutcome {
  channel: PushChannel | null
  at: Date
  reason: string | null
  code: string | null
  field: string | null
}

export interface OutboxContent {
  title: string
  body: string
  page: string | null
  subscribe: { kind: SubscribeKind; fields: Record<string, string> } | null
}

/** A row of the durable outbox (`push_outbox`): one message, its schedule, lease and outcome. */
export interface OutboxDoc {
  _id: Types.ObjectId
  dedupeKey: string
  purpose: PushPurpose
  patientId: Types.ObjectId | null
  staffId: string | null
  robotKey: string | null
  channels: PushChannel[]
  content: OutboxContent
  urgent: boolean
  source: { kind: string; id: string; groupId: string | null }
  dueAt: Date
  expiresAt: Date | null
  status: PushStatus
  /** When the row may be claimed: dueAt, or later (quiet hours, cap, limiter, backoff). */
  nextAt: Date
  /** Failed attempts (retryable errors; a back-off counts at most once a minute). */
  attempts: number
  lastCountedAt: Date | null
  /** The channel the next attempt starts at (retries resume the channel that failed). */
  channelIndex: number
  owner: string | null
  leaseUntil: Date | null
  claimId: string | null
  /** `patientId|day|category` of the frequency-cap count this row holds (null: none). */
  capKey: string | null
  outcome: OutboxOutcome | null
  history: OutboxHistory[]
  createdAt: Date
  updatedAt: Date
}

const historySchema = new Schema<OutboxHistory>(
  {
    at: { type: Date, required: true },
    channel: { type: String, default: null },
    result: { type: String, required: true },
    code: { type: String, default: null },
    reason: { type: String, default: null },
  },
  { _id: false },
)

const outboxSchema = new Schema<OutboxDoc>(
  {
    dedupeKey: { type: String, required: true },
    purpose: { type: String, enum: ['care', 'marketing', 'staff'], required: true },
    patientId: { type: Schema.Types.ObjectId, default: null },
    staffId: { type: String, default: null },
    robotKey: { type: String, default: null },
    channels: { type: [String], required: true },
    content: { type: Schema.Types.Mixed, required: true },
    urgent: { type: Boolean, default: false },
    source: {
      kind: { type: String, required: true },
      id: { type: String, required: true },
      groupId: { type: String, default: null },
    },
    dueAt: { type: Date, required: true },
    expiresAt: { type: Date, default: null },
    status: { type: String, required: true },
    nextAt: { type: Date, required: true },
    attempts: { type: Number, default: 0 },
    lastCountedAt: { type: Date, default: null },
    channelIndex: { type: Number, default: 0 },
    owner: { type: String, default: null },
    leaseUntil: { type: Date, default: null },
    claimId: { type: String, default: null },
    capKey: { type: String, default: null },
    outcome: { type: Schema.Types.Mixed, default: null },
    history: { type: [historySchema], default: [] },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'push_outbox', versionKey: false },
)
// Enqueue idempotency: one row per dedupe key, forever (cancelled keys stay taken).
outboxSchema.index({ dedupeKey: 1 }, { unique: true })
// The claim: pending rows whose nextAt has come, oldest first.
outboxSchema.index({ status: 1, nextAt: 1 })
// The claim's second half: rows whose worker's lease expired (a dead or stuck worker).
outboxSchema.index({ status: 1, leaseUntil: 1 })
// A worker reads back exactly the rows its claim took.
outboxSchema.index({ claimId: 1 }, { sparse: true })
// cancelBySource / reviveBySource: the unsent rows of a source group (a paused enrolment).
outboxSchema.index({ 'source.kind': 1, 'source.groupId': 1, status: 1 })
// The console list (filters on status / purpose / source, newest first) and the dead-letter view.
outboxSchema.index({ status: 1, _id: -1 })
// Console statistics of the last 24 hours.
outboxSchema.index({ createdAt: 1 })
// Erasure: a profile's unsent rows.
outboxSchema.index({ patientId: 1, status: 1 }, { sparse: true })

export const outboxModel = (conn: Connection): Model<OutboxDoc> =>
  (conn.models.PushOutbox as Model<OutboxDoc> | undefined) ??
  conn.model<OutboxDoc>('PushOutbox', outboxSchema)

/**
 * The per-channel delivery record (`push_deliveries`): written `attempting` before a channel is
 * called and `sent` after it answered success. A row reclaimed after its worker died looks here
 * first: `sent` means the platform already has the message, so it is not called again.
 *
 * The id is `dedupeKey|channel` (one record per message and channel), so every read and write on the
 * hot path is a lookup by `_id` alone: the local engine (mongo-java-server) uses an index only for a
 * filter that is exactly a unique index's keys, and scans the collection for anything else.
 */
export interface DeliveryDoc {
  /** `dedupeKey|channel` (`deliveryKey`). */
  _id: string
  dedupeKey: string
  channel: PushChannel
  state: 'attempting' | 'sent' | 'failed'
  owner: string
  at: Date
  /** The platform's message id, when it gives one. */
  msgid: string | null
}

const deliverySchema = new Schema<DeliveryDoc>(
  {
    _id: { type: String, required: true },
    dedupeKey: { type: String, required: true },
    channel: { type: String, required: true },
    state: { type: String, enum: ['attempting', 'sent', 'failed'], required: true },
    owner: { type: String, required: true },
    at: { type: Date, required: true },
    msgid: { type: String, default: null },
  },
  { collection: 'push_deliveries', versionKey: false },
)
// Effect-once per channel comes from the id; this index serves look-ups by message.
deliverySchema.index({ dedupeKey: 1 })

export const deliveryModel = (conn: Connection): Model<DeliveryDoc> =>
  (conn.models.PushDelivery as Model<DeliveryDoc> | undefined) ??
  conn.model<DeliveryDoc>('PushDelivery', deliverySchema)

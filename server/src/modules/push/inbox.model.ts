import { Schema, type Connection, type Model, type Types } from 'mongoose'

/** A message in a patient's in-app message centre (`inbox_messages`), written by the inbox channel. */
export interface InboxDoc {
  _id: Types.ObjectId
  /** The outbox row's dedupe key: the inbox channel writes each message exactly once. */
  dedupeKey: string
  accountId: Types.ObjectId
  patientId: Types.ObjectId
  purpose: 'care' | 'marketing'
  title: string
  body: string
  page: string | null
  createdAt: Date
  readAt: Date | null
}

const inboxSchema = new Schema<InboxDoc>(
  {
    dedupeKey: { type: String, required: true },
    accountId: { type: Schema.Types.ObjectId, required: true },
    patientId: { type: Schema.Types.ObjectId, required: true },
    purpose: { type: String, enum: ['care', 'marketing'], required: true },
    title: { type: String, required: true },
    body: { type: String, required: true },
    page: { type: String, default: null },
    createdAt: { type: Date, required: true },
    readAt: { type: Date, default: null },
  },
  { collection: 'inbox_messages', versionKey: false },
)
// Effect-once delivery: one inbox message per outbox row.
inboxSchema.index({ dedupeKey: 1 }, { unique: true })
// The message centre: an account's messages newest first (optionally one profile's), and its unread count.
inboxSchema.index({ accountId: 1, _id: -1 })
inboxSchema.index({ accountId: 1, patientId: 1, _id: -1 })
inboxSchema.index({ accountId: 1, readAt: 1 })
// Erasure of a profile.
inboxSchema.index({ patientId: 1 })

export const inboxModel = (conn: Connection): Model<InboxDoc> =>
  (conn.models.InboxMessage as Model<InboxDoc> | undefined) ??
  conn.model<InboxDoc>('InboxMessage', inboxSchema)

import { Schema, type Connection, type Model, type Types } from 'mongoose'

/** An account's push preferences (`push_preferences`): its own quiet hours, or null for the default. */
export interface PushPreferenceDoc {
  _id: Types.ObjectId
  accountId: Types.ObjectId
  quietHours: { start: string; end: string } | null
  updatedAt: Date
}

const preferenceSchema = new Schema<PushPreferenceDoc>(
  {
    accountId: { type: Schema.Types.ObjectId, required: true },
    quietHours: { type: Schema.Types.Mixed, default: null },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'push_preferences', versionKey: false },
)
// One document per account; the dispatcher loads a batch's accounts with `$in`.
preferenceSchema.index({ accountId: 1 }, { unique: true })

export const pushPreferenceModel = (conn: Connection): Model<PushPreferenceDoc> =>
  (conn.models.PushPreference as Model<PushPreferenceDoc> | undefined) ??
  conn.model<PushPreferenceDoc>('PushPreference', preferenceSchema)

/**
 * The frequency-cap counter (`push_caps`): messages delivered to one patient on one local day in one
 * category (care / marketing), whichever channel delivered them. `_id` = `patientId|YYYY-MM-DD|category`.
 */
export interface PushCapDoc {
  _id: string
  count: number
  expiresAt: Date
}

const capSchema = new Schema<PushCapDoc>(
  {
    _id: { type: String, required: true },
    count: { type: Number, required: true },
    expiresAt: { type: Date, required: true },
  },
  { collection: 'push_caps', versionKey: false },
)
// Housekeeping: counters of past days are dropped by MongoDB.
capSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 })

export const pushCapModel = (conn: Connection): Model<PushCapDoc> =>
  (conn.models.PushCap as Model<PushCapDoc> | undefined) ?? conn.model<PushCapDoc>('PushCap', capSchema)

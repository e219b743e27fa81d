import { Schema, type Connection, type InferSchemaType, type Model, type Types } from 'mongoose'

/**
 * The inbox of WeCom customer-contact events the bot forwards (platform.md §3.6–3.7): one row per
 * delivery key, so a duplicate delivery changes nothing and a failed one can be processed again.
 * `status`: processing (claimed at `claimedAt`), done (with `outcome`) or failed (with `error`).
 */
const wecomEventSchema = new Schema(
  {
    dedupeKey: { type: String, required: true },
    event: { type: String, required: true },
    changeType: { type: String, required: true },
    /** WeCom's CreateTime. */
    eventAt: { type: Date, required: true },
    /** The event as forwarded (ids and codes only: no names, no unionid). */
    payload: { type: Schema.Types.Mixed, required: true },
    status: { type: String, enum: ['processing', 'done', 'failed'], required: true },
    outcome: { type: String, default: null },
    error: { type: String, default: null },
    attempts: { type: Number, default: 1 },
    receivedAt: { type: Date, required: true },
    claimedAt: { type: Date, required: true },
    processedAt: { type: Date, default: null },
  },
  { collection: 'wecom_events', versionKey: false },
)
// One row per delivery: the duplicate check and the claim of a failed delivery.
wecomEventSchema.index({ dedupeKey: 1 }, { unique: true })
// Failed deliveries, oldest first (operations view, reprocessing).
wecomEventSchema.index({ status: 1, receivedAt: 1 })

export type WecomEventDoc = InferSchemaType<typeof wecomEventSchema> & { _id: Types.ObjectId }

export const wecomEventModel = (conn: Connection): Model<WecomEventDoc> =>
  (conn.models.WecomEvent as Model<WecomEventDoc> | undefined) ??
  conn.model<WecomEventDoc>('WecomEvent', wecomEventSchema)

import { Schema, type Connection, type Model, type Types } from 'mongoose'

/**
 * Our ledger of subscribe-message permission (platform §2.6; WeChat exposes no API for it): per
 * openid and template, one credit per accepted one-time subscription, or `subscribed` for a
 * long-term template.
 */
export interface SubscribeCreditDoc {
  _id: Types.ObjectId
  openid: string
  templateId: string
  longTerm: boolean
  credits: number
  subscribed: boolean
  updatedAt: Date
}

const creditSchema = new Schema<SubscribeCreditDoc>(
  {
    openid: { type: String, required: true },
    templateId: { type: String, required: true },
    longTerm: { type: Boolean, required: true },
    credits: { type: Number, default: 0 },
    subscribed: { type: Boolean, default: false },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'subscribe_credits', versionKey: false },
)
// Reserve / refund / record: one ledger line per user and template.
creditSchema.index({ openid: 1, templateId: 1 }, { unique: true })

export const subscribeCreditModel = (conn: Connection): Model<SubscribeCreditDoc> =>
  (conn.models.SubscribeCredit as Model<SubscribeCreditDoc> | undefined) ??
  conn.model<SubscribeCreditDoc>('SubscribeCredit', creditSchema)

/** Client request ids of recorded decisions: a repeat of the same id is ignored. */
export interface SubscribeRequestDoc {
  /** `accountId:requestId` */
  _id: string
  scene: string
  at: Date
}

const requestSchema = new Schema<SubscribeRequestDoc>(
  {
    _id: { type: String, required: true },
    scene: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { collection: 'subscribe_requests', versionKey: false },
)

export const subscribeRequestModel = (conn: Connection): Model<SubscribeRequestDoc> =>
  (conn.models.SubscribeRequest as Model<SubscribeRequestDoc> | undefined) ??
  conn.model<SubscribeRequestDoc>('SubscribeRequest', requestSchema)

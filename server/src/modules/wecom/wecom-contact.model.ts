import { Schema, type Connection, type Model, type Types } from 'mongoose'

/**
 * Follow relations (F14, F9): which corp member (`userId`) has which external contact, since when,
 * through which `state`, whether the welcome message went out, and which corp tags of our group the
 * pair carries as far as we know (what inbound `edit_external_contact` diffs against). An ended
 * relation is kept (`endedAt`); when the pair is added again the ended period moves to `history`.
 */
export interface WecomFollowPeriod {
  since: Date | null
  endedAt: Date
  endedBy: 'staff' | 'customer'
}

export interface WecomContactDoc {
  _id: Types.ObjectId
  userId: string
  externalUserId: string
  since: Date | null
  state: string | null
  addWay: 'add_external_contact' | 'add_half_external_contact' | null
  endedAt: Date | null
  endedBy: 'staff' | 'customer' | null
  /** del_external_contact's `Source` (e.g. DELETE_BY_TRANSFER). */
  endSource: string | null
  welcome: { status: string; at: Date; error: string | null } | null
  /** Corp tag ids of our group on this pair (null: never read). */
  corpTags: string[] | null
  history: WecomFollowPeriod[]
  /** CreateTime of the newest event applied (older, late deliveries do not undo newer ones). */
  lastEventAt: Date
  createdAt: Date
  updatedAt: Date
}

const periodSchema = new Schema<WecomFollowPeriod>(
  {
    since: { type: Date, default: null },
    endedAt: { type: Date, required: true },
    endedBy: { type: String, enum: ['staff', 'customer'], required: true },
  },
  { _id: false },
)

const wecomContactSchema = new Schema<WecomContactDoc>(
  {
    userId: { type: String, required: true },
    externalUserId: { type: String, required: true },
    since: { type: Date, default: null },
    state: { type: String, default: null },
    addWay: { type: String, default: null },
    endedAt: { type: Date, default: null },
    endedBy: { type: String, default: null },
    endSource: { type: String, default: null },
    welcome: {
      type: new Schema({ status: String, at: Date, error: { type: String, default: null } }, { _id: false }),
      default: null,
    },
    corpTags: { type: [String], default: null },
    history: { type: [periodSchema], default: [] },
    lastEventAt: { type: Date, required: true },
  },
  { timestamps: true, collection: 'wecom_contacts' },
)
// One row per member–customer pair (upserts by the pair).
wecomContactSchema.index({ userId: 1, externalUserId: 1 }, { unique: true })
// The members following a customer (mark_tag fan-out, erasure).
wecomContactSchema.index({ externalUserId: 1 })

export const wecomContactModel = (conn: Connection): Model<WecomContactDoc> =>
  (conn.models.WecomContact as Model<WecomContactDoc> | undefined) ??
  conn.model<WecomContactDoc>('WecomContact', wecomContactSchema)

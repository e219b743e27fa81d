import { Schema, type Connection, type InferSchemaType, type Model, type Types } from 'mongoose'

/**
 * Identity stitching (F4, F11): which patient profile a WeCom external contact (`external_userid`)
 * is. Linked by a join QR's `state` (names the profile exactly, family members included), by the
 * unionid WeCom reports (→ the mini-program account's own profile), or by a nurse.
 */
const wecomIdentitySchema = new Schema(
  {
    externalUserId: { type: String, required: true },
    unionid: { type: String, default: null },
    patientId: { type: Schema.Types.ObjectId, default: null },
    linkedBy: { type: String, enum: ['state', 'unionid', 'staff', null], default: null },
    linkedAt: { type: Date, default: null },
  },
  { timestamps: true, collection: 'wecom_identities' },
)
wecomIdentitySchema.index({ externalUserId: 1 }, { unique: true })
// A patient's WeCom identities (mark_tag, erasure).
wecomIdentitySchema.index({ patientId: 1 }, { sparse: true })

export type WecomIdentityDoc = InferSchemaType<typeof wecomIdentitySchema> & { _id: Types.ObjectId }

export const wecomIdentityModel = (conn: Connection): Model<WecomIdentityDoc> =>
  (conn.models.WecomIdentity as Model<WecomIdentityDoc> | undefined) ??
  conn.model<WecomIdentityDoc>('WecomIdentity', wecomIdentitySchema)

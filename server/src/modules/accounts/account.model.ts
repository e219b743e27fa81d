import { encryptedValueSchema } from '../../db/encrypted-field'
import { Schema, type Connection, type InferSchemaType, type Model, type Types } from 'mongoose'

/** A WeChat user of the mini-program. It owns one `self` profile and manages family profiles (F2). */
const accountSchema = new Schema(
  {
    /** mini-program openid; replaced by an opaque `erased:` value when the account is erased. */
    openid: { type: String, required: true },
    unionid: { type: String, default: null },
    /** AES-256-GCM ciphertext of the bound phone (never the plaintext). */
    phone: { type: encryptedValueSchema, default: null },
    /** HMAC blind index of the phone, for exact look-up by staff. */
    phoneIndex: { type: String, default: null },
    activeProfileId: { type: Schema.Types.ObjectId, default: null },
    erasedAt: { type: Date, default: null },
    lastLoginAt: { type: Date },
  },
  { timestamps: true, collection: 'accounts' },
)
// Login: exactly one account per openid.
accountSchema.index({ openid: 1 }, { unique: true })
// Identity stitching (F4): WeCom external contacts carry the unionid.
accountSchema.index({ unionid: 1 }, { sparse: true })
// Staff search by full phone number.
accountSchema.index({ phoneIndex: 1 }, { sparse: true })

export type AccountDoc = InferSchemaType<typeof accountSchema> & { _id: Types.ObjectId; createdAt: Date }

export const accountModel = (conn: Connection): Model<AccountDoc> =>
  (conn.models.Account as Model<AccountDoc> | undefined) ?? conn.model<AccountDoc>('Account', accountSchema)

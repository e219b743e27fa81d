import { Schema, type Connection, type InferSchemaType, type Model, type Types } from 'mongoose'

/** One refresh token. Rotation marks it `rotatedAt` and issues a successor in the same family. */
const sessionSchema = new Schema(
  {
    accountId: { type: Schema.Types.ObjectId, required: true },
    /** sha256 of the refresh token; the token itself is never stored. */
    tokenHash: { type: String, required: true },
    /** All refresh tokens descending from one login share a family (reuse detection). */
    familyId: { type: String, required: true },
    expiresAt: { type: Date, required: true },
    rotatedAt: { type: Date, default: null },
    revokedAt: { type: Date, default: null },
  },
  { timestamps: true, collection: 'sessions' },
)
// Refresh and logout: look a session up by the hash of the presented token.
sessionSchema.index({ tokenHash: 1 }, { unique: true })
// Reuse detection / logout: revoke a whole family.
sessionSchema.index({ familyId: 1 })
// Erasure and export: every session of an account.
sessionSchema.index({ accountId: 1 })

export type SessionDoc = InferSchemaType<typeof sessionSchema> & { _id: Types.ObjectId; createdAt: Date }

export const sessionModel = (conn: Connection): Model<SessionDoc> =>
  (conn.models.Session as Model<SessionDoc> | undefined) ?? conn.model<SessionDoc>('Session', sessionSchema)

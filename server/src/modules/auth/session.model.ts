import { Schema, type Connection, type InferSchemaType, type Model, type Types } from 'mongoose'

const sessionSchema = new Schema(
  {
    patientId: { type: Schema.Types.ObjectId, required: true },
    /** sha256 of the refresh token; the token itself is never stored. */
    tokenHash: { type: String, required: true },
    /** All refresh tokens descending from one login share a family (rotation and reuse detection, issue 3). */
    familyId: { type: String, required: true },
    expiresAt: { type: Date, required: true },
    revokedAt: { type: Date, default: null },
  },
  { timestamps: true, collection: 'sessions' },
)
// Refresh: look a session up by the hash of the presented token.
sessionSchema.index({ tokenHash: 1 }, { unique: true })
// Logout / erase: revoke every session of a patient.
sessionSchema.index({ patientId: 1 })

export type SessionDoc = InferSchemaType<typeof sessionSchema> & { _id: Types.ObjectId }

export const sessionModel = (conn: Connection): Model<SessionDoc> =>
  (conn.models.Session as Model<SessionDoc> | undefined) ?? conn.model<SessionDoc>('Session', sessionSchema)

import { STAFF_ROLES } from '@careloop/shared'
import { Schema, type Connection, type InferSchemaType, type Model, type Types } from 'mongoose'

/**
 * A staff member of the hospital: console user (username + password, or WeCom web login) and, for
 * nurses, the person the WeCom bot recognises by `wecomUserId`. Deactivated accounts are kept (the
 * audit log refers to them) and lose access at once (the auth guard re-reads them on every request).
 */
const staffSchema = new Schema(
  {
    username: { type: String, required: true },
    name: { type: String, required: true },
    role: { type: String, enum: STAFF_ROLES, required: true },
    /** argon2id PHC string (never the password). */
    passwordHash: { type: String, required: true },
    /** WeCom member userid; absent (never null) when not linked, so the sparse unique index skips it. */
    wecomUserId: { type: String },
    active: { type: Boolean, required: true, default: true },
    /** Consecutive failed password logins since the last success or lock. */
    failedLogins: { type: Number, required: true, default: 0 },
    lockedUntil: { type: Date, default: null },
    lastLoginAt: { type: Date, default: null },
  },
  { timestamps: true, collection: 'staff', versionKey: false },
)
// Login by username; usernames are unique (E11000 → STAFF_USERNAME_TAKEN).
staffSchema.index({ username: 1 }, { unique: true })
// WeCom web login and the bot: one staff member per WeCom userid.
staffSchema.index({ wecomUserId: 1 }, { unique: true, sparse: true })

export type StaffDoc = InferSchemaType<typeof staffSchema> & {
  _id: Types.ObjectId
  createdAt: Date
  updatedAt: Date
}

export const staffModel = (conn: Connection): Model<StaffDoc> =>
  (conn.models.Staff as Model<StaffDoc> | undefined) ?? conn.model<StaffDoc>('Staff', staffSchema)

import { Schema, type Connection, type InferSchemaType, type Model, type Types } from 'mongoose'

/** Append-only consent events: every grant and withdrawal with its policy version and time (F3). */
const consentEventSchema = new Schema(
  {
    patientId: { type: Schema.Types.ObjectId, required: true },
    /** The account that acted (the patient, or the family member managing the profile). */
    accountId: { type: Schema.Types.ObjectId, required: true },
    purpose: { type: String, enum: ['care', 'marketing', 'research'], required: true },
    granted: { type: Boolean, required: true },
    policyVersion: { type: String, required: true },
    by: { type: String, enum: ['self', 'proxy'], required: true },
    at: { type: Date, required: true },
  },
  { collection: 'consent_events', versionKey: false },
)
// A profile's history, newest first.
consentEventSchema.index({ patientId: 1, at: -1 })

export type ConsentEventDoc = InferSchemaType<typeof consentEventSchema> & { _id: Types.ObjectId }

export const consentEventModel = (conn: Connection): Model<ConsentEventDoc> =>
  (conn.models.ConsentEvent as Model<ConsentEventDoc> | undefined) ??
  conn.model<ConsentEventDoc>('ConsentEvent', consentEventSchema)

import { Schema, type Connection, type InferSchemaType, type Model, type Types } from 'mongoose'

/** Append-only: the repo offers no update or delete, and erasure keeps entries (they hold ids, not PII). */
const auditSchema = new Schema(
  {
    at: { type: Date, required: true },
    actor: {
      kind: { type: String, enum: ['staff', 'patient', 'system'], required: true },
      id: { type: String, default: null },
      role: { type: String, default: null },
    },
    /** e.g. `patient.read`, `patient.list`, `consent.grant`, `staff.update` */
    action: { type: String, required: true },
    patientId: { type: Schema.Types.ObjectId, default: null },
    /** Structured, PII-free detail (ids, field names, counts, purposes). */
    detail: { type: Schema.Types.Mixed, default: {} },
    ip: { type: String, default: null },
    requestId: { type: String, default: null },
  },
  { collection: 'audit_log', versionKey: false, minimize: false },
)
// Viewer: newest first, optionally for one patient or one actor.
auditSchema.index({ at: -1 })
auditSchema.index({ patientId: 1, at: -1 })
auditSchema.index({ 'actor.id': 1, at: -1 })

export type AuditDoc = InferSchemaType<typeof auditSchema> & { _id: Types.ObjectId }

export const auditModel = (conn: Connection): Model<AuditDoc> =>
  (conn.models.Audit as Model<AuditDoc> | undefined) ?? conn.model<AuditDoc>('Audit', auditSchema)

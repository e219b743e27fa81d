import { Schema, type Connection, type Model, type Types } from 'mongoose'

/**
 * A clinical event of a patient (F7 input): a visit, diagnosis, surgery, discharge or admission,
 * recorded by staff or delivered by the HIS. Append-only.
 */
const patientEventSchema = new Schema(
  {
    patientId: { type: Schema.Types.ObjectId, required: true },
    kind: { type: String, enum: ['visit', 'diagnosis', 'surgery', 'discharge', 'admission'], required: true },
    /** ICD-10 for diagnoses; other kinds may carry their own code. */
    code: { type: String, default: null },
    at: { type: Date, required: true },
    note: { type: String, default: null },
    source: { type: String, enum: ['staff', 'his'], required: true },
    by: { kind: { type: String, enum: ['staff', 'system'] }, id: { type: String, default: null } },
    externalId: { type: String, default: null },
    /** `source:externalId`, present only when the sender gave an id: makes re-delivery idempotent. */
    dedupeKey: { type: String },
  },
  { timestamps: { createdAt: true, updatedAt: false }, collection: 'patient_events', versionKey: false },
)
// A patient's events, newest first (staff view, rule evaluation).
patientEventSchema.index({ patientId: 1, at: -1 })
// One event per sender id and source (duplicate deliveries); absent for events without an id.
patientEventSchema.index({ dedupeKey: 1 }, { unique: true, sparse: true })

export interface PatientEventDoc {
  _id: Types.ObjectId
  patientId: Types.ObjectId
  kind: 'visit' | 'diagnosis' | 'surgery' | 'discharge' | 'admission'
  code: string | null
  at: Date
  note: string | null
  source: 'staff' | 'his'
  by: { kind: 'staff' | 'system'; id: string | null }
  externalId: string | null
  dedupeKey?: string
  createdAt: Date
}

export const patientEventModel = (conn: Connection): Model<PatientEventDoc> =>
  (conn.models.PatientEvent as Model<PatientEventDoc> | undefined) ??
  conn.model<PatientEventDoc>('PatientEvent', patientEventSchema)

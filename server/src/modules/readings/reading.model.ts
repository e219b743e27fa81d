import type { GlucoseContext, ReadingFinding, ReadingKind } from '@careloop/shared'
import { Schema, type Connection, type Model, type Types } from 'mongoose'

/**
 * One health reading of a patient (F18). Abnormal findings are decided when it is recorded (against
 * the thresholds then in force) and stored with it; the nurse alert is an effect applied after the
 * write — `effectsAppliedAt` null means it may not have run, and the `readings.effects` job repairs it.
 */
export interface ReadingDoc {
  _id: Types.ObjectId
  patientId: Types.ObjectId
  accountId: Types.ObjectId
  requestId: string
  kind: ReadingKind
  systolic: number | null
  diastolic: number | null
  value: number | null
  context: GlucoseContext | null
  measuredAt: Date
  findings: ReadingFinding[]
  /** The nurse of the enrolment whose threshold fired (null: the alert service decides). */
  nurseId: string | null
  /** Whether the findings alert the nurse (recent readings only: an old diary entry does not). */
  alert: boolean
  effectsAppliedAt: Date | null
  createdAt: Date
}

const findingSchema = new Schema<ReadingFinding>(
  {
    metric: { type: String, required: true },
    value: { type: Number, required: true },
    min: { type: Number, default: null },
    max: { type: Number, default: null },
    source: { type: String, required: true },
  },
  { _id: false },
)

const readingSchema = new Schema<ReadingDoc>(
  {
    patientId: { type: Schema.Types.ObjectId, required: true },
    accountId: { type: Schema.Types.ObjectId, required: true },
    requestId: { type: String, required: true },
    kind: { type: String, enum: ['bp', 'glucose', 'weight'], required: true },
    systolic: { type: Number, default: null },
    diastolic: { type: Number, default: null },
    value: { type: Number, default: null },
    context: { type: String, enum: ['fasting', 'postprandial', 'random', null], default: null },
    measuredAt: { type: Date, required: true },
    findings: { type: [findingSchema], default: [] },
    nurseId: { type: String, default: null },
    alert: { type: Boolean, required: true, default: false },
    effectsAppliedAt: { type: Date, default: null },
    /** When it was recorded, by the injected clock. */
    createdAt: { type: Date, required: true },
  },
  { collection: 'readings', versionKey: false },
)
// Idempotency: a retry of the same request (same profile, same requestId) finds the first reading.
readingSchema.index({ patientId: 1, requestId: 1 }, { unique: true })
// A patient's readings by time (lists, charts, the newest reading for "no reading in N days").
readingSchema.index({ patientId: 1, measuredAt: -1 })
// The same per kind.
readingSchema.index({ patientId: 1, kind: 1, measuredAt: -1 })
// The repair job: readings whose alert may not have been raised.
readingSchema.index({ effectsAppliedAt: 1, createdAt: 1 })

export const readingModel = (conn: Connection): Model<ReadingDoc> =>
  (conn.models.Reading as Model<ReadingDoc> | undefined) ?? conn.model<ReadingDoc>('Reading', readingSchema)

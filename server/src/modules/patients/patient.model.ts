import { encryptedValueSchema } from '../../db/encrypted-field'
import { Schema, type Connection, type InferSchemaType, type Model, type Types } from 'mongoose'

/**
 * A patient profile: the person care is about. An account's own profile has relation `self`;
 * family members' profiles are managed by the same account (F2). Erasure blanks every personal
 * field and sets `erasedAt`, keeping the document so aggregates and ledgers stay consistent.
 */
const patientSchema = new Schema(
  {
    accountId: { type: Schema.Types.ObjectId, required: true },
    relation: {
      type: String,
      enum: ['self', 'parent', 'spouse', 'child', 'sibling', 'other'],
      required: true,
    },
    name: { type: String, default: null },
    gender: { type: String, enum: ['male', 'female', null], default: null },
    birthYear: { type: Number, default: null },
    hospitalPatientId: { type: String, default: null },
    /** AES-256-GCM ciphertext of the resident ID number (never the plaintext). */
    idNumber: { type: encryptedValueSchema, default: null },
    /** HMAC blind index of the ID number, for exact look-up by staff. */
    idNumberIndex: { type: String, default: null },
    /** Display form (1101**********1234), kept so reads need no decryption. */
    idNumberMasked: { type: String, default: null },
    /** The nurse responsible (until communities and plans give nurses their patients). */
    assignedNurseId: { type: Schema.Types.ObjectId, default: null },
    /** Current consent per purpose, derived from the append-only consent events. */
    consents: {
      type: Map,
      of: new Schema(
        { granted: Boolean, policyVersion: String, at: Date, by: { type: String, enum: ['self', 'proxy'] } },
        { _id: false },
      ),
      default: {},
    },
    erasedAt: { type: Date, default: null },
  },
  { timestamps: true, collection: 'patients' },
)
// Profiles of an account (family proxy), and the account's own profile.
patientSchema.index({ accountId: 1, relation: 1 })
// A nurse's patients.
patientSchema.index({ assignedNurseId: 1 })
// Staff look-up by full ID number (blind index).
patientSchema.index({ idNumberIndex: 1 }, { sparse: true })
// Staff look-up by hospital patient id.
patientSchema.index({ hospitalPatientId: 1 }, { sparse: true })

export type ConsentState = { granted: boolean; policyVersion: string; at: Date; by: 'self' | 'proxy' }
export type PatientDoc = Omit<InferSchemaType<typeof patientSchema>, 'consents'> & {
  _id: Types.ObjectId
  createdAt: Date
  consents: Record<string, ConsentState> | Map<string, ConsentState>
}

export const patientModel = (conn: Connection): Model<PatientDoc> =>
  (conn.models.Patient as Model<PatientDoc> | undefined) ?? conn.model<PatientDoc>('Patient', patientSchema)

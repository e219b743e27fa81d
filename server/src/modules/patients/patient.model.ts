import { encryptedValueSchema } from '../../db/encrypted-field'
import { Schema, type Connection, type InferSchemaType, type Model, type Types } from 'mongoose'

/** One tag on a profile and why it is there; typed explicitly (see PatientTagEntry) to keep inference cheap. */
const patientTagSchema = new Schema(
  {
    tagId: { type: String, required: true },
    source: { type: String, enum: ['manual', 'rule', 'wecom', 'import'], required: true },
    reason: { type: String, required: true },
    by: { kind: { type: String, enum: ['staff', 'system'] }, id: { type: String, default: null } },
    at: { type: Date, required: true },
  },
  { _id: false },
)

export interface PatientTagEntry {
  tagId: string
  source: 'manual' | 'rule' | 'wecom' | 'import'
  reason: string
  by: { kind: 'staff' | 'system'; id: string | null }
  at: Date
}

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
    /**
     * Tags currently on the profile, each with why it is there (F6/F7). `tagId` is the tag's id as a
     * hex string, so segment filters compiled in shared/ match it without driver types.
     */
    tags: { type: [patientTagSchema], default: [] },
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
// Segments and tag look-ups: patients carrying a tag.
patientSchema.index({ 'tags.tagId': 1 })
// A nurse's patients.
patientSchema.index({ assignedNurseId: 1 })
// Staff look-up by full ID number (blind index).
patientSchema.index({ idNumberIndex: 1 }, { sparse: true })
// Staff look-up by hospital patient id.
patientSchema.index({ hospitalPatientId: 1 }, { sparse: true })

export type ConsentState = { granted: boolean; policyVersion: string; at: Date; by: 'self' | 'proxy' }
export type PatientDoc = Omit<InferSchemaType<typeof patientSchema>, 'consents' | 'tags'> & {
  tags: PatientTagEntry[]
  _id: Types.ObjectId
  createdAt: Date
  consents: Record<string, ConsentState> | Map<string, ConsentState>
}

export const patientModel = (conn: Connection): Model<PatientDoc> =>
  (conn.models.Patient as Model<PatientDoc> | undefined) ?? conn.model<PatientDoc>('Patient', patientSchema)

import type { Patient, Relation } from '@careloop/shared'
import { Types, type Connection } from 'mongoose'
import type { EncryptedValue } from '../../privacy/pii-crypto'
import { patientModel, type ConsentState, type PatientDoc } from './patient.model'

/** An ID number as stored: ciphertext, blind index and display form (the service encrypts). */
export type StoredIdNumber = { enc: EncryptedValue; index: string; masked: string }

export type ProfileFieldsInput = {
  name: string
  gender?: 'male' | 'female' | null
  birthYear?: number | null
  hospitalPatientId?: string | null
  /** undefined: unchanged; null: removed. */
  idNumber?: StoredIdNumber | null
}

const idNumberFields = (id: StoredIdNumber | null | undefined): Record<string, unknown> =>
  id === undefined
    ? {}
    : id === null
      ? { idNumber: null, idNumberIndex: null, idNumberMasked: null }
      : { idNumber: id.enc, idNumberIndex: id.index, idNumberMasked: id.masked }

export type PatientRow = PatientDoc

/** Consent states of a profile as a plain record (lean documents hold the Map as an object). */
export const consentsOf = (d: Pick<PatientDoc, 'consents'>): Record<string, ConsentState> =>
  d.consents instanceof Map ? Object.fromEntries(d.consents) : (d.consents ?? {})

export const toPatient = (d: PatientRow): Patient => ({
  id: d._id.toHexString(),
  name: d.name ?? null,
  gender: (d.gender as Patient['gender']) ?? null,
  birthYear: d.birthYear ?? null,
  hospitalPatientId: d.hospitalPatientId ?? null,
  idNumber: d.idNumberMasked ?? null,
  relation: d.relation,
  createdAt: d.createdAt.toISOString(),
})

const oid = (id: string): Types.ObjectId => new Types.ObjectId(id)

export interface PatientRepo {
  /** The account's own profile, created on first call (idempotent under concurrency). */
  ensureSelfProfile(accountId: string): Promise<PatientRow>
  listByAccount(accountId: string): Promise<PatientRow[]>
  /** A profile only if the account manages it (the scope check of every patient-scoped call). */
  findForAccount(accountId: string, profileId: string): Promise<PatientRow | null>
  countFamily(accountId: string): Promise<number>
  createFamily(
    accountId: string,
    relation: Exclude<Relation, 'self'>,
    fields: ProfileFieldsInput,
  ): Promise<PatientRow>
  updateFields(accountId: string, profileId: string, fields: ProfileFieldsInput): Promise<PatientRow | null>
  /** Records the current consent of a purpose unless a newer one is already recorded. */
  setConsentState(profileId: string, purpose: string, state: ConsentState): Promise<void>
  /** Blanks every personal field of a profile and marks it erased (kept for aggregates). */
  erase(profileId: string, at: Date): Promise<void>
}

export const createPatientRepo = (conn: Connection): PatientRepo => {
  const M = patientModel(conn)
  const live = { erasedAt: null }
  return {
    async ensureSelfProfile(accountId) {
      const q = { accountId: oid(accountId), relation: 'self' }
      const found = await M.findOne(q).lean<PatientRow>()
      if (found) return found
      // No unique index can express "one self per account" on every engine, so insert then
      // converge: if two first logins raced, keep the oldest and remove the other.
      await M.create({ ...q })
      const all = await M.find(q).sort({ _id: 1 }).lean<PatientRow[]>()
      const [keep, ...extra] = all
      if (extra.length) await M.deleteMany({ _id: { $in: extra.map((e) => e._id) } })
      return keep!
    },
    listByAccount: (accountId) =>
      M.find({ accountId: oid(accountId), ...live })
        .sort({ relation: -1, _id: 1 })
        .lean<PatientRow[]>(),
    findForAccount: (accountId, profileId) =>
      Types.ObjectId.isValid(profileId)
        ? M.findOne({ _id: oid(profileId), accountId: oid(accountId), ...live }).lean<PatientRow>()
        : Promise.resolve(null),
    countFamily: (accountId) =>
      M.countDocuments({ accountId: oid(accountId), relation: { $ne: 'self' }, ...live }),
    async createFamily(accountId, relation, f) {
      const d = await M.create({
        accountId: oid(accountId),
        relation,
        name: f.name,
        gender: f.gender ?? null,
        birthYear: f.birthYear ?? null,
        hospitalPatientId: f.hospitalPatientId ?? null,
        ...idNumberFields(f.idNumber),
      })
      return d.toObject() as PatientRow
    },
    updateFields: (accountId, profileId, f) =>
      M.findOneAndUpdate(
        { _id: oid(profileId), accountId: oid(accountId), ...live },
        {
          $set: {
            name: f.name,
            gender: f.gender ?? null,
            birthYear: f.birthYear ?? null,
            hospitalPatientId: f.hospitalPatientId ?? null,
            ...idNumberFields(f.idNumber),
          },
        },
        { new: true },
      ).lean<PatientRow>(),
    async setConsentState(profileId, purpose, state) {
      const key = `consents.${purpose}`
      await M.updateOne(
        { _id: oid(profileId), $or: [{ [key]: { $exists: false } }, { [`${key}.at`]: { $lte: state.at } }] },
        { $set: { [key]: state } },
      )
    },
    async erase(profileId, at) {
      await M.updateOne(
        { _id: oid(profileId) },
        {
          $set: {
            name: null,
            gender: null,
            birthYear: null,
            hospitalPatientId: null,
            ...idNumberFields(null),
            erasedAt: at,
            consents: {},
          },
        },
      )
    },
  }
}

import { isValidObjectId, Types, type Connection } from 'mongoose'
import type { EncryptedValue } from '../../privacy/pii-crypto'
import { accountModel, type AccountDoc } from '../accounts/account.model'
import { communityModel, membershipModel } from '../communities/community.model'
import { enrolmentModel } from '../followup/followup.model'
import { patientModel, type ConsentState, type PatientDoc } from './patient.model'

/**
 * Staff-facing patient queries. Every query takes a `PatientScope`: there is no way to ask for a
 * patient without saying whose view it is (architecture §5: scoped by type, not by remembering).
 * Erased profiles are never returned.
 */

/** Which patients a staff member may see at all. */
export type PatientScope = { kind: 'all' } | { kind: 'assigned'; nurseId: string }

/** How the list is narrowed. A phone is looked up by its blind index, never by plaintext. */
export type PatientSearch =
  | { kind: 'none' }
  | { kind: 'phone'; phoneIndex: string; raw: string }
  | { kind: 'idNumber'; idNumberIndex: string }
  | { kind: 'text'; text: string }

/** A patient profile with the (encrypted) phone of the account that manages it. */
export interface StaffPatientRecord {
  id: string
  accountId: string
  name: string | null
  gender: 'male' | 'female' | null
  birthYear: number | null
  hospitalPatientId: string | null
  /** Display form of the ID number (1101**********1234), or null. */
  idNumberMasked: string | null
  relation: 'self' | 'parent' | 'spouse' | 'child' | 'sibling' | 'other'
  assignedNurseId: string | null
  consents: Record<string, ConsentState>
  createdAt: Date
  /** The managing account's phone, still encrypted; the service decrypts only to mask it. */
  phone: EncryptedValue | null
}

export interface PatientStaffRepo {
  list(
    scope: PatientScope,
    search: PatientSearch,
    page: { skip: number; limit: number },
  ): Promise<{ total: number; rows: StaffPatientRecord[] }>
  /** One patient, or null when it does not exist, is erased or lies outside the scope. */
  findInScope(scope: PatientScope, id: string): Promise<StaffPatientRecord | null>
  /** Sets (or clears) the responsible nurse of a patient within the scope; null when not found. */
  assignNurse(scope: PatientScope, id: string, nurseId: string | null): Promise<StaffPatientRecord | null>
}

const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/**
 * The database filter of a scope. A nurse's patients are those assigned to her, the current
 * members of the communities she owns (F10: she runs those groups) and those she follows up (F16). Combine with other clauses
 * by spreading: the nurse clause sits under `$and` so a search's `$or` does not collide with it.
 */
export const scopeQuery = async (conn: Connection, scope: PatientScope): Promise<Record<string, unknown>> => {
  if (scope.kind === 'all') return { erasedAt: null }
  // A malformed nurse id matches nothing rather than everything.
  if (!isValidObjectId(scope.nurseId)) return { erasedAt: null, _id: { $in: [] } }
  const nurseId = new Types.ObjectId(scope.nurseId)
  const owned = await communityModel(conn).distinct('_id', { ownerNurseId: nurseId, status: 'active' })
  const members = owned.length
    ? await membershipModel(conn).distinct('patientId', {
        communityId: { $in: owned },
        leftAt: null,
        patientId: { $ne: null },
      })
    : []
  // ... and the patients whose running follow-up enrolment names her as the responsible nurse (F16).
  const enrolled = await enrolmentModel(conn).distinct('patientId', {
    nurseId,
    status: { $in: ['active', 'paused'] },
  })
  const others = [...members, ...enrolled]
  return {
    erasedAt: null,
    $and: [{ $or: [{ assignedNurseId: nurseId }, ...(others.length ? [{ _id: { $in: others } }] : [])] }],
  }
}

const consentsOf = (c: PatientDoc['consents'] | undefined): Record<string, ConsentState> =>
  c instanceof Map ? Object.fromEntries(c) : { ...(c ?? {}) }

export const createPatientStaffRepo = (conn: Connection): PatientStaffRepo => {
  const P = patientModel(conn)
  const A = accountModel(conn)

  const withPhones = async (docs: PatientDoc[]): Promise<StaffPatientRecord[]> => {
    const accountIds = [...new Set(docs.map((d) => d.accountId.toHexString()))].map(
      (id) => new Types.ObjectId(id),
    )
    const accounts = accountIds.length
      ? await A.find({ _id: { $in: accountIds } }, { phone: 1 }).lean<Pick<AccountDoc, '_id' | 'phone'>[]>()
      : []
    const phones = new Map(accounts.map((a) => [a._id.toHexString(), a.phone ?? null]))
    return docs.map((d) => ({
      id: d._id.toHexString(),
      accountId: d.accountId.toHexString(),
      name: d.name ?? null,
      gender: d.gender ?? null,
      birthYear: d.birthYear ?? null,
      hospitalPatientId: d.hospitalPatientId ?? null,
      idNumberMasked: d.idNumberMasked ?? null,
      relation: d.relation,
      assignedNurseId: d.assignedNurseId ? d.assignedNurseId.toHexString() : null,
      consents: consentsOf(d.consents),
      createdAt: d.createdAt,
      phone: (phones.get(d.accountId.toHexString()) as EncryptedValue | null | undefined) ?? null,
    }))
  }

  const searchFilter = async (search: PatientSearch): Promise<Record<string, unknown>> => {
    switch (search.kind) {
      case 'none':
        return {}
      case 'phone': {
        // The phone belongs to the WeChat account: all profiles it manages (self and family) match.
        const accounts = await A.find({ phoneIndex: search.phoneIndex, erasedAt: null }, { _id: 1 }).lean<
          Pick<AccountDoc, '_id'>[]
        >()
        return {
          $or: [{ accountId: { $in: accounts.map((a) => a._id) } }, { hospitalPatientId: search.raw }],
        }
      }
      case 'idNumber':
        return { idNumberIndex: search.idNumberIndex }
      case 'text':
        return {
          $or: [
            { hospitalPatientId: search.text },
            { name: { $regex: `^${escapeRegex(search.text)}`, $options: 'i' } },
          ],
        }
    }
  }

  const findInScope = async (scope: PatientScope, id: string): Promise<StaffPatientRecord | null> => {
    if (!isValidObjectId(id)) return null
    const d = await P.findOne({
      ...(await scopeQuery(conn, scope)),
      _id: new Types.ObjectId(id),
    }).lean<PatientDoc>()
    return d ? ((await withPhones([d]))[0] ?? null) : null
  }

  return {
    async list(scope, search, { skip, limit }) {
      const filter = { ...(await scopeQuery(conn, scope)), ...(await searchFilter(search)) }
      const [total, docs] = await Promise.all([
        P.countDocuments(filter),
        P.find(filter).sort({ createdAt: -1, _id: -1 }).skip(skip).limit(limit).lean<PatientDoc[]>(),
      ])
      return { total, rows: await withPhones(docs) }
    },
    findInScope,
    async assignNurse(scope, id, nurseId) {
      if (!isValidObjectId(id)) return null
      const r = await P.updateOne(
        { ...(await scopeQuery(conn, scope)), _id: new Types.ObjectId(id) },
        { $set: { assignedNurseId: nurseId ? new Types.ObjectId(nurseId) : null } },
      )
      if (r.matchedCount === 0) return null
      return findInScope(scope, id)
    },
  }
}

import { isDuplicateKey } from '../../db/duplicate-key'
import { Types, type Connection } from 'mongoose'
import { accountModel } from '../accounts/account.model'
import { patientModel } from '../patients/patient.model'
import { wecomIdentityModel, type WecomIdentityDoc } from './wecom-identity.model'

export type LinkHow = 'state' | 'unionid' | 'staff'

export interface WecomIdentityRepo {
  /** The patient profile an external contact is, if known. */
  patientOf(externalUserId: string): Promise<string | null>
  /** Every external contact linked to a profile. */
  externalIdsOf(patientId: string): Promise<string[]>
  /**
   * Finds the profile of an external contact: an existing link first, else `state`'s patient (when
   * the caller resolved one), else the account whose unionid matches (its own profile). Records the
   * link it finds (idempotent; a `state` link replaces a unionid guess, never the other way round).
   */
  resolve(o: {
    externalUserId: string
    unionid?: string | null
    statePatientId?: string | null
    at: Date
  }): Promise<string | null>
  /** Links explicitly (a nurse's choice, or a join QR's state). */
  link(
    externalUserId: string,
    patientId: string,
    how: LinkHow,
    at: Date,
    unionid?: string | null,
  ): Promise<void>
  find(externalUserId: string): Promise<WecomIdentityDoc | null>
  /**
   * Erasure (F5): removes the identities linked to the profile, and those still unlinked that carry
   * `unionid` (the account's own). Returns the external contact ids removed.
   */
  erasePatient(patientId: string, unionid?: string | null): Promise<string[]>
}

const STRENGTH: Record<LinkHow, number> = { unionid: 1, state: 2, staff: 3 }

export const createWecomIdentityRepo = (conn: Connection): WecomIdentityRepo => {
  const I = wecomIdentityModel(conn)
  const A = accountModel(conn)
  const P = patientModel(conn)

  const link: WecomIdentityRepo['link'] = async (externalUserId, patientId, how, at, unionid) => {
    const current = await I.findOne({ externalUserId }).lean<WecomIdentityDoc>()
    const stronger =
      !current?.patientId || !current.linkedBy || STRENGTH[how] >= STRENGTH[current.linkedBy as LinkHow]
    const set = {
      ...(unionid ? { unionid } : {}),
      ...(stronger ? { patientId: new Types.ObjectId(patientId), linkedBy: how, linkedAt: at } : {}),
    }
    const update = Object.keys(set).length ? { $set: set } : { $setOnInsert: { externalUserId } }
    // two first deliveries racing on the unique key: the other insert won; apply ours as an update
    await I.updateOne({ externalUserId }, update, { upsert: true }).catch((e: unknown) => {
      if (!isDuplicateKey(e)) throw e
      return I.updateOne({ externalUserId }, update)
    })
  }

  return {
    async patientOf(externalUserId) {
      const d = await I.findOne({ externalUserId }, { patientId: 1 }).lean<WecomIdentityDoc>()
      return d?.patientId ? d.patientId.toHexString() : null
    },
    async externalIdsOf(patientId) {
      if (!Types.ObjectId.isValid(patientId)) return []
      const rows = await I.find({ patientId: new Types.ObjectId(patientId) }, { externalUserId: 1 }).lean<
        WecomIdentityDoc[]
      >()
      return rows.map((r) => r.externalUserId)
    },
    async resolve({ externalUserId, unionid, statePatientId, at }) {
      if (statePatientId) {
        await link(externalUserId, statePatientId, 'state', at, unionid)
        return (
          (await I.findOne({ externalUserId }).lean<WecomIdentityDoc>())?.patientId?.toHexString() ?? null
        )
      }
      const current = await I.findOne({ externalUserId }).lean<WecomIdentityDoc>()
      if (current?.patientId) return current.patientId.toHexString()
      if (unionid) {
        const account = await A.findOne({ unionid, erasedAt: null }, { _id: 1 }).lean<{
          _id: Types.ObjectId
        }>()
        const self = account
          ? await P.findOne({ accountId: account._id, relation: 'self', erasedAt: null }, { _id: 1 }).lean<{
              _id: Types.ObjectId
            }>()
          : null
        if (self) {
          await link(externalUserId, self._id.toHexString(), 'unionid', at, unionid)
          return self._id.toHexString()
        }
      }
      // remember the contact (and its unionid) so a later login or state can link it
      await I.updateOne(
        { externalUserId },
        { $setOnInsert: { externalUserId }, ...(unionid ? { $set: { unionid } } : {}) },
        { upsert: true },
      ).catch((e: unknown) => {
        if (!isDuplicateKey(e)) throw e
      })
      return null
    },
    link,
    find: (externalUserId) => I.findOne({ externalUserId }).lean<WecomIdentityDoc>(),
    async erasePatient(patientId, unionid) {
      const or: Record<string, unknown>[] = []
      if (Types.ObjectId.isValid(patientId)) or.push({ patientId: new Types.ObjectId(patientId) })
      if (unionid) or.push({ unionid })
      if (!or.length) return []
      const rows = await I.find({ $or: or }, { externalUserId: 1 }).lean<WecomIdentityDoc[]>()
      const ids = rows.map((r) => r.externalUserId)
      if (ids.length) await I.deleteMany({ externalUserId: { $in: ids } })
      return ids
    },
  }
}

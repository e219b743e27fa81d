import { isDuplicateKey } from '../../db/duplicate-key'
import { randomUUID } from 'node:crypto'
import { Types, type Connection } from 'mongoose'
import type { EncryptedValue } from '../../privacy/pii-crypto'
import { accountModel, type AccountDoc } from './account.model'

export type AccountRow = AccountDoc

export interface AccountRepo {
  /** Finds the account of an openid or creates it, atomically (one account per openid). */
  findOrCreateByOpenid(input: {
    openid: string
    unionid: string | undefined
    at: Date
  }): Promise<{ account: AccountRow; created: boolean }>
  findById(id: string): Promise<AccountRow | null>
  setActiveProfile(id: string, profileId: string): Promise<void>
  /** Sets the active profile only if none is set yet (first login). */
  initActiveProfile(id: string, profileId: string): Promise<AccountRow | null>
  setPhone(id: string, phone: EncryptedValue, phoneIndex: string): Promise<AccountRow | null>
  findIdsByPhoneIndex(phoneIndex: string): Promise<string[]>
  /** Removes every identifier: the openid becomes an opaque `erased:` value, phone and unionid go. */
  erase(id: string, at: Date): Promise<void>
}

export const createAccountRepo = (conn: Connection): AccountRepo => {
  const M = accountModel(conn)
  return {
    async findOrCreateByOpenid({ openid, unionid, at }) {
      for (let attempt = 0; ; attempt++) {
        try {
          const r = await M.findOneAndUpdate(
            { openid },
            { $setOnInsert: { openid }, $set: { lastLoginAt: at, ...(unionid ? { unionid } : {}) } },
            { upsert: true, new: true, includeResultMetadata: true, lean: true },
          )
          const doc = r.value as AccountRow | null
          if (!doc) throw new Error('upsert returned no document')
          return { account: doc, created: r.lastErrorObject?.updatedExisting === false }
        } catch (e) {
          // Two first logins of one user racing: the loser hits the unique index; the retry finds the winner.
          if (isDuplicateKey(e) && attempt === 0) continue
          throw e
        }
      }
    },
    findById: (id) =>
      Types.ObjectId.isValid(id) ? M.findById(id).lean<AccountRow>() : Promise.resolve(null),
    async setActiveProfile(id, profileId) {
      await M.updateOne({ _id: id }, { $set: { activeProfileId: new Types.ObjectId(profileId) } })
    },
    initActiveProfile: (id, profileId) =>
      M.findOneAndUpdate(
        { _id: id, activeProfileId: null },
        { $set: { activeProfileId: new Types.ObjectId(profileId) } },
        { new: true },
      ).lean<AccountRow>(),
    setPhone: (id, phone, phoneIndex) =>
      M.findByIdAndUpdate(id, { $set: { phone, phoneIndex } }, { new: true }).lean<AccountRow>(),
    async findIdsByPhoneIndex(phoneIndex) {
      const rows = await M.find({ phoneIndex, erasedAt: null }, { _id: 1 }).lean<{ _id: Types.ObjectId }[]>()
      return rows.map((r) => r._id.toHexString())
    },
    async erase(id, at) {
      await M.updateOne(
        { _id: id },
        {
          $set: {
            openid: `erased:${randomUUID()}`,
            unionid: null,
            phone: null,
            phoneIndex: null,
            erasedAt: at,
          },
          $unset: { lastLoginAt: 1 },
        },
      )
    },
  }
}

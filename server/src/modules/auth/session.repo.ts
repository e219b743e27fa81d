import { Types, type Connection } from 'mongoose'
import { sessionModel, type SessionDoc } from './session.model'

export type SessionRow = SessionDoc

export interface SessionRepo {
  create(input: { accountId: string; tokenHash: string; familyId: string; expiresAt: Date }): Promise<void>
  findByHash(tokenHash: string): Promise<SessionRow | null>
  /** Marks a live session rotated; null when it was already rotated, revoked or expired (a race or a replay). */
  claimForRotation(id: Types.ObjectId, at: Date): Promise<SessionRow | null>
  revokeFamily(familyId: string, at: Date): Promise<void>
  revokeAccount(accountId: string, at: Date): Promise<void>
  listByAccount(accountId: string): Promise<SessionRow[]>
  /** Deletes sessions expired before `at`; returns how many. */
  deleteExpired(at: Date): Promise<number>
}

export const createSessionRepo = (conn: Connection): SessionRepo => {
  const M = sessionModel(conn)
  return {
    async create({ accountId, tokenHash, familyId, expiresAt }) {
      await M.create({ accountId: new Types.ObjectId(accountId), tokenHash, familyId, expiresAt })
    },
    findByHash: (tokenHash) => M.findOne({ tokenHash }).lean<SessionRow>(),
    claimForRotation: (id, at) =>
      M.findOneAndUpdate(
        { _id: id, rotatedAt: null, revokedAt: null, expiresAt: { $gt: at } },
        { $set: { rotatedAt: at } },
        { new: true },
      ).lean<SessionRow>(),
    async revokeFamily(familyId, at) {
      await M.updateMany({ familyId, revokedAt: null }, { $set: { revokedAt: at } })
    },
    async revokeAccount(accountId, at) {
      await M.updateMany(
        { accountId: new Types.ObjectId(accountId), revokedAt: null },
        { $set: { revokedAt: at } },
      )
    },
    listByAccount: (accountId) =>
      M.find({ accountId: new Types.ObjectId(accountId) })
        .sort({ createdAt: 1 })
        .lean<SessionRow[]>(),
    async deleteExpired(at) {
      const r = await M.deleteMany({ expiresAt: { $lt: at } })
      return r.deletedCount
    },
  }
}

import { Types, type Connection } from 'mongoose'
import { sessionModel } from './session.model'

export interface SessionRepo {
  create(input: { patientId: string; tokenHash: string; familyId: string; expiresAt: Date }): Promise<void>
  countActive(patientId: string, at: Date): Promise<number>
  /** Deletes sessions expired before `at`; returns how many. */
  deleteExpired(at: Date): Promise<number>
}

export const createSessionRepo = (conn: Connection): SessionRepo => {
  const M = sessionModel(conn)
  return {
    async create({ patientId, tokenHash, familyId, expiresAt }) {
      await M.create({ patientId: new Types.ObjectId(patientId), tokenHash, familyId, expiresAt })
    },
    async countActive(patientId, at) {
      return M.countDocuments({
        patientId: new Types.ObjectId(patientId),
        revokedAt: null,
        expiresAt: { $gt: at },
      })
    },
    async deleteExpired(at) {
      const r = await M.deleteMany({ expiresAt: { $lt: at } })
      return r.deletedCount
    },
  }
}

import { Types, type Connection } from 'mongoose'
import { consentEventModel, type ConsentEventDoc } from './consent.model'

export type ConsentEventRow = ConsentEventDoc

export interface ConsentRepo {
  append(
    e: Omit<ConsentEventRow, '_id' | 'patientId' | 'accountId'> & { patientId: string; accountId: string },
  ): Promise<void>
  history(patientId: string): Promise<ConsentEventRow[]>
}

export const createConsentRepo = (conn: Connection): ConsentRepo => {
  const M = consentEventModel(conn)
  return {
    async append(e) {
      await M.create({
        ...e,
        patientId: new Types.ObjectId(e.patientId),
        accountId: new Types.ObjectId(e.accountId),
      })
    },
    history: (patientId) =>
      M.find({ patientId: new Types.ObjectId(patientId) })
        .sort({ at: -1, _id: -1 })
        .lean<ConsentEventRow[]>(),
  }
}

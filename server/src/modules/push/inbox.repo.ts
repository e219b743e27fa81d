import { Types, type Connection } from 'mongoose'
import { inboxModel, type InboxDoc } from './inbox.model'

/** The message centre's reads and read marks, always scoped to one account. */
export interface InboxRepo {
  list(accountId: string, o: { patientId?: string; cursor?: string; limit: number }): Promise<InboxDoc[]>
  unread(accountId: string): Promise<number>
  /** Marks one of the account's messages read; false when the account has no such message. */
  markRead(accountId: string, id: string, at: Date): Promise<boolean>
  markAllRead(accountId: string, at: Date): Promise<number>
  /** Erasure of a profile's messages. */
  erasePatient(patientId: string): Promise<void>
}

const oid = (id: string): Types.ObjectId => new Types.ObjectId(id)

export const createInboxRepo = (conn: Connection): InboxRepo => {
  const M = inboxModel(conn)
  return {
    list(accountId, o) {
      const q: Record<string, unknown> = { accountId: oid(accountId) }
      if (o.patientId) q.patientId = oid(o.patientId)
      if (o.cursor) q._id = { $lt: oid(o.cursor) }
      return M.find(q).sort({ _id: -1 }).limit(o.limit).lean<InboxDoc[]>()
    },
    unread: (accountId) => M.countDocuments({ accountId: oid(accountId), readAt: null }),
    async markRead(accountId, id, at) {
      const mine = { _id: oid(id), accountId: oid(accountId) }
      // a second read keeps the first read time
      const r = await M.updateOne({ ...mine, readAt: null }, { $set: { readAt: at } })
      return r.modifiedCount === 1 || (await M.exists(mine)) !== null
    },
    async markAllRead(accountId, at) {
      const r = await M.updateMany({ accountId: oid(accountId), readAt: null }, { $set: { readAt: at } })
      return r.modifiedCount
    },
    async erasePatient(patientId) {
      if (Types.ObjectId.isValid(patientId)) await M.deleteMany({ patientId: oid(patientId) })
    },
  }
}

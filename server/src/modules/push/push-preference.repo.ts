import { Types, type Connection } from 'mongoose'
import { isDuplicateKey } from '../../db/duplicate-key'
import { pushCapModel, pushPreferenceModel, type PushPreferenceDoc } from './push-preference.model'

export type QuietHoursValue = { start: string; end: string } | null

/** Accounts' quiet hours, and the per-patient daily frequency-cap counters. */
export interface PushPreferenceRepo {
  /** The account's own quiet hours; null = the hospital's default. */
  get(accountId: string): Promise<QuietHoursValue>
  set(accountId: string, quietHours: QuietHoursValue, at: Date): Promise<void>
  /** The accounts among these that have their own quiet hours (a batch's accounts in one query). */
  quietHoursOf(accountIds: Types.ObjectId[]): Promise<Map<string, { start: string; end: string }>>
  /** Counts one message under `key` if fewer than `max` are counted; false when the day is full. */
  reserveCap(key: string, max: number, expiresAt: Date): Promise<boolean>
  releaseCap(key: string): Promise<void>
}

export const createPushPreferenceRepo = (conn: Connection): PushPreferenceRepo => {
  const P = pushPreferenceModel(conn)
  const C = pushCapModel(conn)
  return {
    async get(accountId) {
      const d = await P.findOne({ accountId: new Types.ObjectId(accountId) }).lean<PushPreferenceDoc>()
      return d?.quietHours ?? null
    },
    async set(accountId, quietHours, at) {
      const filter = { accountId: new Types.ObjectId(accountId) }
      const update = { $set: { quietHours, updatedAt: at } }
      try {
        await P.updateOne(filter, update, { upsert: true })
      } catch (e) {
        if (!isDuplicateKey(e)) throw e
        await P.updateOne(filter, update)
      }
    },
    async quietHoursOf(accountIds) {
      if (!accountIds.length) return new Map()
      const docs = await P.find({ accountId: { $in: accountIds } }).lean<PushPreferenceDoc[]>()
      return new Map(
        docs.flatMap((d) => (d.quietHours ? [[d.accountId.toHexString(), d.quietHours] as const] : [])),
      )
    },
    // Counters are written by `_id` alone (the local engine scans for any other filter): count,
    // then give back a count that went over (or under) the bound.
    async reserveCap(key, max, expiresAt) {
      if (max <= 0) return false
      for (let attempt = 0; attempt < 2; attempt++) {
        try {
          const after = await C.findOneAndUpdate(
            { _id: key },
            { $inc: { count: 1 }, $setOnInsert: { expiresAt } },
            { upsert: true, new: true },
          ).lean<{ count: number }>()
          if (after && after.count <= max) return true
          await C.updateOne({ _id: key }, { $inc: { count: -1 } })
          return false
        } catch (e) {
          // a racing first insert of the day's counter: the second try counts in the winner's
          if (!isDuplicateKey(e)) throw e
        }
      }
      return false
    },
    async releaseCap(key) {
      const after = await C.findOneAndUpdate({ _id: key }, { $inc: { count: -1 } }, { new: true }).lean<{
        count: number
      }>()
      if (after && after.count < 0) await C.updateOne({ _id: key }, { $inc: { count: 1 } })
    },
  }
}

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
    async reserveCap(key, max, expiresAt) {
      if (max <= 0) return false
      for (let attempt = 0; attempt < 2; attempt++) {
        try {
          await C.updateOne(
            { _id: key, count: { $lt: max } },
            { $inc: { count: 1 }, $setOnInsert: { expiresAt } },
            { upsert: true },
          )
          return true
        } catch (e) {
          // a full day (the guard failed, the upsert met the existing counter) or a racing first insert
          if (!isDuplicateKey(e)) throw e
        }
      }
      return false
    },
    async releaseCap(key) {
      await C.updateOne({ _id: key, count: { $gt: 0 } }, { $inc: { count: -1 } })
    },
  }
}

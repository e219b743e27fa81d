import type { Connection } from 'mongoose'
import { isDuplicateKey } from '../../db/duplicate-key'
import {
  subscribeCreditModel,
  subscribeRequestModel,
  type SubscribeCreditDoc,
} from './subscribe-credit.model'

/**
 * The subscribe-credit ledger (platform §2.6) with single-document atomic updates only:
 * reserve = `$inc -1` guarded by `credits > 0`; refund = `$inc +1`; a 43101 (refused or no credit
 * on WeChat's side) sets credits to 0 / clears `subscribed`, since WeChat knows better than we do.
 */
export interface SubscribeCreditRepo {
  /** One-time: takes one credit if there is one. Long-term: true while subscribed. */
  reserve(openid: string, templateId: string, longTerm: boolean): Promise<boolean>
  refund(openid: string, templateId: string, longTerm: boolean): Promise<void>
  /** WeChat answered 43101: nothing more may be sent with this template until the user accepts again. */
  exhaust(openid: string, templateId: string, longTerm: boolean, at: Date): Promise<void>
  /** One accept of a one-time template: one more credit. */
  addCredit(openid: string, templateId: string, at: Date): Promise<void>
  /** A long-term template's accept (true) or reject / ban (false). */
  setSubscribed(openid: string, templateId: string, subscribed: boolean, at: Date): Promise<void>
  list(openid: string): Promise<SubscribeCreditDoc[]>
  /** Remembers a client request id; false when it was seen before (the repeat is ignored). */
  firstRequest(key: string, scene: string, at: Date): Promise<boolean>
}

export const createSubscribeCreditRepo = (conn: Connection): SubscribeCreditRepo => {
  const M = subscribeCreditModel(conn)
  const R = subscribeRequestModel(conn)
  /** An upsert on the unique key: a racing first insert retries once as an update. */
  const upsert = async (filter: { openid: string; templateId: string }, update: object): Promise<void> => {
    try {
      await M.updateOne(filter, update, { upsert: true })
    } catch (e) {
      if (!isDuplicateKey(e)) throw e
      await M.updateOne(filter, update)
    }
  }
  return {
    async reserve(openid, templateId, longTerm) {
      if (longTerm) return (await M.exists({ openid, templateId, subscribed: true })) !== null
      const r = await M.updateOne({ openid, templateId, credits: { $gt: 0 } }, { $inc: { credits: -1 } })
      return r.modifiedCount === 1
    },
    async refund(openid, templateId, longTerm) {
      if (longTerm) return
      await M.updateOne({ openid, templateId }, { $inc: { credits: 1 } })
    },
    async exhaust(openid, templateId, longTerm, at) {
      await M.updateOne(
        { openid, templateId },
        { $set: longTerm ? { subscribed: false, updatedAt: at } : { credits: 0, updatedAt: at } },
      )
    },
    addCredit: (openid, templateId, at) =>
      upsert(
        { openid, templateId },
        {
          $inc: { credits: 1 },
          $set: { updatedAt: at },
          $setOnInsert: { longTerm: false, subscribed: false },
        },
      ),
    setSubscribed: (openid, templateId, subscribed, at) =>
      upsert(
        { openid, templateId },
        { $set: { subscribed, updatedAt: at }, $setOnInsert: { longTerm: true, credits: 0 } },
      ),
    list: (openid) => M.find({ openid }).lean<SubscribeCreditDoc[]>(),
    async firstRequest(key, scene, at) {
      try {
        await R.create({ _id: key, scene, at })
        return true
      } catch (e) {
        if (isDuplicateKey(e)) return false
        throw e
      }
    },
  }
}

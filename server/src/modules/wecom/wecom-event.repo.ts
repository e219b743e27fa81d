import { isDuplicateKey } from '../../db/duplicate-key'
import type { WecomEventInput } from '@careloop/shared'
import type { Connection } from 'mongoose'
import { wecomEventModel, type WecomEventDoc } from './wecom-event.model'

const isDuplicate = isDuplicateKey

/** A processing claim older than this is taken to be abandoned (a crash mid-way) and may be retried. */
export const CLAIM_LEASE_MS = 60_000

export type Claim = { claimed: true; attempt: number } | { claimed: false; row: WecomEventDoc }

export interface WecomEventRepo {
  /**
   * Records a delivery and claims it for processing: a new key, a failed earlier delivery or an
   * abandoned claim is claimed; anything else (done, or being processed right now) is a duplicate.
   */
  claim(e: WecomEventInput, now: Date): Promise<Claim>
  finish(dedupeKey: string, outcome: string, now: Date): Promise<void>
  fail(dedupeKey: string, error: string, now: Date): Promise<void>
  find(dedupeKey: string): Promise<WecomEventDoc | null>
}

export const createWecomEventRepo = (conn: Connection): WecomEventRepo => {
  const M = wecomEventModel(conn)
  return {
    async claim(e, now) {
      try {
        await M.create({
          dedupeKey: e.dedupeKey,
          event: e.event,
          changeType: e.changeType,
          eventAt: new Date(e.createTime * 1000),
          payload: e,
          status: 'processing',
          attempts: 1,
          receivedAt: now,
          claimedAt: now,
        })
        return { claimed: true, attempt: 1 }
      } catch (err) {
        if (!isDuplicate(err)) throw err
      }
      const retried = await M.findOneAndUpdate(
        {
          dedupeKey: e.dedupeKey,
          $or: [
            { status: 'failed' },
            { status: 'processing', claimedAt: { $lt: new Date(now.getTime() - CLAIM_LEASE_MS) } },
          ],
        },
        { $set: { status: 'processing', claimedAt: now, error: null }, $inc: { attempts: 1 } },
        { new: true },
      ).lean<WecomEventDoc>()
      if (retried) return { claimed: true, attempt: retried.attempts }
      const row = await M.findOne({ dedupeKey: e.dedupeKey }).lean<WecomEventDoc>()
      return { claimed: false, row: row! }
    },
    async finish(dedupeKey, outcome, now) {
      await M.updateOne({ dedupeKey }, { $set: { status: 'done', outcome, error: null, processedAt: now } })
    },
    async fail(dedupeKey, error, now) {
      await M.updateOne(
        { dedupeKey },
        { $set: { status: 'failed', outcome: 'failed', error: error.slice(0, 2000), processedAt: now } },
      )
    },
    find: (dedupeKey) => M.findOne({ dedupeKey }).lean<WecomEventDoc>(),
  }
}

import type { ReadEvent } from '@careloop/shared'
import { Types, type Connection } from 'mongoose'
import { isDuplicateKey } from '../../db/duplicate-key'
import { contentReadModel, type ContentReadDoc } from './content.model'

export class ReadIdTakenError extends Error {}

export interface ReadTotals {
  opens: number
  uniqueReaders: number
  totalSeconds: number
  completed: number
}

export interface ContentReadRepo {
  /**
   * The opening `readId` of `profileId` on `articleId`, created on its first event (whatever event
   * arrives first). Throws ReadIdTakenError when the id belongs to another profile or article.
   */
  touch(r: {
    readId: string
    profileId: string
    articleId: string
    version: number
    campaignRunId?: string
    event: ReadEvent
    now: Date
  }): Promise<ContentReadDoc>
  /** Raises the recorded seconds to `seconds` (never lowers them); marks completed when asked. */
  progress(readId: string, seconds: number, complete: boolean, now: Date): Promise<ContentReadDoc>
  markPointsDone(readId: string): Promise<void>
  /** Completed openings whose points earn was not answered (a ledger outage), oldest first. */
  pointsPending(limit: number): Promise<ContentReadDoc[]>
  totals(articleId: string): Promise<ReadTotals>
  forCampaign(campaignRunId: string): Promise<ContentReadDoc[]>
}

export const createContentReadRepo = (conn: Connection): ContentReadRepo => {
  const R = contentReadModel(conn)
  const oid = (id: string) => new Types.ObjectId(id)
  return {
    async touch(r) {
      const filter = { readId: r.readId, profileId: oid(r.profileId), articleId: oid(r.articleId) }
      const update = {
        $setOnInsert: {
          version: r.version,
          ...(r.campaignRunId ? { campaignRunId: r.campaignRunId } : {}),
          seconds: 0,
          completed: false,
          completedAt: null,
          pointsDone: false,
          openedAt: r.now,
        },
        $addToSet: { events: r.event },
        $max: { lastEventAt: r.now },
      }
      const upsert = () =>
        R.findOneAndUpdate(filter, update, { upsert: true, new: true }).lean<ContentReadDoc>()
      try {
        return await upsert()
      } catch (e) {
        if (!isDuplicateKey(e)) throw e
        // two first events raced (the other one created it), or the id is someone else's
        const existing = await R.findOne(filter).lean<ContentReadDoc>()
        if (!existing) throw new ReadIdTakenError(r.readId)
        return await upsert()
      }
    },
    async progress(readId, seconds, complete, now) {
      const set = complete ? { completed: true, completedAt: now } : {}
      const doc = await R.findOneAndUpdate(
        { readId },
        { $max: { seconds }, ...(complete ? { $set: set } : {}) },
        { new: true },
      ).lean<ContentReadDoc>()
      return doc!
    },
    async markPointsDone(readId) {
      await R.updateOne({ readId }, { $set: { pointsDone: true } })
    },
    pointsPending: (limit) =>
      R.find({ completed: true, pointsDone: false })
        .sort({ completedAt: 1 })
        .limit(limit)
        .lean<ContentReadDoc[]>(),
    async totals(articleId) {
      const rows = await R.aggregate<{
        _id: null
        opens: number
        seconds: number
        completed: number
        readers: unknown[]
      }>([
        { $match: { articleId: oid(articleId) } },
        {
          $group: {
            _id: null,
            opens: { $sum: 1 },
            seconds: { $sum: '$seconds' },
            completed: { $sum: { $cond: ['$completed', 1, 0] } },
            readers: { $addToSet: '$profileId' },
          },
        },
      ])
      const t = rows[0]
      return t
        ? { opens: t.opens, uniqueReaders: t.readers.length, totalSeconds: t.seconds, completed: t.completed }
        : { opens: 0, uniqueReaders: 0, totalSeconds: 0, completed: 0 }
    },
    forCampaign: (campaignRunId) =>
      R.find({ campaignRunId }).sort({ openedAt: 1, _id: 1 }).lean<ContentReadDoc[]>(),
  }
}

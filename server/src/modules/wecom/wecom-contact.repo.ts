import { isDuplicateKey } from '../../db/duplicate-key'
import type { Connection } from 'mongoose'
import { wecomContactModel, type WecomContactDoc } from './wecom-contact.model'

const isDuplicate = isDuplicateKey

export interface Pair {
  userId: string
  externalUserId: string
}

export interface WecomContactRepo {
  /**
   * Records that `userId` follows `externalUserId` since `since` (idempotent per event). Re-adding an
   * ended pair starts a new period and keeps the old one in `history`. An event older than the newest
   * one applied to the pair is ignored (returns false).
   */
  followed(
    p: Pair & {
      since: Date
      state: string | null
      addWay: 'add_external_contact' | 'add_half_external_contact'
      at: Date
    },
  ): Promise<boolean>
  /** Marks the relation ended (kept as history). Returns false for an out-of-date event. */
  ended(p: Pair & { by: 'staff' | 'customer'; source: string | null; at: Date }): Promise<boolean>
  setWelcome(p: Pair, w: { status: string; at: Date; error?: string | null }): Promise<void>
  find(p: Pair): Promise<WecomContactDoc | null>
  /** The live relations of these external contacts. */
  activeOf(externalUserIds: string[]): Promise<WecomContactDoc[]>
  /** Replaces what we know of the pair's corp tags (of our group). */
  setCorpTags(p: Pair, corpTagIds: string[]): Promise<void>
  /** Records a successful mark_tag on the pair. */
  markCorpTags(p: Pair, add: string[], remove: string[]): Promise<void>
  /** Forgets corp tags that no longer exist, on every pair. */
  forgetCorpTags(corpTagIds: string[]): Promise<void>
  /** Erasure: removes every relation of these external contacts. */
  eraseExternal(externalUserIds: string[]): Promise<void>
}

export const createWecomContactRepo = (conn: Connection): WecomContactRepo => {
  const M = wecomContactModel(conn)
  const key = (p: Pair) => ({ userId: p.userId, externalUserId: p.externalUserId })
  /** Not older than the newest event already applied. */
  const fresh = (at: Date) => ({ lastEventAt: { $lte: at } })

  return {
    async followed(p) {
      for (let attempt = 0; attempt < 2; attempt++) {
        const cur = await M.findOne(key(p)).lean<WecomContactDoc>()
        if (!cur) {
          try {
            await M.create({
              ...key(p),
              since: p.since,
              state: p.state,
              addWay: p.addWay,
              lastEventAt: p.at,
              history: [],
            })
            return true
          } catch (e) {
            if (!isDuplicate(e)) throw e
            continue // a concurrent first delivery inserted it: apply ours as an update
          }
        }
        if (cur.lastEventAt > p.at) return false
        const newPeriod = cur.endedAt !== null && cur.since?.getTime() !== p.since.getTime()
        const r = await M.updateOne(
          { ...key(p), ...fresh(p.at) },
          {
            $set: {
              since: p.since,
              state: p.state,
              addWay: p.addWay,
              endedAt: null,
              endedBy: null,
              endSource: null,
              lastEventAt: p.at,
              ...(newPeriod ? { welcome: null, corpTags: null } : {}),
            },
            ...(newPeriod
              ? { $push: { history: { since: cur.since, endedAt: cur.endedAt, endedBy: cur.endedBy } } }
              : {}),
          },
        )
        return r.matchedCount > 0
      }
      return false
    },
    async ended(p) {
      try {
        const r = await M.updateOne(
          { ...key(p), ...fresh(p.at) },
          {
            $set: { endedAt: p.at, endedBy: p.by, endSource: p.source, lastEventAt: p.at },
            $setOnInsert: { since: null, state: null, addWay: null, history: [], corpTags: null },
          },
          { upsert: true },
        )
        return r.matchedCount > 0 || r.upsertedCount > 0
      } catch (e) {
        // the pair exists with a newer event: the upsert collided with it
        if (isDuplicate(e)) return false
        throw e
      }
    },
    async setWelcome(p, w) {
      // a retry finds the code used (41051): that must not hide that our first attempt sent it
      const filter = w.status === 'already_sent' ? { ...key(p), 'welcome.status': { $ne: 'sent' } } : key(p)
      await M.updateOne(filter, { $set: { welcome: { status: w.status, at: w.at, error: w.error ?? null } } })
    },
    find: (p) => M.findOne(key(p)).lean<WecomContactDoc>(),
    activeOf: (ids) =>
      ids.length
        ? M.find({ externalUserId: { $in: ids }, endedAt: null })
            .sort({ since: 1 })
            .lean<WecomContactDoc[]>()
        : Promise.resolve([]),
    async setCorpTags(p, corpTagIds) {
      await M.updateOne(key(p), { $set: { corpTags: [...new Set(corpTagIds)].sort() } })
    },
    async markCorpTags(p, add, remove) {
      const cur = await M.findOne(key(p), { corpTags: 1 }).lean<Pick<WecomContactDoc, 'corpTags'>>()
      if (!cur) return
      const next = new Set(cur.corpTags ?? [])
      for (const t of add) next.add(t)
      for (const t of remove) next.delete(t)
      await M.updateOne(key(p), { $set: { corpTags: [...next].sort() } })
    },
    async forgetCorpTags(corpTagIds) {
      if (corpTagIds.length)
        await M.updateMany({ corpTags: { $in: corpTagIds } }, { $pull: { corpTags: { $in: corpTagIds } } })
    },
    async eraseExternal(ids) {
      if (ids.length) await M.deleteMany({ externalUserId: { $in: ids } })
    },
  }
}

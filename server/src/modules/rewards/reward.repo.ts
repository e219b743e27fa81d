import type { RewardCategory } from '@careloop/shared'
import { Types, type Connection } from 'mongoose'
import { isDuplicateKey } from '../../db/duplicate-key'
import { rewardClaimModel, rewardModel, type RestockEntry, type RewardDoc } from './reward.model'

/** A reward without its bookkeeping arrays (what lists and presenters need). */
export type RewardRow = Omit<RewardDoc, 'holds' | 'restocks'>

export type NewReward = Omit<RewardDoc, '_id' | 'holds' | 'restocks' | 'totalStock' | 'updatedAt'>
export type RewardChanges = Partial<
  Pick<
    RewardDoc,
    | 'name'
    | 'description'
    | 'imageUrl'
    | 'category'
    | 'pointsCost'
    | 'perPatientLimit'
    | 'validFrom'
    | 'validUntil'
    | 'active'
    | 'tierRequired'
  >
>

export type TakeStock = 'taken' | 'out_of_stock' | 'inactive' | 'not_found'
export type Restock = 'applied' | 'duplicate' | 'insufficient' | 'not_found'

export interface RewardRepo {
  create(r: NewReward): Promise<RewardRow>
  findById(id: string): Promise<RewardRow | null>
  list(filter: { active?: boolean; category?: RewardCategory }): Promise<RewardRow[]>
  update(id: string, changes: RewardChanges, now: Date): Promise<RewardRow | null>
  /** Adds `delta` (negative: withdraws, never below 0) once per `requestId`. */
  restock(id: string, entry: RestockEntry): Promise<Restock>
  /** Takes one unit for redemption `rid` (once: a repeat answers `taken` and changes nothing). */
  takeStock(id: string, rid: string, now: Date): Promise<TakeStock>
  /** Gives the unit of `rid` back if it still holds one; true when it did now. */
  returnStock(id: string, rid: string, now: Date): Promise<boolean>
  /** The unit of a fulfilled redemption is gone for good: forget the hold (stock unchanged). */
  dropHold(id: string, rid: string): Promise<void>
  /** Counts `rid` against the profile's limit for the reward (once); false when the limit is reached. */
  takeClaim(profileId: string, rewardId: string, rid: string, limit: number): Promise<boolean>
  /** Stops counting `rid` (if it was counted). */
  returnClaim(profileId: string, rewardId: string, rid: string): Promise<void>
  /** Units each reward has counted against the profile (pending, issued, fulfilled). */
  claimCounts(profileId: string): Promise<Map<string, number>>
}

const oid = (id: string) => new Types.ObjectId(id)
const ROW = { holds: 0, restocks: 0 } as const
/** Guarded upserts collide (E11000) when two start at once; a few retries settle it. */
const UPSERT_TRIES = 5

export const createRewardRepo = (conn: Connection): RewardRepo => {
  const R = rewardModel(conn)
  const C = rewardClaimModel(conn)
  const valid = (id: string) => Types.ObjectId.isValid(id)
  return {
    async create(r) {
      const doc = await R.create({
        ...r,
        totalStock: r.stock,
        holds: [],
        restocks: [],
        updatedAt: r.createdAt,
      })
      const { holds: _h, restocks: _r, ...row } = doc.toObject()
      return row
    },
    findById: (id) => (valid(id) ? R.findById(id, ROW).lean<RewardRow>() : Promise.resolve(null)),
    list: (f) =>
      R.find(
        {
          ...(f.active === undefined ? {} : { active: f.active }),
          ...(f.category ? { category: f.category } : {}),
        },
        ROW,
      )
        .sort({ createdAt: -1, _id: -1 })
        .lean<RewardRow[]>(),
    update: (id, changes, now) =>
      valid(id)
        ? R.findOneAndUpdate(
            { _id: oid(id) },
            { $set: { ...changes, updatedAt: now } },
            { new: true, projection: ROW },
          ).lean<RewardRow>()
        : Promise.resolve(null),
    async restock(id, e) {
      if (!valid(id)) return 'not_found'
      const r = await R.updateOne(
        {
          _id: oid(id),
          'restocks.requestId': { $ne: e.requestId },
          ...(e.delta < 0 ? { stock: { $gte: -e.delta } } : {}),
        },
        { $inc: { stock: e.delta, totalStock: e.delta }, $push: { restocks: e }, $set: { updatedAt: e.at } },
      )
      if (r.modifiedCount === 1) return 'applied'
      const d = await R.findById(id, { _id: 1, restocks: { $elemMatch: { requestId: e.requestId } } }).lean<{
        restocks?: RestockEntry[]
      }>()
      if (!d) return 'not_found'
      return d.restocks?.length ? 'duplicate' : 'insufficient'
    },
    async takeStock(id, rid, now) {
      const r = await R.updateOne(
        { _id: oid(id), active: true, stock: { $gte: 1 }, holds: { $ne: rid } },
        { $inc: { stock: -1 }, $push: { holds: rid }, $set: { updatedAt: now } },
      )
      if (r.modifiedCount === 1) return 'taken'
      if (await R.exists({ _id: oid(id), holds: rid })) return 'taken'
      const d = await R.findById(id, { active: 1 }).lean<{ active: boolean }>()
      if (!d) return 'not_found'
      return d.active ? 'out_of_stock' : 'inactive'
    },
    async returnStock(id, rid, now) {
      const r = await R.updateOne(
        { _id: oid(id), holds: rid },
        { $inc: { stock: 1 }, $pull: { holds: rid }, $set: { updatedAt: now } },
      )
      return r.modifiedCount === 1
    },
    async dropHold(id, rid) {
      await R.updateOne({ _id: oid(id), holds: rid }, { $pull: { holds: rid } })
    },
    async takeClaim(profileId, rewardId, rid, limit) {
      const key = { profileId: oid(profileId), rewardId: oid(rewardId) }
      for (let i = 0; i < UPSERT_TRIES; i++) {
        try {
          // No defaults on insert: `count` and `holders` come from the $inc and $push alone.
          await C.updateOne(
            { ...key, holders: { $ne: rid }, count: { $lt: limit } },
            { $inc: { count: 1 }, $push: { holders: rid } },
            { upsert: true, setDefaultsOnInsert: false },
          )
          return true
        } catch (e) {
          if (!isDuplicateKey(e)) throw e
          // The counter exists and the guard missed: counted already, at the limit, or a racing insert.
          const d = await C.findOne(key).lean()
          if (d?.holders.includes(rid)) return true
          if (d && d.count >= limit) return false
        }
      }
      throw new Error(`reward claim for ${profileId}/${rewardId} kept colliding`)
    },
    async returnClaim(profileId, rewardId, rid) {
      await C.updateOne(
        { profileId: oid(profileId), rewardId: oid(rewardId), holders: rid },
        { $inc: { count: -1 }, $pull: { holders: rid } },
      )
    },
    async claimCounts(profileId) {
      const rows = await C.find(
        { profileId: oid(profileId), count: { $gt: 0 } },
        { rewardId: 1, count: 1 },
      ).lean()
      return new Map(rows.map((r) => [r.rewardId.toHexString(), r.count]))
    },
  }
}

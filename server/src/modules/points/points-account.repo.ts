import { createHash } from 'node:crypto'
import type { Connection, mongo, Types } from 'mongoose'
import { isDuplicateKey, writeErrorsByIndex } from '../../db/duplicate-key'
import { createGroupCommit } from '../../db/group-commit'
import { pointsAccountModel, type JournalItem, type PointsAccountDoc } from './points.model'

/**
 * Accounts (`points_accounts`): every balance change is ONE document write that also puts the entry
 * it is for into the account's journal (see points.model.ts). Two ways to write:
 * - `cas`: compare-and-set on `{_id, ver}` against a copy of the account (read, or the last one this
 *   process saw: points-account-cache.ts); every change's normal path. The filter is exactly the keys
 *   of the unique index `{_id, ver}`, the only kind of filter the local engine answers from an index.
 *   Concurrent changes go to the database together (group commit): one unordered bulk write. When
 *   it reports every change applied, each answers the account it computes from its copy and the
 *   change (`afterChange`, what the update does); otherwise one read of the accounts by `_id` tells:
 *   a change applied iff its journal item (its own ObjectId) is in the account read back;
 * - `debit`: a guarded decrement `{balance ≥ amount, journal has no item for this refKey}` without a
 *   read: a spend's fallback when its compare-and-set lost a race (no retry loop on a busy account;
 *   this filter scans the collection on the local engine, so it is not the normal path).
 * Raw driver calls: no mongoose casting on the hot path.
 */

/** The journal key of a reference key (field names may not hold `.` or start with `$`). */
export const journalKey = (refKey: string): string =>
  createHash('sha256').update(refKey).digest('base64url').slice(0, 22)

export interface AccountChange {
  /** Signed balance change. */
  amount: number
  h: string
  item: JournalItem
  /** Further counters to increment (caps, earned month). */
  inc?: Record<string, number>
  /** Paths to remove: journal items known recorded (`j.<h>`), stale caps and months. */
  unset?: string[]
}

export interface PointsAccountRepo {
  read(profileId: Types.ObjectId): Promise<PointsAccountDoc | null>
  /**
   * Applies `change` if the account is still as in `snap` (its `ver`; null: not created yet).
   * Applied: a copy of the account with the change (read back, it may already hold later changes;
   * the balance right after this one is `snap`'s plus `change.amount`). Not applied (moved on): null.
   */
  cas(
    profileId: Types.ObjectId,
    snap: PointsAccountDoc | null,
    change: AccountChange,
  ): Promise<PointsAccountDoc | null>
  /**
   * Takes `-change.amount` points if the balance allows and the journal has no item under `change.h`;
   * the account after, or null (insufficient, a retry in flight, or no account).
   */
  debit(profileId: Types.ObjectId, change: AccountChange): Promise<PointsAccountDoc | null>
  /** Undoes a journal item's effect (a late duplicate); false when the item is gone or, for credits, spent. */
  undo(profileId: Types.ObjectId, h: string, item: JournalItem, now: Date): Promise<boolean>
  /** Removes journal items whose entries are recorded (each only if it is still that item). */
  trim(profileId: Types.ObjectId, items: { h: string; id: Types.ObjectId }[]): Promise<void>
  /** Accounts with journal writes at or after `since` (all accounts with a journal when null). */
  withJournal(since: Date | null): Promise<PointsAccountDoc[]>
  /** Sum and count of positive balances. */
  totals(): Promise<{ outstanding: number; accounts: number }>
  /** Profiles with a positive balance and that balance. */
  positiveBalances(): Promise<Map<string, number>>
}

const updateOf = (c: AccountChange, now: Date): mongo.UpdateFilter<mongo.Document> => {
  const mine = `j.${c.h}`
  const unset = Object.fromEntries((c.unset ?? []).filter((p) => p !== mine).map((p) => [p, '']))
  return {
    $inc: { balance: c.amount, ver: 1, ...c.inc },
    $set: { [`j.${c.h}`]: c.item, updatedAt: now },
    $max: { jAt: now },
    ...(Object.keys(unset).length ? { $unset: unset } : {}),
  }
}

/** The account `updateOf(change)` makes of `snap` (null: the upsert of a new account). */
export const afterChange = (
  profileId: Types.ObjectId,
  snap: PointsAccountDoc | null,
  c: AccountChange,
): PointsAccountDoc => {
  const now = c.item.createdAt
  const cap = { ...snap?.cap }
  const earned = { ...snap?.earned }
  const j = { ...snap?.j }
  for (const [path, n] of Object.entries(c.inc ?? {})) {
    const [field, key] = path.split(/\.(.*)/s) as [string, string]
    if (field === 'cap') cap[key] = (cap[key] ?? 0) + n
    else if (field === 'earned') earned[key] = (earned[key] ?? 0) + n
    else throw new Error(`afterChange: no counter ${path}`)
  }
  for (const path of c.unset ?? []) {
    const [field, key] = path.split(/\.(.*)/s) as [string, string]
    if (field === 'cap') delete cap[key]
    else if (field === 'earned') delete earned[key]
    else if (field === 'j' && key !== c.h) delete j[key]
  }
  j[c.h] = c.item
  return {
    _id: profileId,
    ver: (snap?.ver ?? 0) + 1,
    balance: (snap?.balance ?? 0) + c.amount,
    cap,
    earned,
    j,
    jAt: snap?.jAt && snap.jAt > now ? snap.jAt : now,
    updatedAt: now,
  }
}

interface CasCall {
  profileId: Types.ObjectId
  snap: PointsAccountDoc | null
  change: AccountChange
}

export const createPointsAccountRepo = (conn: Connection): PointsAccountRepo => {
  const A = pointsAccountModel(conn).collection as unknown as mongo.Collection<PointsAccountDoc>

  const casGrouped = createGroupCommit<CasCall, PointsAccountDoc | null>(async (calls) => {
    const failed = new Map<number, string>()
    let all = false
    try {
      const r = await A.bulkWrite(
        calls.map(({ profileId, snap, change }) => ({
          updateOne: {
            filter: { _id: profileId, ver: snap?.ver ?? 0 },
            update: updateOf(change, change.item.createdAt),
            upsert: !snap,
          },
        })),
        { ordered: false },
      )
      all = r.modifiedCount + r.upsertedCount === calls.length
    } catch (err) {
      // a duplicate key is an upsert of {_id, ver: 0} when someone created the account first
      for (const [i, w] of writeErrorsByIndex(err))
        if (!isDuplicateKey(w)) failed.set(i, w.errmsg ?? String(w.code))
    }
    if (all) return calls.map(({ profileId, snap, change }) => afterChange(profileId, snap, change))
    const ids = [...new Map(calls.map((c) => [c.profileId.toHexString(), c.profileId])).values()]
    const latest = new Map(
      (await A.find({ _id: { $in: ids } }).toArray()).map((a) => [a._id.toHexString(), a]),
    )
    return calls.map(({ profileId, change }, i) => {
      const f = failed.get(i)
      if (f !== undefined) return new Error(`points account write failed: ${f}`)
      const a = latest.get(profileId.toHexString())
      return a?.j?.[change.h]?.id.equals(change.item.id) ? a : null
    })
  })

  return {
    read: (profileId) => A.findOne({ _id: profileId }),

    cas: (profileId, snap, change) => casGrouped({ profileId, snap, change }),

    debit: (profileId, change) =>
      A.findOneAndUpdate(
        { _id: profileId, balance: { $gte: -change.amount }, [`j.${change.h}`]: { $exists: false } },
        updateOf(change, change.item.createdAt),
        { returnDocument: 'after' },
      ),

    async undo(profileId, h, item, now) {
      const inc = Object.fromEntries(Object.entries(item.inc).map(([k, v]) => [k, -v]))
      const r = await A.updateOne(
        {
          _id: profileId,
          [`j.${h}.id`]: item.id,
          ...(item.amount > 0 ? { balance: { $gte: item.amount } } : {}),
        },
        {
          $inc: { balance: -item.amount, ver: 1, ...inc },
          $unset: { [`j.${h}`]: '' },
          $set: { updatedAt: now },
        },
      )
      return r.modifiedCount === 1
    },

    async trim(profileId, items) {
      if (!items.length) return
      const filter = Object.fromEntries(items.map((i) => [`j.${i.h}.id`, i.id]))
      const unset = Object.fromEntries(
        items.map((i) => [`j.${i.h}`, '']),
      ) as mongo.UpdateFilter<PointsAccountDoc>['$unset']
      const r = await A.updateOne({ _id: profileId, ...filter }, { $unset: unset })
      if (r.modifiedCount === 1 || items.length === 1) return
      // one of them changed meanwhile: trim the others one by one
      for (const i of items)
        await A.updateOne({ _id: profileId, [`j.${i.h}.id`]: i.id }, { $unset: { [`j.${i.h}`]: '' } })
    },

    withJournal: (since) =>
      A.find(since ? { jAt: { $gte: since } } : { jAt: { $ne: null } }, { projection: { cap: 0, earned: 0 } })
        .toArray()
        .then((rows) => rows.filter((r) => Object.keys(r.j ?? {}).length > 0)),

    async totals() {
      const [t] = await A.aggregate<{ outstanding: number; accounts: number }>([
        { $match: { balance: { $gt: 0 } } },
        { $group: { _id: null, outstanding: { $sum: '$balance' }, accounts: { $sum: 1 } } },
      ]).toArray()
      return { outstanding: t?.outstanding ?? 0, accounts: t?.accounts ?? 0 }
    },

    async positiveBalances() {
      const out = new Map<string, number>()
      const cursor = A.find({ balance: { $gt: 0 } }, { projection: { balance: 1 } })
      for await (const a of cursor) out.set(a._id.toHexString(), a.balance)
      return out
    },
  }
}

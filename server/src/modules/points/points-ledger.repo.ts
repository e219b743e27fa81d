import type { EarnRuleId, PointsEntryKind } from '@careloop/shared'
import { Types, type Connection, type mongo } from 'mongoose'
import { isDuplicateKey, writeErrorsByIndex } from '../../db/duplicate-key'
import { createGroupCommit } from '../../db/group-commit'
import { pointsEntryModel, type PointsEntryDoc } from './points.model'

/**
 * The append-only ledger (`points_ledger`): inserted, never updated or deleted. Raw driver calls.
 * Local engine note: only `{refKey}` and `{_id}` / `{_id: {$in}}` lookups use an index there; the
 * per-profile queries scan (MongoDB uses the declared indexes).
 */

export type InsertResult =
  | { kind: 'inserted' }
  /** This very entry (same id) was already recorded, e.g. by the reconciliation job. */
  | { kind: 'same' }
  /** The refKey is taken by another entry: a late duplicate. */
  | { kind: 'duplicate'; existing: PointsEntryDoc }

export interface MonthRow {
  kind: PointsEntryKind
  rule: EarnRuleId | null
  points: number
  count: number
}

export interface PointsLedgerRepo {
  insert(e: PointsEntryDoc): Promise<InsertResult>
  /** The entry of a refKey; the lookups of concurrent callers go as one `$in` query. */
  findByRefKey(refKey: string): Promise<PointsEntryDoc | null>
  findByIds(ids: Types.ObjectId[]): Promise<PointsEntryDoc[]>
  /** A profile's entries, newest first, before the entry `before` (exclusive), without zero amounts. */
  list(profileId: Types.ObjectId, before: Types.ObjectId | null, limit: number): Promise<PointsEntryDoc[]>
  /** A profile's lots (earned points, grants) still valid after `t`: id and amount. */
  lotsAfter(profileId: Types.ObjectId, t: Date): Promise<{ _id: Types.ObjectId; amount: number }[]>
  /** The first expiry in (from, to] among a profile's lots, if any. */
  firstExpiry(profileId: Types.ObjectId, from: Date, to: Date): Promise<Date | null>
  /** Profiles with lots expiring in (from, to] and the first such expiry of each. */
  expiringIn(from: Date | null, to: Date): Promise<Map<string, Date>>
  /** Profiles with refunds recorded since `since`. */
  refundedSince(since: Date): Promise<string[]>
  /** Per profile, the points of lots still valid after `t`. */
  lotsAfterByProfile(t: Date): Promise<Map<string, number>>
  /** Days (`at`) of a profile's check-ins, newest first. */
  checkins(profileId: Types.ObjectId, limit: number): Promise<Date[]>
  /** A period's movements by kind and rule. */
  movements(from: Date, to: Date): Promise<MonthRow[]>
}

const LOT = { kind: { $in: ['earn', 'adjust'] as PointsEntryKind[] }, amount: { $gt: 0 } }

export const createPointsLedgerRepo = (conn: Connection): PointsLedgerRepo => {
  const L = pointsEntryModel(conn).collection as unknown as mongo.Collection<PointsEntryDoc>
  /** Concurrent refKey lookups as one query (the unique index answers `$in`, also on the local engine). */
  const findByRefKey = createGroupCommit<string, PointsEntryDoc | null>(async (keys) => {
    const found = new Map(
      (await L.find({ refKey: { $in: [...new Set(keys)] } }).toArray()).map((e) => [e.refKey, e]),
    )
    return keys.map((k) => found.get(k) ?? null)
  })
  /**
   * Inserts of concurrent changes go together (group commit, unordered): one command for a batch.
   * Each entry answers alone: inserted, or its refKey already taken (then looked up), or its error.
   */
  const insertGrouped = createGroupCommit<PointsEntryDoc, InsertResult>(async (batch) => {
    let failed = new Map<number, { code?: unknown; errmsg?: string }>()
    try {
      await L.insertMany(batch, { ordered: false })
    } catch (err) {
      failed = writeErrorsByIndex(err)
    }
    return Promise.all(
      batch.map(async (e, i): Promise<InsertResult | Error> => {
        const f = failed.get(i)
        if (!f) return { kind: 'inserted' }
        if (!isDuplicateKey(f)) return new Error(`points ledger insert failed: ${f.errmsg ?? String(f.code)}`)
        const existing = await findByRefKey(e.refKey)
        if (!existing) return new Error(`points ledger insert failed: ${f.errmsg ?? 'duplicate key'}`)
        return existing._id.equals(e._id) ? { kind: 'same' } : { kind: 'duplicate', existing }
      }),
    )
  })
  return {
    insert: insertGrouped,
    findByRefKey,
    findByIds: (ids) => (ids.length ? L.find({ _id: { $in: ids } }).toArray() : Promise.resolve([])),
    list: (profileId, before, limit) =>
      L.find({ profileId, amount: { $ne: 0 }, ...(before ? { _id: { $lt: before } } : {}) })
        .sort({ _id: -1 })
        .limit(limit)
        .toArray(),
    lotsAfter: (profileId, t) =>
      L.find({ profileId, expiresAt: { $gt: t }, ...LOT }, { projection: { amount: 1 } }).toArray(),
    async firstExpiry(profileId, from, to) {
      const [d] = await L.find({ profileId, expiresAt: { $gt: from, $lte: to }, ...LOT })
        .sort({ expiresAt: 1 })
        .limit(1)
        .toArray()
      return d?.expiresAt ?? null
    },
    async expiringIn(from, to) {
      const out = new Map<string, Date>()
      const rows = await L.aggregate<{ _id: Types.ObjectId; first: Date }>([
        { $match: { expiresAt: from ? { $gt: from, $lte: to } : { $lte: to, $ne: null }, ...LOT } },
        { $group: { _id: '$profileId', first: { $min: '$expiresAt' } } },
      ]).toArray()
      for (const r of rows) out.set(r._id.toHexString(), r.first)
      return out
    },
    async refundedSince(since) {
      const ids = await L.distinct('profileId', { kind: 'refund', createdAt: { $gte: since } })
      return ids.map((id) => id.toHexString())
    },
    async lotsAfterByProfile(t) {
      const out = new Map<string, number>()
      const rows = await L.aggregate<{ _id: Types.ObjectId; points: number }>([
        { $match: { expiresAt: { $gt: t }, ...LOT } },
        { $group: { _id: '$profileId', points: { $sum: '$amount' } } },
      ]).toArray()
      for (const r of rows) out.set(r._id.toHexString(), r.points)
      return out
    },
    async checkins(profileId, limit) {
      const rows = await L.find({ profileId, rule: 'checkin' }, { projection: { at: 1 } })
        .sort({ at: -1 })
        .limit(limit)
        .toArray()
      return rows.map((r) => r.at)
    },
    async movements(from, to) {
      const rows = await L.aggregate<{
        _id: { kind: PointsEntryKind; rule: EarnRuleId | null }
        points: number
        count: number
      }>([
        { $match: { at: { $gte: from, $lt: to } } },
        {
          $group: { _id: { kind: '$kind', rule: '$rule' }, points: { $sum: '$amount' }, count: { $sum: 1 } },
        },
      ]).toArray()
      return rows.map((r) => ({
        kind: r._id.kind,
        rule: r._id.rule ?? null,
        points: r.points,
        count: r.count,
      }))
    },
  }
}

export const oid = (id: string): Types.ObjectId | null =>
  Types.ObjectId.isValid(id) && /^[0-9a-f]{24}$/i.test(id) ? new Types.ObjectId(id) : null

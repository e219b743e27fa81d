import { Types, type Connection } from 'mongoose'
import { isDuplicateKey } from '../../db/duplicate-key'
import {
  redemptionModel,
  type RedemptionCancel,
  type RedemptionDoc,
  type StoredRedemptionStatus,
} from './redemption.model'

export type NewRedemption = Pick<
  RedemptionDoc,
  | '_id'
  | 'profileId'
  | 'accountId'
  | 'requestId'
  | 'rewardId'
  | 'rewardName'
  | 'category'
  | 'pointsCost'
  | 'perPatientLimit'
  | 'leaseOwner'
  | 'leaseUntil'
  | 'createdAt'
>

export class CodeTakenError extends Error {}

export interface RedemptionFilter {
  statuses?: StoredRedemptionStatus[]
  rewardId?: string
  profileIds?: string[]
  code?: string
  from?: Date
  to?: Date
}

/** Statuses the repair job moves when their lease ran out. */
export type RepairableStatus = 'pending' | 'failing' | 'cancelling'

export interface RedemptionRepo {
  /** Inserts a pending redemption, or answers the one with the same (profile, requestId). */
  insertPending(r: NewRedemption): Promise<{ redemption: RedemptionDoc; created: boolean }>
  findById(id: string): Promise<RedemptionDoc | null>
  findByRequest(profileId: string, requestId: string): Promise<RedemptionDoc | null>
  /** Takes over a repairable row whose lease ran out (null when someone else holds it or it moved on). */
  takeLease(
    id: string,
    status: RepairableStatus,
    owner: string,
    now: Date,
    until: Date,
  ): Promise<RedemptionDoc | null>
  /** Repairable rows whose lease ran out, oldest first. */
  dueForRepair(now: Date, limit: number): Promise<RedemptionDoc[]>
  /** Issued rows past their expiry. */
  dueForExpiry(now: Date, limit: number): Promise<RedemptionDoc[]>
  /** Terminal rows due for their settle pass. */
  dueForSettle(now: Date, limit: number): Promise<RedemptionDoc[]>
  /** pending (held by `owner`) → issued with `code`; null when not pending or not `owner`'s; CodeTakenError on a collision. */
  issue(
    id: Types.ObjectId,
    owner: string,
    set: { code: string; issuedAt: Date; expiresAt: Date | null },
  ): Promise<RedemptionDoc | null>
  /** pending (held by `owner`) → failing. */
  markFailing(
    id: Types.ObjectId,
    owner: string,
    fail: { code: string; reason: string },
    now: Date,
    leaseUntil: Date,
  ): Promise<RedemptionDoc | null>
  /** issued → cancelling. */
  markCancelling(
    id: Types.ObjectId,
    cancel: RedemptionCancel,
    leaseUntil: Date,
  ): Promise<RedemptionDoc | null>
  /** failing → failed, cancelling → cancelled / expired; null when it was not in `from`. */
  finish(
    id: Types.ObjectId,
    from: 'failing' | 'cancelling',
    to: 'failed' | 'cancelled' | 'expired',
    now: Date,
    settleAt: Date,
  ): Promise<RedemptionDoc | null>
  /** issued with this code → fulfilled. */
  fulfil(
    id: Types.ObjectId,
    code: string,
    by: string,
    now: Date,
    settleAt: Date,
  ): Promise<RedemptionDoc | null>
  markSettled(id: Types.ObjectId, now: Date): Promise<void>
  mine(profileId: string, statuses: StoredRedemptionStatus[]): Promise<RedemptionDoc[]>
  list(
    f: RedemptionFilter,
    page: { skip: number; limit: number },
  ): Promise<{ total: number; rows: RedemptionDoc[] }>
  /** Redemptions per reward and status (the staff catalogue's counts). */
  countsByReward(
    rewardIds: Types.ObjectId[],
  ): Promise<{ rewardId: string; status: StoredRedemptionStatus; n: number }[]>
}

const MINE_LIMIT = 200

export const createRedemptionRepo = (conn: Connection): RedemptionRepo => {
  const M = redemptionModel(conn)
  const valid = (id: string) => Types.ObjectId.isValid(id)
  const oid = (id: string) => new Types.ObjectId(id)
  const move = (filter: Record<string, unknown>, set: Record<string, unknown>) =>
    M.findOneAndUpdate(filter, { $set: set }, { new: true }).lean<RedemptionDoc>()
  const filterOf = (f: RedemptionFilter): Record<string, unknown> => ({
    ...(f.statuses ? { status: { $in: f.statuses } } : {}),
    ...(f.rewardId ? { rewardId: oid(f.rewardId) } : {}),
    ...(f.profileIds ? { profileId: { $in: f.profileIds.map(oid) } } : {}),
    ...(f.code ? { code: f.code } : {}),
    ...(f.from || f.to
      ? { createdAt: { ...(f.from ? { $gte: f.from } : {}), ...(f.to ? { $lt: f.to } : {}) } }
      : {}),
  })
  return {
    async insertPending(r) {
      try {
        const doc = await M.create({
          ...r,
          status: 'pending',
          failCode: null,
          failReason: null,
          updatedAt: r.createdAt,
          issuedAt: null,
          expiresAt: null,
          fulfilledAt: null,
          fulfilledBy: null,
          cancel: null,
          cancelledAt: null,
          settleAt: null,
          settledAt: null,
        })
        return { redemption: doc.toObject(), created: true }
      } catch (e) {
        if (!isDuplicateKey(e)) throw e
        const first = await M.findOne({
          profileId: r.profileId,
          requestId: r.requestId,
        }).lean<RedemptionDoc>()
        if (!first) throw e
        return { redemption: first, created: false }
      }
    },
    findById: (id) => (valid(id) ? M.findById(id).lean<RedemptionDoc>() : Promise.resolve(null)),
    findByRequest: (profileId, requestId) =>
      M.findOne({ profileId: oid(profileId), requestId }).lean<RedemptionDoc>(),
    takeLease: (id, status, owner, now, until) =>
      move(
        { _id: oid(id), status, leaseUntil: { $lt: now } },
        { leaseOwner: owner, leaseUntil: until, updatedAt: now },
      ),
    dueForRepair: (now, limit) =>
      M.find({ status: { $in: ['pending', 'failing', 'cancelling'] }, leaseUntil: { $lt: now } })
        .sort({ leaseUntil: 1 })
        .limit(limit)
        .lean<RedemptionDoc[]>(),
    dueForExpiry: (now, limit) =>
      M.find({ status: 'issued', expiresAt: { $ne: null, $lte: now } })
        .sort({ expiresAt: 1 })
        .limit(limit)
        .lean<RedemptionDoc[]>(),
    dueForSettle: (now, limit) =>
      M.find({ settledAt: null, settleAt: { $ne: null, $lte: now } })
        .sort({ settleAt: 1 })
        .limit(limit)
        .lean<RedemptionDoc[]>(),
    async issue(id, owner, set) {
      try {
        return await move(
          { _id: id, status: 'pending', leaseOwner: owner },
          { status: 'issued', ...set, updatedAt: set.issuedAt, leaseOwner: null, leaseUntil: null },
        )
      } catch (e) {
        if (isDuplicateKey(e)) throw new CodeTakenError(set.code)
        throw e
      }
    },
    markFailing: (id, owner, fail, now, leaseUntil) =>
      move(
        { _id: id, status: 'pending', leaseOwner: owner },
        { status: 'failing', failCode: fail.code, failReason: fail.reason, updatedAt: now, leaseUntil },
      ),
    markCancelling: (id, cancel, leaseUntil) =>
      move({ _id: id, status: 'issued' }, { status: 'cancelling', cancel, updatedAt: cancel.at, leaseUntil }),
    finish: (id, from, to, now, settleAt) =>
      move(
        { _id: id, status: from },
        {
          status: to,
          updatedAt: now,
          leaseOwner: null,
          leaseUntil: null,
          settleAt,
          ...(from === 'cancelling' ? { cancelledAt: now } : {}),
        },
      ),
    fulfil: (id, code, by, now, settleAt) =>
      move(
        { _id: id, status: 'issued', code },
        { status: 'fulfilled', fulfilledAt: now, fulfilledBy: by, updatedAt: now, settleAt },
      ),
    async markSettled(id, now) {
      await M.updateOne({ _id: id }, { $set: { settledAt: now } })
    },
    mine: (profileId, statuses) =>
      M.find({ profileId: oid(profileId), status: { $in: statuses } })
        .sort({ createdAt: -1, _id: -1 })
        .limit(MINE_LIMIT)
        .lean<RedemptionDoc[]>(),
    async list(f, page) {
      const filter = filterOf(f)
      const [total, rows] = await Promise.all([
        M.countDocuments(filter),
        M.find(filter)
          .sort({ createdAt: -1, _id: -1 })
          .skip(page.skip)
          .limit(page.limit)
          .lean<RedemptionDoc[]>(),
      ])
      return { total, rows }
    },
    async countsByReward(rewardIds) {
      if (!rewardIds.length) return []
      const rows = await M.aggregate<{ _id: { r: Types.ObjectId; s: StoredRedemptionStatus }; n: number }>([
        { $match: { rewardId: { $in: rewardIds } } },
        { $group: { _id: { r: '$rewardId', s: '$status' }, n: { $sum: 1 } } },
      ])
      return rows.map((x) => ({ rewardId: x._id.r.toHexString(), status: x._id.s, n: x.n }))
    },
  }
}

import { isDuplicateKey } from '../../db/duplicate-key'
import { isValidObjectId, Types, type Connection } from 'mongoose'
import {
  sendQuotaModel,
  sopItemModel,
  type EscalationState,
  type SendQuotaDoc,
  type SopItemDoc,
  type SopStatusValue,
} from './community.model'

export class DuplicateSopRequestError extends Error {}

const isDuplicate = isDuplicateKey
const oid = (id: string | Types.ObjectId): Types.ObjectId =>
  typeof id === 'string' ? new Types.ObjectId(id) : id

export interface NewSopItem {
  communityId: string
  text: string
  sendAt: Date
  month: string
  confirmHours: number
  createdBy: string
  dedupeKey?: string
}

/** The statuses of a task WeCom holds (created, not yet confirmed). */
export const PENDING: SopStatusValue = 'PENDING_CONFIRMATION'

export interface SopRepo {
  /** Reserves one mass send of `month` for the community unless `cap` are reserved already. */
  reserve(communityId: string, month: string, cap: number): Promise<boolean>
  /** Gives a reservation back (cancelled, failed before WeCom had the task, expired unconfirmed). */
  release(communityId: Types.ObjectId, month: string): Promise<void>
  used(communityId: Types.ObjectId, month: string): Promise<number>
  /** Throws DuplicateSopRequestError when `dedupeKey` was used before. */
  create(i: NewSopItem): Promise<SopItemDoc>
  findById(id: string): Promise<SopItemDoc | null>
  findByDedupeKey(key: string): Promise<SopItemDoc | null>
  list(communityId: string, limit: number): Promise<SopItemDoc[]>
  countPending(communityId: Types.ObjectId): Promise<number>
  /** Tasks awaiting confirmation, of some communities (or all), earliest deadline first. */
  pending(communityIds: Types.ObjectId[] | null): Promise<SopItemDoc[]>
  /**
   * Claims one item whose task must be created now: a due SCHEDULED item, or a CREATING item
   * whose lease expired (its worker died or gave up). Atomic: one claimer per item.
   */
  claimDue(owner: string, now: Date, leaseUntil: Date): Promise<SopItemDoc | null>
  /** CREATING (still ours) → PENDING_CONFIRMATION with WeCom's msgid; false when the lease was lost. */
  toPending(
    id: Types.ObjectId,
    owner: string,
    t: { msgid: string; sender: string; taskCreatedAt: Date; deadline: Date },
  ): Promise<boolean>
  /** CREATING (ours) → the lease ends at `at`, when a tick retries (after looking for the task). */
  retryLater(id: Types.ObjectId, owner: string, at: Date, failure: string): Promise<void>
  /** Ends an item as FAILED from `from` (and, for CREATING, only while `owner` holds it). */
  fail(id: Types.ObjectId, from: SopStatusValue, failure: string, owner?: string): Promise<boolean>
  msgidTaken(msgid: string): Promise<boolean>
  /** PENDING_CONFIRMATION items whose next poll is due. */
  pollDue(now: Date, limit: number): Promise<SopItemDoc[]>
  setNextPoll(id: Types.ObjectId, at: Date): Promise<void>
  /** PENDING_CONFIRMATION → SENT / FAILED / EXPIRED; false when it is no longer pending. */
  finish(
    id: Types.ObjectId,
    to: 'SENT' | 'FAILED' | 'EXPIRED',
    e: { sentAt?: Date; failure?: string },
  ): Promise<boolean>
  /** Pending items past their deadline whose escalation is not done (or whose claim went stale). */
  overdue(now: Date, staleBefore: Date, limit: number): Promise<SopItemDoc[]>
  claimEscalation(id: Types.ObjectId, now: Date, staleBefore: Date): Promise<boolean>
  setEscalation(id: Types.ObjectId, state: EscalationState | null, to: string[]): Promise<void>
  /** Pending items whose deadline passed before `before` (they expire). */
  stale(before: Date, limit: number): Promise<SopItemDoc[]>
  /** SCHEDULED / PENDING_CONFIRMATION → CANCELLED; null when the item was not in `from`. */
  cancel(id: Types.ObjectId, from: SopStatusValue, by: string, at: Date): Promise<SopItemDoc | null>
}

export const createSopRepo = (conn: Connection): SopRepo => {
  const S = sopItemModel(conn)
  const Q = sendQuotaModel(conn)
  return {
    async reserve(communityId, month, cap) {
      try {
        const r = await Q.findOneAndUpdate(
          { communityId: oid(communityId), month, used: { $lt: cap } },
          { $inc: { used: 1 } },
          { upsert: true, new: true },
        ).lean<SendQuotaDoc>()
        return r !== null && r.used <= cap
      } catch (e) {
        // the counter exists and is at the cap: the guarded filter missed and the upsert collided
        if (isDuplicate(e)) return false
        throw e
      }
    },
    async release(communityId, month) {
      await Q.updateOne({ communityId, month, used: { $gt: 0 } }, { $inc: { used: -1 } })
    },
    async used(communityId, month) {
      const d = await Q.findOne({ communityId, month }).lean<SendQuotaDoc>()
      return d?.used ?? 0
    },
    async create(i) {
      try {
        const doc = await S.create({
          communityId: oid(i.communityId),
          text: i.text,
          sendAt: i.sendAt,
          month: i.month,
          confirmHours: i.confirmHours,
          status: 'SCHEDULED',
          createdBy: i.createdBy,
          ...(i.dedupeKey ? { dedupeKey: i.dedupeKey } : {}),
        })
        return doc.toObject<SopItemDoc>()
      } catch (e) {
        if (isDuplicate(e)) throw new DuplicateSopRequestError(i.dedupeKey ?? '')
        throw e
      }
    },
    findById: (id) => (isValidObjectId(id) ? S.findById(id).lean<SopItemDoc>() : Promise.resolve(null)),
    findByDedupeKey: (key) => S.findOne({ dedupeKey: key }).lean<SopItemDoc>(),
    list: (communityId, limit) =>
      S.find({ communityId: oid(communityId) })
        .sort({ sendAt: -1, _id: -1 })
        .limit(limit)
        .lean<SopItemDoc[]>(),
    countPending: (communityId) => S.countDocuments({ communityId, status: PENDING }),
    pending: (communityIds) =>
      S.find({ status: PENDING, ...(communityIds ? { communityId: { $in: communityIds } } : {}) })
        .sort({ deadline: 1, _id: 1 })
        .lean<SopItemDoc[]>(),
    claimDue: (owner, now, leaseUntil) =>
      S.findOneAndUpdate(
        {
          $or: [
            { status: 'SCHEDULED', sendAt: { $lte: now } },
            { status: 'CREATING', leaseUntil: { $lte: now } },
          ],
        },
        { $set: { status: 'CREATING', leaseOwner: owner, leaseUntil }, $inc: { attempts: 1 } },
        { new: true, sort: { sendAt: 1, _id: 1 } },
      ).lean<SopItemDoc>(),
    async toPending(id, owner, t) {
      const r = await S.updateOne(
        { _id: id, status: 'CREATING', leaseOwner: owner },
        {
          $set: {
            status: PENDING,
            msgid: t.msgid,
            sender: t.sender,
            taskCreatedAt: t.taskCreatedAt,
            deadline: t.deadline,
            nextPollAt: t.taskCreatedAt,
            leaseOwner: null,
            leaseUntil: new Date(0),
            failure: null,
          },
        },
      )
      return r.modifiedCount === 1
    },
    async retryLater(id, owner, at, failure) {
      await S.updateOne(
        { _id: id, status: 'CREATING', leaseOwner: owner },
        { $set: { leaseUntil: at, failure } },
      )
    },
    async fail(id, from, failure, owner) {
      const r = await S.updateOne(
        { _id: id, status: from, ...(owner ? { leaseOwner: owner } : {}) },
        { $set: { status: 'FAILED', failure, leaseOwner: null } },
      )
      return r.modifiedCount === 1
    },
    async msgidTaken(msgid) {
      return (await S.countDocuments({ msgid })) > 0
    },
    pollDue: (now, limit) =>
      S.find({ status: PENDING, nextPollAt: { $lte: now } })
        .sort({ nextPollAt: 1 })
        .limit(limit)
        .lean<SopItemDoc[]>(),
    async setNextPoll(id, at) {
      await S.updateOne({ _id: id, status: PENDING }, { $set: { nextPollAt: at } })
    },
    async finish(id, to, e) {
      const r = await S.updateOne(
        { _id: id, status: PENDING },
        {
          $set: {
            status: to,
            ...(e.sentAt ? { sentAt: e.sentAt } : {}),
            ...(e.failure ? { failure: e.failure } : {}),
          },
        },
      )
      return r.modifiedCount === 1
    },
    overdue: (now, staleBefore, limit) =>
      S.find({
        status: PENDING,
        deadline: { $lte: now },
        $or: [{ escalationState: null }, { escalationState: 'sending', escalationAt: { $lte: staleBefore } }],
      })
        .sort({ deadline: 1 })
        .limit(limit)
        .lean<SopItemDoc[]>(),
    async claimEscalation(id, now, staleBefore) {
      const r = await S.updateOne(
        {
          _id: id,
          status: PENDING,
          $or: [
            { escalationState: null },
            { escalationState: 'sending', escalationAt: { $lte: staleBefore } },
          ],
        },
        { $set: { escalationState: 'sending', escalationAt: now } },
      )
      return r.modifiedCount === 1
    },
    async setEscalation(id, state, to) {
      await S.updateOne({ _id: id }, { $set: { escalationState: state, escalatedTo: to } })
    },
    stale: (before, limit) =>
      S.find({ status: PENDING, deadline: { $lte: before } })
        .limit(limit)
        .lean<SopItemDoc[]>(),
    cancel: (id, from, by, at) =>
      S.findOneAndUpdate(
        { _id: id, status: from },
        { $set: { status: 'CANCELLED', cancelledAt: at, cancelledBy: by, leaseOwner: null } },
        { new: true },
      ).lean<SopItemDoc>(),
  }
}

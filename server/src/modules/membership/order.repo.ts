import type { OrderStatus } from '@careloop/shared'
import { isValidObjectId, Types, type Connection } from 'mongoose'
import { isDuplicateKey } from '../../db/duplicate-key'
import { orderModel, type OrderDoc, type OrderFlag, type OrderRefundEntry } from './order.model'

export type { OrderDoc, OrderFlag, OrderRefundEntry }

export type NewOrder = Pick<
  OrderDoc,
  | 'outTradeNo'
  | 'accountId'
  | 'profileId'
  | 'requestId'
  | 'plan'
  | 'amountFen'
  | 'description'
  | 'payerOpenid'
  | 'createdAt'
  | 'expiresAt'
>

/** What the platform said about a payment. */
export interface PaidFacts {
  paidAt: Date
  paidFen: number
  transactionId: string | null
}

export interface StaffOrderFilter {
  status?: OrderStatus
  profileId?: string
  outTradeNo?: string
  from?: Date
  to?: Date
}

export interface OrderRepo {
  /**
   * Inserts a PENDING order. `created: false` with the first order when this account already used
   * the requestId; throws `outTradeNoTaken` on the (astronomically rare) random-number collision.
   */
  insert(o: NewOrder): Promise<{ order: OrderDoc; created: boolean }>
  findById(id: string): Promise<OrderDoc | null>
  findByOutTradeNo(outTradeNo: string): Promise<OrderDoc | null>
  listByAccount(accountId: string, limit: number): Promise<OrderDoc[]>
  list(
    f: StaffOrderFilter,
    page: { skip: number; limit: number },
  ): Promise<{ total: number; rows: OrderDoc[] }>
  setPrepay(id: Types.ObjectId, prepayId: string, payParams: Record<string, string>): Promise<OrderDoc | null>
  /** PENDING → PAID; null when the order was not PENDING. */
  markPaid(id: Types.ObjectId, facts: PaidFacts): Promise<OrderDoc | null>
  /** `from` → FLAGGED with the reason; null when the order was not in `from`. */
  markFlagged(
    id: Types.ObjectId,
    from: OrderStatus,
    flag: OrderFlag,
    facts: PaidFacts,
  ): Promise<OrderDoc | null>
  /** PENDING → CLOSED; null when the order was not PENDING. */
  markClosed(id: Types.ObjectId, at: Date): Promise<OrderDoc | null>
  markGranted(id: Types.ObjectId, grant: { from: Date; until: Date }, at: Date): Promise<OrderDoc | null>
  markPointsAwarded(id: Types.ObjectId, points: number): Promise<OrderDoc | null>
  markChecked(id: Types.ObjectId, at: Date): Promise<void>
  markRevoked(id: Types.ObjectId, at: Date): Promise<OrderDoc | null>
  /**
   * Replaces the refunds (and the fields derived from them) if the order is still at `rev`; null
   * when someone else wrote it first (re-read and try again).
   */
  setRefunds(
    id: Types.ObjectId,
    rev: number,
    set: { refunds: OrderRefundEntry[]; refundedFen: number; status: OrderStatus },
  ): Promise<OrderDoc | null>
  /** Corrects what was paid (a FLAGGED order, from the platform's own query) if still at `rev`. */
  setPaidFen(id: Types.ObjectId, rev: number, paidFen: number): Promise<OrderDoc | null>
  findByRefundNo(outRefundNo: string): Promise<OrderDoc | null>
  /** PENDING orders past their expiry, oldest first. */
  expiredPending(now: Date, limit: number): Promise<OrderDoc[]>
  /** PENDING orders made before `createdBefore`, not checked since `checkedBefore`. */
  stalePending(createdBefore: Date, checkedBefore: Date, limit: number): Promise<OrderDoc[]>
  /** PAID orders whose grant or points may not have been applied. */
  paidNotGranted(limit: number): Promise<OrderDoc[]>
  /**
   * Orders with a refund still open (CREATED: not accepted yet; PROCESSING) or a full refund whose
   * membership was not ended yet. ABNORMAL refunds wait for staff (and a later notify).
   */
  withOpenRefunds(limit: number): Promise<OrderDoc[]>
}

export class OutTradeNoTaken extends Error {}

const oid = (id: string): Types.ObjectId | null => (isValidObjectId(id) ? new Types.ObjectId(id) : null)

export const createOrderRepo = (conn: Connection): OrderRepo => {
  const O = orderModel(conn)
  const update = (filter: Record<string, unknown>, set: Record<string, unknown>): Promise<OrderDoc | null> =>
    O.findOneAndUpdate(filter, { $set: set, $inc: { rev: 1 } }, { new: true }).lean<OrderDoc>()
  return {
    async insert(o) {
      try {
        const d = await O.create({ ...o, status: 'PENDING', refunds: [], refundedFen: 0, rev: 0 })
        return { order: d.toObject<OrderDoc>(), created: true }
      } catch (e) {
        if (!isDuplicateKey(e)) throw e
        const first = await O.findOne({ accountId: o.accountId, requestId: o.requestId }).lean<OrderDoc>()
        if (first) return { order: first, created: false }
        throw new OutTradeNoTaken(o.outTradeNo)
      }
    },
    async findById(id) {
      const o = oid(id)
      return o ? O.findById(o).lean<OrderDoc>() : null
    },
    findByOutTradeNo: (outTradeNo) => O.findOne({ outTradeNo }).lean<OrderDoc>(),
    async listByAccount(accountId, limit) {
      const a = oid(accountId)
      return a
        ? O.find({ accountId: a }).sort({ createdAt: -1, _id: -1 }).limit(limit).lean<OrderDoc[]>()
        : []
    },
    async list(f, page) {
      const q: Record<string, unknown> = {}
      if (f.status) q.status = f.status
      if (f.profileId) q.profileId = oid(f.profileId)
      if (f.outTradeNo) q.outTradeNo = f.outTradeNo
      if (f.from || f.to)
        q.createdAt = { ...(f.from ? { $gte: f.from } : {}), ...(f.to ? { $lt: f.to } : {}) }
      const [total, rows] = await Promise.all([
        O.countDocuments(q),
        O.find(q).sort({ createdAt: -1, _id: -1 }).skip(page.skip).limit(page.limit).lean<OrderDoc[]>(),
      ])
      return { total, rows }
    },
    setPrepay: (id, prepayId, payParams) => update({ _id: id }, { prepayId, payParams }),
    markPaid: (id, facts) => update({ _id: id, status: 'PENDING' }, { status: 'PAID', ...facts }),
    markFlagged: (id, from, flag, facts) =>
      update({ _id: id, status: from }, { status: 'FLAGGED', flag, ...facts }),
    markClosed: (id, at) => update({ _id: id, status: 'PENDING' }, { status: 'CLOSED', closedAt: at }),
    markGranted: (id, grant, at) =>
      update({ _id: id, grantedAt: null }, { grantFrom: grant.from, grantUntil: grant.until, grantedAt: at }),
    markPointsAwarded: (id, points) => update({ _id: id, pointsAwarded: null }, { pointsAwarded: points }),
    async markChecked(id, at) {
      await O.updateOne({ _id: id }, { $set: { checkedAt: at } })
    },
    markRevoked: (id, at) => update({ _id: id, revokedAt: null }, { revokedAt: at }),
    setRefunds: (id, rev, set) => update({ _id: id, rev }, set),
    setPaidFen: (id, rev, paidFen) => update({ _id: id, rev }, { paidFen }),
    findByRefundNo: (outRefundNo) => O.findOne({ 'refunds.outRefundNo': outRefundNo }).lean<OrderDoc>(),
    expiredPending: (now, limit) =>
      O.find({ status: 'PENDING', expiresAt: { $lte: now } })
        .sort({ expiresAt: 1 })
        .limit(limit)
        .lean<OrderDoc[]>(),
    stalePending: (createdBefore, checkedBefore, limit) =>
      O.find({
        status: 'PENDING',
        createdAt: { $lte: createdBefore },
        $or: [{ checkedAt: null }, { checkedAt: { $lte: checkedBefore } }],
      })
        .sort({ createdAt: 1 })
        .limit(limit)
        .lean<OrderDoc[]>(),
    paidNotGranted: (limit) =>
      O.find({ status: 'PAID', $or: [{ grantedAt: null }, { pointsAwarded: null }] })
        .sort({ paidAt: 1 })
        .limit(limit)
        .lean<OrderDoc[]>(),
    withOpenRefunds: (limit) =>
      O.find({
        $or: [
          { 'refunds.status': { $in: ['CREATED', 'PROCESSING'] } },
          { status: 'REFUNDED', revokedAt: null },
        ],
      })
        .sort({ createdAt: 1 })
        .limit(limit)
        .lean<OrderDoc[]>(),
  }
}

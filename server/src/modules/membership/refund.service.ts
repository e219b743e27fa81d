import { AppError, type RefundRequest, type RefundResponse } from '@careloop/shared'
import type { Clock } from '../../clock'
import type { StaffPrincipal } from '../../http/context'
import type { Logger } from '../../logger'
import type { PayGateway } from '../../platform/wechatpay/pay-gateway'
import type { AuditLog } from '../audit/audit.repo'
import { staffActor } from '../staff/staff.service'
import { presentStaffOrder, presentStaffRefund } from './membership-present'
import type { OrderDoc, OrderRefundEntry, OrderRepo } from './order.repo'
import { requirePay } from './order.service'
import { committedFen, paidFenOf, type Settlement } from './settlement.service'

export interface RefundService {
  /** Full or partial refund of a paid order (admin); idempotent by requestId. */
  refund(
    p: StaffPrincipal,
    orderId: string,
    body: RefundRequest,
    meta: { ip: string; requestId: string },
  ): Promise<RefundResponse>
  /** Sends a refund the platform has not accepted yet (CREATED) again; same out_refund_no. */
  submit(order: OrderDoc, entry: OrderRefundEntry): Promise<OrderDoc>
}

/** Whether an upstream failure means the platform refused the refund (so retrying cannot help). */
const refused = (e: unknown): boolean => {
  if (!(e instanceof AppError) || e.code !== 'PAY_UPSTREAM_ERROR') return false
  const status = (e.details as { status?: number } | undefined)?.status ?? 0
  return status >= 400 && status < 500 && status !== 429
}

export const createRefundService = (deps: {
  orders: OrderRepo
  settlement: Settlement
  pay: PayGateway | undefined
  audit: AuditLog
  clock: Clock
  logger: Logger
  patientNames: (ids: string[]) => Promise<Map<string, string | null>>
}): RefundService => {
  const { orders, settlement, clock } = deps

  const submit = async (order: OrderDoc, entry: OrderRefundEntry): Promise<OrderDoc> => {
    const pay = requirePay(deps.pay)
    try {
      const r = await pay.refund({
        outTradeNo: order.outTradeNo,
        outRefundNo: entry.outRefundNo,
        reason: entry.reason,
        refundFen: entry.amountFen,
        totalFen: paidFenOf(order),
      })
      return (await settlement.applyRefund(r)) ?? order
    } catch (e) {
      if (refused(e)) {
        // Never accepted: the amount is free again (CLOSED refunds count for nothing).
        await settlement.applyRefund({
          outRefundNo: entry.outRefundNo,
          refundId: '',
          outTradeNo: order.outTradeNo,
          status: 'CLOSED',
          amount: { refund: entry.amountFen, total: paidFenOf(order), currency: 'CNY' },
        })
      }
      throw e
    }
  }

  return {
    submit,
    async refund(p, orderId, body, meta) {
      for (let attempt = 0; attempt < 10; attempt++) {
        const order = await orders.findById(orderId)
        if (!order) throw new AppError('ORDER_NOT_FOUND', 'No such order')
        const answer = async (o: OrderDoc, entry: OrderRefundEntry, duplicate: boolean) => ({
          order: presentStaffOrder(
            o,
            (await deps.patientNames([o.profileId.toHexString()])).get(o.profileId.toHexString()) ?? null,
          ),
          refund: presentStaffRefund(entry),
          duplicate,
        })
        const prior = order.refunds.find((r) => r.requestId === body.requestId)
        if (prior) {
          // A retry: the same refund, sent again if the platform has not accepted it yet.
          const o = prior.status === 'CREATED' ? await submit(order, prior) : order
          return answer(o, o.refunds.find((r) => r.outRefundNo === prior.outRefundNo) ?? prior, true)
        }
        const pay = requirePay(deps.pay)
        if (order.status !== 'PAID' && !(order.status === 'FLAGGED' && order.paidFen !== null))
          throw new AppError('ORDER_STATE', `An order in state ${order.status} cannot be refunded`, {
            status: order.status,
          })
        if (order.status === 'FLAGGED') {
          // What a flagged notify reported may be wrong (that is why it was flagged): refund against
          // what the platform itself says was paid.
          const tx = await pay.queryOrder(order.outTradeNo)
          const total =
            tx && (tx.tradeState === 'SUCCESS' || tx.tradeState === 'REFUND') ? tx.amount.total : null
          if (total === null)
            throw new AppError('ORDER_STATE', 'The platform does not report this order as paid', {
              tradeState: tx?.tradeState ?? null,
            })
          if (total !== order.paidFen) {
            await orders.setPaidFen(order._id, order.rev, total)
            continue
          }
        }
        const refundableFen = paidFenOf(order) - committedFen(order.refunds)
        if (body.amountFen > refundableFen)
          throw new AppError('REFUND_INVALID', `At most ${refundableFen} fen can still be refunded`, [
            { path: 'amountFen', message: `must be at most ${refundableFen}` },
          ])
        const entry: OrderRefundEntry = {
          outRefundNo: `${order.outTradeNo}R${order.refunds.length + 1}`,
          requestId: body.requestId,
          amountFen: body.amountFen,
          reason: body.reason,
          status: 'CREATED',
          refundId: null,
          staffId: p.staffId,
          createdAt: clock.now(),
          successAt: null,
        }
        // Reserved on the order first (guarded by rev: two refunds cannot both take the last fen).
        const reserved = await orders.setRefunds(order._id, order.rev, {
          refunds: [...order.refunds, entry],
          refundedFen: order.refundedFen,
          status: order.status,
        })
        if (!reserved) continue
        await deps.audit.record({
          actor: staffActor(p),
          action: 'membership.refund',
          patientId: order.profileId.toHexString(),
          detail: {
            orderId,
            outTradeNo: order.outTradeNo,
            outRefundNo: entry.outRefundNo,
            amountFen: entry.amountFen,
            leftFen: refundableFen - entry.amountFen,
            reason: body.reason,
          },
          ...meta,
        })
        const o = await submit(reserved, entry)
        return answer(o, o.refunds.find((r) => r.outRefundNo === entry.outRefundNo) ?? entry, false)
      }
      throw new AppError('ORDER_STATE', 'The order is changing; try again')
    },
  }
}

import { createHash } from 'node:crypto'
import type { SimResponse } from '../sim-server'
import { beijingTime } from './pay-keys'
import type { PayEventType } from './pay-notifier'
import {
  canonical,
  isObj,
  notifyUrlIssue,
  paramError,
  payError,
  posInt,
  str,
  type PayContext,
  type RefundStatus,
  type SimRefund,
} from './pay-state'

/**
 * Refunds (platform.md §5.6): `POST /v3/refund/domestic/refunds` (full or partial; `out_refund_no`
 * refunds once — the same request answers the same refund, another one with that number is refused;
 * the refunds of an order never sum above its total) answers status PROCESSING; the refund then
 * settles — automatically (default; at the next `deliverDue`, i.e. within the notifier's tick) or,
 * in manual mode, through the hook — and the order turns REFUND, with a REFUND.* notify to the
 * refund's notify_url (else the order's). `GET /v3/refund/domestic/refunds/{out_refund_no}` queries it.
 *
 * Hooks: `POST /_sim/pay/refunds/{out_refund_no}/result {status: SUCCESS|ABNORMAL|CLOSED}` settles a
 * PROCESSING refund now (answers after our server's answer to the notify); `POST /_sim/pay/refunds/mode
 * {mode: auto|manual, delayMs?}`.
 */

const OUT_REFUND_NO = /^[0-9A-Za-z_\-|*@]{1,64}$/

export const refundView = (f: SimRefund): Record<string, unknown> => ({
  refund_id: f.refundId,
  out_refund_no: f.outRefundNo,
  transaction_id: f.transactionId,
  out_trade_no: f.outTradeNo,
  channel: 'ORIGINAL',
  user_received_account: '支付用户零钱',
  ...(f.successTime ? { success_time: f.successTime } : {}),
  create_time: beijingTime(f.createdAt),
  status: f.status,
  funds_account: 'AVAILABLE',
  amount: {
    total: f.total,
    refund: f.refund,
    payer_total: f.total,
    payer_refund: f.refund,
    settlement_refund: f.refund,
    settlement_total: f.total,
    discount_refund: 0,
    currency: 'CNY',
  },
})

const notifyResource = (f: SimRefund, mchid: string): Record<string, unknown> => ({
  mchid,
  out_trade_no: f.outTradeNo,
  transaction_id: f.transactionId,
  out_refund_no: f.outRefundNo,
  refund_id: f.refundId,
  refund_status: f.status,
  ...(f.successTime ? { success_time: f.successTime } : {}),
  user_received_account: '支付用户零钱',
  amount: { total: f.total, refund: f.refund, payer_total: f.total, payer_refund: f.refund },
})

/** Settles a PROCESSING refund and sends its notify; resolves with our server's answer status. */
export const settleRefund = async (
  ctx: PayContext,
  f: SimRefund,
  status: Exclude<RefundStatus, 'PROCESSING'>,
): Promise<{ id: string; status: number }> => {
  const order = ctx.state.orders.get(f.outTradeNo)!
  f.status = status
  f.settleAt = undefined
  if (status === 'SUCCESS') {
    f.successTime = beijingTime(ctx.now())
    order.state = 'REFUND'
  }
  const { notification, delivery } = await ctx.notifier.emit({
    eventType: `REFUND.${status}` as PayEventType,
    outTradeNo: f.outTradeNo,
    outRefundNo: f.outRefundNo,
    url: f.notifyUrl ?? order.notifyUrl,
    resource: notifyResource(f, ctx.keys.mchid),
  })
  return { id: notification.id, status: delivery.status }
}

/** Settles the refunds whose automatic settlement is due (auto mode). */
export const settleDueRefunds = async (ctx: PayContext): Promise<void> => {
  const now = ctx.now()
  const due = [...ctx.state.refunds.values()].filter(
    (f) => f.status === 'PROCESSING' && f.settleAt !== undefined && f.settleAt <= now,
  )
  await Promise.all(due.map((f) => settleRefund(ctx, f, 'SUCCESS')))
}

const validate = (b: Record<string, unknown>): SimResponse | undefined => {
  if (b.out_trade_no === undefined && b.transaction_id === undefined)
    return paramError('out_trade_no', '与transaction_id二选一必填')
  if (typeof b.out_refund_no !== 'string' || !OUT_REFUND_NO.test(b.out_refund_no))
    return paramError('out_refund_no', '必填，1-64位数字、大小写字母、_-|*@')
  if (b.reason !== undefined && !str(b.reason, 0, 80)) return paramError('reason', '长度不超过80')
  if (b.notify_url !== undefined) {
    const issue = notifyUrlIssue(b.notify_url)
    if (issue) return paramError('notify_url', issue)
  }
  if (!isObj(b.amount)) return paramError('amount', '必填')
  if (!posInt(b.amount.refund)) return paramError('amount.refund', '必填，正整数（分）')
  if (!posInt(b.amount.total)) return paramError('amount.total', '必填，正整数（分）')
  if (b.amount.currency !== 'CNY') return paramError('amount.currency', '必填，只支持CNY')
  return undefined
}

export function mountRefunds(ctx: PayContext): void {
  const { state } = ctx

  ctx.route('POST', '/v3/refund/domestic/refunds', (r) => {
    const denied = ctx.auth(r)
    if (denied) return denied
    if (!isObj(r.json)) return payError(400, 'PARAM_ERROR', '请求体不是合法的JSON对象')
    const b = r.json
    const bad = validate(b)
    if (bad) return bad
    const order =
      typeof b.out_trade_no === 'string'
        ? state.orders.get(b.out_trade_no)
        : typeof b.transaction_id === 'string'
          ? state.byTransactionId(b.transaction_id)
          : undefined
    if (!order) return payError(404, 'RESOURCE_NOT_EXISTS', '订单不存在')
    const amount = b.amount as { refund: number; total: number }
    const outRefundNo = b.out_refund_no as string
    const params = canonical(b)
    const existing = state.refunds.get(outRefundNo)
    if (existing) {
      if (existing.params !== params)
        return payError(400, 'INVALID_REQUEST', '退款单号已用于另一笔退款（参数不一致）')
      return { body: refundView(existing) }
    }
    if (!order.transactionId || (order.state !== 'SUCCESS' && order.state !== 'REFUND'))
      return payError(400, 'INVALID_REQUEST', '订单未支付，不能退款')
    if (amount.total !== order.total) return paramError('amount.total', '与订单金额不一致')
    const refunded = [...state.refunds.values()]
      .filter(
        (f) => f.outTradeNo === order.outTradeNo && (f.status === 'SUCCESS' || f.status === 'PROCESSING'),
      )
      .reduce((s, f) => s + f.refund, 0)
    if (refunded + amount.refund > order.total)
      return payError(400, 'INVALID_REQUEST', '申请退款金额超过订单可退金额')
    const now = ctx.now()
    const mode = ctx.refundMode()
    const seq = state.next()
    const refund: SimRefund = {
      outRefundNo,
      refundId: `50000${createHash('sha256').update(`${outRefundNo}:${seq}`).digest('hex').replace(/\D/g, '').padEnd(24, '0').slice(0, 24)}`,
      outTradeNo: order.outTradeNo,
      transactionId: order.transactionId,
      refund: amount.refund,
      total: amount.total,
      ...(typeof b.reason === 'string' ? { reason: b.reason } : {}),
      ...(typeof b.notify_url === 'string' ? { notifyUrl: b.notify_url } : {}),
      params,
      status: 'PROCESSING',
      createdAt: now,
      ...(mode.mode === 'auto' ? { settleAt: now + mode.delayMs } : {}),
    }
    state.refunds.set(outRefundNo, refund)
    return { body: refundView(refund) }
  })

  ctx.routeMatch('GET', /\/v3\/refund\/domestic\/refunds\/([^/]+)/, (r, m) => {
    const denied = ctx.auth(r)
    if (denied) return denied
    const f = state.refunds.get(decodeURIComponent(m[1]!))
    if (!f) return payError(404, 'RESOURCE_NOT_EXISTS', '退款单不存在')
    return { body: refundView(f) }
  })

  ctx.routeMatch('POST', /\/_sim\/pay\/refunds\/([^/]+)\/result/, async (r, m) => {
    const f = state.refunds.get(decodeURIComponent(m[1]!))
    if (!f) return { status: 404, body: { error: 'no such refund' } }
    const status = isObj(r.json) ? r.json.status : undefined
    if (status !== 'SUCCESS' && status !== 'ABNORMAL' && status !== 'CLOSED')
      return { status: 400, body: { error: 'status must be SUCCESS, ABNORMAL or CLOSED' } }
    if (f.status !== 'PROCESSING') return { status: 409, body: { error: `refund already ${f.status}` } }
    const notify = await settleRefund(ctx, f, status)
    return { body: { refund: refundView(f), notify } }
  })
}

import type {
  MembershipOrder,
  MembershipPeriod,
  MembershipPlan,
  OrderStatus,
  QuotaKind,
  RefundStatus,
} from '@careloop/shared'

import { api } from '../api/endpoints'
import { platform } from '../platform'
import { yuan } from '../platform/pay-sheet'
import type { Tone } from './rewards'

/**
 * 付费会员 (F31, F32): plans, the purchase and its receipt. The server creates the order and hands out
 * the `wx.requestPayment` parameters; the client's 'ok' proves nothing (platform.md §5.3), so after it
 * the order is synced by the server (which asks WeChat Pay) and polled until PAID.
 */

export { yuan }

export const PERIOD_LABELS: Record<MembershipPeriod, string> = { month: '月度', year: '年度' }
export const PER_PERIOD: Record<MembershipPeriod, string> = { month: '/月', year: '/年' }
export const QUOTA_LABELS: Record<QuotaKind, string> = { nurse_consult: '护士咨询' }

export const ORDER_STATUS: Record<OrderStatus, { label: string; tone: Tone }> = {
  PENDING: { label: '待支付', tone: 'orange' },
  PAID: { label: '已支付', tone: 'teal' },
  CLOSED: { label: '已关闭', tone: 'grey' },
  REFUNDED: { label: '已退款', tone: 'grey' },
  FLAGGED: { label: '核实中', tone: 'red' },
}

export const REFUND_STATUS: Record<RefundStatus, string> = {
  CREATED: '退款申请中',
  PROCESSING: '退款处理中',
  SUCCESS: '已退款',
  CLOSED: '退款已关闭',
  ABNORMAL: '退款异常',
}

/** `每月护士咨询 2 次` for each of a plan's quotas. */
export const quotaLines = (plan: Pick<MembershipPlan, 'quotas'>): string[] =>
  plan.quotas.map((q) => `每月${QUOTA_LABELS[q.kind]} ${q.perMonth} 次`)

/** The benefits text as bullet lines (the server keeps it as one string, separated by ；, ; or 、). */
export const benefitLines = (benefits: string): string[] =>
  benefits
    .split(/[；;\n]/)
    .map((s) => s.trim())
    .filter((s) => s !== '')

/** The order's description as WeChat shows it. */
export const orderDescription = (plan: Pick<MembershipPlan, 'name'>): string => `CareLoop ${plan.name}`

export type PayStart =
  /** The patient paid in WeChat (or the simulator): confirm with the server next. */
  | { kind: 'paid'; order: MembershipOrder }
  /** The patient closed the payment sheet: the order stays unpaid and can be paid again. */
  | { kind: 'cancelled'; order: MembershipOrder }
  /** This request id's order can no longer be paid (already paid or closed): nothing was asked. */
  | { kind: 'not_payable'; order: MembershipOrder }

/**
 * 立即开通: creates the order (a retry with the same `requestId` answers the same order and payment
 * parameters) and asks the platform to pay it.
 */
export async function startPurchase(plan: MembershipPlan, requestId: string): Promise<PayStart> {
  const res = await api.createMembershipOrder({ planCode: plan.code, requestId })
  if (!res.payParams) return { kind: 'not_payable', order: res.order }
  const result = await platform.requestPayment({
    ...res.payParams,
    outTradeNo: res.order.outTradeNo,
    amountFen: res.order.amountFen,
    description: orderDescription(plan),
  })
  return result === 'ok' ? { kind: 'paid', order: res.order } : { kind: 'cancelled', order: res.order }
}

const sleep = (ms: number) => new Promise<void>((ok) => setTimeout(ok, ms))

/**
 * After the client's 'ok': the server queries WeChat Pay and settles the order (`sync`), then the
 * order is read again until it is no longer PENDING (the notify may come a moment later) or the
 * attempts run out. Answers the latest order (still PENDING → 「支付确认中」).
 */
export async function confirmPayment(
  orderId: string,
  opts: { attempts?: number; intervalMs?: number; wait?: (ms: number) => Promise<void> } = {},
): Promise<MembershipOrder> {
  const { attempts = 6, intervalMs = 1000, wait = sleep } = opts
  let order: MembershipOrder
  try {
    order = await api.syncOrder(orderId)
  } catch {
    // WeChat Pay may be briefly unreachable from the server: the notify settles the order anyway.
    order = await api.myOrder(orderId)
  }
  for (let i = 0; order.status === 'PENDING' && i < attempts; i++) {
    await wait(intervalMs)
    order = await api.myOrder(orderId)
  }
  return order
}

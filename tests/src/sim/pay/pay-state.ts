import type { SimPatternHandler, SimHandler, SimRequest, SimResponse } from '../sim-server'
import type { PayKeyMaterial } from './pay-keys'
import type { PayNotifier } from './pay-notifier'

/**
 * The WeChat Pay simulator's state (orders and refunds of the one simulated merchant) and what the
 * area files (`pay-transactions.ts`, `pay-refunds.ts`) get from the server class: routes, the
 * Authorization check, the clock, the notifier. Errors are WeChat Pay's: an HTTP status and
 * `{code, message, detail?}` (platform.md §5.1).
 */

export type TradeState = 'SUCCESS' | 'REFUND' | 'NOTPAY' | 'CLOSED' | 'REVOKED' | 'USERPAYING' | 'PAYERROR'
export type RefundStatus = 'SUCCESS' | 'CLOSED' | 'PROCESSING' | 'ABNORMAL'

export interface SimOrder {
  appid: string
  mchid: string
  outTradeNo: string
  description: string
  notifyUrl: string
  attach?: string
  timeExpire?: string
  total: number
  openid: string
  /** The prepay request, canonical JSON: the same params get the same prepay_id. */
  params: string
  prepayId: string
  prepayAt: number
  createdAt: number
  state: TradeState
  transactionId?: string
  successTime?: string
}

export interface SimRefund {
  outRefundNo: string
  refundId: string
  outTradeNo: string
  transactionId: string
  refund: number
  total: number
  reason?: string
  notifyUrl?: string
  params: string
  status: RefundStatus
  createdAt: number
  successTime?: string
  /** Auto mode: when the refund settles (simulator ms). */
  settleAt?: number
}

export class PayState {
  orders = new Map<string, SimOrder>()
  refunds = new Map<string, SimRefund>()
  seq = 0
  reset(): void {
    this.orders.clear()
    this.refunds.clear()
    this.seq = 0
  }
  next(): number {
    return ++this.seq
  }
  byTransactionId(id: string): SimOrder | undefined {
    return [...this.orders.values()].find((o) => o.transactionId === id)
  }
}

export interface PayContext {
  keys: PayKeyMaterial
  state: PayState
  notifier: PayNotifier
  now(): number
  route(method: string, path: string, handler: SimHandler): void
  routeMatch(method: string, pattern: RegExp, handler: SimPatternHandler): void
  /** The Authorization check of every API call: an error answer, or undefined when it verifies. */
  auth(r: SimRequest): SimResponse | undefined
  /** Waits while a `/_sim/pay/prepay/delay` is armed (the order already exists). */
  prepayDelay(): Promise<void>
  /** How refunds settle: automatically (`auto`) or through `/_sim/pay/refunds/{no}/result`. */
  refundMode(): { mode: 'auto' | 'manual'; delayMs: number }
}

export const payError = (status: number, code: string, message: string, detail?: unknown): SimResponse => ({
  status,
  body: { code, message, ...(detail !== undefined ? { detail } : {}) },
})

/** 400 PARAM_ERROR naming the field, shaped like WeChat Pay's. */
export const paramError = (field: string, issue: string): SimResponse =>
  payError(400, 'PARAM_ERROR', `输入源“/body/${field}”映射到字段“${field}”${issue}`, {
    location: 'body',
    field,
    issue,
  })

/** JSON with sorted keys, to compare requests regardless of key order. */
export const canonical = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(
          Object.entries(x as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
        )
      : x,
  )

export const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

export const str = (v: unknown, min: number, max: number): v is string =>
  typeof v === 'string' && [...v].length >= min && [...v].length <= max

export const posInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1

/** §5.1: ≤256, HTTPS, no query; plain http only to a loopback host (the local stack). */
export const notifyUrlIssue = (v: unknown): string | undefined => {
  if (!str(v, 1, 256)) return '必填且长度不超过256'
  let u: URL
  try {
    u = new URL(v)
  } catch {
    return '不是合法的URL'
  }
  if (u.search) return '不能携带参数'
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname)
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && loopback)) return '必须为https地址'
  return undefined
}

const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/
export const isRfc3339 = (v: unknown): v is string =>
  typeof v === 'string' && RFC3339.test(v) && !Number.isNaN(Date.parse(v))

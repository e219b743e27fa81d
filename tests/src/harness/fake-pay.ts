import { AppError } from '@careloop/shared'
import type {
  PayGateway,
  PayNotify,
  PayRefund,
  PayTransaction,
  TradeState,
} from '../../../server/src/platform/wechatpay/pay-gateway'
import type { EarnResult, PointsPort, SpendResult } from '../../../server/src/modules/points/points.port'

/**
 * An in-process PayGateway for state-machine tests (no HTTP, no crypto): the platform's orders and
 * refunds as plain maps. A "notify" is the JSON of a `PayNotify` with header `x-fake-signature: ok`
 * (anything else is a forged signature). `onPrepay` runs inside prepay, before it answers (a notify
 * arriving before the prepay response). `pay(no)` settles an order as the payer would.
 */
export class FakePay implements PayGateway {
  readonly appid = 'wxfakeappid000001'
  readonly mchid = '1900000001'
  readonly orders = new Map<
    string,
    { total: number; state: TradeState; transactionId?: string; at?: string }
  >()
  readonly refunds = new Map<string, PayRefund>()
  readonly calls: string[] = []
  onPrepay?: (outTradeNo: string) => Promise<void>
  failPrepay = 0
  private seq = 0

  /** `now`: the time payments and refunds succeed at (the test's clock). */
  constructor(private readonly now: () => Date = () => new Date()) {}

  async prepayJsapi(o: { outTradeNo: string; amountFen: number }) {
    this.calls.push(`prepay ${o.outTradeNo}`)
    if (this.failPrepay > 0) {
      this.failPrepay--
      throw new AppError('PAY_UPSTREAM_ERROR', 'simulated outage', { status: 500, code: 'SYSTEM_ERROR' })
    }
    if (!this.orders.has(o.outTradeNo)) this.orders.set(o.outTradeNo, { total: o.amountFen, state: 'NOTPAY' })
    await this.onPrepay?.(o.outTradeNo)
    const prepayId = `wx-prepay-${o.outTradeNo}`
    return {
      prepayId,
      payParams: {
        appId: this.appid,
        timeStamp: '1700000000',
        nonceStr: 'nonce',
        package: `prepay_id=${prepayId}`,
        signType: 'RSA' as const,
        paySign: 'sig',
      },
    }
  }

  /** The payer pays (optionally a different amount: a tampered or misrouted payment). */
  pay(outTradeNo: string, total?: number, at = this.now().toISOString()): PayTransaction {
    const o = this.orders.get(outTradeNo)
    if (!o) throw new Error(`fake pay: no order ${outTradeNo}`)
    o.state = 'SUCCESS'
    o.transactionId = `4200${++this.seq}`.padEnd(28, '0')
    o.at = at
    if (total !== undefined) o.total = total
    return this.tx(outTradeNo)!
  }

  tx(outTradeNo: string): PayTransaction | undefined {
    const o = this.orders.get(outTradeNo)
    if (!o) return undefined
    return {
      appid: this.appid,
      mchid: this.mchid,
      outTradeNo,
      transactionId: o.transactionId,
      tradeState: o.state,
      successTime: o.at,
      amount: { total: o.total, payerTotal: o.total, currency: 'CNY' },
    }
  }

  queryOrder(outTradeNo: string): Promise<PayTransaction | undefined> {
    this.calls.push(`query ${outTradeNo}`)
    return Promise.resolve(this.tx(outTradeNo))
  }

  closeOrder(outTradeNo: string): Promise<void> {
    this.calls.push(`close ${outTradeNo}`)
    const o = this.orders.get(outTradeNo)
    if (o?.state === 'SUCCESS')
      return Promise.reject(new AppError('PAY_UPSTREAM_ERROR', 'paid', { status: 400, code: 'ORDERPAID' }))
    if (o) o.state = 'CLOSED'
    return Promise.resolve()
  }

  refund(input: { outTradeNo: string; outRefundNo: string; refundFen: number; totalFen: number }) {
    this.calls.push(`refund ${input.outRefundNo}`)
    const existing = this.refunds.get(input.outRefundNo)
    if (existing) return Promise.resolve(existing)
    const r: PayRefund = {
      outRefundNo: input.outRefundNo,
      refundId: `5030${++this.seq}`,
      outTradeNo: input.outTradeNo,
      status: 'PROCESSING',
      amount: { refund: input.refundFen, total: input.totalFen, currency: 'CNY' },
    }
    this.refunds.set(input.outRefundNo, r)
    return Promise.resolve(r)
  }

  queryRefund(outRefundNo: string): Promise<PayRefund | undefined> {
    return Promise.resolve(this.refunds.get(outRefundNo))
  }

  /** Settles a refund at the platform; returns the notify body. */
  settleRefund(outRefundNo: string, status: PayRefund['status'] = 'SUCCESS'): PayNotify {
    const r = this.refunds.get(outRefundNo)
    if (!r) throw new Error(`fake pay: no refund ${outRefundNo}`)
    r.status = status
    if (status === 'SUCCESS') r.successTime = this.now().toISOString()
    return {
      id: `EV-R-${++this.seq}`,
      eventType: `REFUND.${status}` as 'REFUND.SUCCESS',
      createTime: '',
      refund: { ...r },
    }
  }

  paymentNotify(outTradeNo: string, id = `EV-${++this.seq}`): PayNotify {
    return { id, eventType: 'TRANSACTION.SUCCESS', createTime: '', transaction: this.tx(outTradeNo)! }
  }

  parseNotify(headers: Record<string, string | undefined>, rawBody: string): PayNotify {
    if (headers['x-fake-signature'] !== 'ok') throw new AppError('PAY_SIGNATURE_INVALID', 'bad signature')
    try {
      return JSON.parse(rawBody) as PayNotify
    } catch {
      throw new AppError('PAY_NOTIFY_INVALID', 'not JSON')
    }
  }
}

/**
 * An in-memory PointsPort with the ledger's contract, counting earns: `perEarn` points per earn,
 * once per refKey; spends idempotent by refKey and never below zero (POINTS_INSUFFICIENT);
 * `failEarn` makes the next earns throw (a ledger outage or crash).
 */
export class EarningPoints implements PointsPort {
  readonly balances = new Map<string, number>()
  readonly earns = new Map<string, { profileId: string; rule: string; awarded: number }>()
  readonly spends = new Map<string, { profileId: string; amount: number; entryId: string }>()
  private readonly refunded = new Set<string>()
  failEarn = 0
  private seq = 0

  constructor(readonly perEarn = 100) {}

  private bal(profileId: string): number {
    return this.balances.get(profileId) ?? 0
  }

  earn(input: { profileId: string; refKey: string; rule: string }): Promise<EarnResult> {
    if (this.failEarn > 0) {
      this.failEarn--
      return Promise.reject(new Error('points ledger down (simulated crash)'))
    }
    const prior = this.earns.get(input.refKey)
    if (prior)
      return Promise.resolve({ awarded: prior.awarded, duplicate: true, balance: this.bal(input.profileId) })
    this.earns.set(input.refKey, { profileId: input.profileId, rule: input.rule, awarded: this.perEarn })
    this.balances.set(input.profileId, this.bal(input.profileId) + this.perEarn)
    return Promise.resolve({ awarded: this.perEarn, duplicate: false, balance: this.bal(input.profileId) })
  }

  spend(input: { profileId: string; amount: number; refKey: string }): Promise<SpendResult> {
    const earlier = this.spends.get(input.refKey)
    if (earlier)
      return Promise.resolve({
        entryId: earlier.entryId,
        duplicate: true,
        balance: this.bal(input.profileId),
      })
    if (this.bal(input.profileId) < input.amount)
      return Promise.reject(new AppError('POINTS_INSUFFICIENT', `balance below ${input.amount}`))
    const entryId = `spend-${++this.seq}`
    this.balances.set(input.profileId, this.bal(input.profileId) - input.amount)
    this.spends.set(input.refKey, { profileId: input.profileId, amount: input.amount, entryId })
    return Promise.resolve({ entryId, duplicate: false, balance: this.bal(input.profileId) })
  }

  refundSpend(input: { profileId: string; spendRefKey: string }): Promise<{ balance: number }> {
    const s = this.spends.get(input.spendRefKey)
    if (!s) return Promise.reject(new AppError('POINTS_ADJUSTMENT_INVALID', `no spend ${input.spendRefKey}`))
    if (!this.refunded.has(input.spendRefKey)) {
      this.refunded.add(input.spendRefKey)
      this.balances.set(input.profileId, this.bal(input.profileId) + s.amount)
    }
    return Promise.resolve({ balance: this.bal(input.profileId) })
  }

  balance(profileId: string): Promise<number> {
    return Promise.resolve(this.bal(profileId))
  }
}

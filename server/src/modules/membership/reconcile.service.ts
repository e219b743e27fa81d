import type { Clock } from '../../clock'
import type { Logger } from '../../logger'
import type { PayGateway } from '../../platform/wechatpay/pay-gateway'
import type { OrderDoc, OrderRepo } from './order.repo'
import type { RefundService } from './refund.service'
import type { Settlement } from './settlement.service'

const BATCH = 100
/** A pending order is asked about (lost notify?) once it is this old, and again this often. */
const STALE_MS = 5 * 60 * 1000
/** A refund the platform has not accepted (a failed or interrupted call) is sent again after this. */
const REFUND_RETRY_MS = 60 * 1000

export interface Reconciler {
  /**
   * PENDING orders past their 30 minutes: the platform is asked first (paid at the last moment →
   * settled as paid), otherwise the order is closed there and here.
   */
  closeExpired(): Promise<{ closed: number; paid: number; failed: number }>
  /**
   * Repairs what a crash or a lost notify left: PAID orders without their grant or points, PENDING
   * orders the platform may have paid, refunds not yet accepted or still processing, full refunds
   * whose membership was not ended.
   */
  reconcile(): Promise<{ handled: number; failed: number }>
}

export const createReconciler = (deps: {
  orders: OrderRepo
  settlement: Settlement
  refunds: RefundService
  pay: PayGateway | undefined
  clock: Clock
  logger: Logger
}): Reconciler => {
  const { orders, settlement, clock, logger } = deps

  /** Asks the platform about a PENDING order and settles it if paid; 'open' when it is not (yet). */
  const check = async (pay: PayGateway, o: OrderDoc): Promise<'paid' | 'unknown' | 'open'> => {
    const tx = await pay.queryOrder(o.outTradeNo)
    await orders.markChecked(o._id, clock.now())
    if (!tx) return 'unknown'
    if (tx.tradeState === 'SUCCESS') {
      await settlement.settle(o, tx, 'query')
      return 'paid'
    }
    return 'open'
  }

  return {
    async closeExpired() {
      const out = { closed: 0, paid: 0, failed: 0 }
      const pay = deps.pay
      if (!pay) return out
      for (const o of await orders.expiredPending(clock.now(), BATCH)) {
        try {
          const tx = await pay.queryOrder(o.outTradeNo)
          if (tx?.tradeState === 'SUCCESS') {
            await settlement.settle(o, tx, 'query')
            out.paid++
            continue
          }
          // Paying right now: the platform will refuse it after time_expire anyway; ask next tick.
          if (tx?.tradeState === 'USERPAYING') continue
          // Unknown there (prepay never went through) or already closed: nothing to close upstream.
          if (tx && tx.tradeState !== 'CLOSED' && tx.tradeState !== 'REVOKED')
            await pay.closeOrder(o.outTradeNo)
          if (await orders.markClosed(o._id, clock.now())) out.closed++
        } catch (err) {
          out.failed++
          logger.warn({ err, outTradeNo: o.outTradeNo }, 'closing an expired order failed; next tick retries')
        }
      }
      return out
    },

    async reconcile() {
      let handled = 0
      let failed = 0
      const attempt = async (what: string, key: string, fn: () => Promise<unknown>): Promise<void> => {
        try {
          await fn()
          handled++
        } catch (err) {
          failed++
          logger.warn({ err, what, key }, 'membership reconciliation step failed; next run retries')
        }
      }
      for (const o of await orders.paidNotGranted(BATCH))
        await attempt('grant', o.outTradeNo, () => settlement.applyGrant(o))
      const now = clock.now()
      const pay = deps.pay
      if (pay) {
        const before = new Date(now.getTime() - STALE_MS)
        for (const o of await orders.stalePending(before, before, BATCH))
          await attempt('query', o.outTradeNo, () => check(pay, o))
      }
      for (const o of await orders.withOpenRefunds(BATCH)) {
        if (o.status === 'REFUNDED' && !o.revokedAt)
          await attempt('revoke', o.outTradeNo, () => settlement.applyRevoke(o))
        if (!pay) continue
        for (const r of o.refunds) {
          const age = now.getTime() - r.createdAt.getTime()
          if (r.status === 'CREATED' && age >= REFUND_RETRY_MS)
            await attempt('refund', r.outRefundNo, async () => {
              const fresh = await orders.findById(o._id.toHexString())
              const entry = fresh?.refunds.find((x) => x.outRefundNo === r.outRefundNo)
              if (fresh && entry?.status === 'CREATED') await deps.refunds.submit(fresh, entry)
            })
          else if (r.status === 'PROCESSING' && age >= STALE_MS)
            await attempt('refund-query', r.outRefundNo, async () => {
              const found = await pay.queryRefund(r.outRefundNo)
              if (found) await settlement.applyRefund(found)
            })
        }
      }
      return { handled, failed }
    },
  }
}

import { AppError } from '@careloop/shared'
import type { Clock } from '../../clock'
import type { Logger } from '../../logger'
import type { PayGateway } from '../../platform/wechatpay/pay-gateway'
import type { PayNotifyRepo } from './membership.repo'
import type { OrderRepo } from './order.repo'
import { requirePay } from './order.service'
import type { Settlement } from './settlement.service'

export interface NotifyService {
  /**
   * Handles one delivery of a WeChat Pay notify (platform §5.4–5.7). Resolves when the platform
   * may stop retrying (answer 204); throws AppError otherwise: PAY_SIGNATURE_INVALID (forged,
   * stale, SIGNTEST probe), PAY_NOTIFY_INVALID (malformed, does not decrypt), ORDER_NOT_FOUND.
   *
   * A payment whose figures do not match the order is flagged and still acknowledged: the notify
   * is authentic (verified), it is recorded, and a retry would bring the same figures 15 more times
   * over 24 h without changing anything; what it needs is a person (the console lists FLAGGED
   * orders), not a redelivery.
   */
  handle(headers: Record<string, string | undefined>, rawBody: string): Promise<{ result: string }>
}

export const createNotifyService = (deps: {
  pay: PayGateway | undefined
  orders: OrderRepo
  notifies: PayNotifyRepo
  settlement: Settlement
  clock: Clock
  logger: Logger
}): NotifyService => {
  const { orders, notifies, settlement, clock } = deps
  return {
    async handle(headers, rawBody) {
      const pay = requirePay(deps.pay)
      const n = pay.parseNotify(headers, rawBody)
      const isPayment = n.eventType === 'TRANSACTION.SUCCESS'
      const outTradeNo = isPayment ? n.transaction.outTradeNo : n.refund.outTradeNo
      const { processed } = await notifies.record({
        _id: n.id,
        eventType: n.eventType,
        outTradeNo,
        outRefundNo: isPayment ? null : n.refund.outRefundNo,
        receivedAt: clock.now(),
        resource: { ...(isPayment ? n.transaction : n.refund) },
      })
      // A redelivery of a notify handled before: nothing to do (an unhandled one — its first
      // delivery failed or crashed — is handled again; every step below is idempotent).
      if (processed) return { result: 'duplicate' }
      let result: string
      if (isPayment) {
        const order = await orders.findByOutTradeNo(outTradeNo)
        // Orders are stored before prepay is called, so this is not a race with ordering: answer
        // non-2xx and let the platform retry (harmless if it is not ours).
        if (!order) throw new AppError('ORDER_NOT_FOUND', `No order ${outTradeNo}`)
        result = (await settlement.settle(order, n.transaction, 'notify')).result
      } else {
        const order = await settlement.applyRefund(n.refund)
        if (!order) throw new AppError('ORDER_NOT_FOUND', `No refund ${n.refund.outRefundNo}`)
        result = `refund_${n.refund.status.toLowerCase()}`
      }
      await notifies.markProcessed(n.id, result, clock.now())
      return { result }
    },
  }
}

import type { Clock } from '../../clock'
import type { Logger } from '../../logger'
import type { PayGateway, PayRefund, PayTransaction } from '../../platform/wechatpay/pay-gateway'
import type { AuditLog } from '../audit/audit.repo'
import type { PointsPort } from '../points/points.port'
import type { MembershipRepo } from './membership.repo'
import type { OrderDoc, OrderFlag, OrderRefundEntry, OrderRepo } from './order.repo'

/**
 * The order state machine (F31), shared by the notify route, the patient's "I paid" sync and the
 * jobs. Every step is a single-document guarded update and every effect is idempotent, so a
 * replayed notify, a notify racing the query, and a job re-running after a crash all converge:
 *
 *   PENDING ──(platform: SUCCESS, figures match)──▶ PAID ──grant──▶ membership + points
 *   PENDING ──(figures do not match)──▶ FLAGGED (no grant; staff review and refund)
 *   PENDING ──(30 min, platform: not paid, closed)──▶ CLOSED
 *   PAID ──(refunds SUCCESS summing to what was paid)──▶ REFUNDED ──revoke──▶ membership ended
 */
export interface Settlement {
  /** Applies what the platform reported about an order's payment (notify or query). */
  settle(order: OrderDoc, tx: PayTransaction, source: 'notify' | 'query'): Promise<SettleResult>
  /** Grants the membership and earns the points of a PAID order, once (repairs a partial run). */
  applyGrant(order: OrderDoc): Promise<OrderDoc>
  /** Records a refund's platform status on its order; a full refund ends the membership. */
  applyRefund(refund: PayRefund): Promise<OrderDoc | null>
  /** Ends the membership (and takes its points back) of a fully refunded order, once. */
  applyRevoke(order: OrderDoc): Promise<OrderDoc>
}

export type SettleResult = { result: 'paid' | 'already_paid' | 'flagged' | 'ignored'; order: OrderDoc }

export interface SettlementDeps {
  orders: OrderRepo
  memberships: MembershipRepo
  points: PointsPort
  /** The merchant the notify must name (appid, mchid). */
  merchant: Pick<PayGateway, 'appid' | 'mchid'>
  audit: AuditLog
  clock: Clock
  logger: Logger
}

/** The fen a paid order can still be refunded from (what the platform reported paid). */
export const paidFenOf = (o: OrderDoc): number => o.paidFen ?? o.amountFen

/** Refunds that take money out (all but CLOSED, which never paid anything back). */
export const committedFen = (refunds: readonly OrderRefundEntry[]): number =>
  refunds.filter((r) => r.status !== 'CLOSED').reduce((s, r) => s + r.amountFen, 0)

const successFen = (refunds: readonly OrderRefundEntry[]): number =>
  refunds.filter((r) => r.status === 'SUCCESS').reduce((s, r) => s + r.amountFen, 0)

/** Refund statuses a later report may replace (SUCCESS and CLOSED are final). */
const OPEN_REFUND = new Set(['CREATED', 'PROCESSING', 'ABNORMAL'])

const mismatchOf = (
  o: OrderDoc,
  tx: PayTransaction,
  merchant: Pick<PayGateway, 'appid' | 'mchid'>,
): Pick<OrderFlag, 'kind' | 'details'> | undefined => {
  if (tx.appid !== merchant.appid || tx.mchid !== merchant.mchid)
    return {
      kind: 'merchant_mismatch',
      details: {
        expected: { appid: merchant.appid, mchid: merchant.mchid },
        got: { appid: tx.appid, mchid: tx.mchid },
      },
    }
  if (tx.amount.total !== o.amountFen || tx.amount.currency !== 'CNY')
    return {
      kind: 'amount_mismatch',
      details: {
        expected: { total: o.amountFen, currency: 'CNY' },
        got: {
          total: tx.amount.total,
          currency: tx.amount.currency,
          payerTotal: tx.amount.payerTotal ?? null,
        },
      },
    }
  return undefined
}

export const createSettlement = (deps: SettlementDeps): Settlement => {
  const { orders, memberships, points, clock, logger } = deps
  const system = { kind: 'system' as const, id: null }

  const reload = async (o: OrderDoc): Promise<OrderDoc> => (await orders.findById(o._id.toHexString())) ?? o

  const applyGrant = async (order: OrderDoc): Promise<OrderDoc> => {
    let o = order
    if (o.status !== 'PAID') return o
    const orderId = o._id.toHexString()
    if (!o.grantedAt) {
      const { grant } = await memberships.grant(
        o.profileId,
        {
          orderId,
          planCode: o.plan.code,
          planName: o.plan.name,
          period: o.plan.period,
          tier: o.plan.tier,
          quotas: o.plan.quotas,
          paidAt: o.paidAt ?? clock.now(),
        },
        clock.now(),
      )
      o =
        (await orders.markGranted(o._id, { from: grant.from, until: grant.until }, clock.now())) ??
        (await reload(o))
    }
    if (o.pointsAwarded === null) {
      try {
        const r = await points.earn({
          profileId: o.profileId.toHexString(),
          rule: 'membership',
          refKey: `membership:${orderId}`,
          at: o.paidAt ?? undefined,
        })
        o = (await orders.markPointsAwarded(o._id, r.awarded)) ?? (await reload(o))
      } catch (err) {
        // The membership is granted; the points follow when the reconciliation job retries.
        logger.warn({ err, orderId }, 'membership points not earned yet')
      }
    }
    return o
  }

  const applyRevoke = async (order: OrderDoc): Promise<OrderDoc> => {
    if (order.status !== 'REFUNDED' || order.revokedAt) return order
    const orderId = order._id.toHexString()
    const profileId = order.profileId.toHexString()
    const now = clock.now()
    const revoked = await memberships.revoke(order.profileId, orderId, now)
    // Points: the port has no "undo an earn"; a spend under a fixed key takes back what the purchase
    // earned, as far as the balance allows (never negative, F26), once.
    let pointsTaken = 0
    if (order.pointsAwarded) {
      for (let attempt = 0; attempt < 3; attempt++) {
        const amount = Math.min(order.pointsAwarded, await points.balance(profileId))
        if (amount <= 0) break
        try {
          await points.spend({
            profileId,
            amount,
            refKey: `membership-refund:${orderId}`,
            reason: '会员退款，扣回购买所得积分',
            source: { kind: 'membership-order', id: orderId },
          })
          pointsTaken = amount
          break
        } catch (err) {
          if ((err as { code?: string }).code !== 'POINTS_INSUFFICIENT') throw err
        }
      }
    }
    const o = (await orders.markRevoked(order._id, now)) ?? (await reload(order))
    await deps.audit.record({
      actor: system,
      action: 'membership.revoked',
      patientId: profileId,
      detail: { orderId, outTradeNo: order.outTradeNo, membershipEnded: revoked, pointsTaken },
    })
    return o
  }

  const settle: Settlement['settle'] = async (order, tx, source) => {
    const orderId = order._id.toHexString()
    if (tx.tradeState !== 'SUCCESS') return { result: 'ignored', order }
    const facts = {
      paidAt: tx.successTime ? new Date(tx.successTime) : clock.now(),
      paidFen: tx.amount.total,
      transactionId: tx.transactionId ?? null,
    }
    const mismatch = mismatchOf(order, tx, deps.merchant)
    if (order.status === 'PAID' || order.status === 'REFUNDED' || order.status === 'FLAGGED') {
      if (mismatch && order.status !== 'FLAGGED')
        logger.error(
          { orderId, source, ...mismatch },
          'a payment report for a settled order does not match it',
        )
      return {
        result: order.status === 'FLAGGED' ? 'flagged' : 'already_paid',
        order: await applyGrant(order),
      }
    }
    // PENDING or CLOSED: money arrived. Only a matching payment on an open order grants.
    const flag: Omit<OrderFlag, 'at'> | undefined =
      mismatch ??
      (order.status === 'CLOSED'
        ? { kind: 'paid_after_close', details: { closedAt: order.closedAt?.toISOString() ?? null } }
        : undefined)
    if (flag) {
      const flagged = await orders.markFlagged(order._id, order.status, { ...flag, at: clock.now() }, facts)
      if (!flagged) return settle(await reload(order), tx, source)
      logger.error({ orderId, outTradeNo: order.outTradeNo, source, ...flag }, 'payment flagged, not granted')
      await deps.audit.record({
        actor: system,
        action: 'membership.order_flagged',
        patientId: order.profileId.toHexString(),
        detail: { orderId, outTradeNo: order.outTradeNo, source, ...flag },
      })
      return { result: 'flagged', order: flagged }
    }
    const paid = await orders.markPaid(order._id, facts)
    if (!paid) return settle(await reload(order), tx, source) // raced: another report won
    return { result: 'paid', order: await applyGrant(paid) }
  }

  return {
    applyGrant,
    applyRevoke,
    settle,

    async applyRefund(refund) {
      for (let attempt = 0; attempt < 20; attempt++) {
        const order = await orders.findByRefundNo(refund.outRefundNo)
        const entry = order?.refunds.find((r) => r.outRefundNo === refund.outRefundNo)
        if (!order || !entry) return null
        if (!OPEN_REFUND.has(entry.status) || entry.status === refund.status) {
          return order.status === 'REFUNDED' ? applyRevoke(order) : order
        }
        const refunds = order.refunds.map((r) =>
          r === entry
            ? {
                ...r,
                status: refund.status,
                refundId: refund.refundId || r.refundId,
                successAt:
                  refund.status === 'SUCCESS'
                    ? refund.successTime
                      ? new Date(refund.successTime)
                      : clock.now()
                    : null,
              }
            : r,
        )
        const refundedFen = successFen(refunds)
        const full =
          refundedFen >= paidFenOf(order) && (order.status === 'PAID' || order.status === 'FLAGGED')
        const updated = await orders.setRefunds(order._id, order.rev, {
          refunds,
          refundedFen,
          status: full ? 'REFUNDED' : order.status,
        })
        if (!updated) continue // another writer changed the order: read it again
        if (refund.status !== 'PROCESSING')
          logger.info({ outRefundNo: refund.outRefundNo, status: refund.status, full }, 'refund updated')
        return updated.status === 'REFUNDED' ? applyRevoke(updated) : updated
      }
      throw new Error(`refund ${refund.outRefundNo}: too much contention`)
    },
  }
}

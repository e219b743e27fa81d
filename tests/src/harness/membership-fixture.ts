import { Types } from 'mongoose'
import type { Clock } from '../../../server/src/clock'
import type { Connection } from '../../../server/src/db/connection'
import { membershipModel } from '../../../server/src/modules/membership/membership.model'
import { orderModel } from '../../../server/src/modules/membership/order.model'

/** The requestIds the fixture's data answers to (a retried refund, a retried quota use). */
export const MEMBERSHIP_FIXTURE = { refundRequestId: 'matrix-refund-1', quotaRequestId: 'matrix-quota-1' }

/**
 * For route matrices: a paid, partly refunded order of `patientId` (the refund under
 * `refundRequestId` already settled, so retrying it answers without calling WeChat Pay) and an
 * active monthly membership with nurse consults, written straight to the database.
 */
export const seedMembershipFixture = async (
  db: Connection,
  patientId: string,
  clock: Clock,
): Promise<{ orderId: string }> => {
  const now = clock.now()
  const profileId = new Types.ObjectId(patientId)
  const plan = {
    code: 'monthly',
    name: '月度会员',
    period: 'month' as const,
    tier: 'gold' as const,
    quotas: [{ kind: 'nurse_consult' as const, perMonth: 2 }],
  }
  const until = new Date(now.getTime() + 20 * 86_400_000)
  const order = await orderModel(db).create({
    outTradeNo: `CLMATRIX${now.getTime()}`,
    accountId: new Types.ObjectId(),
    profileId,
    requestId: 'matrix-order-1',
    plan,
    amountFen: 2990,
    description: '矩阵 月度会员',
    payerOpenid: 'matrix-openid',
    status: 'PAID',
    createdAt: now,
    expiresAt: new Date(now.getTime() + 30 * 60_000),
    paidAt: now,
    paidFen: 2990,
    transactionId: '4200000000000000000000000001',
    grantFrom: now,
    grantUntil: until,
    grantedAt: now,
    pointsAwarded: 0,
    refunds: [
      {
        outRefundNo: `CLMATRIX${now.getTime()}R1`,
        requestId: MEMBERSHIP_FIXTURE.refundRequestId,
        amountFen: 100,
        reason: '矩阵退款',
        status: 'SUCCESS',
        refundId: '50300000000000000000000000001',
        staffId: null,
        createdAt: now,
        successAt: now,
      },
    ],
    refundedFen: 100,
  })
  const orderId = order._id.toHexString()
  await membershipModel(db).create({
    profileId,
    grants: [
      {
        orderId,
        planCode: plan.code,
        planName: plan.name,
        period: plan.period,
        tier: plan.tier,
        quotas: plan.quotas,
        from: now,
        until,
        grantedAt: now,
        revokedAt: null,
      },
    ],
    until,
    rev: 0,
    updatedAt: now,
  })
  return { orderId }
}

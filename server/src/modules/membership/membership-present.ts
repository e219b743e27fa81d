import type {
  MembershipOrder,
  MembershipPlan,
  MembershipStatus,
  PayNotifyRecord,
  QuotaStatus,
  StaffOrder,
  StaffOrderRefund,
} from '@careloop/shared'
import { activeGrant, chainEnd } from './grants'
import type { MembershipDoc, PayNotifyDoc } from './membership.repo'
import type { OrderDoc, OrderRefundEntry } from './order.repo'
import type { PlanDoc } from './plan.repo'

const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null)

export const presentPlan = (p: PlanDoc): MembershipPlan => ({
  code: p.code,
  name: p.name,
  period: p.period,
  priceFen: p.priceFen,
  tier: p.tier,
  quotas: p.quotas.map((q) => ({ kind: q.kind, perMonth: q.perMonth })),
  benefits: p.benefits,
  active: p.active,
  sort: p.sort,
})

const presentRefund = (r: OrderRefundEntry): MembershipOrder['refunds'][number] => ({
  outRefundNo: r.outRefundNo,
  amountFen: r.amountFen,
  status: r.status,
  createdAt: r.createdAt.toISOString(),
  successAt: iso(r.successAt),
})

export const presentOrder = (o: OrderDoc): MembershipOrder => ({
  id: o._id.toHexString(),
  outTradeNo: o.outTradeNo,
  plan: { code: o.plan.code, name: o.plan.name, period: o.plan.period, tier: o.plan.tier },
  amountFen: o.amountFen,
  status: o.status,
  createdAt: o.createdAt.toISOString(),
  expiresAt: o.expiresAt.toISOString(),
  paidAt: iso(o.paidAt),
  transactionId: o.transactionId,
  refundedFen: o.refundedFen,
  refunds: o.refunds.map(presentRefund),
  grant:
    o.grantFrom && o.grantUntil && !o.revokedAt
      ? { from: o.grantFrom.toISOString(), until: o.grantUntil.toISOString() }
      : null,
})

export const presentStaffRefund = (r: OrderRefundEntry): StaffOrderRefund => ({
  ...presentRefund(r),
  reason: r.reason,
  refundId: r.refundId,
  staffId: r.staffId,
})

export const presentStaffOrder = (o: OrderDoc, patientName: string | null): StaffOrder => ({
  ...presentOrder(o),
  patientId: o.profileId.toHexString(),
  patientName,
  paidFen: o.paidFen,
  flag: o.flag ? { kind: o.flag.kind, details: o.flag.details, at: o.flag.at.toISOString() } : null,
  grantedAt: iso(o.grantedAt),
  pointsAwarded: o.pointsAwarded,
  refunds: o.refunds.map(presentStaffRefund),
})

export const presentNotify = (n: PayNotifyDoc): PayNotifyRecord => ({
  id: n._id,
  eventType: n.eventType,
  receivedAt: n.receivedAt.toISOString(),
  result: n.result,
  deliveries: n.deliveries,
})

/** The membership in force at `at` and its quotas (`used` per kind in `month`). */
export const presentStatus = (
  m: MembershipDoc | null,
  at: Date,
  month: string,
  used: Partial<Record<string, number>>,
): MembershipStatus => {
  const g = m ? activeGrant(m.grants, at) : undefined
  if (!m || !g) return { active: false, plan: null, tier: null, until: null, quotas: [] }
  const quotas: QuotaStatus[] = g.quotas.map((q) => {
    const n = used[q.kind] ?? 0
    return { kind: q.kind, month, perMonth: q.perMonth, used: n, left: Math.max(0, q.perMonth - n) }
  })
  return {
    active: true,
    plan: { code: g.planCode, name: g.planName, period: g.period },
    tier: g.tier,
    until: chainEnd(m.grants, g).toISOString(),
    quotas,
  }
}

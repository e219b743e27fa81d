import {
  AppError,
  type MembershipPlan,
  type SaveMembershipPlanRequest,
  type StaffOrderDetail,
  type StaffOrdersQuery,
  type StaffOrdersResponse,
} from '@careloop/shared'
import type { Clock } from '../../clock'
import type { StaffPrincipal } from '../../http/context'
import type { AuditLog } from '../audit/audit.repo'
import { staffActor } from '../staff/staff.service'
import { presentNotify, presentPlan, presentStaffOrder } from './membership-present'
import type { PayNotifyRepo } from './membership.repo'
import type { OrderRepo } from './order.repo'
import type { PlanRepo } from './plan.repo'

type Meta = { ip: string; requestId: string }

/** What the console needs: plans, orders (admin, head nurse), their notifies. */
export interface MembershipStaffService {
  plans(): Promise<{ plans: MembershipPlan[] }>
  savePlan(
    p: StaffPrincipal,
    code: string,
    body: SaveMembershipPlanRequest,
    meta: Meta,
  ): Promise<MembershipPlan>
  listOrders(p: StaffPrincipal, q: StaffOrdersQuery, meta: Meta): Promise<StaffOrdersResponse>
  getOrder(p: StaffPrincipal, id: string, meta: Meta): Promise<StaffOrderDetail>
}

export const createMembershipStaffService = (deps: {
  plans: PlanRepo
  orders: OrderRepo
  notifies: PayNotifyRepo
  /** Display names of profiles (null when erased or unnamed). */
  patientNames: (ids: string[]) => Promise<Map<string, string | null>>
  audit: AuditLog
  clock: Clock
  ready: () => Promise<void>
}): MembershipStaffService => {
  const { orders, audit } = deps
  return {
    async plans() {
      await deps.ready()
      return { plans: (await deps.plans.list({ activeOnly: false })).map(presentPlan) }
    },

    async savePlan(p, code, body, meta) {
      await deps.ready()
      const saved = await deps.plans.save(code, body, deps.clock.now())
      await audit.record({
        actor: staffActor(p),
        action: 'membership.save_plan',
        detail: { code, ...body },
        ...meta,
      })
      return presentPlan(saved)
    },

    async listOrders(p, q, meta) {
      const { total, rows } = await orders.list(
        {
          status: q.status,
          profileId: q.patientId,
          outTradeNo: q.outTradeNo,
          from: q.from ? new Date(q.from) : undefined,
          to: q.to ? new Date(q.to) : undefined,
        },
        { skip: (q.page - 1) * q.pageSize, limit: q.pageSize },
      )
      const names = await deps.patientNames([...new Set(rows.map((o) => o.profileId.toHexString()))])
      await audit.record({
        actor: staffActor(p),
        action: 'membership.list_orders',
        patientId: q.patientId ?? null,
        detail: { count: rows.length, ...(q.status ? { status: q.status } : {}) },
        ...meta,
      })
      return {
        total,
        page: q.page,
        pageSize: q.pageSize,
        orders: rows.map((o) => presentStaffOrder(o, names.get(o.profileId.toHexString()) ?? null)),
      }
    },

    async getOrder(p, id, meta) {
      const o = await orders.findById(id)
      if (!o) throw new AppError('ORDER_NOT_FOUND', 'No such order')
      const profileId = o.profileId.toHexString()
      const names = await deps.patientNames([profileId])
      const notifies = await deps.notifies.listByOutTradeNo(o.outTradeNo)
      await audit.record({
        actor: staffActor(p),
        action: 'membership.read_order',
        patientId: profileId,
        detail: { orderId: id, outTradeNo: o.outTradeNo },
        ...meta,
      })
      return {
        order: presentStaffOrder(o, names.get(profileId) ?? null),
        notifies: notifies.map(presentNotify),
      }
    },
  }
}

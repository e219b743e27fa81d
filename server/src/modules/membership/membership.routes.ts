import type Router from '@koa/router'
import { AppError, membershipRoutes } from '@careloop/shared'
import type { AccessGuard } from '../../http/auth'
import type { AppContext, AppState } from '../../http/context'
import { mount, patientOf, staffOf } from '../../http/mount'
import type { MembershipStaffService } from './membership-staff.service'
import type { NotifyService } from './notify.service'
import type { OrderService } from './order.service'
import type { PlanRepo } from './plan.repo'
import type { QuotaService } from './quota.service'
import type { RefundService } from './refund.service'
import { presentPlan } from './membership-present'

const MAX_NOTIFY_BYTES = 64 * 1024

/**
 * The notify's exact bytes (the signature covers them): what the JSON body parser kept, or the
 * stream itself when the parser skipped the request (another content type).
 */
const rawBodyOf = async (ctx: AppContext): Promise<string> => {
  const kept = (ctx.request as { rawBody?: unknown }).rawBody
  if (typeof kept === 'string') return kept
  if (ctx.req.readableEnded) return ''
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > MAX_NOTIFY_BYTES) throw new AppError('PAY_NOTIFY_INVALID', 'Notify body too large')
    chunks.push(chunk)
  }
  return Buffer.concat(chunks).toString('utf8')
}

const headersOf = (ctx: AppContext): Record<string, string | undefined> =>
  Object.fromEntries(
    Object.entries(ctx.headers).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v[0] : v]),
  )

export const mountMembershipRoutes = (
  router: Router<AppState>,
  guard: AccessGuard,
  s: {
    plans: PlanRepo
    ready: () => Promise<void>
    orders: OrderService
    notify: NotifyService
    staff: MembershipStaffService
    refunds: RefundService
    quotas: QuotaService
  },
): void => {
  const r = membershipRoutes
  mount(router, r.membershipPlans, guard, async () => {
    await s.ready()
    return { plans: (await s.plans.list({ activeOnly: true })).map(presentPlan) }
  })
  mount(router, r.myMembership, guard, ({ principal }) => s.quotas.status(patientOf(principal).profileId))
  mount(router, r.createMembershipOrder, guard, ({ principal, body }) =>
    s.orders.create(patientOf(principal), body),
  )
  mount(router, r.myMembershipOrders, guard, ({ principal }) => s.orders.mine(patientOf(principal)))
  mount(router, r.myMembershipOrder, guard, ({ principal, params }) =>
    s.orders.get(patientOf(principal), params.id!),
  )
  mount(router, r.syncMembershipOrder, guard, ({ principal, params }) =>
    s.orders.sync(patientOf(principal), params.id!),
  )
  // The platform's protocol, not ours (platform §5.7): 204 without a body on success; any failure
  // answers its status with {"code":"FAIL","message":"失败"} instead of ErrorBody, so WeChat retries.
  mount(router, r.payNotify, guard, async ({ ctx, log }) => {
    try {
      const { result } = await s.notify.handle(headersOf(ctx), await rawBodyOf(ctx))
      log.info({ result }, 'pay notify handled')
    } catch (err) {
      const known = err instanceof AppError
      if (known) log.warn({ code: err.code, err: err.message }, 'pay notify refused')
      else log.error({ err }, 'pay notify failed')
      ctx.status = known ? err.status : 500
      ctx.body = { code: 'FAIL', message: '失败' }
    }
    return null
  })
  const meta = (m: { ip: string; requestId: string }) => ({ ip: m.ip, requestId: m.requestId })
  mount(router, r.staffMembershipPlans, guard, () => s.staff.plans())
  mount(router, r.saveMembershipPlan, guard, ({ principal, params, body, ...m }) =>
    s.staff.savePlan(staffOf(principal), params.code!, body, meta(m)),
  )
  mount(router, r.listMembershipOrders, guard, ({ principal, query, ...m }) =>
    s.staff.listOrders(staffOf(principal), query, meta(m)),
  )
  mount(router, r.getMembershipOrder, guard, ({ principal, params, ...m }) =>
    s.staff.getOrder(staffOf(principal), params.id!, meta(m)),
  )
  mount(router, r.refundMembershipOrder, guard, ({ principal, params, body, ...m }) =>
    s.refunds.refund(staffOf(principal), params.id!, body, meta(m)),
  )
  mount(router, r.patientMembership, guard, ({ principal, params, ...m }) =>
    s.quotas.forStaff(staffOf(principal), params.id!, meta(m)),
  )
  mount(router, r.consumeQuota, guard, ({ principal, params, body, ...m }) =>
    s.quotas.consume(staffOf(principal), params.id!, body, meta(m)),
  )
}

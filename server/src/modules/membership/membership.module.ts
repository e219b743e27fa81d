import type Router from '@koa/router'
import type { Clock } from '../../clock'
import type { Config } from '../../config'
import type { Connection } from '../../db/connection'
import type { AccessGuard } from '../../http/auth'
import type { AppState } from '../../http/context'
import type { Job } from '../../jobs/scheduler'
import type { Logger } from '../../logger'
import type { PayGateway } from '../../platform/wechatpay/pay-gateway'
import { createAccountRepo } from '../accounts/account.repo'
import { createAuditLog, type AuditLog } from '../audit/audit.repo'
import { createPatientStaffRepo } from '../patients/patient-staff.repo'
import type { MembershipLookup, PointsPort } from '../points/points.port'
import { createMembershipLookup } from './membership-lookup'
import { createMembershipStaffService } from './membership-staff.service'
import { closeExpiredOrdersJob, reconcileOrdersJob } from './membership.jobs'
import {
  createMembershipRepo,
  createPatientNames,
  createPayNotifyRepo,
  createQuotaRepo,
} from './membership.repo'
import { mountMembershipRoutes } from './membership.routes'
import { createNotifyService, type NotifyService } from './notify.service'
import { createOrderRepo } from './order.repo'
import { createOrderService, type OrderService } from './order.service'
import { createPlanRepo } from './plan.repo'
import { createQuotaService, type QuotaService } from './quota.service'
import { createReconciler, type Reconciler } from './reconcile.service'
import { createRefundService, type RefundService } from './refund.service'
import { createSettlement, type Settlement } from './settlement.service'

export interface MembershipModule {
  mount(router: Router<AppState>, guard: AccessGuard): void
  /** `membership.close-expired` (every minute) and `membership.reconcile` (every 5 minutes). */
  jobs(): Job[]
  /** What the tier service asks (F30). */
  lookup: MembershipLookup
  orders: OrderService
  notify: NotifyService
  refunds: RefundService
  quotas: QuotaService
  settlement: Settlement
  reconciler: Reconciler
}

/**
 * Paid membership (F31) and service quotas (F32): plans, orders paid with WeChat Pay v3 (JSAPI),
 * the verified notify, refunds, the close and reconciliation jobs. `pay` undefined (WeChat Pay not
 * configured): the order, sync and refund routes answer 503 PAY_NOT_CONFIGURED, the notify route
 * too (non-2xx, so a misrouted notify is retried once Pay is set up), the jobs do only local work.
 * Points for a purchase go through the points port (`membership:<orderId>`, once).
 */
export const createMembershipModule = (deps: {
  config: Pick<Config, 'timezone' | 'hospitalName'>
  clock: Clock
  db: Connection
  logger: Logger
  audit?: AuditLog
  pay?: PayGateway
  points: PointsPort
}): MembershipModule => {
  const { config, clock, db, logger, pay } = deps
  const audit = deps.audit ?? createAuditLog(db, clock)
  const timeZone = config.timezone
  const orders = createOrderRepo(db)
  const plans = createPlanRepo(db)
  const memberships = createMembershipRepo(db, timeZone)
  const notifies = createPayNotifyRepo(db)
  const patientNames = createPatientNames(db)
  // The default plans are created on first use (once per process; safe when processes race).
  let seeded: Promise<void> | undefined
  const ready = (): Promise<void> => {
    seeded ??= plans.ensureDefaults(clock.now()).catch((err: unknown) => {
      seeded = undefined
      throw err
    })
    return seeded
  }
  const settlement = createSettlement({
    orders,
    memberships,
    points: deps.points,
    // Without Pay nothing can be paid, so the merchant is never compared.
    merchant: { appid: pay?.appid ?? '', mchid: pay?.mchid ?? '' },
    audit,
    clock,
    logger,
  })
  const orderService = createOrderService({
    orders,
    plans,
    accounts: createAccountRepo(db),
    settlement,
    pay,
    clock,
    logger,
    timeZone,
    hospitalName: config.hospitalName,
    ready,
  })
  const notify = createNotifyService({ pay, orders, notifies, settlement, clock, logger })
  const refunds = createRefundService({ orders, settlement, pay, audit, clock, logger, patientNames })
  const quotas = createQuotaService({
    memberships,
    quotas: createQuotaRepo(db),
    staffPatients: createPatientStaffRepo(db),
    audit,
    clock,
    timeZone,
  })
  const staff = createMembershipStaffService({ plans, orders, notifies, patientNames, audit, clock, ready })
  const reconciler = createReconciler({ orders, settlement, refunds, pay, clock, logger })
  return {
    mount: (router, guard) =>
      mountMembershipRoutes(router, guard, {
        plans,
        ready,
        orders: orderService,
        notify,
        staff,
        refunds,
        quotas,
      }),
    jobs: () => [closeExpiredOrdersJob({ reconciler, logger }), reconcileOrdersJob({ reconciler, logger })],
    lookup: createMembershipLookup(db, timeZone),
    orders: orderService,
    notify,
    refunds,
    quotas,
    settlement,
    reconciler,
  }
}

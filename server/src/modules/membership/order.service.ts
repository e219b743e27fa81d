import { randomBytes } from 'node:crypto'
import {
  AppError,
  type CreateOrderRequest,
  type CreateOrderResponse,
  type MembershipOrder,
  type PayParams,
} from '@careloop/shared'
import { Types } from 'mongoose'
import type { Clock } from '../../clock'
import type { PatientPrincipal } from '../../http/context'
import type { Logger } from '../../logger'
import type { PayGateway } from '../../platform/wechatpay/pay-gateway'
import type { AccountRepo } from '../accounts/account.repo'
import { wallTimeOf } from '../communities/zoned-time'
import { presentOrder } from './membership-present'
import { OutTradeNoTaken, type OrderDoc, type OrderRepo } from './order.repo'
import type { PlanRepo } from './plan.repo'
import type { Settlement } from './settlement.service'

/** Unpaid orders close after this (platform `time_expire`; the close job enforces it). */
export const ORDER_TTL_MS = 30 * 60 * 1000
const MY_ORDERS_LIMIT = 100
const ALPHABET = '0123456789ABCDEFGHJKLMNPQRSTUVWXYZ'

const pad = (n: number): string => String(n).padStart(2, '0')

/** `CL` + local yyyyMMddHHmmss + 10 random characters: 26 of `[0-9A-Z]` (platform §5.1: 6–32). */
export const newOutTradeNo = (at: Date, timeZone: string): string => {
  const w = wallTimeOf(at, timeZone)
  const stamp = `${w.year}${pad(w.month)}${pad(w.day)}${pad(w.hour)}${pad(w.minute)}${pad(w.second)}`
  const rand = [...randomBytes(10)].map((b) => ALPHABET[b % ALPHABET.length]).join('')
  return `CL${stamp}${rand}`
}

export interface OrderService {
  create(p: PatientPrincipal, body: CreateOrderRequest): Promise<CreateOrderResponse>
  mine(p: PatientPrincipal): Promise<{ orders: MembershipOrder[] }>
  get(p: PatientPrincipal, id: string): Promise<MembershipOrder>
  /** "I paid": asks the platform (never the client) and settles the order accordingly. */
  sync(p: PatientPrincipal, id: string): Promise<MembershipOrder>
}

export const requirePay = (pay: PayGateway | undefined): PayGateway => {
  if (!pay) throw new AppError('PAY_NOT_CONFIGURED', 'WeChat Pay is not configured on this server')
  return pay
}

export const createOrderService = (deps: {
  orders: OrderRepo
  plans: PlanRepo
  accounts: Pick<AccountRepo, 'findById'>
  settlement: Settlement
  pay: PayGateway | undefined
  clock: Clock
  logger: Logger
  timeZone: string
  hospitalName: string
  /** Resolves once the default plans exist. */
  ready: () => Promise<void>
}): OrderService => {
  const { orders, clock } = deps

  const ownOrder = async (p: PatientPrincipal, id: string): Promise<OrderDoc> => {
    const o = await orders.findById(id)
    // Another account's order is answered exactly like a missing one.
    if (!o || o.accountId.toHexString() !== p.accountId)
      throw new AppError('ORDER_NOT_FOUND', 'No such order')
    return o
  }

  /** Calls prepay for an order that has no prepay_id yet (a first try, or a retry after a failure). */
  const prepay = async (pay: PayGateway, o: OrderDoc): Promise<OrderDoc> => {
    const r = await pay.prepayJsapi({
      outTradeNo: o.outTradeNo,
      description: o.description,
      amountFen: o.amountFen,
      payerOpenid: o.payerOpenid,
      timeExpire: o.expiresAt,
      attach: o._id.toHexString(),
    })
    return (await orders.setPrepay(o._id, r.prepayId, { ...r.payParams })) ?? o
  }

  const answer = (o: OrderDoc, duplicate: boolean): CreateOrderResponse => ({
    order: presentOrder(o),
    payParams: o.status === 'PENDING' && o.payParams ? (o.payParams as unknown as PayParams) : null,
    duplicate,
  })

  return {
    async create(p, body) {
      const pay = requirePay(deps.pay)
      await deps.ready()
      const plan = await deps.plans.findByCode(body.planCode)
      if (!plan || !plan.active)
        throw new AppError('MEMBERSHIP_PLAN_NOT_FOUND', `No plan ${body.planCode} on sale`, [
          { path: 'planCode', message: 'no such plan on sale' },
        ])
      const account = await deps.accounts.findById(p.accountId)
      if (!account || account.erasedAt) throw new AppError('AUTH_REQUIRED', 'Log in again')
      const now = clock.now()
      // The order is in the database before prepay is called: a notify that arrives before the
      // prepay response (or after a crash right after it) finds it.
      let inserted: { order: OrderDoc; created: boolean } | undefined
      for (let attempt = 0; !inserted; attempt++) {
        try {
          inserted = await orders.insert({
            outTradeNo: newOutTradeNo(now, deps.timeZone),
            accountId: account._id,
            profileId: new Types.ObjectId(p.profileId),
            requestId: body.requestId,
            plan: {
              code: plan.code,
              name: plan.name,
              period: plan.period,
              tier: plan.tier,
              quotas: plan.quotas.map((q) => ({ kind: q.kind, perMonth: q.perMonth })),
            },
            amountFen: plan.priceFen,
            description: `${deps.hospitalName} ${plan.name}`.slice(0, 127),
            payerOpenid: account.openid,
            createdAt: now,
            expiresAt: new Date(now.getTime() + ORDER_TTL_MS),
          })
        } catch (e) {
          if (e instanceof OutTradeNoTaken && attempt < 3) continue
          throw e
        }
      }
      let { order } = inserted
      // A retry after a failed or lost prepay call tries again (same out_trade_no and parameters:
      // the platform answers the same prepay_id).
      if (order.status === 'PENDING' && !order.prepayId && order.expiresAt > clock.now())
        order = await prepay(pay, order)
      return answer(order, !inserted.created)
    },

    async mine(p) {
      const rows = await orders.listByAccount(p.accountId, MY_ORDERS_LIMIT)
      return { orders: rows.map(presentOrder) }
    },

    async get(p, id) {
      return presentOrder(await ownOrder(p, id))
    },

    async sync(p, id) {
      let o = await ownOrder(p, id)
      const pay = requirePay(deps.pay)
      if (o.status === 'PENDING') {
        const tx = await pay.queryOrder(o.outTradeNo)
        await orders.markChecked(o._id, clock.now())
        if (tx) o = (await deps.settlement.settle(o, tx, 'query')).order
      } else if (o.status === 'PAID') o = await deps.settlement.applyGrant(o)
      return presentOrder(o)
    },
  }
}

import { Types } from 'mongoose'
import { EarningPoints, FakePay } from '../../../../tests/src/harness/fake-pay'
import { useTestDatabase } from '../../../../tests/src/jest/test-database'
import { ManualClock } from '../../clock'
import { syncIndexes } from '../../db/connection'
import type { PatientPrincipal, StaffPrincipal } from '../../http/context'
import { createLogger } from '../../logger'
import type { PayNotify } from '../../platform/wechatpay/pay-gateway'
import { accountModel } from '../accounts/account.model'
import { auditModel } from '../audit/audit.model'
import { patientModel } from '../patients/patient.model'
import { membershipModel } from './membership.model'
import { createMembershipModule, type MembershipModule } from './membership.module'
import { orderModel } from './order.model'

/**
 * The order state machine against the real database engine with an in-process gateway (FakePay):
 * grants once however often the platform reports, flags mismatches, closes, reconciles, refunds.
 * membership.int.test.ts drives the same through HTTP, the real client and the Pay simulator.
 */
const database = useTestDatabase()
const clock = new ManualClock(new Date('2026-03-10T02:00:00Z'))
const pay = new FakePay(() => clock.now())
const points = new EarningPoints(100)
let m: MembershipModule
const admin: StaffPrincipal = { kind: 'staff', staffId: new Types.ObjectId().toHexString(), role: 'admin' }
const head: StaffPrincipal = {
  kind: 'staff',
  staffId: new Types.ObjectId().toHexString(),
  role: 'head_nurse',
}
const meta = { ip: '127.0.0.1', requestId: 'test' }
let seq = 0

const newPatient = async (): Promise<PatientPrincipal> => {
  const db = database.connection
  const account = await accountModel(db).create({ openid: `openid-${++seq}-${Date.now()}` })
  const profile = await patientModel(db).create({
    accountId: account._id,
    relation: 'self',
    name: `患者${seq}`,
  })
  return { kind: 'patient', accountId: account._id.toHexString(), profileId: profile._id.toHexString() }
}

const deliver = (n: PayNotify, signature = 'ok') =>
  m.notify.handle({ 'x-fake-signature': signature }, JSON.stringify(n))

const buy = async (p: PatientPrincipal, planCode = 'monthly') =>
  (await m.orders.create(p, { planCode, requestId: `req-${++seq}-xxxxxxxx` })).order

const orderDoc = async (id: string) => (await orderModel(database.connection).findById(id).lean())!
const earnsOf = (orderId: string) =>
  [...points.earns.keys()].filter((k) => k === `membership:${orderId}`).length

beforeAll(async () => {
  m = createMembershipModule({
    config: { timezone: 'Asia/Shanghai', hospitalName: '示范医院' },
    clock,
    db: database.connection,
    logger: createLogger('silent'),
    pay,
    points,
  })
  await syncIndexes(database.connection)
})

describe('ordering', () => {
  it('stores the order before prepay and answers the payment parameters; a retried request answers the same', async () => {
    const p = await newPatient()
    let seenInDb = false
    pay.onPrepay = async (no) => {
      seenInDb = (await orderModel(database.connection).countDocuments({ outTradeNo: no })) === 1
    }
    const first = await m.orders.create(p, { planCode: 'monthly', requestId: 'order-retry-1' })
    pay.onPrepay = undefined
    expect(seenInDb).toBe(true)
    expect(first.duplicate).toBe(false)
    expect(first.order).toMatchObject({
      status: 'PENDING',
      amountFen: 2990,
      plan: { code: 'monthly', tier: 'gold' },
    })
    expect(first.order.outTradeNo).toMatch(/^CL\d{14}[0-9A-Z]{10}$/)
    expect(first.payParams?.package).toBe(`prepay_id=wx-prepay-${first.order.outTradeNo}`)
    const again = await m.orders.create(p, { planCode: 'monthly', requestId: 'order-retry-1' })
    expect(again).toEqual({ ...first, duplicate: true })
    expect(pay.calls.filter((c) => c === `prepay ${first.order.outTradeNo}`)).toHaveLength(1)
  })

  it('a failed prepay leaves the order pending; the retry with the same requestId prepays it', async () => {
    const p = await newPatient()
    pay.failPrepay = 1
    await expect(m.orders.create(p, { planCode: 'yearly', requestId: 'order-fail-1' })).rejects.toMatchObject(
      {
        code: 'PAY_UPSTREAM_ERROR',
      },
    )
    const r = await m.orders.create(p, { planCode: 'yearly', requestId: 'order-fail-1' })
    expect(r.duplicate).toBe(true)
    expect(r.payParams).not.toBeNull()
    expect(
      await orderModel(database.connection).countDocuments({
        accountId: p.accountId,
        requestId: 'order-fail-1',
      }),
    ).toBe(1)
  })

  it('refuses unknown or withdrawn plans', async () => {
    const p = await newPatient()
    await expect(
      m.orders.create(p, { planCode: 'lifetime', requestId: 'order-plan-1' }),
    ).rejects.toMatchObject({
      code: 'MEMBERSHIP_PLAN_NOT_FOUND',
    })
  })
})

describe('payment notify', () => {
  it('grants exactly once when the notify is replayed 5 times (and when the query reports it too)', async () => {
    const p = await newPatient()
    const order = await buy(p)
    pay.pay(order.outTradeNo)
    const n = pay.paymentNotify(order.outTradeNo)
    const results = []
    for (let i = 0; i < 5; i++) results.push((await deliver(n)).result)
    expect(results).toEqual(['paid', 'duplicate', 'duplicate', 'duplicate', 'duplicate'])
    // a different notify id for the same payment, and the patient's sync: still one grant
    expect((await deliver(pay.paymentNotify(order.outTradeNo))).result).toBe('already_paid')
    expect((await m.orders.sync(p, order.id)).status).toBe('PAID')
    const ms = await membershipModel(database.connection).findOne({ profileId: p.profileId }).lean()
    expect(ms!.grants).toHaveLength(1)
    expect(earnsOf(order.id)).toBe(1)
    const status = await m.quotas.status(p.profileId)
    expect(status).toMatchObject({ active: true, tier: 'gold', plan: { code: 'monthly' } })
    expect(status.until).toBe(ms!.grants[0]!.until.toISOString())
    expect(await m.lookup.activeMembership(p.profileId, clock.now())).toMatchObject({
      tier: 'gold',
      planId: 'monthly',
    })
  })

  it('a forged signature changes nothing (PAY_SIGNATURE_INVALID)', async () => {
    const p = await newPatient()
    const order = await buy(p)
    pay.pay(order.outTradeNo)
    await expect(deliver(pay.paymentNotify(order.outTradeNo), 'forged')).rejects.toMatchObject({
      code: 'PAY_SIGNATURE_INVALID',
    })
    expect((await orderDoc(order.id)).status).toBe('PENDING')
  })

  it('a payment whose amount does not match is flagged and grants nothing; replays keep it flagged', async () => {
    const p = await newPatient()
    const order = await buy(p)
    pay.pay(order.outTradeNo, 1)
    const n = pay.paymentNotify(order.outTradeNo)
    expect((await deliver(n)).result).toBe('flagged')
    expect((await deliver({ ...n, id: 'EV-other' })).result).toBe('flagged')
    const o = await orderDoc(order.id)
    expect(o.status).toBe('FLAGGED')
    expect(o.flag).toMatchObject({
      kind: 'amount_mismatch',
      details: { expected: { total: 2990 }, got: { total: 1 } },
    })
    expect(o.grantedAt).toBeNull()
    expect(await membershipModel(database.connection).countDocuments({ profileId: p.profileId })).toBe(0)
    expect(earnsOf(order.id)).toBe(0)
    expect(await auditModel(database.connection).countDocuments({ action: 'membership.order_flagged' })).toBe(
      1,
    )
  })

  it('a notify that arrives before the prepay response is handled', async () => {
    const p = await newPatient()
    let result = ''
    pay.onPrepay = async (no) => {
      pay.pay(no)
      result = (await deliver(pay.paymentNotify(no))).result
    }
    const r = await m.orders.create(p, { planCode: 'monthly', requestId: 'order-early-1' })
    pay.onPrepay = undefined
    expect(result).toBe('paid')
    expect(r.order.status).toBe('PAID')
    expect(r.payParams).toBeNull()
    expect((await m.quotas.status(p.profileId)).active).toBe(true)
  })

  it('a notify for an unknown order is refused so the platform retries', async () => {
    pay.orders.set('CLNOSUCHORDER0001', { total: 1, state: 'SUCCESS' })
    await expect(deliver(pay.paymentNotify('CLNOSUCHORDER0001'))).rejects.toMatchObject({
      code: 'ORDER_NOT_FOUND',
    })
  })

  it('a second purchase extends the membership from its end', async () => {
    const p = await newPatient()
    const a = await buy(p)
    pay.pay(a.outTradeNo)
    await deliver(pay.paymentNotify(a.outTradeNo))
    const b = await buy(p)
    pay.pay(b.outTradeNo)
    await deliver(pay.paymentNotify(b.outTradeNo))
    const [ga, gb] = [(await orderDoc(a.id)).grantUntil!, await orderDoc(b.id)]
    expect(gb.grantFrom).toEqual(ga)
    expect((await m.quotas.status(p.profileId)).until).toBe(gb.grantUntil!.toISOString())
  })
})

describe('close and reconcile', () => {
  it('closes an unpaid order after 30 minutes; a payment reported after that is flagged', async () => {
    const p = await newPatient()
    const order = await buy(p)
    clock.advance(29 * 60_000)
    await m.reconciler.closeExpired()
    expect((await orderDoc(order.id)).status).toBe('PENDING')
    clock.advance(2 * 60_000)
    expect((await m.reconciler.closeExpired()).closed).toBeGreaterThanOrEqual(1)
    expect(pay.calls).toContain(`close ${order.outTradeNo}`)
    expect((await orderDoc(order.id)).status).toBe('CLOSED')
    pay.orders.get(order.outTradeNo)!.state = 'NOTPAY'
    pay.pay(order.outTradeNo)
    expect((await deliver(pay.paymentNotify(order.outTradeNo))).result).toBe('flagged')
    expect((await orderDoc(order.id)).flag?.kind).toBe('paid_after_close')
  })

  it('an order paid at the last moment is settled as paid by the close job, not closed', async () => {
    const p = await newPatient()
    const order = await buy(p)
    pay.pay(order.outTradeNo)
    clock.advance(31 * 60_000)
    expect((await m.reconciler.closeExpired()).paid).toBe(1)
    expect((await orderDoc(order.id)).status).toBe('PAID')
    expect(pay.calls).not.toContain(`close ${order.outTradeNo}`)
  })

  it('a pending order whose notify was lost is settled by the reconciliation query', async () => {
    const p = await newPatient()
    const order = await buy(p)
    pay.pay(order.outTradeNo)
    clock.advance(6 * 60_000)
    await m.reconciler.reconcile()
    expect((await orderDoc(order.id)).status).toBe('PAID')
    expect(earnsOf(order.id)).toBe(1)
  })

  it('repairs a PAID order whose grant was interrupted (crash after PAID, and a failing points ledger)', async () => {
    const p = await newPatient()
    const order = await buy(p)
    pay.pay(order.outTradeNo)
    // a crash right after PAID was written: the grant never ran
    await orderModel(database.connection).updateOne(
      { _id: order.id },
      { $set: { status: 'PAID', paidAt: clock.now(), paidFen: 2990 } },
    )
    const q = await newPatient()
    const other = await buy(q)
    pay.pay(other.outTradeNo)
    points.failEarn = 1
    expect((await deliver(pay.paymentNotify(other.outTradeNo))).result).toBe('paid')
    expect((await orderDoc(other.id)).pointsAwarded).toBeNull()
    expect((await orderDoc(other.id)).grantedAt).not.toBeNull()

    await m.reconciler.reconcile()
    await m.reconciler.reconcile()
    for (const [pp, o] of [
      [p, order],
      [q, other],
    ] as const) {
      const doc = await orderDoc(o.id)
      expect(doc.grantedAt).not.toBeNull()
      expect(doc.pointsAwarded).toBe(100)
      expect(earnsOf(o.id)).toBe(1)
      const ms = await membershipModel(database.connection).findOne({ profileId: pp.profileId }).lean()
      expect(ms!.grants.filter((g) => g.orderId === o.id)).toHaveLength(1)
    }
  })
})

describe('refunds', () => {
  it('partial then full: refunds never exceed what was paid; the full refund ends the membership and takes the points back', async () => {
    const p = await newPatient()
    const order = await buy(p)
    pay.pay(order.outTradeNo)
    await deliver(pay.paymentNotify(order.outTradeNo))
    expect(points.balances.get(p.profileId)).toBe(100)

    const part = await m.refunds.refund(
      admin,
      order.id,
      { amountFen: 990, reason: '部分退款', requestId: 'refund-part-1' },
      meta,
    )
    expect(part.refund).toMatchObject({ amountFen: 990, status: 'PROCESSING' })
    const again = await m.refunds.refund(
      admin,
      order.id,
      { amountFen: 990, reason: '部分退款', requestId: 'refund-part-1' },
      meta,
    )
    expect(again.duplicate).toBe(true)
    expect(again.refund.outRefundNo).toBe(part.refund.outRefundNo)
    await expect(
      m.refunds.refund(
        admin,
        order.id,
        { amountFen: 2001, reason: '超额', requestId: 'refund-over-1' },
        meta,
      ),
    ).rejects.toMatchObject({ code: 'REFUND_INVALID' })

    const n1 = pay.settleRefund(part.refund.outRefundNo)
    expect((await deliver(n1)).result).toBe('refund_success')
    expect((await deliver(n1)).result).toBe('duplicate')
    let o = await orderDoc(order.id)
    expect(o).toMatchObject({ status: 'PAID', refundedFen: 990 })
    expect((await m.quotas.status(p.profileId)).active).toBe(true)

    const rest = await m.refunds.refund(
      admin,
      order.id,
      { amountFen: 2000, reason: '全部退款', requestId: 'refund-rest-1' },
      meta,
    )
    await deliver(pay.settleRefund(rest.refund.outRefundNo))
    o = await orderDoc(order.id)
    expect(o).toMatchObject({ status: 'REFUNDED', refundedFen: 2990 })
    expect(o.revokedAt).not.toBeNull()
    expect((await m.quotas.status(p.profileId)).active).toBe(false)
    expect(await m.lookup.activeMembership(p.profileId, clock.now())).toBeUndefined()
    expect(points.balances.get(p.profileId)).toBe(0)
    await expect(
      m.refunds.refund(admin, order.id, { amountFen: 1, reason: '再退', requestId: 'refund-more-1' }, meta),
    ).rejects.toMatchObject({ code: 'ORDER_STATE' })
    expect(await auditModel(database.connection).countDocuments({ action: 'membership.refund' })).toBe(2)
  })

  it('a refund the platform closed frees its amount; a processing one is finished by reconciliation', async () => {
    const p = await newPatient()
    const order = await buy(p)
    pay.pay(order.outTradeNo)
    await deliver(pay.paymentNotify(order.outTradeNo))
    const r1 = await m.refunds.refund(
      admin,
      order.id,
      { amountFen: 2990, reason: '退款', requestId: 'refund-closed-1' },
      meta,
    )
    await deliver(pay.settleRefund(r1.refund.outRefundNo, 'CLOSED'))
    const r2 = await m.refunds.refund(
      admin,
      order.id,
      { amountFen: 2990, reason: '再次退款', requestId: 'refund-closed-2' },
      meta,
    )
    pay.settleRefund(r2.refund.outRefundNo) // the notify is lost
    clock.advance(6 * 60_000)
    await m.reconciler.reconcile()
    expect(await orderDoc(order.id)).toMatchObject({ status: 'REFUNDED', refundedFen: 2990 })
  })

  it('refuses refunds of unpaid orders', async () => {
    const p = await newPatient()
    const order = await buy(p)
    await expect(
      m.refunds.refund(admin, order.id, { amountFen: 1, reason: '退款', requestId: 'refund-unpaid-1' }, meta),
    ).rejects.toMatchObject({ code: 'ORDER_STATE' })
  })
})

describe('quotas', () => {
  it('counts uses per calendar month, refuses beyond the plan, and a retried request uses nothing more', async () => {
    const p = await newPatient()
    await expect(
      m.quotas.consume(
        head,
        p.profileId,
        { kind: 'nurse_consult', requestId: 'quota-none-1', note: '' },
        meta,
      ),
    ).rejects.toMatchObject({ code: 'QUOTA_EXHAUSTED' })
    const order = await buy(p)
    pay.pay(order.outTradeNo)
    await deliver(pay.paymentNotify(order.outTradeNo))
    const use = (requestId: string) =>
      m.quotas.consume(head, p.profileId, { kind: 'nurse_consult', requestId, note: '电话咨询' }, meta)
    // two at once for the two uses of the month: both succeed, nothing more is left
    const [a, b] = await Promise.all([use('quota-use-1'), use('quota-use-2')])
    expect([a.duplicate, b.duplicate]).toEqual([false, false])
    expect(Math.max(a.quota.used, b.quota.used)).toBe(2)
    expect((await use('quota-use-1')).duplicate).toBe(true)
    await expect(use('quota-use-3')).rejects.toMatchObject({ code: 'QUOTA_EXHAUSTED' })
    expect((await m.quotas.status(p.profileId)).quotas).toEqual([
      expect.objectContaining({ kind: 'nurse_consult', perMonth: 2, used: 2, left: 0 }),
    ])
    // the next month (hospital zone) starts again
    clock.set(new Date('2026-03-31T16:30:00Z')) // 2026-04-01 00:30 in Shanghai
    const next = await use('quota-use-4')
    expect(next.quota).toMatchObject({ month: '2026-04', used: 1, left: 1 })
  })
})

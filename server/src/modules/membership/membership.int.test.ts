import { createSign } from 'node:crypto'
import {
  CreateOrderResponse,
  ErrorBody,
  MembershipOrder,
  MembershipPlansResponse,
  MembershipStatus,
  MyOrdersResponse,
  QuotaUsageResponse,
  RefundResponse,
  StaffOrderDetail,
  StaffOrdersResponse,
  type PayParams,
} from '@careloop/shared'
import { Types } from 'mongoose'
import { EarningPoints } from '../../../../tests/src/harness/fake-pay'
import { consentingPatient } from '../../../../tests/src/harness/module-app'
import { useStaffHarness } from '../../../../tests/src/harness/server-harness'
import { createLogger } from '../../logger'
import { createPayGateway } from '../../platform/wechatpay/wechatpay-client'
import { patientModel } from '../patients/patient.model'
import { staffModel } from '../staff/staff.model'
import { createMembershipLookup } from './membership-lookup'
import { membershipModel } from './membership.model'
import { orderModel } from './order.model'
import { createMembershipModule, type MembershipModule } from './membership.module'

/**
 * Paid membership end to end: the real app and WeChat Pay client against the Pay simulator (which
 * pays as the WeChat client would and delivers signed, encrypted notifies to our route). The
 * drills: replay ×5 → one grant; forged signature → 401 and no change; tampered amount → flagged,
 * no grant; a notify before the prepay response → handled; close after 30 minutes; partial then
 * full refund with their notifies; reconciliation after a crash between PAID and the grant.
 */
const points = new EarningPoints(200)
const h = useStaffHarness({ paySim: { refunds: 'manual' }, points })
const staff = { admin: '', head: '', nurse: '' }
/** The worker's side of the module (jobs), on the same database, clock and simulator. */
let worker: MembershipModule

/** What the simulator's hooks answer (the fields these tests read). */
interface SimBody {
  status?: number
  errMsg?: string
  transaction_id?: string
  notify?: { id: string; status: number }
  rejected?: boolean
  orders?: { out_trade_no: string; prepay_id: string; trade_state: string }[]
}

const sim = async (path: string, body?: unknown, method = 'POST') => {
  const res = await fetch(`${h.paySim!.url}${path}`, {
    method,
    ...(method === 'GET' ? {} : { body: JSON.stringify(body ?? {}) }),
  })
  const text = await res.text()
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as SimBody }
}
const payHook = (no: string, p: PayParams | Record<string, unknown>) => sim(`/_sim/pay/${no}/pay`, p)

const buy = async (
  token: string,
  planCode = 'monthly',
  requestId = `buy-${new Types.ObjectId().toHexString()}`,
) => {
  const r = await h.request('POST', '/api/v1/me/membership/orders', { token, body: { planCode, requestId } })
  expect(r.status).toBe(201)
  return CreateOrderResponse.parse(r.body)
}
const myOrder = async (token: string, id: string) =>
  MembershipOrder.parse((await h.request('GET', `/api/v1/me/orders/${id}`, { token })).body)
const myMembership = async (token: string) =>
  MembershipStatus.parse((await h.request('GET', '/api/v1/me/membership', { token })).body)
const staffOrder = async (id: string) =>
  StaffOrderDetail.parse((await h.request('GET', `/api/v1/staff/orders/${id}`, { token: staff.admin })).body)
const grantsOf = async (profileId: string) =>
  (
    await membershipModel(h.db)
      .findOne({ profileId: new Types.ObjectId(profileId) })
      .lean()
  )?.grants ?? []
const earnsOf = (orderId: string) =>
  [...points.earns.keys()].filter((k) => k === `membership:${orderId}`).length

beforeAll(async () => {
  await h.seedStaff()
  staff.admin = (await h.staffLogin('admin')).accessToken
  staff.head = (await h.staffLogin('headnurse.wang')).accessToken
  staff.nurse = (await h.staffLogin('nurse.li')).accessToken
  worker = createMembershipModule({
    config: h.config,
    clock: h.clock,
    db: h.db,
    logger: createLogger('silent'),
    pay: createPayGateway(h.config, h.clock),
    points,
  })
})

describe('buying a membership', () => {
  it('a new user buys a monthly membership through the simulator and sees the tier change', async () => {
    const me = await consentingPatient(h, 'member-first')
    expect(await myMembership(me.token)).toMatchObject({ active: false, tier: null })
    const plans = MembershipPlansResponse.parse(
      (await h.request('GET', '/api/v1/me/membership/plans', { token: me.token })).body,
    )
    expect(plans.plans.map((p) => [p.code, p.priceFen, p.tier])).toEqual([
      ['monthly', 2990, 'gold'],
      ['yearly', 29900, 'platinum'],
    ])
    const lookup = createMembershipLookup(h.db, h.config.timezone)
    expect(await lookup.activeMembership(me.patientId, h.clock.now())).toBeUndefined()

    const { order, payParams } = await buy(me.token)
    expect(order.status).toBe('PENDING')
    const paid = await payHook(order.outTradeNo, payParams!)
    expect(paid.body).toMatchObject({ errMsg: 'requestPayment:ok', notify: { status: 204 } })
    // the client says "paid": the server asks the platform, which agrees
    const synced = MembershipOrder.parse(
      (await h.request('POST', `/api/v1/me/orders/${order.id}/sync`, { token: me.token })).body,
    )
    expect(synced).toMatchObject({ status: 'PAID', transactionId: paid.body.transaction_id, amountFen: 2990 })
    expect(synced.paidAt).not.toBeNull()
    expect(synced.grant).not.toBeNull()

    const status = await myMembership(me.token)
    expect(status).toMatchObject({ active: true, tier: 'gold', plan: { code: 'monthly', name: '月度会员' } })
    expect(status.until).toBe(synced.grant!.until)
    expect(status.quotas).toEqual([
      expect.objectContaining({ kind: 'nurse_consult', perMonth: 2, used: 0, left: 2 }),
    ])
    expect(await lookup.activeMembership(me.patientId, h.clock.now())).toMatchObject({
      tier: 'gold',
      planId: 'monthly',
    })
    expect(earnsOf(order.id)).toBe(1)
    const list = MyOrdersResponse.parse(
      (await h.request('GET', '/api/v1/me/orders', { token: me.token })).body,
    )
    expect(list.orders.map((o) => o.id)).toEqual([order.id])
  })

  it('a patient cannot see or sync another account’s order', async () => {
    const a = await consentingPatient(h, 'member-owner')
    const b = await consentingPatient(h, 'member-snoop')
    const { order } = await buy(a.token)
    for (const [method, path] of [
      ['GET', `/api/v1/me/orders/${order.id}`],
      ['POST', `/api/v1/me/orders/${order.id}/sync`],
    ] as const) {
      const r = await h.request(method, path, { token: b.token })
      expect(r.status).toBe(404)
      expect(ErrorBody.parse(r.body).error.code).toBe('ORDER_NOT_FOUND')
    }
    expect(
      MyOrdersResponse.parse((await h.request('GET', '/api/v1/me/orders', { token: b.token })).body).orders,
    ).toEqual([])
  })

  it('a notify that arrives before the prepay response is handled', async () => {
    const me = await consentingPatient(h, 'member-early')
    await sim('/_sim/pay/prepay/delay', { ms: 10_000 })
    const creating = h.request('POST', '/api/v1/me/membership/orders', {
      token: me.token,
      body: { planCode: 'monthly', requestId: 'early-notify-1' },
    })
    // the order is in our database and at the platform while its prepay answer is held
    let held: { no: string; prepayId: string } | undefined
    for (let i = 0; i < 400 && !held; i++) {
      const o = await orderModel(h.db).findOne({ requestId: 'early-notify-1' }).lean()
      const state = o ? await sim('/_sim/pay/state', undefined, 'GET') : undefined
      const at = state?.body.orders?.find((x) => x.out_trade_no === o?.outTradeNo)
      if (at) held = { no: at.out_trade_no, prepayId: at.prepay_id }
      else await new Promise((ok) => setTimeout(ok, 25))
    }
    expect(held).toBeDefined()
    expect((await orderModel(h.db).findOne({ outTradeNo: held!.no }).lean())?.prepayId).toBeNull()
    const pkg = `prepay_id=${held!.prepayId}`
    const timeStamp = String(Math.floor(h.clock.now().getTime() / 1000))
    const paySign = createSign('RSA-SHA256')
      .update(`${h.config.pay!.appid}\n${timeStamp}\nearly\n${pkg}\n`)
      .sign(h.paySim!.keyView().merchant.privateKey, 'base64')
    const paid = await payHook(held!.no, {
      timeStamp,
      nonceStr: 'early',
      package: pkg,
      signType: 'RSA',
      paySign,
    })
    expect(paid.body).toMatchObject({ errMsg: 'requestPayment:ok', notify: { status: 204 } })
    await sim('/_sim/pay/prepay/release')
    const r = await creating
    expect(r.status).toBe(201)
    const body = CreateOrderResponse.parse(r.body)
    expect(body.order).toMatchObject({ status: 'PAID', outTradeNo: held!.no })
    expect(body.payParams).toBeNull()
    expect((await myMembership(me.token)).active).toBe(true)
  })
})

describe('notify drills', () => {
  it('a notify replayed 5 times grants once (one membership extension, one ledger earn)', async () => {
    const me = await consentingPatient(h, 'member-replay')
    const { order, payParams } = await buy(me.token)
    await payHook(order.outTradeNo, payParams!)
    const before = await myOrder(me.token, order.id)
    for (let i = 0; i < 5; i++) {
      const r = await sim('/_sim/pay/notify/redeliver', { outTradeNo: order.outTradeNo })
      expect(r.body.status).toBe(204)
    }
    expect(await grantsOf(me.patientId)).toHaveLength(1)
    expect(earnsOf(order.id)).toBe(1)
    expect(await myOrder(me.token, order.id)).toEqual(before)
    const detail = await staffOrder(order.id)
    expect(detail.notifies).toEqual([
      expect.objectContaining({ eventType: 'TRANSACTION.SUCCESS', result: 'paid', deliveries: 6 }),
    ])
  })

  it('a forged signature is refused with 401 and changes nothing; the genuine retry then pays', async () => {
    const me = await consentingPatient(h, 'member-forged')
    const { order, payParams } = await buy(me.token)
    await sim('/_sim/pay/notify/tamper', { kind: 'signature' })
    const paid = await payHook(order.outTradeNo, payParams!)
    expect(paid.body.notify).toMatchObject({ status: 401 })
    expect((await myOrder(me.token, order.id)).status).toBe('PENDING')
    expect(await grantsOf(me.patientId)).toHaveLength(0)
    // our answer is the platform's FAIL shape, not ErrorBody
    const direct = await h.request('POST', '/api/v1/pay/notify', {
      rawBody: '{"id":"EV-forged"}',
      headers: { 'wechatpay-signature': 'forged', 'wechatpay-timestamp': '1', 'wechatpay-nonce': 'n' },
    })
    expect([direct.status, direct.body]).toEqual([401, { code: 'FAIL', message: '失败' }])
    // WeChat Pay retries after 15 s with a good signature
    h.clock.advance(16_000)
    await sim('/_sim/pay/notify/deliver-due')
    expect((await myOrder(me.token, order.id)).status).toBe('PAID')
    expect(await grantsOf(me.patientId)).toHaveLength(1)
  })

  it('a notify with a forged GCM tag or a stale timestamp is refused too', async () => {
    const me = await consentingPatient(h, 'member-gcm')
    const { order, payParams } = await buy(me.token)
    await sim('/_sim/pay/notify/tamper', { kind: 'gcm-tag' })
    await sim('/_sim/pay/notify/tamper', { kind: 'timestamp' })
    expect((await payHook(order.outTradeNo, payParams!)).body.notify).toMatchObject({ status: 400 })
    expect((await sim('/_sim/pay/notify/redeliver', { outTradeNo: order.outTradeNo })).body.status).toBe(401)
    expect((await myOrder(me.token, order.id)).status).toBe('PENDING')
    expect((await sim('/_sim/pay/notify/signtest', { url: h.config.pay!.notifyUrl })).body).toMatchObject({
      rejected: true,
    })
  })

  it('a tampered amount is flagged and grants nothing', async () => {
    const me = await consentingPatient(h, 'member-tampered')
    const { order, payParams } = await buy(me.token)
    await sim('/_sim/pay/notify/tamper', { kind: 'amount' })
    const paid = await payHook(order.outTradeNo, payParams!)
    // acknowledged (authentic and recorded; a retry could not change it), but not granted
    expect(paid.body.notify).toMatchObject({ status: 204 })
    const detail = await staffOrder(order.id)
    expect(detail.order).toMatchObject({
      status: 'FLAGGED',
      grantedAt: null,
      flag: { kind: 'amount_mismatch', details: { expected: { total: 2990 }, got: { total: 2991 } } },
    })
    expect(detail.notifies[0]).toMatchObject({ result: 'flagged' })
    expect(await grantsOf(me.patientId)).toHaveLength(0)
    expect(earnsOf(order.id)).toBe(0)
    expect((await myMembership(me.token)).active).toBe(false)
    const flagged = StaffOrdersResponse.parse(
      (await h.request('GET', '/api/v1/staff/orders?status=FLAGGED', { token: staff.head })).body,
    )
    expect(flagged.orders.map((o) => o.id)).toContain(order.id)
  })
})

describe('jobs', () => {
  it('closes an order left unpaid for 30 minutes, here and at the platform', async () => {
    const me = await consentingPatient(h, 'member-unpaid')
    const { order, payParams } = await buy(me.token)
    h.clock.advance(29 * 60_000)
    await worker.reconciler.closeExpired()
    expect((await staffOrder(order.id)).order.status).toBe('PENDING')
    h.clock.advance(2 * 60_000)
    await worker.reconciler.closeExpired()
    const token = (await h.login('member-unpaid')).accessToken // the first access token has expired
    expect((await myOrder(token, order.id)).status).toBe('CLOSED')
    const state = await sim('/_sim/pay/state', undefined, 'GET')
    expect(state.body.orders?.find((o) => o.out_trade_no === order.outTradeNo)).toMatchObject({
      trade_state: 'CLOSED',
    })
    expect((await payHook(order.outTradeNo, payParams!)).status).toBe(400)
  })

  it('reconciliation repairs a PAID order whose grant was interrupted by a crash', async () => {
    const me = await consentingPatient(h, 'member-crash')
    const { order, payParams } = await buy(me.token)
    // the process "dies" between PAID and the membership grant
    const M = membershipModel(h.db)
    const crash = jest.spyOn(M, 'create').mockRejectedValueOnce(new Error('simulated crash'))
    const paid = await payHook(order.outTradeNo, payParams!)
    crash.mockRestore()
    expect(paid.body.notify).toMatchObject({ status: 500 })
    expect((await staffOrder(order.id)).order).toMatchObject({ status: 'PAID', grantedAt: null })
    expect(await grantsOf(me.patientId)).toHaveLength(0)

    await worker.reconciler.reconcile()
    expect((await staffOrder(order.id)).order.grantedAt).not.toBeNull()
    // WeChat Pay's retry of the failed delivery arrives afterwards: nothing more happens
    h.clock.advance(16_000)
    await sim('/_sim/pay/notify/deliver-due')
    expect(await grantsOf(me.patientId)).toHaveLength(1)
    expect(earnsOf(order.id)).toBe(1)
    expect((await myMembership(me.token)).active).toBe(true)
  })
})

describe('refunds and quotas', () => {
  it('partial then full refund with their notifies; the full refund ends the membership', async () => {
    const me = await consentingPatient(h, 'member-refund')
    const { order, payParams } = await buy(me.token)
    await payHook(order.outTradeNo, payParams!)
    expect(points.balances.get(me.patientId)).toBe(200)
    const refund = (amountFen: number, requestId: string, token = staff.admin) =>
      h.request('POST', `/api/v1/staff/orders/${order.id}/refunds`, {
        token,
        body: { amountFen, reason: '患者申请退款', requestId },
      })

    expect((await refund(990, 'refund-http-0', staff.head)).status).toBe(403)
    const part = await refund(990, 'refund-http-1')
    expect(part.status).toBe(201)
    const p1 = RefundResponse.parse(part.body)
    expect(p1.refund).toMatchObject({ amountFen: 990, status: 'PROCESSING', reason: '患者申请退款' })
    const over = await refund(2001, 'refund-http-2')
    expect(over.status).toBe(400)
    expect(ErrorBody.parse(over.body).error.code).toBe('REFUND_INVALID')
    const settled = await sim(`/_sim/pay/refunds/${p1.refund.outRefundNo}/result`, { status: 'SUCCESS' })
    expect(settled.body.notify).toMatchObject({ status: 204 })
    expect(await myOrder(me.token, order.id)).toMatchObject({ status: 'PAID', refundedFen: 990 })
    expect((await myMembership(me.token)).active).toBe(true)

    const rest = RefundResponse.parse((await refund(2000, 'refund-http-3')).body)
    await sim(`/_sim/pay/refunds/${rest.refund.outRefundNo}/result`, { status: 'SUCCESS' })
    const receipt = await myOrder(me.token, order.id)
    expect(receipt).toMatchObject({ status: 'REFUNDED', refundedFen: 2990, grant: null })
    expect(receipt.refunds.map((r) => [r.amountFen, r.status])).toEqual([
      [990, 'SUCCESS'],
      [2000, 'SUCCESS'],
    ])
    expect(await myMembership(me.token)).toMatchObject({ active: false, tier: null })
    expect(
      await createMembershipLookup(h.db, h.config.timezone).activeMembership(me.patientId, h.clock.now()),
    ).toBeUndefined()
    expect(points.balances.get(me.patientId)).toBe(0)
    const detail = await staffOrder(order.id)
    expect(detail.notifies.map((n) => n.eventType)).toEqual([
      'TRANSACTION.SUCCESS',
      'REFUND.SUCCESS',
      'REFUND.SUCCESS',
    ])
  })

  it('nurses use the quota within their scope; none left → QUOTA_EXHAUSTED; a retry uses nothing more', async () => {
    const me = await consentingPatient(h, 'member-quota')
    const { order, payParams } = await buy(me.token)
    await payHook(order.outTradeNo, payParams!)
    const nurseLi = (await staffModel(h.db).findOne({ username: 'nurse.li' }).lean())!._id
    const use = (requestId: string, token = staff.nurse) =>
      h.request('POST', `/api/v1/staff/patients/${me.patientId}/quota-usage`, {
        token,
        body: { kind: 'nurse_consult', requestId, note: '电话咨询' },
      })
    // not her patient yet
    expect((await use('quota-http-0')).status).toBe(404)
    await patientModel(h.db).updateOne({ _id: me.patientId }, { $set: { assignedNurseId: nurseLi } })
    const first = await use('quota-http-1')
    expect(first.status).toBe(201)
    expect(QuotaUsageResponse.parse(first.body)).toMatchObject({
      duplicate: false,
      quota: { used: 1, left: 1 },
    })
    expect(QuotaUsageResponse.parse((await use('quota-http-1')).body)).toMatchObject({ duplicate: true })
    expect((await use('quota-http-2', staff.head)).status).toBe(201)
    const none = await use('quota-http-3')
    expect(none.status).toBe(409)
    expect(ErrorBody.parse(none.body).error.code).toBe('QUOTA_EXHAUSTED')
    expect((await myMembership(me.token)).quotas[0]).toMatchObject({ used: 2, left: 0 })
    const seenByStaff = MembershipStatus.parse(
      (await h.request('GET', `/api/v1/staff/patients/${me.patientId}/membership`, { token: staff.nurse }))
        .body,
    )
    expect(seenByStaff.quotas[0]).toMatchObject({ used: 2, left: 0 })
  })

  it('admins edit plans; patients see only plans on sale; orders keep the terms they were bought with', async () => {
    const before = await consentingPatient(h, 'member-old-terms')
    const old = await buy(before.token)
    const saved = await h.request('PUT', '/api/v1/staff/membership/plans/monthly', {
      token: staff.admin,
      body: {
        name: '月度会员',
        period: 'month',
        priceFen: 3990,
        tier: 'gold',
        quotas: [{ kind: 'nurse_consult', perMonth: 4 }],
        sort: 10,
      },
    })
    expect(saved.status).toBe(200)
    await h.request('PUT', '/api/v1/staff/membership/plans/trial', {
      token: staff.admin,
      body: { name: '体验', period: 'month', priceFen: 1, tier: 'silver', active: false },
    })
    const me = await consentingPatient(h, 'member-plans')
    const onSale = MembershipPlansResponse.parse(
      (await h.request('GET', '/api/v1/me/membership/plans', { token: me.token })).body,
    )
    expect(onSale.plans.map((p) => [p.code, p.priceFen])).toEqual([
      ['monthly', 3990],
      ['yearly', 29900],
    ])
    const trial = await h.request('POST', '/api/v1/me/membership/orders', {
      token: me.token,
      body: { planCode: 'trial', requestId: 'trial-order-1' },
    })
    expect(ErrorBody.parse(trial.body).error.code).toBe('MEMBERSHIP_PLAN_NOT_FOUND')
    const all = MembershipPlansResponse.parse(
      (await h.request('GET', '/api/v1/staff/membership/plans', { token: staff.head })).body,
    )
    expect(all.plans.map((p) => p.code)).toContain('trial')

    expect((await buy(me.token)).order.amountFen).toBe(3990)
    // the order made before the change is paid at its price and grants its quotas
    expect((await payHook(old.order.outTradeNo, old.payParams!)).body.notify).toMatchObject({ status: 204 })
    expect(await myOrder(before.token, old.order.id)).toMatchObject({ status: 'PAID', amountFen: 2990 })
    expect((await myMembership(before.token)).quotas[0]).toMatchObject({ perMonth: 2 })
  })
})

import { createSign } from 'node:crypto'
import {
  CreateOrderResponse,
  MembershipOrder,
  MembershipStatus,
  MyPointsResponse,
  type PayParams,
} from '@careloop/shared'
import { Types } from 'mongoose'
import { membershipModel } from '../../server/src/modules/membership/membership.model'
import { orderModel } from '../../server/src/modules/membership/order.model'
import { pointsEntryModel } from '../../server/src/modules/points/points.model'
import { consentingPatient } from '../src/harness/module-app'
import { useStaffHarness } from '../src/harness/server-harness'

/**
 * Drill (issue 6): "a notify replayed 5 times → one grant; a forged signature → 401 and no change; a
 * tampered amount → flagged, no grant; a notify arriving before the prepay response → handled", end
 * to end: the real HTTP app with its real points ledger (nothing replaced), its WeChat Pay client,
 * and the WeChat Pay simulator, which pays as the WeChat client would and delivers signed,
 * encrypted notifies to our `/api/v1/pay/notify`. A grant is counted twice over: the membership's
 * grants and the points ledger's entries under `membership:<orderId>` (the purchase's earn).
 * Overlaps `server/src/modules/membership/membership.int.test.ts` ("notify drills", same simulator
 * hooks, but a counting fake instead of the ledger) and `settlement.int.test.ts` (the state machine
 * with an in-process gateway).
 */
const h = useStaffHarness({ paySim: { refunds: 'manual' } })

interface SimBody {
  status?: number
  errMsg?: string
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
/** What wx.requestPayment does: the simulator checks the parameters, pays, and notifies us. */
const payHook = (no: string, p: PayParams | Record<string, unknown>) => sim(`/_sim/pay/${no}/pay`, p)

type Patient = Awaited<ReturnType<typeof consentingPatient>>
let seq = 0
const buy = async (p: Patient, requestId = `drill-buy-${++seq}-${p.patientId}`) => {
  const r = await h.request('POST', '/api/v1/me/membership/orders', {
    token: p.token,
    body: { planCode: 'monthly', requestId },
  })
  expect(r.status).toBe(201)
  return CreateOrderResponse.parse(r.body)
}
const myOrder = async (p: Patient, id: string) =>
  MembershipOrder.parse((await h.request('GET', `/api/v1/me/orders/${id}`, { token: p.token })).body)
const myMembership = async (p: Patient) =>
  MembershipStatus.parse((await h.request('GET', '/api/v1/me/membership', { token: p.token })).body)
const myBalance = async (p: Patient) =>
  MyPointsResponse.parse((await h.request('GET', '/api/v1/me/points', { token: p.token })).body).balance
/** What a purchase granted: membership grants, ledger entries of its earn, all the patient's entries. */
const granted = async (p: Patient, orderId: string) => {
  const profileId = new Types.ObjectId(p.patientId)
  const m = await membershipModel(h.db).findOne({ profileId }).lean()
  const entries = await pointsEntryModel(h.db).find({ profileId }).lean()
  return {
    grants: m?.grants.filter((g) => g.orderId === orderId).length ?? 0,
    earns: entries.filter((e) => e.refKey === `membership:${orderId}`).length,
    entries: entries.length,
  }
}

beforeAll(async () => {
  await h.seedStaff()
})

it('a notify replayed 5 times grants once: one membership grant, one ledger earn', async () => {
  const me = await consentingPatient(h, 'pay-drill-replay')
  const { order, payParams } = await buy(me)
  const paid = await payHook(order.outTradeNo, payParams!)
  expect(paid.body).toMatchObject({ errMsg: 'requestPayment:ok', notify: { status: 204 } })
  const once = { order: await myOrder(me, order.id), balance: await myBalance(me) }
  expect(once.order.status).toBe('PAID')
  expect(once.balance).toBeGreaterThan(0)
  expect(await granted(me, order.id)).toEqual({ grants: 1, earns: 1, entries: 1 })

  const replays = await Promise.all(
    Array.from({ length: 5 }, () => sim('/_sim/pay/notify/redeliver', { outTradeNo: order.outTradeNo })),
  )
  expect(replays.map((r) => r.body.status)).toEqual([204, 204, 204, 204, 204])
  expect(await granted(me, order.id)).toEqual({ grants: 1, earns: 1, entries: 1 })
  expect({ order: await myOrder(me, order.id), balance: await myBalance(me) }).toEqual(once)
  expect((await myMembership(me)).active).toBe(true)
})

it('a forged signature is answered 401 and changes nothing', async () => {
  const me = await consentingPatient(h, 'pay-drill-forged')
  const { order, payParams } = await buy(me)
  await sim('/_sim/pay/notify/tamper', { kind: 'signature' })
  const paid = await payHook(order.outTradeNo, payParams!)
  expect(paid.body.notify).toMatchObject({ status: 401 })
  expect((await myOrder(me, order.id)).status).toBe('PENDING')
  expect(await granted(me, order.id)).toEqual({ grants: 0, earns: 0, entries: 0 })
  expect(await myBalance(me)).toBe(0)
  expect((await myMembership(me)).active).toBe(false)
  // a forged notify sent straight to the route: the platform's FAIL shape, 401
  const direct = await h.request('POST', '/api/v1/pay/notify', {
    rawBody: JSON.stringify({ id: 'EV-forged', event_type: 'TRANSACTION.SUCCESS' }),
    headers: { 'wechatpay-signature': 'forged', 'wechatpay-timestamp': '1', 'wechatpay-nonce': 'n' },
  })
  expect([direct.status, direct.body]).toEqual([401, { code: 'FAIL', message: '失败' }])
  expect((await myOrder(me, order.id)).status).toBe('PENDING')
})

it('a tampered amount flags the order and grants nothing, also when replayed', async () => {
  const me = await consentingPatient(h, 'pay-drill-tampered')
  const { order, payParams } = await buy(me)
  await sim('/_sim/pay/notify/tamper', { kind: 'amount' })
  const paid = await payHook(order.outTradeNo, payParams!)
  // authentic, so acknowledged (a retry could not change it), but not granted
  expect(paid.body.notify).toMatchObject({ status: 204 })
  const stored = (await orderModel(h.db).findById(order.id).lean())!
  expect(stored).toMatchObject({ status: 'FLAGGED', grantedAt: null, flag: { kind: 'amount_mismatch' } })
  await sim('/_sim/pay/notify/redeliver', { outTradeNo: order.outTradeNo })
  expect((await orderModel(h.db).findById(order.id).lean())!.status).toBe('FLAGGED')
  expect(await granted(me, order.id)).toEqual({ grants: 0, earns: 0, entries: 0 })
  expect(await myBalance(me)).toBe(0)
  expect((await myMembership(me)).active).toBe(false)
})

it('a notify that arrives before the prepay response is handled: paid, granted once', async () => {
  const me = await consentingPatient(h, 'pay-drill-early')
  const requestId = `drill-early-${me.patientId}`
  // the simulator holds the next prepay answer; our create-order call waits for it
  await sim('/_sim/pay/prepay/delay', { ms: 10_000 })
  const creating = h.request('POST', '/api/v1/me/membership/orders', {
    token: me.token,
    body: { planCode: 'monthly', requestId },
  })
  let held: { no: string; prepayId: string } | undefined
  for (let i = 0; i < 400 && !held; i++) {
    const o = await orderModel(h.db).findOne({ requestId }).lean()
    const state = o ? await sim('/_sim/pay/state', undefined, 'GET') : undefined
    const at = state?.body.orders?.find((x) => x.out_trade_no === o?.outTradeNo)
    if (at) held = { no: at.out_trade_no, prepayId: at.prepay_id }
    else await new Promise((ok) => setTimeout(ok, 25))
  }
  expect(held).toBeDefined()
  // our prepay call is still in flight: the order has no prepay id yet
  expect((await orderModel(h.db).findOne({ requestId }).lean())?.prepayId).toBeNull()
  // the patient pays with what the held answer carries (as if it had reached the client): the notify
  // reaches our route first
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
  const orderId = (await orderModel(h.db).findOne({ requestId }).lean())!._id.toHexString()
  expect(await granted(me, orderId)).toEqual({ grants: 1, earns: 1, entries: 1 })

  await sim('/_sim/pay/prepay/release')
  const r = await creating
  expect(r.status).toBe(201)
  const body = CreateOrderResponse.parse(r.body)
  expect(body.order).toMatchObject({ id: orderId, status: 'PAID', outTradeNo: held!.no })
  expect(body.payParams).toBeNull()
  // the client's retry of the same request answers the paid order, and nothing is granted again
  const again = await buy(me, requestId)
  expect(again.order).toMatchObject({ id: orderId, status: 'PAID' })
  expect(await granted(me, orderId)).toEqual({ grants: 1, earns: 1, entries: 1 })
  expect((await myMembership(me)).active).toBe(true)
})

it('answers the SIGNTEST probe with a non-2xx status', async () => {
  const r = await sim('/_sim/pay/notify/signtest', { url: h.config.pay!.notifyUrl })
  expect(r.body.rejected).toBe(true)
  expect(r.body.status! < 200 || r.body.status! >= 300).toBe(true)
})

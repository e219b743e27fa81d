import { createSign } from 'node:crypto'
import { signedCall, usePayKit } from './pay-test-kit'

const k = usePayKit()

const body = (over: Record<string, unknown> = {}) => ({
  appid: k.sim.keys.appid,
  mchid: k.sim.keys.mchid,
  description: '会员年卡',
  out_trade_no: 'SIMT000001',
  notify_url: 'http://127.0.0.1:1/api/v1/pay/notify',
  amount: { total: 100, currency: 'CNY' },
  payer: { openid: 'oOpenid0001' },
  ...over,
})
const prepay = (b: unknown) => signedCall(k.sim, 'POST', '/v3/pay/transactions/jsapi', b)
const query = (no: string) =>
  signedCall(k.sim, 'GET', `/v3/pay/transactions/out-trade-no/${no}?mchid=${k.sim.keys.mchid}`)

/** What a merchant server hands the mini-program for `prepay_id` (§5.3). */
const payParams = (prepayId: string, over: Record<string, string> = {}) => {
  const p = {
    timeStamp: String(Math.floor(k.sim.clock.now() / 1000)),
    nonceStr: 'n0nce',
    package: `prepay_id=${prepayId}`,
  }
  const paySign = createSign('RSA-SHA256')
    .update(`${k.sim.keys.appid}\n${p.timeStamp}\n${p.nonceStr}\n${p.package}\n`)
    .sign(k.sim.keys.merchant.privateKeyPem, 'base64')
  return { ...p, signType: 'RSA', paySign, ...over }
}

describe('PaySim: JSAPI prepay (§5.1)', () => {
  it.each([
    ['appid', { appid: 'x'.repeat(33) }],
    ['description', { description: '长'.repeat(128) }],
    ['description', { description: undefined }],
    ['out_trade_no', { out_trade_no: 'short' }],
    ['out_trade_no', { out_trade_no: 'has space 001' }],
    ['time_expire', { time_expire: '2026-05-01 10:00:00' }],
    ['attach', { attach: 'a'.repeat(129) }],
    ['notify_url', { notify_url: 'http://example.com/notify' }],
    ['notify_url', { notify_url: 'https://example.com/notify?x=1' }],
    ['amount.total', { amount: { total: 0, currency: 'CNY' } }],
    ['amount.total', { amount: { total: 1.5 } }],
    ['amount.currency', { amount: { total: 1, currency: 'USD' } }],
    ['payer.openid', { payer: {} }],
  ])('400 PARAM_ERROR naming %s', async (field, over) => {
    const a = await prepay(body(over))
    expect(a).toMatchObject({ status: 400, json: { code: 'PARAM_ERROR', detail: { field } } })
  })

  it('accepts an http notify_url to a loopback host (the local stack) and RFC 3339 time_expire', async () => {
    const a = await prepay(
      body({
        notify_url: 'http://127.0.0.1:3000/api/v1/pay/notify',
        time_expire: '2030-01-01T10:00:00+08:00',
      }),
    )
    expect(a.status).toBe(200)
  })

  it('APPID_MCHID_NOT_MATCH for an appid not bound to the merchant; MCH_NOT_EXISTS for another mchid', async () => {
    expect((await prepay(body({ appid: 'wxother' }))).json).toMatchObject({ code: 'APPID_MCHID_NOT_MATCH' })
    expect((await prepay(body({ mchid: '1111111111' }))).json).toMatchObject({ code: 'MCH_NOT_EXISTS' })
  })

  it('same params → same prepay_id (any key order); changed params → 403 OUT_TRADE_NO_USED', async () => {
    const a = await prepay(body())
    const reordered = Object.fromEntries(Object.entries(body()).reverse())
    const b = await prepay(reordered)
    expect(b.json.prepay_id).toBe(a.json.prepay_id)
    expect(await prepay(body({ description: '别的' }))).toMatchObject({
      status: 403,
      json: { code: 'OUT_TRADE_NO_USED' },
    })
  })

  it('a new prepay_id once the old one is 2 h old', async () => {
    const a = await prepay(body())
    k.advance(2 * 3_600_000)
    const b = await prepay(body())
    expect(b.json.prepay_id).not.toBe(a.json.prepay_id)
  })
})

describe('PaySim: the client pay hook, query and close (§5.3, §5.6)', () => {
  it('checks package and paySign like the WeChat client, then NOTPAY → SUCCESS', async () => {
    const id = (await prepay(body())).json.prepay_id as string
    expect((await query('SIMT000001')).json).toMatchObject({
      trade_state: 'NOTPAY',
      amount: { payer_currency: 'CNY' },
    })
    expect((await query('SIMT000001')).json.amount).not.toHaveProperty('total')
    expect(await k.pay('SIMT000001', payParams('wx-other'))).toMatchObject({ status: 400 })
    expect(await k.pay('SIMT000001', { ...payParams(id), nonceStr: 'changed' })).toMatchObject({
      status: 400,
      body: { errMsg: 'requestPayment:fail invalid paySign' },
    })
    expect(await k.pay('SIMT000001', { ...payParams(id), openid: 'oSomeoneElse' })).toMatchObject({
      status: 400,
    })
    const ok = await k.pay('SIMT000001', payParams(id))
    expect(ok.body).toMatchObject({ errMsg: 'requestPayment:ok' })
    // nothing listens on the notify_url: the first delivery got no answer
    expect((ok.body.notify as { status: number }).status).toBe(0)
    expect((await query('SIMT000001')).json).toMatchObject({
      trade_state: 'SUCCESS',
      transaction_id: ok.body.transaction_id,
      amount: { total: 100, payer_total: 100 },
      payer: { openid: 'oOpenid0001' },
    })
    const byId = await signedCall(
      k.sim,
      'GET',
      `/v3/pay/transactions/id/${String(ok.body.transaction_id)}?mchid=${k.sim.keys.mchid}`,
    )
    expect(byId.json).toMatchObject({ out_trade_no: 'SIMT000001' })
    expect(await k.pay('SIMT000001', payParams(id))).toMatchObject({
      status: 400,
      body: { errMsg: 'requestPayment:fail order already paid' },
    })
    expect(await prepay(body())).toMatchObject({ status: 400, json: { code: 'ORDERPAID' } })
  })

  it('refuses to pay after time_expire or once closed', async () => {
    const expire = new Date(k.sim.clock.now() + 60_000)
    const te = `${new Date(expire.getTime() + 8 * 3_600_000).toISOString().slice(0, 19)}+08:00`
    const id = (await prepay(body({ time_expire: te }))).json.prepay_id as string
    k.advance(61_000)
    expect(await k.pay('SIMT000001', payParams(id))).toMatchObject({
      status: 400,
      body: { errMsg: 'requestPayment:fail order expired' },
    })
    const id2 = (await prepay(body({ out_trade_no: 'SIMT000002' }))).json.prepay_id as string
    const closed = await signedCall(k.sim, 'POST', '/v3/pay/transactions/out-trade-no/SIMT000002/close', {
      mchid: k.sim.keys.mchid,
    })
    expect(closed.status).toBe(204)
    expect((await query('SIMT000002')).json).toMatchObject({ trade_state: 'CLOSED' })
    expect(await k.pay('SIMT000002', payParams(id2))).toMatchObject({ status: 400 })
    expect(await prepay(body({ out_trade_no: 'SIMT000002' }))).toMatchObject({
      status: 400,
      json: { code: 'ORDER_CLOSED' },
    })
  })

  it('query needs ?mchid=; close needs {mchid}; unknown orders are 404 ORDER_NOT_EXIST', async () => {
    const noMchid = await signedCall(k.sim, 'GET', '/v3/pay/transactions/out-trade-no/SIMT000009')
    expect(noMchid).toMatchObject({ status: 400, json: { code: 'PARAM_ERROR' } })
    const close = await signedCall(k.sim, 'POST', '/v3/pay/transactions/out-trade-no/SIMT000009/close', {})
    expect(close).toMatchObject({ status: 400, json: { code: 'PARAM_ERROR', detail: { field: 'mchid' } } })
    expect(await query('SIMT000009')).toMatchObject({ status: 404, json: { code: 'ORDER_NOT_EXIST' } })
  })
})

import { createVerify, generateKeyPairSync } from 'node:crypto'
import { ManualClock } from '../../clock'
import { order, usePayKit } from '../../../../tests/src/sim/pay/pay-test-kit'

/** The real WechatPayClient (wechatpay-node-v3 + our wrapper) against the WeChat Pay simulator over HTTP. */

const k = usePayKit()

const upstream = (status: number, code: string): unknown =>
  expect.objectContaining({
    code: 'PAY_UPSTREAM_ERROR',
    details: expect.objectContaining({ status, code }) as unknown,
  })

describe('WechatPayClient: transactions', () => {
  it('prepays, signs wx.requestPayment itself, and the client hook accepts exactly those parameters', async () => {
    const { prepayId, payParams } = await k.client.prepayJsapi(order('CL20260001', { attach: 'plan=annual' }))
    expect(prepayId).toMatch(/^wx\d{14}/)
    expect(payParams).toMatchObject({
      appId: k.sim.keys.appid,
      package: `prepay_id=${prepayId}`,
      signType: 'RSA',
    })
    expect(payParams.timeStamp).toBe(String(Math.floor(k.sim.clock.now() / 1000)))
    const ok = createVerify('RSA-SHA256')
      .update(`${payParams.appId}\n${payParams.timeStamp}\n${payParams.nonceStr}\n${payParams.package}\n`)
      .verify(k.sim.keys.merchant.publicKey, payParams.paySign, 'base64')
    expect(ok).toBe(true)
    // the request the simulator saw: uppercase serial, a real User-Agent, our notify URL, fen amounts
    const [req] = k.sim.requests('/v3/pay/transactions/jsapi')
    expect(req).toMatchObject({
      status: 200,
      body: { amount: { total: 9900, currency: 'CNY' }, notify_url: k.notifyUrl, attach: 'plan=annual' },
    })
    expect((req!.body as { time_expire: string }).time_expire).toMatch(
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/,
    )
    const forged = { ...payParams, paySign: payParams.paySign.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) }
    expect((await k.pay('CL20260001', forged)).status).toBe(400)
    expect(await k.pay('CL20260001', payParams)).toMatchObject({
      status: 200,
      body: { errMsg: 'requestPayment:ok' },
    })
  })

  it('queries NOTPAY → SUCCESS → REFUND, and an unknown order as undefined', async () => {
    const { payParams } = await k.client.prepayJsapi(order('CL20260002'))
    expect(await k.client.queryOrder('CL20260002')).toMatchObject({
      tradeState: 'NOTPAY',
      outTradeNo: 'CL20260002',
      mchid: k.sim.keys.mchid,
    })
    await k.pay('CL20260002', payParams)
    const paid = await k.client.queryOrder('CL20260002')
    expect(paid).toMatchObject({
      tradeState: 'SUCCESS',
      amount: { total: 9900, payerTotal: 9900, currency: 'CNY' },
      payerOpenid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
    })
    expect(paid!.transactionId).toMatch(/^42000\d{23}$/)
    await k.client.refund({
      outTradeNo: 'CL20260002',
      outRefundNo: 'RF20260002',
      refundFen: 9900,
      totalFen: 9900,
    })
    await k.sim.deliverDue()
    expect(await k.client.queryOrder('CL20260002')).toMatchObject({ tradeState: 'REFUND' })
    expect(await k.client.queryOrder('CL-NEVER-SEEN')).toBeUndefined()
  })

  it('closes an unpaid order (204 → CLOSED); a paid one cannot be closed', async () => {
    await k.client.prepayJsapi(order('CL20260003'))
    await expect(k.client.closeOrder('CL20260003')).resolves.toBeUndefined()
    expect(k.sim.requests('/v3/pay/transactions/out-trade-no/CL20260003/close')[0]!.status).toBe(204)
    expect(await k.client.queryOrder('CL20260003')).toMatchObject({ tradeState: 'CLOSED' })
    await expect(k.client.closeOrder('CL20260003')).resolves.toBeUndefined()
    const { payParams } = await k.client.prepayJsapi(order('CL20260004'))
    await k.pay('CL20260004', payParams)
    await expect(k.client.closeOrder('CL20260004')).rejects.toEqual(upstream(400, 'ORDERPAID'))
    await expect(k.client.closeOrder('CL-NEVER-SEEN')).rejects.toEqual(upstream(404, 'ORDER_NOT_EXIST'))
  })

  it('same out_trade_no: the same params get the same prepay_id, other params OUT_TRADE_NO_USED', async () => {
    const o = order('CL20260005')
    const a = await k.client.prepayJsapi(o)
    const b = await k.client.prepayJsapi(o)
    expect(b.prepayId).toBe(a.prepayId)
    await expect(k.client.prepayJsapi({ ...o, amountFen: 1 })).rejects.toEqual(
      upstream(403, 'OUT_TRADE_NO_USED'),
    )
    await expect(
      k.client.prepayJsapi(order('CL20260006', { description: '长'.repeat(128) })),
    ).rejects.toEqual(upstream(400, 'PARAM_ERROR'))
    await expect(k.client.prepayJsapi(order('bad#no'))).rejects.toEqual(upstream(400, 'PARAM_ERROR'))
  })

  it('a timed-out prepay can be retried with the same params (the order exists at WeChat Pay)', async () => {
    const slow = k.makeClient({ timeoutMs: 300 })
    await k.hook('/_sim/pay/prepay/delay', { ms: 5_000 })
    // the same order (one stored time_expire), as the order service retries it
    const o = order('CL20260007')
    await expect(slow.prepayJsapi(o)).rejects.toEqual(upstream(0, 'TIMEOUT'))
    await k.hook('/_sim/pay/prepay/release')
    const again = await k.client.prepayJsapi(o)
    const state = (await k.hook('/_sim/pay/state', undefined, 'GET')).body as {
      orders: { prepay_id: string }[]
    }
    expect(again.prepayId).toBe(state.orders[0]!.prepay_id)
  })
})

describe('WechatPayClient: refunds', () => {
  const paidOrder = async (no: string, total = 1000) => {
    const { payParams } = await k.client.prepayJsapi(order(no, { amountFen: total }))
    await k.pay(no, payParams)
  }

  it('refunds partially then fully; PROCESSING, then SUCCESS; never above the total', async () => {
    await paidOrder('CL20260101')
    const first = await k.client.refund({
      outTradeNo: 'CL20260101',
      outRefundNo: 'RF20260101A',
      refundFen: 300,
      totalFen: 1000,
      reason: '部分退款',
    })
    expect(first).toMatchObject({
      status: 'PROCESSING',
      amount: { refund: 300, total: 1000, currency: 'CNY' },
    })
    expect(first.refundId).toMatch(/^50000\d{24}$/)
    expect(await k.client.queryRefund('RF20260101A')).toMatchObject({ status: 'PROCESSING' })
    await k.sim.deliverDue()
    expect(await k.client.queryRefund('RF20260101A')).toMatchObject({
      status: 'SUCCESS',
      outTradeNo: 'CL20260101',
    })
    // the same out_refund_no refunds once
    const again = await k.client.refund({
      outTradeNo: 'CL20260101',
      outRefundNo: 'RF20260101A',
      refundFen: 300,
      totalFen: 1000,
      reason: '部分退款',
    })
    expect(again).toMatchObject({ refundId: first.refundId, status: 'SUCCESS' })
    await expect(
      k.client.refund({
        outTradeNo: 'CL20260101',
        outRefundNo: 'RF20260101B',
        refundFen: 701,
        totalFen: 1000,
      }),
    ).rejects.toEqual(upstream(400, 'INVALID_REQUEST'))
    const rest = await k.client.refund({
      outTradeNo: 'CL20260101',
      outRefundNo: 'RF20260101B',
      refundFen: 700,
      totalFen: 1000,
    })
    expect(rest.status).toBe('PROCESSING')
    expect(await k.client.queryRefund('RF-NEVER-SEEN')).toBeUndefined()
  })

  it('refuses refunds of unpaid orders and wrong totals', async () => {
    await k.client.prepayJsapi(order('CL20260102', { amountFen: 1000 }))
    await expect(
      k.client.refund({ outTradeNo: 'CL20260102', outRefundNo: 'RF1', refundFen: 1, totalFen: 1000 }),
    ).rejects.toEqual(upstream(400, 'INVALID_REQUEST'))
    await paidOrder('CL20260103')
    await expect(
      k.client.refund({ outTradeNo: 'CL20260103', outRefundNo: 'RF2', refundFen: 1, totalFen: 999 }),
    ).rejects.toEqual(upstream(400, 'PARAM_ERROR'))
  })
})

describe('WechatPayClient: signatures', () => {
  it('a request signed with another merchant key gets 401 SIGN_ERROR', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const forger = k.makeClient({
      merchantKey: other.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    })
    await expect(forger.queryOrder('CL1')).rejects.toEqual(upstream(401, 'SIGN_ERROR'))
  })

  it('a client clock 6 minutes off gets 401 SIGN_ERROR (Authorization timestamps come from the injected clock)', async () => {
    const skewed = k.makeClient({ clock: new ManualClock(new Date(k.sim.clock.now() + 360_000)) })
    await expect(skewed.queryOrder('CL1')).rejects.toEqual(upstream(401, 'SIGN_ERROR'))
  })

  it.each(['signature', 'body', 'timestamp', 'serial'] as const)(
    'an answer with a tampered %s is refused with PAY_SIGNATURE_INVALID',
    async (kind) => {
      await k.hook('/_sim/pay/response/tamper', { kind })
      await expect(k.client.prepayJsapi(order('CL20260201'))).rejects.toMatchObject({
        code: 'PAY_SIGNATURE_INVALID',
      })
    },
  )

  it('a tampered 204 (close) is refused too', async () => {
    await k.client.prepayJsapi(order('CL20260202'))
    await k.hook('/_sim/pay/response/tamper', { kind: 'signature' })
    await expect(k.client.closeOrder('CL20260202')).rejects.toMatchObject({ code: 'PAY_SIGNATURE_INVALID' })
  })

  it('platform-certificate mode: the client fetches /v3/certificates once, decrypts and uses them', async () => {
    await k.hook('/_sim/pay/mode', { mode: 'platform-cert' })
    const certOnly = k.makeClient({ mode: 'platform-cert' })
    await certOnly.prepayJsapi(order('CL20260301'))
    await certOnly.queryOrder('CL20260301')
    expect(k.sim.requests('/v3/certificates')).toHaveLength(1)
    // a merchant configured with the public key copes with certificate-signed answers too (both modes coexist)
    expect(await k.client.queryOrder('CL20260301')).toMatchObject({ tradeState: 'NOTPAY' })
    expect(k.sim.requests('/v3/certificates')).toHaveLength(2)
  })

  it('public-key mode never fetches certificates; a cert-only merchant cannot verify public-key answers', async () => {
    await k.client.prepayJsapi(order('CL20260302'))
    expect(k.sim.requests('/v3/certificates')).toHaveLength(0)
    const certOnly = k.makeClient({ mode: 'platform-cert' })
    await expect(certOnly.queryOrder('CL20260302')).rejects.toMatchObject({ code: 'PAY_SIGNATURE_INVALID' })
  })

  it('maps an upstream 500 SYSTEM_ERROR to PAY_UPSTREAM_ERROR', async () => {
    await k.hook('/_sim/faults', {
      route: '/v3/pay/transactions/jsapi',
      status: 500,
      body: { code: 'SYSTEM_ERROR', message: '系统错误' },
    })
    await expect(k.client.prepayJsapi(order('CL20260401'))).rejects.toEqual(upstream(500, 'SYSTEM_ERROR'))
  })
})

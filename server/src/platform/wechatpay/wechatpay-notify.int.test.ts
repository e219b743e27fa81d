import { order, usePayKit } from '../../../../tests/src/sim/pay/pay-test-kit'
import type { PayDelivery } from '../../../../tests/src/sim/pay/pay-sim'

/**
 * Notifies from the WeChat Pay simulator into `WechatPayClient.parseNotify` (the receiver of the kit
 * answers 204, or the error's status, as our notify route will): verification in both key modes,
 * SIGNTEST, the timestamp window, forged GCM tags, duplicates and retries on the simulator clock.
 */

const k = usePayKit()

const paid = async (no: string, amountFen = 9900): Promise<void> => {
  const { payParams } = await k.client.prepayJsapi(order(no, { amountFen }))
  const r = await k.pay(no, payParams)
  expect(r.status).toBe(200)
}

const deliveries = async (): Promise<PayDelivery[]> =>
  (await k.hook('/_sim/pay/notifications', undefined, 'GET')).body.deliveries as PayDelivery[]

describe('parseNotify against the simulator', () => {
  it('TRANSACTION.SUCCESS arrives verified and decrypted, and the pay hook reports our answer', async () => {
    const { payParams } = await k.client.prepayJsapi(order('CL20260501', { attach: 'm=1' }))
    const r = await k.pay('CL20260501', payParams)
    expect(r.body).toMatchObject({ notify: { status: 204 } })
    expect(k.received).toHaveLength(1)
    const n = k.received[0]!.notify!
    expect(n).toMatchObject({
      eventType: 'TRANSACTION.SUCCESS',
      transaction: {
        appid: k.sim.keys.appid,
        mchid: k.sim.keys.mchid,
        outTradeNo: 'CL20260501',
        tradeState: 'SUCCESS',
        attach: 'm=1',
        payerOpenid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
        amount: { total: 9900, payerTotal: 9900, currency: 'CNY' },
      },
    })
    expect(n.id).toMatch(/^EV-/)
    expect(n.eventType === 'TRANSACTION.SUCCESS' && n.transaction.transactionId).toBe(r.body.transaction_id)
  })

  it('refund notifies (REFUND.SUCCESS automatically, REFUND.ABNORMAL through the hook) parse into PayRefund', async () => {
    await paid('CL20260502', 1000)
    await k.client.refund({
      outTradeNo: 'CL20260502',
      outRefundNo: 'RF20260502A',
      refundFen: 400,
      totalFen: 1000,
    })
    await k.sim.deliverDue()
    expect(k.received.at(-1)!.notify).toMatchObject({
      eventType: 'REFUND.SUCCESS',
      refund: { outRefundNo: 'RF20260502A', status: 'SUCCESS', amount: { refund: 400, total: 1000 } },
    })
    await k.hook('/_sim/pay/refunds/mode', { mode: 'manual' })
    await k.client.refund({
      outTradeNo: 'CL20260502',
      outRefundNo: 'RF20260502B',
      refundFen: 600,
      totalFen: 1000,
    })
    await k.sim.deliverDue()
    expect(await k.client.queryRefund('RF20260502B')).toMatchObject({ status: 'PROCESSING' })
    const res = await k.hook('/_sim/pay/refunds/RF20260502B/result', { status: 'ABNORMAL' })
    expect(res.body).toMatchObject({ notify: { status: 204 } })
    expect(k.received.at(-1)!.notify).toMatchObject({
      eventType: 'REFUND.ABNORMAL',
      refund: { outRefundNo: 'RF20260502B', status: 'ABNORMAL' },
    })
  })

  it('platform-certificate mode: notifies verify with the fetched certificate', async () => {
    await k.hook('/_sim/pay/mode', { mode: 'platform-cert' })
    await paid('CL20260503') // the prepay answer made the client fetch the certificates
    expect(k.received[0]).toMatchObject({ status: 204, notify: { eventType: 'TRANSACTION.SUCCESS' } })
  })

  it('rejects the SIGNTEST probe with a non-2xx answer', async () => {
    const r = await k.hook('/_sim/pay/notify/signtest', { url: k.notifyUrl })
    expect(r.body).toMatchObject({ rejected: true, status: 401 })
    expect(k.received[0]).toMatchObject({ error: 'PAY_SIGNATURE_INVALID', reason: 'signtest' })
  })

  it('rejects a stale timestamp; the retry 15 s later (simulator clock) is accepted', async () => {
    await k.hook('/_sim/pay/notify/tamper', { kind: 'timestamp' })
    await paid('CL20260504')
    expect(k.received[0]).toMatchObject({ error: 'PAY_SIGNATURE_INVALID', reason: 'timestamp', status: 401 })
    k.advance(14_000)
    await k.sim.deliverDue()
    expect(k.received).toHaveLength(1)
    k.advance(1_000)
    await k.sim.deliverDue()
    expect(k.received[1]).toMatchObject({
      status: 204,
      notify: { transaction: { outTradeNo: 'CL20260504' } },
    })
    expect((await deliveries()).map((d) => [d.kind, d.status, d.tamper])).toEqual([
      ['first', 401, 'timestamp'],
      ['retry', 204, undefined],
    ])
  })

  it('rejects a forged GCM tag (PAY_NOTIFY_INVALID) and a forged signature (PAY_SIGNATURE_INVALID)', async () => {
    await k.hook('/_sim/pay/notify/tamper', { kind: 'gcm-tag' })
    await k.hook('/_sim/pay/notify/tamper', { kind: 'signature' })
    await paid('CL20260505')
    expect(k.received[0]).toMatchObject({ error: 'PAY_NOTIFY_INVALID', status: 400 })
    await k.hook('/_sim/pay/notify/redeliver', { outTradeNo: 'CL20260505' })
    expect(k.received[1]).toMatchObject({ error: 'PAY_SIGNATURE_INVALID', reason: 'signature' })
  })

  it('an amount-tampered notify still verifies: the order check (membership) must catch it', async () => {
    await k.hook('/_sim/pay/notify/tamper', { kind: 'amount' })
    await paid('CL20260506', 9900)
    expect(k.received[0]!.notify).toMatchObject({ transaction: { amount: { total: 9901 } } })
  })

  it('duplicates carry the same event id; non-2xx answers are retried on the §5.7 schedule', async () => {
    k.failNext(500, 3)
    await paid('CL20260507')
    expect(k.received).toHaveLength(1)
    k.advance(15_000)
    await k.sim.deliverDue()
    k.advance(15_000)
    await k.sim.deliverDue()
    expect(k.received).toHaveLength(3)
    k.advance(29_000) // the third retry waits 30 s
    await k.sim.deliverDue()
    expect(k.received).toHaveLength(3)
    k.advance(1_000)
    await k.sim.deliverDue()
    expect(k.received.map((r) => r.status)).toEqual([500, 500, 500, 204])
    const dup = await k.hook('/_sim/pay/notify/redeliver', { outTradeNo: 'CL20260507' })
    expect(dup.body).toMatchObject({ status: 204 })
    expect(k.received[4]!.notify!.id).toBe(k.received[3]!.notify!.id)
    // acked: nothing more is sent however far the clock goes
    k.advance(86_400_000)
    await k.sim.deliverDue()
    expect(k.received).toHaveLength(5)
  })

  it('a notify can arrive before the prepay answer', async () => {
    await k.hook('/_sim/pay/prepay/delay', { ms: 10_000 })
    const o = order('CL20260508')
    const pending = k.client.prepayJsapi(o)
    let prepayId = ''
    while (!prepayId) {
      const s = (await k.hook('/_sim/pay/state', undefined, 'GET')).body as {
        orders: { prepay_id: string }[]
      }
      prepayId = s.orders[0]?.prepay_id ?? ''
      if (!prepayId) await new Promise((ok) => setTimeout(ok, 10))
    }
    // the simulated user pays with parameters signed for that prepay_id (by any holder of the merchant key)
    const params = await k.makeClient().prepayJsapi(o)
    expect(params.prepayId).toBe(prepayId)
    await k.pay('CL20260508', params.payParams)
    expect(k.received[0]).toMatchObject({ status: 204 })
    await k.hook('/_sim/pay/prepay/release')
    expect((await pending).prepayId).toBe(prepayId)
  })
})

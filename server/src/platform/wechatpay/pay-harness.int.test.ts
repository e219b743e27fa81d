import { useServerHarness } from '../../../../tests/src/harness/server-harness'
import { order } from '../../../../tests/src/sim/pay/pay-test-kit'
import { createPayGateway } from './wechatpay-client'

/** `useServerHarness({ paySim: true })`: the server configured with a WeChat Pay simulator on the test clock. */

const h = useServerHarness({ paySim: true })

describe('useServerHarness paySim option', () => {
  it('configures WECHATPAY_* with the notify URL of this server, and createPayGateway talks to the simulator', async () => {
    expect(h.config.pay).toMatchObject({
      mchid: h.paySim!.keys.mchid,
      appid: h.paySim!.keys.appid,
      apiBase: h.paySim!.url,
      notifyUrl: `${h.url}/api/v1/pay/notify`,
      publicKey: { id: h.paySim!.keys.platformPublicKey.id },
    })
    const pay = createPayGateway(h.config, h.clock)!
    const { prepayId } = await pay.prepayJsapi(
      order('CLH0000001', { timeExpire: new Date(h.clock.now().getTime() + 60_000) }),
    )
    expect(prepayId).toMatch(/^wx/)
    expect(await pay.queryOrder('CLH0000001')).toMatchObject({ tradeState: 'NOTPAY' })
  })

  it('the simulator follows the harness clock, so signatures stay valid when a test moves time', async () => {
    h.clock.advance(3 * 3_600_000)
    expect(h.paySim!.clock.now()).toBe(h.clock.now().getTime())
    const pay = createPayGateway(h.config, h.clock)!
    expect(await pay.queryOrder('CLH0000001')).toMatchObject({ tradeState: 'NOTPAY' })
    await fetch(`${h.paySim!.url}/_sim/clock`, {
      method: 'POST',
      body: JSON.stringify({ advanceMs: 60_000 }),
    })
    expect(h.paySim!.clock.now()).toBe(h.clock.now().getTime())
  })

  it("the server's notify route answers the SIGNTEST probe non-2xx", async () => {
    const r = await fetch(`${h.paySim!.url}/_sim/pay/notify/signtest`, {
      method: 'POST',
      body: JSON.stringify({ url: h.config.pay!.notifyUrl }),
    })
    expect(await r.json()).toMatchObject({ rejected: true, status: 401 })
  })

  it('client-config names the pay simulator, so the h5 adapter pays there', async () => {
    const r = await h.request('GET', '/api/v1/client-config')
    expect(r.body).toMatchObject({ simulators: { pay: h.paySim!.url } })
  })

  it('is off without the option', () => {
    expect(createPayGateway({ pay: undefined }, h.clock)).toBeUndefined()
  })
})

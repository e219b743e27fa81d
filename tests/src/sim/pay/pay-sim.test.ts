import { createDecipheriv, generateKeyPairSync, X509Certificate } from 'node:crypto'
import { answerVerifies, signedCall, usePayKit } from './pay-test-kit'

const k = usePayKit()

const prepayBody = (over: Record<string, unknown> = {}) => ({
  appid: k.sim.keys.appid,
  mchid: k.sim.keys.mchid,
  description: '会员年卡',
  out_trade_no: 'SIM0000001',
  notify_url: 'http://127.0.0.1:1/api/v1/pay/notify',
  amount: { total: 100, currency: 'CNY' },
  payer: { openid: 'oOpenid0001' },
  ...over,
})

describe('PaySim: Authorization (§5.2)', () => {
  it('accepts a well-signed call; the serial is case-insensitive', async () => {
    const a = await signedCall(k.sim, 'POST', '/v3/pay/transactions/jsapi', prepayBody())
    expect(a.status).toBe(200)
    const b = await signedCall(
      k.sim,
      'GET',
      '/v3/pay/transactions/out-trade-no/SIM0000001?mchid=' + k.sim.keys.mchid,
      undefined,
      {
        serial: k.sim.keys.merchant.serial.toLowerCase(),
      },
    )
    expect(b.json).toMatchObject({ trade_state: 'NOTPAY' })
  })

  it.each([
    ['another serial', { serial: 'ABCDEF0123456789' }],
    ['another mchid', { mchid: '1230000109' }],
    ['a timestamp 6 minutes off', { skewS: 360 }],
    ['another scheme', { scheme: 'WECHATPAY2-SHA256-RSA4096' }],
  ])('answers 401 SIGN_ERROR for %s', async (_what, o) => {
    const a = await signedCall(k.sim, 'POST', '/v3/pay/transactions/jsapi', prepayBody(), o)
    expect(a).toMatchObject({ status: 401, json: { code: 'SIGN_ERROR' } })
  })

  it('answers 401 without Authorization or with a signature by another key', async () => {
    const res = await fetch(`${k.url}/v3/pay/transactions/jsapi`, { method: 'POST', body: '{}' })
    expect(res.status).toBe(401)
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const a = await signedCall(k.sim, 'POST', '/v3/pay/transactions/jsapi', prepayBody(), {
      key: other.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    })
    expect(a.status).toBe(401)
  })
})

describe('PaySim: signed answers (§5.4)', () => {
  it('signs every answer — 200, 204, 4xx — under PUB_KEY_ID_… in public-key mode', async () => {
    const ok = await signedCall(k.sim, 'POST', '/v3/pay/transactions/jsapi', prepayBody())
    const closed = await signedCall(k.sim, 'POST', '/v3/pay/transactions/out-trade-no/SIM0000001/close', {
      mchid: k.sim.keys.mchid,
    })
    const missing = await signedCall(
      k.sim,
      'GET',
      `/v3/pay/transactions/out-trade-no/NOPE00?mchid=${k.sim.keys.mchid}`,
    )
    const denied = await signedCall(k.sim, 'GET', '/v3/certificates', undefined, { skewS: -400 })
    expect([ok.status, closed.status, missing.status, denied.status]).toEqual([200, 204, 404, 401])
    for (const a of [ok, closed, missing, denied]) {
      expect(a.headers.get('wechatpay-serial')).toBe(k.sim.keys.platformPublicKey.id)
      expect(answerVerifies(k.sim, a)).toBe(true)
    }
    expect(closed.text).toBe('')
    expect(missing.json).toMatchObject({ code: 'ORDER_NOT_EXIST' })
  })

  it('platform-certificate mode: 40-hex serial; /v3/certificates hands the certificate out encrypted', async () => {
    await k.hook('/_sim/pay/mode', { mode: 'platform-cert' })
    const a = await signedCall(k.sim, 'GET', '/v3/certificates')
    expect(a.headers.get('wechatpay-serial')).toMatch(/^[0-9A-F]{40}$/)
    expect(answerVerifies(k.sim, a)).toBe(true)
    const item = (a.json.data as { serial_no: string; encrypt_certificate: Record<string, string> }[])[0]!
    const e = item.encrypt_certificate
    expect(e).toMatchObject({ algorithm: 'AEAD_AES_256_GCM', associated_data: 'certificate' })
    const b = Buffer.from(e.ciphertext!, 'base64')
    const d = createDecipheriv('aes-256-gcm', Buffer.from(k.sim.keys.apiV3Key), Buffer.from(e.nonce!))
    d.setAuthTag(b.subarray(-16))
    d.setAAD(Buffer.from('certificate'))
    const pem = Buffer.concat([d.update(b.subarray(0, -16)), d.final()]).toString()
    const cert = new X509Certificate(pem)
    expect(cert.serialNumber).toBe(item.serial_no)
    expect(item.serial_no).toBe(a.headers.get('wechatpay-serial'))
  })

  it('response tampering hooks break exactly the next answers', async () => {
    await k.hook('/_sim/pay/response/tamper', { kind: 'signature', times: 1 })
    const bad = await signedCall(
      k.sim,
      'GET',
      `/v3/pay/transactions/out-trade-no/NOPE00?mchid=${k.sim.keys.mchid}`,
    )
    const good = await signedCall(
      k.sim,
      'GET',
      `/v3/pay/transactions/out-trade-no/NOPE00?mchid=${k.sim.keys.mchid}`,
    )
    expect([answerVerifies(k.sim, bad), answerVerifies(k.sim, good)]).toEqual([false, true])
    expect((await k.hook('/_sim/pay/response/tamper', { kind: 'nope' })).status).toBe(400)
  })
})

describe('PaySim: hooks', () => {
  it('hands out the key material, answers CORS preflight, and reset forgets orders', async () => {
    const keys = (await k.hook('/_sim/pay/keys', undefined, 'GET')).body
    expect(keys).toMatchObject({
      mchid: k.sim.keys.mchid,
      apiV3Key: k.sim.keys.apiV3Key,
      publicKey: { id: k.sim.keys.platformPublicKey.id },
      merchant: { serial: k.sim.keys.merchant.serial },
    })
    expect(new X509Certificate((keys.merchant as { cert: string }).cert).serialNumber).toBe(
      k.sim.keys.merchant.serial,
    )
    const pre = await fetch(`${k.url}/_sim/pay/keys`, { method: 'OPTIONS' })
    expect(pre.headers.get('access-control-allow-origin')).toBe('*')
    await signedCall(k.sim, 'POST', '/v3/pay/transactions/jsapi', prepayBody())
    expect(((await k.hook('/_sim/pay/state', undefined, 'GET')).body.orders as unknown[]).length).toBe(1)
    await k.hook('/_sim/reset')
    expect(((await k.hook('/_sim/pay/state', undefined, 'GET')).body.orders as unknown[]).length).toBe(0)
  })

  it('refuses malformed hook input with 400', async () => {
    expect((await k.hook('/_sim/pay/mode', { mode: 'x' })).status).toBe(400)
    expect((await k.hook('/_sim/pay/notify/tamper', { kind: 'x' })).status).toBe(400)
    expect((await k.hook('/_sim/pay/notify/redeliver', {})).status).toBe(400)
    expect((await k.hook('/_sim/pay/notify/redeliver', { id: 'EV-0' })).status).toBe(404)
    expect((await k.hook('/_sim/pay/refunds/mode', { mode: 'x' })).status).toBe(400)
    expect((await k.hook('/_sim/pay/prepay/delay', { ms: -1 })).status).toBe(400)
    expect((await k.hook('/_sim/pay/notify/signtest', {})).status).toBe(400)
    expect((await k.hook('/_sim/pay/NOPE00/pay', {})).status).toBe(404)
  })
})

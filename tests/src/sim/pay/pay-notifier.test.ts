import { createDecipheriv, createSign, createVerify } from 'node:crypto'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { RETRY_SCHEDULE_MS, type PayDelivery } from './pay-sim'
import { signedCall, usePayKit } from './pay-test-kit'

/**
 * The simulator's refunds and notifier, observed from a bare receiver (no server code): what it
 * POSTs, how it signs and encrypts, when it retries.
 */

const k = usePayKit()

interface Got {
  headers: IncomingHttpHeaders
  body: string
}
const got: Got[] = []
let answers: number[] = []
let receiver: Server
let url = ''
beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      got.push({ headers: req.headers, body: Buffer.concat(chunks).toString() })
      res.writeHead(answers.shift() ?? 204)
      res.end()
    })
  })
  await new Promise<void>((ok) => receiver.listen(0, '127.0.0.1', ok))
  url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/notify`
})
afterAll(async () => {
  receiver.closeAllConnections()
  await new Promise<void>((ok) => receiver.close(() => ok()))
})
beforeEach(() => {
  got.length = 0
  answers = []
})

const paidOrder = async (no: string, total = 1000): Promise<void> => {
  const r = await signedCall(k.sim, 'POST', '/v3/pay/transactions/jsapi', {
    appid: k.sim.keys.appid,
    mchid: k.sim.keys.mchid,
    description: 'd',
    out_trade_no: no,
    notify_url: url,
    amount: { total },
    payer: { openid: 'oOpenid0001' },
  })
  const ts = String(Math.floor(k.sim.clock.now() / 1000))
  const pkg = `prepay_id=${String(r.json.prepay_id)}`
  const paySign = createSign('RSA-SHA256')
    .update(`${k.sim.keys.appid}\n${ts}\nn\n${pkg}\n`)
    .sign(k.sim.keys.merchant.privateKeyPem, 'base64')
  expect(
    (
      await k.pay(no, {
        appId: k.sim.keys.appid,
        timeStamp: ts,
        nonceStr: 'n',
        package: pkg,
        signType: 'RSA',
        paySign,
      })
    ).status,
  ).toBe(200)
}

const open = (g: Got): { envelope: Record<string, unknown>; resource: Record<string, unknown> } => {
  const envelope = JSON.parse(g.body) as { resource: Record<string, string> }
  const r = envelope.resource
  const b = Buffer.from(r.ciphertext!, 'base64')
  const d = createDecipheriv('aes-256-gcm', Buffer.from(k.sim.keys.apiV3Key), Buffer.from(r.nonce!))
  d.setAuthTag(b.subarray(-16))
  d.setAAD(Buffer.from(r.associated_data!))
  const resource = JSON.parse(Buffer.concat([d.update(b.subarray(0, -16)), d.final()]).toString()) as Record<
    string,
    unknown
  >
  return { envelope, resource }
}

const refund = (no: string, outRefundNo: string, refundFen: number, total = 1000) =>
  signedCall(k.sim, 'POST', '/v3/refund/domestic/refunds', {
    out_trade_no: no,
    out_refund_no: outRefundNo,
    amount: { refund: refundFen, total, currency: 'CNY' },
  })

describe('PaySim notifier (§5.4, §5.5, §5.7)', () => {
  it('POSTs a signed §5.5 body whose resource decrypts with the APIv3 key', async () => {
    await paidOrder('SIMN000001')
    expect(got).toHaveLength(1)
    const h = got[0]!.headers
    expect(h['wechatpay-serial']).toBe(k.sim.keys.platformPublicKey.id)
    const ok = createVerify('RSA-SHA256')
      .update(`${String(h['wechatpay-timestamp'])}\n${String(h['wechatpay-nonce'])}\n${got[0]!.body}\n`)
      .verify(k.sim.keys.platformPublicKey.pem, String(h['wechatpay-signature']), 'base64')
    expect(ok).toBe(true)
    const { envelope, resource } = open(got[0]!)
    expect(envelope).toMatchObject({
      event_type: 'TRANSACTION.SUCCESS',
      resource_type: 'encrypt-resource',
      resource: {
        algorithm: 'AEAD_AES_256_GCM',
        associated_data: 'transaction',
        original_type: 'transaction',
      },
    })
    expect((envelope.resource as { nonce: string }).nonce).toHaveLength(12)
    expect(resource).toMatchObject({
      out_trade_no: 'SIMN000001',
      trade_state: 'SUCCESS',
      amount: { total: 1000 },
    })
  })

  it('retries on the 15s/15s/30s/3m/… schedule while answered non-2xx, then gives up after 15 retries', async () => {
    answers = Array<number>(16).fill(500)
    k.sim.clock.set({ freeze: true })
    await paidOrder('SIMN000002')
    for (const wait of RETRY_SCHEDULE_MS) {
      k.advance(wait - 1)
      await k.sim.deliverDue()
      const before = got.length
      k.advance(1)
      await k.sim.deliverDue()
      expect(got.length).toBe(before + 1)
    }
    expect(got).toHaveLength(16)
    k.advance(86_400_000)
    await k.sim.deliverDue()
    expect(got).toHaveLength(16)
    const notes = (await k.hook('/_sim/pay/notifications', undefined, 'GET')).body
    expect(notes.notifications).toEqual([
      expect.objectContaining({ retries: 15, gaveUp: true, acked: false }),
    ])
    expect((notes.deliveries as PayDelivery[]).every((d) => d.status === 500)).toBe(true)
  })

  it('the deliver-due hook sends what is due', async () => {
    answers = [503]
    await paidOrder('SIMN000003')
    k.advance(15_000)
    await k.hook('/_sim/pay/notify/deliver-due')
    expect(got).toHaveLength(2)
  })

  it('a SIGNTEST probe answered 2xx is reported as not rejected', async () => {
    const r = await k.hook('/_sim/pay/notify/signtest', { url })
    expect(r.body).toMatchObject({ status: 204, rejected: false })
    expect(String(got[0]!.headers['wechatpay-signature'])).toMatch(/^WECHATPAY\/SIGNTEST\//)
  })
})

describe('PaySim refunds (§5.6)', () => {
  it('PROCESSING, then (auto) SUCCESS with a REFUND.SUCCESS notify; the order turns REFUND', async () => {
    await paidOrder('SIMR000001')
    const r = await refund('SIMR000001', 'RFS0001', 400)
    expect(r.json).toMatchObject({ status: 'PROCESSING', amount: { refund: 400, total: 1000 } })
    await k.sim.deliverDue()
    const q = await signedCall(k.sim, 'GET', '/v3/refund/domestic/refunds/RFS0001')
    expect(q.json).toMatchObject({ status: 'SUCCESS', success_time: expect.any(String) as unknown })
    const { envelope, resource } = open(got.at(-1)!)
    expect(envelope).toMatchObject({ event_type: 'REFUND.SUCCESS', resource: { associated_data: 'refund' } })
    expect(resource).toMatchObject({
      out_refund_no: 'RFS0001',
      refund_status: 'SUCCESS',
      amount: { refund: 400 },
    })
    const o = await signedCall(
      k.sim,
      'GET',
      `/v3/pay/transactions/out-trade-no/SIMR000001?mchid=${k.sim.keys.mchid}`,
    )
    expect(o.json).toMatchObject({ trade_state: 'REFUND' })
  })

  it('out_refund_no refunds once; the sum never exceeds the total; manual results', async () => {
    await paidOrder('SIMR000002')
    await k.hook('/_sim/pay/refunds/mode', { mode: 'manual' })
    const a = await refund('SIMR000002', 'RFS0002', 600)
    const again = await refund('SIMR000002', 'RFS0002', 600)
    expect(again.json.refund_id).toBe(a.json.refund_id)
    expect(await refund('SIMR000002', 'RFS0002', 500)).toMatchObject({
      status: 400,
      json: { code: 'INVALID_REQUEST' },
    })
    expect(await refund('SIMR000002', 'RFS0003', 401)).toMatchObject({
      status: 400,
      json: { code: 'INVALID_REQUEST' },
    })
    await k.sim.deliverDue()
    expect((await signedCall(k.sim, 'GET', '/v3/refund/domestic/refunds/RFS0002')).json).toMatchObject({
      status: 'PROCESSING',
    })
    expect((await k.hook('/_sim/pay/refunds/RFS0002/result', { status: 'CLOSED' })).body).toMatchObject({
      refund: { status: 'CLOSED' },
      notify: { status: 204 },
    })
    expect((await k.hook('/_sim/pay/refunds/RFS0002/result', { status: 'SUCCESS' })).status).toBe(409)
    // a closed refund frees its amount
    expect((await refund('SIMR000002', 'RFS0004', 1000)).status).toBe(200)
  })

  it('validates refunds: 400 PARAM_ERROR naming the field, 404 for unknown orders and refunds', async () => {
    await paidOrder('SIMR000003')
    expect(await refund('SIMR000003', 'RFS0005', 0)).toMatchObject({
      json: { detail: { field: 'amount.refund' } },
    })
    expect(await refund('SIMR000003', 'bad refund no', 1)).toMatchObject({
      json: { detail: { field: 'out_refund_no' } },
    })
    expect(await refund('SIMR000003', 'RFS0005', 1, 999)).toMatchObject({
      json: { detail: { field: 'amount.total' } },
    })
    expect(await refund('SIMR-NONE', 'RFS0005', 1)).toMatchObject({
      status: 404,
      json: { code: 'RESOURCE_NOT_EXISTS' },
    })
    expect(await signedCall(k.sim, 'GET', '/v3/refund/domestic/refunds/NONE')).toMatchObject({ status: 404 })
  })
})

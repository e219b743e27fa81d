import { createSign, createVerify, randomBytes } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Clock } from '../../../../server/src/clock'
import type { PayNotify, PayParams } from '../../../../server/src/platform/wechatpay/pay-gateway'
import { WechatPayClient } from '../../../../server/src/platform/wechatpay/wechatpay-client'
import { PaySim, type PayKeyMode, type PaySimOptions } from './pay-sim'

/**
 * For the WeChat Pay simulator's tests and the client's integration tests: one simulator per test
 * file (reset before each test), a notify receiver standing in for our `/pay/notify` route (it runs
 * the real client's `parseNotify` and answers 204, or the error's status — like the route will), and
 * a client built from the simulator's keys, on a clock that follows the simulator's.
 */

export interface ReceivedNotify {
  notify?: PayNotify
  /** The error code when parseNotify refused it. */
  error?: string
  reason?: string
  status: number
}

export interface PayKit {
  readonly sim: PaySim
  readonly url: string
  readonly notifyUrl: string
  /** What the receiver got, in order. */
  readonly received: ReceivedNotify[]
  /** The client of the current test (rebuilt before each test). */
  readonly client: WechatPayClient
  /** A client with other options (key mode, clock, merchant key …). */
  makeClient(o?: {
    mode?: PayKeyMode
    clock?: Clock
    merchantKey?: string
    timeoutMs?: number
  }): WechatPayClient
  /** Forces the receiver's next answers (e.g. 500) before parsing; cleared before each test. */
  failNext(status: number, times?: number): void
  hook(
    path: string,
    body?: unknown,
    method?: string,
  ): Promise<{ status: number; body: Record<string, unknown> }>
  /** What the WeChat client does on wx.requestPayment. */
  pay(
    outTradeNo: string,
    params: PayParams | Record<string, unknown>,
  ): Promise<{ status: number; body: Record<string, unknown> }>
  advance(ms: number): void
}

export const usePayKit = (options: PaySimOptions = {}): PayKit => {
  const sim = new PaySim({ pollMs: 0, ...options })
  const received: ReceivedNotify[] = []
  let failures: number[] = []
  let client: WechatPayClient | undefined
  let receiver: Server | undefined
  let notifyUrl = ''
  const simClock: Clock = { now: () => new Date(sim.clock.now()) }

  const makeClient: PayKit['makeClient'] = (o = {}) => {
    const env = sim.env(notifyUrl, o.mode ?? 'public-key')
    return new WechatPayClient({
      mchid: env.WECHATPAY_MCHID!,
      appid: env.WECHATPAY_APPID!,
      apiBase: sim.url,
      merchantKey: o.merchantKey ?? env.WECHATPAY_MERCHANT_KEY!,
      merchantSerial: env.WECHATPAY_MERCHANT_SERIAL!,
      apiV3Key: env.WECHATPAY_APIV3_KEY!,
      ...(env.WECHATPAY_PUBLIC_KEY
        ? { publicKey: { id: env.WECHATPAY_PUBLIC_KEY_ID!, pem: env.WECHATPAY_PUBLIC_KEY } }
        : {}),
      notifyUrl,
      clock: o.clock ?? simClock,
      ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}),
    })
  }

  beforeAll(async () => {
    await sim.listen()
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        const forced = failures.shift()
        if (forced !== undefined) {
          received.push({ status: forced, error: 'FORCED' })
          res.writeHead(forced, { 'content-type': 'application/json' })
          res.end(JSON.stringify({ code: 'FAIL', message: '失败' }))
          return
        }
        const headers: Record<string, string | undefined> = {}
        for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v[0] : v
        try {
          const notify = client!.parseNotify(headers, Buffer.concat(chunks).toString('utf8'))
          received.push({ notify, status: 204 })
          res.writeHead(204)
          res.end()
        } catch (e) {
          const err = e as { code?: string; status?: number; details?: { reason?: string } }
          const status = err.status ?? 500
          received.push({ error: err.code ?? String(e), reason: err.details?.reason, status })
          res.writeHead(status, { 'content-type': 'application/json' })
          res.end(JSON.stringify({ code: 'FAIL', message: '失败' }))
        }
      })
    })
    await new Promise<void>((ok) => receiver!.listen(0, '127.0.0.1', ok))
    notifyUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/api/v1/pay/notify`
  })
  beforeEach(async () => {
    await fetch(`${sim.url}/_sim/reset`, { method: 'POST' })
    received.length = 0
    failures = []
    client = makeClient()
  })
  afterAll(async () => {
    receiver?.closeAllConnections()
    await new Promise<void>((ok) => (receiver ? receiver.close(() => ok()) : ok()))
    await sim.close()
  })

  const hook: PayKit['hook'] = async (path, body, method = 'POST') => {
    const res = await fetch(`${sim.url}${path}`, {
      method,
      ...(method === 'GET' ? {} : { body: JSON.stringify(body ?? {}) }),
    })
    const text = await res.text()
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> }
  }

  return {
    sim,
    get url() {
      return sim.url
    },
    get notifyUrl() {
      return notifyUrl
    },
    received,
    get client() {
      return client!
    },
    makeClient,
    failNext(status, times = 1) {
      for (let i = 0; i < times; i++) failures.push(status)
    },
    hook,
    pay: (no, p) => hook(`/_sim/pay/${encodeURIComponent(no)}/pay`, p),
    advance: (ms) => sim.clock.set({ advanceMs: ms }),
  }
}

/** A prepay request with sensible defaults. */
export const order = (
  outTradeNo: string,
  o: Partial<{
    amountFen: number
    description: string
    payerOpenid: string
    attach: string
    timeExpire: Date
  }> = {},
) => ({
  outTradeNo,
  description: o.description ?? 'CareLoop 会员 · 年卡',
  amountFen: o.amountFen ?? 9900,
  payerOpenid: o.payerOpenid ?? 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
  timeExpire: o.timeExpire ?? new Date(Date.now() + 30 * 60_000),
  ...(o.attach !== undefined ? { attach: o.attach } : {}),
})

export interface SignedAnswer {
  status: number
  headers: Headers
  text: string
  json: Record<string, unknown>
}

/**
 * One API call signed by hand (§5.2), independent of the server's client: for the simulator's own
 * tests. `serial`, `mchid`, `skewS` and `key` forge the Authorization.
 */
export const signedCall = async (
  sim: PaySim,
  method: 'GET' | 'POST',
  pathAndQuery: string,
  body?: unknown,
  o: { serial?: string; mchid?: string; skewS?: number; key?: string; scheme?: string } = {},
): Promise<SignedAnswer> => {
  const text = body === undefined ? '' : JSON.stringify(body)
  const ts = String(Math.floor(sim.clock.now() / 1000) + (o.skewS ?? 0))
  const nonce = randomBytes(16).toString('hex')
  const signature = createSign('RSA-SHA256')
    .update(`${method}\n${pathAndQuery}\n${ts}\n${nonce}\n${text}\n`)
    .sign(o.key ?? sim.keys.merchant.privateKeyPem, 'base64')
  const auth = `${o.scheme ?? 'WECHATPAY2-SHA256-RSA2048'} mchid="${o.mchid ?? sim.keys.mchid}",nonce_str="${nonce}",timestamp="${ts}",serial_no="${o.serial ?? sim.keys.merchant.serial}",signature="${signature}"`
  const res = await fetch(`${sim.url}${pathAndQuery}`, {
    method,
    headers: {
      authorization: auth,
      accept: 'application/json',
      'content-type': 'application/json',
      'user-agent': 'careloop-test',
    },
    ...(body === undefined ? {} : { body: text }),
  })
  const raw = await res.text()
  let json: Record<string, unknown> = {}
  try {
    json = raw ? (JSON.parse(raw) as Record<string, unknown>) : {}
  } catch {
    /* not JSON */
  }
  return { status: res.status, headers: res.headers, text: raw, json }
}

/** Verifies an answer's Wechatpay-* signature with the simulator's platform key of the serial it names. */
export const answerVerifies = (sim: PaySim, a: SignedAnswer): boolean => {
  const serial = a.headers.get('wechatpay-serial') ?? ''
  const key =
    serial === sim.keys.platformPublicKey.id
      ? sim.keys.platformPublicKey.pem
      : serial === sim.keys.platformCert.serial
        ? sim.keys.platformCert.pem
        : undefined
  if (!key) return false
  return createVerify('RSA-SHA256')
    .update(`${a.headers.get('wechatpay-timestamp')}\n${a.headers.get('wechatpay-nonce')}\n${a.text}\n`)
    .verify(key, a.headers.get('wechatpay-signature') ?? '', 'base64')
}

import { randomBytes } from 'node:crypto'
import { SimServer, type SimRequest, type SimResponse } from '../sim-server'
import {
  encryptResource,
  generatePayKeys,
  randomAlnum,
  rsaSign,
  rsaVerify,
  type PayKeyMaterial,
} from './pay-keys'
import { PayNotifier, TAMPER_KINDS, type TamperKind } from './pay-notifier'
import { mountRefunds, refundView, settleDueRefunds } from './pay-refunds'
import { isObj, payError, PayState, type PayContext } from './pay-state'
import { mountTransactions, transactionView } from './pay-transactions'

export { RETRY_SCHEDULE_MS, type PayDelivery, type PayNotification, type TamperKind } from './pay-notifier'
export { generatePayKeys, type PayKeyMaterial } from './pay-keys'

/**
 * WeChat Pay v3 simulator (platform.md §5, §7.3) for one direct merchant. Every API call's
 * `Authorization` is verified against the merchant's public key (401 SIGN_ERROR: scheme, mchid,
 * serial — case-insensitive —, ±5 min against the simulator clock, SHA256withRSA over
 * `METHOD\npath?query\nts\nnonce\nbody\n`), and every answer, 204 and errors included, is signed
 * (`ts\nnonce\nbody\n`) in the current key mode: public key (`Wechatpay-Serial: PUB_KEY_ID_…`,
 * default) or platform certificate (40-hex serial; `GET /v3/certificates` hands the certificate out
 * encrypted with the APIv3 key). Areas: transactions and the client's pay hook
 * (`pay-transactions.ts`), refunds (`pay-refunds.ts`), notifies and their retries (`pay-notifier.ts`).
 * Keys are made at start (`pay-keys.ts`); `GET /_sim/pay/keys` hands out the local configuration.
 *
 * Hooks (under `/_sim/pay/`, CORS): `{no}/pay`, `refunds/{no}/result`, `refunds/mode` (see the area
 * files); `mode {mode: public-key|platform-cert}`; `GET keys`; `GET state` (orders, refunds);
 * `GET notifications` ({notifications, deliveries}: every delivery with our answer's status);
 * `notify/redeliver {outTradeNo|outRefundNo|id}` (a duplicate; answers our status);
 * `notify/signtest {url?}` (a SIGNTEST probe; answers our status and `rejected`);
 * `notify/tamper {kind: signature|timestamp|gcm-tag|amount}` (the next delivery);
 * `notify/deliver-due` (sends due retries now); `prepay/delay {ms, times?}` (the next prepay answers
 * are held `ms` after the order exists; `prepay/release` lets them go);
 * `response/tamper {kind: signature|timestamp|serial|body, times?}` (the next API answers are signed
 * wrongly). Retries run on the simulator clock: a timer (every `pollMs`) sends what is due.
 */

export type PayKeyMode = 'public-key' | 'platform-cert'
export type ResponseTamper = 'signature' | 'timestamp' | 'serial' | 'body'

export interface PaySimOptions {
  mchid?: string
  appid?: string
  /** Key mode of responses and notifies (default public-key). */
  mode?: PayKeyMode
  /** Reuse key material (tests that start several simulators); default: fresh keys. */
  keys?: PayKeyMaterial
  /** Refunds settle automatically (default) or through the result hook. */
  refunds?: 'auto' | 'manual'
  /** Auto mode: simulator ms from the refund request to its settlement (default 0: the next tick). */
  refundDelayMs?: number
  /** Where SIGNTEST probes go when the hook names no url (default: the latest order's notify_url). */
  notifyUrl?: string
  notifyTimeoutMs?: number
  /** How often (real ms) due retries and refunds are processed; 0 = only on `deliverDue()`. Default 200. */
  pollMs?: number
}

/** Local-only merchant identity of the simulator (`npm start`, tests). */
export const SIM_PAY = { mchid: '1900000109', appid: 'wxsimappid0000001' } as const

const AUTH = /^WECHATPAY2-SHA256-RSA2048\s+(.+)$/

export class PaySim extends SimServer {
  readonly keys: PayKeyMaterial
  readonly state = new PayState()
  readonly notifier: PayNotifier
  private mode: PayKeyMode
  private refundMode: 'auto' | 'manual'
  private responseTampers: ResponseTamper[] = []
  private delays: { ms: number; times: number }[] = []
  private heldPrepays = new Set<() => void>()
  private timer: NodeJS.Timeout | undefined
  private readonly ctx: PayContext

  constructor(readonly options: PaySimOptions = {}) {
    super('wechatpay')
    this.keys =
      options.keys ??
      generatePayKeys({ mchid: options.mchid ?? SIM_PAY.mchid, appid: options.appid ?? SIM_PAY.appid })
    this.mode = options.mode ?? 'public-key'
    this.refundMode = options.refunds ?? 'auto'
    this.notifier = new PayNotifier({
      now: () => this.clock.now(),
      apiV3Key: this.keys.apiV3Key,
      signingKey: () => this.signingKey(),
      timeoutMs: options.notifyTimeoutMs,
    })
    this.ctx = {
      keys: this.keys,
      state: this.state,
      notifier: this.notifier,
      now: () => this.clock.now(),
      route: (m, p, h) => this.route(m, p, h),
      routeMatch: (m, p, h) => this.routeMatch(m, p, h),
      auth: (r) => this.checkAuthorization(r),
      prepayDelay: () => this.prepayDelay(),
      refundMode: () => ({ mode: this.refundMode, delayMs: this.options.refundDelayMs ?? 0 }),
    }
    mountTransactions(this.ctx)
    mountRefunds(this.ctx)
    this.route('GET', '/v3/certificates', (r) => this.certificates(r))
    this.mountHooks()
  }

  protected resetState(): void {
    this.state.reset()
    this.notifier.reset()
    this.mode = this.options.mode ?? 'public-key'
    this.refundMode = this.options.refunds ?? 'auto'
    this.responseTampers = []
    this.delays = []
    this.release()
  }

  override async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    const url = await super.listen(port, host)
    const every = this.options.pollMs ?? 200
    if (every > 0 && !this.timer) {
      this.timer = setInterval(() => void this.deliverDue().catch(() => undefined), every)
      this.timer.unref()
    }
    return url
  }

  override async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer)
    this.timer = undefined
    this.release()
    await super.close()
  }

  /** Settles due refunds (auto mode) and sends due notify retries; waits for deliveries in flight. */
  async deliverDue(): Promise<void> {
    await settleDueRefunds(this.ctx)
    await this.notifier.deliverDue()
  }

  get keyMode(): PayKeyMode {
    return this.mode
  }

  setKeyMode(mode: PayKeyMode): void {
    this.mode = mode
  }

  /** The platform key answers and notifies are signed with, per the current mode. */
  signingKey(): { serial: string; privateKey: PayKeyMaterial['platformCert']['privateKey'] } {
    return this.mode === 'public-key'
      ? { serial: this.keys.platformPublicKey.id, privateKey: this.keys.platformPublicKey.privateKey }
      : { serial: this.keys.platformCert.serial, privateKey: this.keys.platformCert.privateKey }
  }

  /** §5.2: the Authorization of an API call; an error answer when it does not verify. */
  private checkAuthorization(r: SimRequest): SimResponse | undefined {
    const deny = (why: string): SimResponse => payError(401, 'SIGN_ERROR', `签名错误：${why}`)
    const header = r.headers.authorization
    const m = typeof header === 'string' ? AUTH.exec(header) : null
    if (!m) return deny('Authorization 缺失或认证类型不是 WECHATPAY2-SHA256-RSA2048')
    const f: Record<string, string> = {}
    for (const part of m[1]!.matchAll(/(\w+)="([^"]*)"/g)) f[part[1]!] = part[2]!
    if (!f.mchid || !f.nonce_str || !f.timestamp || !f.serial_no || !f.signature)
      return deny('Authorization 字段不全')
    if (f.mchid !== this.keys.mchid) return deny('商户号不匹配')
    if (f.serial_no.toUpperCase() !== this.keys.merchant.serial.toUpperCase()) return deny('证书序列号不匹配')
    const skew = Math.abs(Math.floor(this.clock.now() / 1000) - Number(f.timestamp))
    if (!/^\d+$/.test(f.timestamp) || skew > 300) return deny('请求时间戳与当前时间相差超过5分钟')
    const message = `${r.method}\n${r.url}\n${f.timestamp}\n${f.nonce_str}\n${r.rawBody}\n`
    if (!rsaVerify(message, f.signature, this.keys.merchant.publicKey)) return deny('签名验证失败')
    return undefined
  }

  /** Signs every platform answer (204 and errors too) in the current key mode (§5.4). */
  protected override finish(_req: SimRequest, out: SimResponse): SimResponse {
    let text =
      out.body === undefined ? '' : typeof out.body === 'string' ? out.body : JSON.stringify(out.body)
    const tamper = this.responseTampers.shift()
    const key = this.signingKey()
    const ts = String(Math.floor(this.clock.now() / 1000) - (tamper === 'timestamp' ? 600 : 0))
    const nonce = randomAlnum(32)
    let signature = rsaSign(`${ts}\n${nonce}\n${text}\n`, key.privateKey)
    if (tamper === 'signature') signature = rsaSign(`${ts}\n${nonce}\n${text}x\n`, key.privateKey)
    if (tamper === 'body' && text) text = text.replace(/}$/, ',"tampered":true}')
    return {
      status: out.status,
      ...(text ? { body: text } : {}),
      headers: {
        ...out.headers,
        ...(text ? { 'content-type': 'application/json; charset=utf-8' } : {}),
        'request-id': `08${randomBytes(12).toString('hex').toUpperCase()}`,
        'wechatpay-timestamp': ts,
        'wechatpay-nonce': nonce,
        'wechatpay-signature': signature,
        'wechatpay-serial':
          tamper === 'serial' ? 'PUB_KEY_ID_0000000000000000000000000000000000' : key.serial,
      },
    }
  }

  protected override notFound(path: string): SimResponse {
    return payError(404, 'NOT_FOUND', `no such path ${path}`)
  }

  protected override methodNotAllowed(method: string): SimResponse {
    return payError(405, 'METHOD_NOT_ALLOWED', `method ${method} not allowed`)
  }

  private certificates(r: SimRequest): SimResponse {
    const denied = this.checkAuthorization(r)
    if (denied) return denied
    const c = this.keys.platformCert
    const iso = (d: Date): string =>
      `${new Date(d.getTime() + 8 * 3_600_000).toISOString().slice(0, 19)}+08:00`
    return {
      body: {
        data: [
          {
            serial_no: c.serial,
            effective_time: iso(c.notBefore),
            expire_time: iso(c.notAfter),
            encrypt_certificate: encryptResource(c.pem, this.keys.apiV3Key, 'certificate'),
          },
        ],
      },
    }
  }

  private async prepayDelay(): Promise<void> {
    const d = this.delays[0]
    if (!d) return
    if (--d.times <= 0) this.delays.shift()
    await new Promise<void>((ok) => {
      const done = (): void => {
        clearTimeout(t)
        this.heldPrepays.delete(done)
        ok()
      }
      const t = setTimeout(done, d.ms)
      this.heldPrepays.add(done)
    })
  }

  private release(): void {
    for (const done of [...this.heldPrepays]) done()
  }

  private mountHooks(): void {
    const bad = (error: string): SimResponse => ({ status: 400, body: { error } })
    const body = (r: SimRequest): Record<string, unknown> => (isObj(r.json) ? r.json : {})
    this.route('POST', '/_sim/pay/mode', (r) => {
      const mode = body(r).mode
      if (mode !== 'public-key' && mode !== 'platform-cert')
        return bad('mode must be public-key or platform-cert')
      this.mode = mode
      return { body: { mode } }
    })
    this.route('GET', '/_sim/pay/keys', () => ({ body: this.keyView() }))
    this.route('GET', '/_sim/pay/state', () => ({
      body: {
        mode: this.mode,
        orders: [...this.state.orders.values()].map((o) => ({
          ...transactionView(o),
          prepay_id: o.prepayId,
        })),
        refunds: [...this.state.refunds.values()].map(refundView),
      },
    }))
    this.route('GET', '/_sim/pay/notifications', () => ({
      body: { notifications: this.notifier.notifications, deliveries: this.notifier.deliveries },
    }))
    this.route('POST', '/_sim/pay/notify/redeliver', async (r) => {
      const b = body(r)
      const q = {
        ...(typeof b.id === 'string' ? { id: b.id } : {}),
        ...(typeof b.outTradeNo === 'string' ? { outTradeNo: b.outTradeNo } : {}),
        ...(typeof b.outRefundNo === 'string' ? { outRefundNo: b.outRefundNo } : {}),
      }
      if (!Object.keys(q).length) return bad('name the event: id, outTradeNo or outRefundNo')
      const n = this.notifier.find(q)
      if (!n) return { status: 404, body: { error: 'no such notification' } }
      const d = await this.notifier.redeliver(n)
      return { body: { id: n.id, status: d.status } }
    })
    this.route('POST', '/_sim/pay/notify/signtest', async (r) => {
      const b = body(r)
      const latest = [...this.state.orders.values()].pop()
      const url = typeof b.url === 'string' ? b.url : (this.options.notifyUrl ?? latest?.notifyUrl)
      if (!url) return bad('no notify url known: pass {url}')
      const d = await this.notifier.signtest(url)
      return { body: { status: d.status, rejected: d.status < 200 || d.status >= 300 } }
    })
    this.route('POST', '/_sim/pay/notify/tamper', (r) => {
      const kind = body(r).kind as TamperKind
      if (!TAMPER_KINDS.includes(kind)) return bad(`kind must be one of ${TAMPER_KINDS.join(', ')}`)
      this.notifier.tamper(kind)
      return { body: { pending: this.notifier.pendingTampers() } }
    })
    this.route('POST', '/_sim/pay/notify/deliver-due', async () => {
      await this.deliverDue()
      return { body: { deliveries: this.notifier.deliveries.length } }
    })
    this.route('POST', '/_sim/pay/refunds/mode', (r) => {
      const b = body(r)
      if (b.mode !== 'auto' && b.mode !== 'manual') return bad('mode must be auto or manual')
      this.refundMode = b.mode
      return { body: { mode: b.mode } }
    })
    this.route('POST', '/_sim/pay/prepay/delay', (r) => {
      const b = body(r)
      const ms = b.ms
      const times = b.times ?? 1
      if (typeof ms !== 'number' || ms < 0 || typeof times !== 'number' || times < 1)
        return bad('ms (≥ 0) and times (≥ 1) are numbers')
      this.delays.push({ ms, times })
      return { body: { delays: this.delays } }
    })
    this.route('POST', '/_sim/pay/prepay/release', () => {
      const n = this.heldPrepays.size
      this.delays = []
      this.release()
      return { body: { released: n } }
    })
    this.route('POST', '/_sim/pay/response/tamper', (r) => {
      const b = body(r)
      const kinds: ResponseTamper[] = ['signature', 'timestamp', 'serial', 'body']
      if (!kinds.includes(b.kind as ResponseTamper)) return bad(`kind must be one of ${kinds.join(', ')}`)
      const times = typeof b.times === 'number' && b.times >= 1 ? b.times : 1
      for (let i = 0; i < times; i++) this.responseTampers.push(b.kind as ResponseTamper)
      return { body: { pending: this.responseTampers } }
    })
  }

  /** The merchant configuration for this simulator (PEMs, serials, APIv3 key): local use only. */
  keyView(): {
    mchid: string
    appid: string
    apiV3Key: string
    merchant: { privateKey: string; serial: string; cert: string }
    publicKey: { id: string; pem: string }
    platformCert: { serial: string; pem: string }
  } {
    const k = this.keys
    return {
      mchid: k.mchid,
      appid: k.appid,
      apiV3Key: k.apiV3Key,
      merchant: { privateKey: k.merchant.privateKeyPem, serial: k.merchant.serial, cert: k.merchant.certPem },
      publicKey: { id: k.platformPublicKey.id, pem: k.platformPublicKey.pem },
      platformCert: { serial: k.platformCert.serial, pem: k.platformCert.pem },
    }
  }

  /**
   * The server's WECHATPAY_* environment for this simulator. `mode` picks the merchant's key setup:
   * `public-key` (default) configures the platform public key; `platform-cert` leaves it out, so the
   * client fetches `/v3/certificates`.
   */
  env(notifyUrl: string, mode: PayKeyMode = 'public-key'): Record<string, string> {
    const k = this.keyView()
    return {
      WECHATPAY_MCHID: k.mchid,
      WECHATPAY_APPID: k.appid,
      WECHATPAY_API_BASE: this.url,
      WECHATPAY_MERCHANT_KEY: k.merchant.privateKey,
      WECHATPAY_MERCHANT_SERIAL: k.merchant.serial,
      WECHATPAY_APIV3_KEY: k.apiV3Key,
      ...(mode === 'public-key'
        ? { WECHATPAY_PUBLIC_KEY: k.publicKey.pem, WECHATPAY_PUBLIC_KEY_ID: k.publicKey.id }
        : {}),
      WECHATPAY_NOTIFY_URL: notifyUrl,
    }
  }
}

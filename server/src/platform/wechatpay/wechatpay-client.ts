import Pay from 'wechatpay-node-v3'
import { AppError, type z } from '@careloop/shared'
import type { Clock } from '../../clock'
import type { PayConfig } from '../../config-pay'
import {
  decryptCertificates,
  decryptResource,
  nonceStr,
  paySign,
  PaySignatureVerifier,
  signatureHeaders,
} from './pay-crypto'
import type { PayGateway, PayNotify, PayParams, PayRefund, PayTransaction } from './pay-gateway'
import {
  CertificatesBody,
  NotifyEnvelope,
  RefundBody,
  RefundNotifyResource,
  TransactionBody,
  toRefund,
  toTransaction,
} from './pay-schemas'
import {
  PayTransportError,
  payTransport,
  REAL_PAY_API_BASE,
  type PayHttp,
  type PayHttpResult,
} from './pay-transport'

/**
 * The WeChat Pay v3 client (platform.md §5): wechatpay-node-v3 builds and signs the requests, and
 * our wrapper adds what it lacks (§5.8): a transport to `WECHATPAY_API_BASE` that verifies every 2xx
 * answer (key by serial in both key modes, ±300 s, SIGNTEST), Authorization timestamps from the
 * injected clock with a crypto nonce, an uppercase `serial_no` and a real User-Agent, typed errors
 * (AppError PAY_UPSTREAM_ERROR `{status, code}`, PAY_SIGNATURE_INVALID, PAY_NOTIFY_INVALID), our own
 * paySign, and notify parsing with AEAD_AES_256_GCM checked. Platform certificates (when the
 * merchant has not switched to the platform public key, or both are in use) are fetched from
 * `/v3/certificates` on the first unknown serial, decrypted with the APIv3 key and cached.
 */

export interface WechatPayClientOptions extends PayConfig {
  clock: Clock
  timeoutMs?: number
  fetchImpl?: typeof fetch
  userAgent?: string
}

const USER_AGENT = 'CareLoop-WechatPay/0.1 (wechatpay-node-v3/2.2.1; +https://github.com/careloop)'
/** Platform certificates are fetched at most this often when unknown serials show up. */
const CERT_REFRESH_MIN_GAP_MS = 60_000

/** RFC 3339 in Beijing time, second precision (`2026-05-01T10:00:00+08:00`), as WeChat Pay writes it. */
export const rfc3339Beijing = (d: Date): string =>
  `${new Date(d.getTime() + 8 * 3_600_000).toISOString().slice(0, 19)}+08:00`

/** wechatpay-node-v3 with Authorization built from our clock and a crypto nonce (the library uses Date and Math.random). */
class ClockedPay extends Pay {
  private now: () => Date = () => new Date()

  static create(o: WechatPayClientOptions): ClockedPay {
    const p = new ClockedPay({
      appid: o.appid,
      mchid: o.mchid,
      serial_no: o.merchantSerial.toUpperCase(),
      // the library insists on the merchant certificate but only reads it to derive serial_no, which we pass
      publicKey: Buffer.from(o.merchantCert ?? 'merchant certificate not configured: serial_no is given'),
      privateKey: Buffer.from(o.merchantKey),
      userAgent: o.userAgent ?? USER_AGENT,
      key: o.apiV3Key,
    })
    p.now = () => o.clock.now()
    return p
  }

  protected override buildAuthorization(
    method: string,
    url: string,
    params?: Record<string, unknown>,
  ): string {
    const nonce = nonceStr()
    const timestamp = String(Math.floor(this.now().getTime() / 1000))
    const signature = this.getSignature(method, nonce, timestamp, url.replace(REAL_PAY_API_BASE, ''), params)
    return this.getAuthorization(nonce, timestamp, signature)
  }

  /** A signed GET the library has no method for (`/v3/certificates`). */
  signedGet(path: string): Promise<PayHttpResult> {
    const url = `${REAL_PAY_API_BASE}${path}`
    return (this.httpService as PayHttp).get(url, this.getHeaders(this.buildAuthorization('GET', url)))
  }
}

export class WechatPayClient implements PayGateway {
  readonly appid: string
  readonly mchid: string
  private readonly pay: ClockedPay
  private readonly verifier: PaySignatureVerifier
  private certRefresh: Promise<void> | undefined
  private lastCertRefresh = Number.NEGATIVE_INFINITY

  constructor(private readonly o: WechatPayClientOptions) {
    this.appid = o.appid
    this.mchid = o.mchid
    this.verifier = new PaySignatureVerifier(() => o.clock.now(), o.publicKey)
    this.pay = ClockedPay.create(o)
    this.pay.createHttp(
      payTransport({
        apiBase: o.apiBase,
        timeoutMs: o.timeoutMs,
        fetchImpl: o.fetchImpl,
        verify: ({ url, headers, raw }) => this.verifyResponse(url, headers, raw),
      }),
    )
  }

  async prepayJsapi(
    order: Parameters<PayGateway['prepayJsapi']>[0],
  ): Promise<{ prepayId: string; payParams: PayParams }> {
    const r = await this.call('jsapi', () =>
      this.pay.transactions_jsapi({
        description: order.description,
        out_trade_no: order.outTradeNo,
        time_expire: rfc3339Beijing(order.timeExpire),
        ...(order.attach !== undefined ? { attach: order.attach } : {}),
        notify_url: this.o.notifyUrl,
        amount: { total: order.amountFen, currency: 'CNY' },
        payer: { openid: order.payerOpenid },
      }),
    )
    if (r.status !== 200) throw this.upstream('jsapi', r)
    // on 200 the library replaces the answer with its own requestPayment parameters (Date/Math.random
    // based): keep only the prepay_id and sign our own
    const data = (r.data ?? {}) as { package?: unknown; prepay_id?: unknown }
    const prepayId =
      typeof data.package === 'string' && data.package.startsWith('prepay_id=')
        ? data.package.slice('prepay_id='.length)
        : typeof data.prepay_id === 'string'
          ? data.prepay_id
          : ''
    if (!prepayId) throw this.badResponse('jsapi', r.status)
    const unsigned = {
      appId: this.appid,
      timeStamp: String(Math.floor(this.o.clock.now().getTime() / 1000)),
      nonceStr: nonceStr(),
      package: `prepay_id=${prepayId}`,
    }
    return {
      prepayId,
      payParams: { ...unsigned, signType: 'RSA', paySign: paySign(unsigned, this.o.merchantKey) },
    }
  }

  async queryOrder(outTradeNo: string): Promise<PayTransaction | undefined> {
    const r = await this.call('query', () => this.pay.query({ out_trade_no: outTradeNo }))
    if (r.status === 404) return undefined
    if (r.status !== 200) throw this.upstream('query', r)
    return toTransaction(this.parse('query', TransactionBody, r))
  }

  async closeOrder(outTradeNo: string): Promise<void> {
    const r = await this.call('close', () => this.pay.close(outTradeNo))
    if (r.status < 200 || r.status >= 300) throw this.upstream('close', r)
  }

  async refund(input: Parameters<PayGateway['refund']>[0]): Promise<PayRefund> {
    const r = await this.call('refunds', () =>
      this.pay.refunds({
        out_trade_no: input.outTradeNo,
        out_refund_no: input.outRefundNo,
        ...(input.reason !== undefined ? { reason: input.reason } : {}),
        notify_url: this.o.notifyUrl,
        amount: { refund: input.refundFen, total: input.totalFen, currency: 'CNY' },
      }),
    )
    if (r.status !== 200) throw this.upstream('refunds', r)
    return toRefund(this.parse('refunds', RefundBody, r))
  }

  async queryRefund(outRefundNo: string): Promise<PayRefund | undefined> {
    const r = await this.call('find_refunds', () => this.pay.find_refunds(outRefundNo))
    if (r.status === 404) return undefined
    if (r.status !== 200) throw this.upstream('find_refunds', r)
    return toRefund(this.parse('find_refunds', RefundBody, r))
  }

  parseNotify(headers: Record<string, string | undefined>, rawBody: string): PayNotify {
    const h = signatureHeaders(headers)
    if (!this.verifier.knows(h.serial) && !isPublicKeyId(h.serial))
      // a rotated platform certificate: fetch it now so WeChat's retry of this notify verifies
      void this.refreshCertificates().catch(() => undefined)
    this.verifier.verify(h, rawBody)
    let json: unknown
    try {
      json = JSON.parse(rawBody)
    } catch {
      throw new AppError('PAY_NOTIFY_INVALID', 'The notify body is not JSON')
    }
    const env = NotifyEnvelope.safeParse(json)
    if (!env.success) throw new AppError('PAY_NOTIFY_INVALID', 'The notify body is not a WeChat Pay event')
    const e = env.data
    let plain: unknown
    try {
      plain = JSON.parse(decryptResource(e.resource, this.o.apiV3Key))
    } catch (err) {
      if (err instanceof AppError) throw err
      throw new AppError('PAY_NOTIFY_INVALID', 'The decrypted resource is not JSON')
    }
    const base = { id: e.id, createTime: e.create_time }
    if (e.event_type === 'TRANSACTION.SUCCESS') {
      const t = TransactionBody.safeParse(plain)
      if (!t.success) throw new AppError('PAY_NOTIFY_INVALID', 'The transaction resource is malformed')
      return { ...base, eventType: e.event_type, transaction: toTransaction(t.data) }
    }
    if (
      e.event_type === 'REFUND.SUCCESS' ||
      e.event_type === 'REFUND.ABNORMAL' ||
      e.event_type === 'REFUND.CLOSED'
    ) {
      const rf = RefundNotifyResource.safeParse(plain)
      if (!rf.success) throw new AppError('PAY_NOTIFY_INVALID', 'The refund resource is malformed')
      return { ...base, eventType: e.event_type, refund: toRefund(rf.data) }
    }
    throw new AppError('PAY_NOTIFY_INVALID', `Unhandled event type ${e.event_type}`, {
      eventType: e.event_type,
    })
  }

  /**
   * Fetches the platform certificates (`GET /v3/certificates`, decrypted with the APIv3 key, tag
   * checked) into the verifier; single-flight, and at most once a minute unless `force`.
   */
  async refreshCertificates(force = false): Promise<void> {
    if (this.certRefresh) return this.certRefresh
    const now = this.o.clock.now().getTime()
    if (!force && now - this.lastCertRefresh < CERT_REFRESH_MIN_GAP_MS) return
    this.lastCertRefresh = now
    this.certRefresh = (async () => {
      const r = await this.call('certificates', () => this.pay.signedGet('/v3/certificates'))
      if (r.status !== 200) throw this.upstream('certificates', r)
      // the transport verified the answer and stored the certificates (verifyResponse)
    })().finally(() => (this.certRefresh = undefined))
    return this.certRefresh
  }

  private async verifyResponse(url: string, headers: Record<string, string>, raw: string): Promise<void> {
    const h = signatureHeaders(headers)
    if (new URL(url).pathname.endsWith('/v3/certificates')) {
      // the answer is signed with one of the certificates it carries (or a key we already trust)
      const list = CertificatesBody.safeParse(safeJson(raw))
      if (!list.success) throw new AppError('PAY_SIGNATURE_INVALID', 'The certificate list is malformed')
      const certs = decryptCertificates(list.data.data, this.o.apiV3Key)
      this.verifier.verify(h, raw, certs)
      this.verifier.addCertificates(certs)
      return
    }
    if (!this.verifier.knows(h.serial) && !isPublicKeyId(h.serial))
      await this.refreshCertificates().catch(() => undefined)
    this.verifier.verify(h, raw)
  }

  /** Runs one library call; transport failures become PAY_UPSTREAM_ERROR (status 0). */
  private async call(api: string, run: () => Promise<PayHttpResult>): Promise<PayHttpResult> {
    try {
      return await run()
    } catch (e) {
      if (e instanceof AppError) throw e
      if (e instanceof PayTransportError)
        throw new AppError('PAY_UPSTREAM_ERROR', `WeChat Pay ${api}: ${e.kind}`, {
          status: 0,
          code: e.kind === 'timeout' ? 'TIMEOUT' : 'UNREACHABLE',
        })
      throw new AppError('PAY_UPSTREAM_ERROR', `WeChat Pay ${api} failed`, {
        status: 0,
        code: 'CLIENT_ERROR',
        cause: String(e),
      })
    }
  }

  private upstream(api: string, r: PayHttpResult): AppError {
    const body = safeJson(r.error ?? '') as { code?: unknown; message?: unknown } | undefined
    const code = typeof body?.code === 'string' ? body.code : 'UNKNOWN'
    const message = typeof body?.message === 'string' ? body.message : ''
    return new AppError(
      'PAY_UPSTREAM_ERROR',
      `WeChat Pay ${api} answered ${r.status} ${code} ${message}`.trim(),
      {
        status: r.status,
        code,
        ...(message ? { message } : {}),
      },
    )
  }

  private badResponse(api: string, status: number): AppError {
    return new AppError('PAY_UPSTREAM_ERROR', `WeChat Pay ${api} answered an unexpected body`, {
      status,
      code: 'BAD_RESPONSE',
    })
  }

  private parse<T>(api: string, schema: z.ZodType<T, z.ZodTypeDef, unknown>, r: PayHttpResult): T {
    const p = schema.safeParse(r.data)
    if (!p.success) throw this.badResponse(api, r.status)
    return p.data
  }
}

const isPublicKeyId = (serial: string): boolean => serial.toUpperCase().startsWith('PUB_KEY_ID_')

const safeJson = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** The configured gateway, or undefined when WeChat Pay is not configured (membership answers 503 PAY_NOT_CONFIGURED). */
export const createPayGateway = (config: { pay?: PayConfig }, clock: Clock): WechatPayClient | undefined =>
  config.pay ? new WechatPayClient({ ...config.pay, clock }) : undefined

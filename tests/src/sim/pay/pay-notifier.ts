import { randomBytes, type KeyObject } from 'node:crypto'
import { beijingTime, encryptResource, randomAlnum, rsaSign } from './pay-keys'

/**
 * The WeChat Pay notifier (platform.md §5.4, §5.5, §5.7): builds the event body (the resource
 * encrypted with the APIv3 key), signs `ts\nnonce\nbody\n` with the platform key of the current mode
 * and POSTs it to the order's notify_url. A 2xx answer acks it; a non-2xx answer, a network error or
 * no answer within 5 s schedules a retry on the §5.7 schedule (15s/15s/30s/3m/10m/20m/30m/30m/30m/
 * 60m/3h/3h/3h/6h/6h) of the simulator clock: `deliverDue()` (called by a timer and the hooks) sends
 * whatever is due. Every attempt is signed afresh (new timestamp and nonce).
 *
 * Test levers: `redeliver` (a duplicate of a delivered event), `signtest` (a SIGNTEST probe: the
 * merchant must answer non-2xx), `tamper` (the next delivery is tampered: `signature`, `timestamp`
 * (10 minutes old, correctly signed), `gcm-tag` (a forged tag, correctly signed) or `amount` (a
 * transaction amount 1 fen off, correctly encrypted and signed)).
 */

export const RETRY_SCHEDULE_MS = [
  15_000, 15_000, 30_000, 180_000, 600_000, 1_200_000, 1_800_000, 1_800_000, 1_800_000, 3_600_000, 10_800_000,
  10_800_000, 10_800_000, 21_600_000, 21_600_000,
] as const

export type TamperKind = 'signature' | 'timestamp' | 'gcm-tag' | 'amount'
export const TAMPER_KINDS: readonly TamperKind[] = ['signature', 'timestamp', 'gcm-tag', 'amount']

export type PayEventType = 'TRANSACTION.SUCCESS' | 'REFUND.SUCCESS' | 'REFUND.ABNORMAL' | 'REFUND.CLOSED'

export interface PayNotification {
  id: string
  eventType: PayEventType
  outTradeNo: string
  outRefundNo?: string
  url: string
  createTime: string
  /** The decrypted resource. */
  resource: Record<string, unknown>
  /** Retries done so far (0 after the first attempt). */
  retries: number
  acked: boolean
  /** When the next retry is due (simulator ms); undefined when acked or given up. */
  nextAt?: number
  gaveUp: boolean
}

export interface PayDelivery {
  seq: number
  /** The event id; `SIGNTEST` for probes. */
  id: string
  kind: 'first' | 'retry' | 'duplicate' | 'signtest'
  eventType: string
  outTradeNo?: string
  outRefundNo?: string
  url: string
  at: string
  tamper?: TamperKind
  /** Our answer's HTTP status; 0 for no answer (network error or timeout). */
  status: number
  /** Our answer's body (first 500 characters) or the network error. */
  answer: string
}

export interface SigningKey {
  serial: string
  privateKey: KeyObject
}

export interface NotifierDeps {
  now(): number
  apiV3Key: string
  signingKey(): SigningKey
  timeoutMs?: number
  schedule?: readonly number[]
  fetchImpl?: typeof fetch
}

const SUMMARY: Record<PayEventType, string> = {
  'TRANSACTION.SUCCESS': '支付成功',
  'REFUND.SUCCESS': '退款成功',
  'REFUND.ABNORMAL': '退款异常',
  'REFUND.CLOSED': '退款关闭',
}

export class PayNotifier {
  notifications: PayNotification[] = []
  deliveries: PayDelivery[] = []
  private tampers: TamperKind[] = []
  private inFlight = new Map<string, Promise<PayDelivery>>()
  private seq = 0
  private eventSeq = 0

  constructor(private readonly d: NotifierDeps) {}

  reset(): void {
    this.notifications = []
    this.deliveries = []
    this.tampers = []
    this.seq = 0
    this.eventSeq = 0
  }

  /** The next delivery (first, retry or duplicate; not probes) is tampered this way. */
  tamper(kind: TamperKind): void {
    this.tampers.push(kind)
  }

  pendingTampers(): TamperKind[] {
    return [...this.tampers]
  }

  /** Creates an event and makes its first delivery attempt; resolves when our answer (or its absence) is known. */
  async emit(e: {
    eventType: PayEventType
    outTradeNo: string
    outRefundNo?: string
    url: string
    resource: Record<string, unknown>
  }): Promise<{ notification: PayNotification; delivery: PayDelivery }> {
    const now = this.d.now()
    const n: PayNotification = {
      id: `EV-${new Date(now).toISOString().slice(0, 10).replace(/-/g, '')}${String(++this.eventSeq).padStart(12, '0')}`,
      eventType: e.eventType,
      outTradeNo: e.outTradeNo,
      ...(e.outRefundNo ? { outRefundNo: e.outRefundNo } : {}),
      url: e.url,
      createTime: beijingTime(now),
      resource: e.resource,
      retries: 0,
      acked: false,
      gaveUp: false,
    }
    this.notifications.push(n)
    const delivery = await this.attempt(n, 'first')
    return { notification: n, delivery }
  }

  /** Sends every retry that is due by the simulator clock; waits for deliveries already in flight too. */
  async deliverDue(): Promise<PayDelivery[]> {
    const now = this.d.now()
    const started = this.notifications
      .filter((n) => n.nextAt !== undefined && n.nextAt <= now && !this.inFlight.has(n.id))
      .map((n) => this.attempt(n, 'retry'))
    const out = await Promise.all(started)
    await Promise.all([...this.inFlight.values()])
    return out
  }

  /** A duplicate delivery of an existing event (same id and resource, fresh signature). */
  redeliver(n: PayNotification): Promise<PayDelivery> {
    return this.attempt(n, 'duplicate')
  }

  find(q: { id?: string; outTradeNo?: string; outRefundNo?: string }): PayNotification | undefined {
    return [...this.notifications]
      .reverse()
      .find(
        (n) =>
          (q.id === undefined || n.id === q.id) &&
          (q.outTradeNo === undefined || (n.outTradeNo === q.outTradeNo && !n.outRefundNo)) &&
          (q.outRefundNo === undefined || n.outRefundNo === q.outRefundNo),
      )
  }

  /** A WECHATPAY/SIGNTEST probe (§5.4): a well-formed event whose signature is the probe marker. */
  async signtest(url: string): Promise<PayDelivery> {
    const now = this.d.now()
    const body = JSON.stringify({
      id: 'SIGNTEST',
      create_time: beijingTime(now),
      resource_type: 'encrypt-resource',
      event_type: 'TRANSACTION.SUCCESS',
      summary: '签名探测',
      resource: {
        original_type: 'transaction',
        ...encryptResource('{}', this.d.apiV3Key, 'transaction'),
      },
    })
    const key = this.d.signingKey()
    const headers = this.headers(
      now,
      randomAlnum(32),
      `WECHATPAY/SIGNTEST/${randomBytes(32).toString('base64')}`,
      key.serial,
    )
    return this.post({ id: 'SIGNTEST', kind: 'signtest', eventType: 'SIGNTEST', url }, headers, body)
  }

  private attempt(n: PayNotification, kind: 'first' | 'retry' | 'duplicate'): Promise<PayDelivery> {
    const p = this.send(n, kind).finally(() => this.inFlight.delete(n.id))
    if (kind !== 'duplicate') this.inFlight.set(n.id, p)
    return p
  }

  private async send(n: PayNotification, kind: 'first' | 'retry' | 'duplicate'): Promise<PayDelivery> {
    const tamper = this.tampers.shift()
    const now = this.d.now()
    let resource = n.resource
    if (tamper === 'amount' && typeof resource.amount === 'object' && resource.amount) {
      const a = resource.amount as Record<string, unknown>
      resource = {
        ...resource,
        amount: { ...a, total: Number(a.total) + 1, payer_total: Number(a.payer_total ?? a.total) + 1 },
      }
    }
    const originalType = n.outRefundNo ? 'refund' : 'transaction'
    const enc = encryptResource(JSON.stringify(resource), this.d.apiV3Key, originalType)
    if (tamper === 'gcm-tag') {
      const b = Buffer.from(enc.ciphertext, 'base64')
      b[b.length - 1] = b[b.length - 1]! ^ 0x01
      enc.ciphertext = b.toString('base64')
    }
    const body = JSON.stringify({
      id: n.id,
      create_time: n.createTime,
      resource_type: 'encrypt-resource',
      event_type: n.eventType,
      summary: SUMMARY[n.eventType],
      resource: { original_type: originalType, ...enc },
    })
    const ts = tamper === 'timestamp' ? now - 600_000 : now
    const nonce = randomAlnum(32)
    const key = this.d.signingKey()
    const tsS = String(Math.floor(ts / 1000))
    let signature = rsaSign(`${tsS}\n${nonce}\n${body}\n`, key.privateKey)
    if (tamper === 'signature') signature = rsaSign(`${tsS}\n${nonce}\n${body} \n`, key.privateKey)
    const d = await this.post(
      {
        id: n.id,
        kind,
        eventType: n.eventType,
        outTradeNo: n.outTradeNo,
        ...(n.outRefundNo ? { outRefundNo: n.outRefundNo } : {}),
        url: n.url,
        ...(tamper ? { tamper } : {}),
      },
      this.headers(ts, nonce, signature, key.serial),
      body,
    )
    if (kind === 'duplicate') return d
    if (kind === 'retry') n.retries += 1
    if (d.status >= 200 && d.status < 300) {
      n.acked = true
      n.nextAt = undefined
    } else {
      const schedule = this.d.schedule ?? RETRY_SCHEDULE_MS
      const wait = schedule[kind === 'first' ? 0 : n.retries]
      if (wait === undefined) {
        n.gaveUp = true
        n.nextAt = undefined
      } else n.nextAt = this.d.now() + wait
    }
    return d
  }

  private headers(tsMs: number, nonce: string, signature: string, serial: string): Record<string, string> {
    return {
      'content-type': 'application/json',
      'user-agent': 'Mozilla/4.0',
      'request-id': `08${randomBytes(12).toString('hex').toUpperCase()}`,
      'wechatpay-timestamp': String(Math.floor(tsMs / 1000)),
      'wechatpay-nonce': nonce,
      'wechatpay-signature': signature,
      'wechatpay-serial': serial,
      'wechatpay-signature-type': 'WECHATPAY2-SHA256-RSA2048',
    }
  }

  private async post(
    meta: Omit<PayDelivery, 'seq' | 'at' | 'status' | 'answer'>,
    headers: Record<string, string>,
    body: string,
  ): Promise<PayDelivery> {
    const f = this.d.fetchImpl ?? fetch
    let status = 0
    let answer = ''
    try {
      const res = await f(meta.url, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(this.d.timeoutMs ?? 5000),
      })
      status = res.status
      answer = (await res.text()).slice(0, 500)
    } catch (e) {
      answer = String(e)
    }
    const d: PayDelivery = {
      seq: ++this.seq,
      ...meta,
      at: new Date(this.d.now()).toISOString(),
      status,
      answer,
    }
    this.deliveries.push(d)
    return d
  }
}

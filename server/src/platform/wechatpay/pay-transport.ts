/**
 * The HTTP transport we hand wechatpay-node-v3 through its `createHttp` hook (platform.md §5.8): the
 * library's hard-coded host is rewritten to `WECHATPAY_API_BASE` (the signature covers only the path,
 * so the simulator sees valid signatures), the body goes out exactly as `JSON.stringify(body)` (what
 * the library signed), and every 2xx answer is verified from its raw text and headers before the
 * library sees it. Non-2xx answers come back as `{status, error: text}` (the library's convention);
 * an unreachable host or a timeout throws.
 */

export const REAL_PAY_API_BASE = 'https://api.mch.weixin.qq.com'

/** The library's transport output. */
export interface PayHttpResult {
  status: number
  data?: unknown
  error?: string
}

/** wechatpay-node-v3's `IPayRequest`. */
export interface PayHttp {
  post(url: string, params: Record<string, unknown>, headers: Record<string, unknown>): Promise<PayHttpResult>
  get(url: string, headers: Record<string, unknown>): Promise<PayHttpResult>
  upload(
    url: string,
    params: Record<string, unknown>,
    headers: Record<string, unknown>,
  ): Promise<PayHttpResult>
}

/** Checks one 2xx answer; throws (PAY_SIGNATURE_INVALID) when it does not verify. */
export type ResponseVerifier = (input: {
  url: string
  headers: Record<string, string>
  raw: string
}) => void | Promise<void>

export class PayTransportError extends Error {
  constructor(
    readonly kind: 'timeout' | 'unreachable',
    readonly url: string,
    cause: unknown,
  ) {
    super(`WeChat Pay ${url}: ${kind} (${String(cause)})`)
    this.name = 'PayTransportError'
  }
}

export const payTransport = (o: {
  apiBase: string
  verify: ResponseVerifier
  timeoutMs?: number
  fetchImpl?: typeof fetch
}): PayHttp => {
  const f = o.fetchImpl ?? fetch
  const base = o.apiBase.replace(/\/+$/, '')
  const to = (u: string): string =>
    u.startsWith(REAL_PAY_API_BASE) ? base + u.slice(REAL_PAY_API_BASE.length) : u
  const send = async (
    method: 'GET' | 'POST',
    url: string,
    headers: Record<string, unknown>,
    body?: Record<string, unknown>,
  ): Promise<PayHttpResult> => {
    const target = to(url)
    const h: Record<string, string> = {}
    // fetch negotiates (and undoes) the content encoding itself
    for (const [k, v] of Object.entries(headers))
      if (v !== undefined && k.toLowerCase() !== 'accept-encoding')
        h[k] = typeof v === 'string' ? v : JSON.stringify(v)
    let res: Response
    let raw: string
    try {
      res = await f(target, {
        method,
        headers: h,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(o.timeoutMs ?? 5000),
      })
      raw = await res.text()
    } catch (e) {
      // by name: the DOMException may come from another realm (instanceof Error is not reliable)
      const name = (e as { name?: unknown } | undefined)?.name
      const timedOut = name === 'TimeoutError' || name === 'AbortError'
      throw new PayTransportError(timedOut ? 'timeout' : 'unreachable', target, e)
    }
    if (res.status < 200 || res.status >= 300) return { status: res.status, error: raw }
    const resHeaders: Record<string, string> = {}
    res.headers.forEach((v, k) => (resHeaders[k.toLowerCase()] = v))
    await o.verify({ url: target, headers: resHeaders, raw })
    let data: unknown = {}
    if (raw) {
      try {
        data = JSON.parse(raw)
      } catch {
        data = raw
      }
    }
    return { status: res.status, data }
  }
  return {
    post: (url, params, headers) => send('POST', url, headers, params),
    get: (url, headers) => send('GET', url, headers),
    upload: () => Promise.reject(new Error('WeChat Pay uploads are not used by CareLoop')),
  }
}

import { AppError, z } from '@careloop/shared'
import type { Clock } from '../../clock'

/**
 * The server's WeCom (企业微信) server API client (platform.md §4). The same code talks to
 * https://qyapi.weixin.qq.com in production and to the simulator locally; only `apiBase` differs.
 * WeCom answers errors as HTTP 200 with `errcode` ≠ 0, so every call branches on `errcode`.
 * access_tokens are per app secret (§4.1): cached per secret until 5 minutes before expiry, fetched
 * single-flight, and refreshed once when a call answers 40014/42001.
 */

export class WecomApiError extends Error {
  constructor(
    readonly errcode: number,
    readonly errmsg: string,
    readonly api: string,
  ) {
    super(`${api}: errcode ${errcode} ${errmsg}`)
    this.name = 'WecomApiError'
  }
}

/** Stale-token codes of a token-protected call: refresh once and retry (§4.1). */
export const WECOM_STALE_TOKEN_CODES = new Set([40014, 42001])
/** `getuserinfo`: the login code is invalid, used or expired. */
export const WECOM_INVALID_CODE = 40029

const ErrFields = z.object({ errcode: z.number().optional(), errmsg: z.string().optional() })
const TokenResponse = ErrFields.extend({
  access_token: z.string().optional(),
  expires_in: z.number().optional(),
})
const UserInfoResponse = ErrFields.extend({
  userid: z.string().min(1).optional(),
  openid: z.string().min(1).optional(),
  external_userid: z.string().optional(),
})

export interface WecomClientOptions {
  corpId: string
  /** The self-built app's secret: the default for calls made on behalf of the app. */
  agentSecret: string
  apiBase: string
  clock: Clock
  timeoutMs?: number
  fetchImpl?: typeof fetch
}

/** Who a WeCom web-login code belongs to: a member of the corp, or an outsider (openid only). */
export type WecomIdentity = { kind: 'member'; userid: string } | { kind: 'outsider'; openid: string }

const REFRESH_MARGIN_S = 300

export class WecomClient {
  private readonly cache = new Map<string, { token: string; refreshAt: number }>()
  private readonly inflight = new Map<string, Promise<string>>()

  constructor(private readonly o: WecomClientOptions) {}

  /**
   * Web login (网页授权登录 / 扫码登录): `GET /cgi-bin/auth/getuserinfo?access_token&code`. Members
   * come back with `userid`, non-members with `openid`. An invalid, used or expired code throws
   * WecomApiError 40029.
   */
  async getUserInfo(code: string): Promise<WecomIdentity> {
    const r = await this.withAccessToken(this.o.agentSecret, (token) =>
      this.call(
        'getuserinfo',
        UserInfoResponse,
        `/cgi-bin/auth/getuserinfo?${new URLSearchParams({ access_token: token, code }).toString()}`,
      ),
    )
    if (r.userid) return { kind: 'member', userid: r.userid }
    if (r.openid) return { kind: 'outsider', openid: r.openid }
    throw new WecomApiError(-2, 'response without userid or openid', 'getuserinfo')
  }

  /** The access_token of an app secret, cached until 5 minutes before expiry; single-flight per secret. */
  async accessToken(secret: string = this.o.agentSecret): Promise<string> {
    const now = this.o.clock.now().getTime()
    const cached = this.cache.get(secret)
    if (cached && now < cached.refreshAt) return cached.token
    let p = this.inflight.get(secret)
    if (!p) {
      p = this.fetchToken(secret).finally(() => this.inflight.delete(secret))
      this.inflight.set(secret, p)
    }
    return p
  }

  /** Runs a token-protected call; on 40014/42001 drops the cached token, fetches a new one and retries once. */
  async withAccessToken<T>(secret: string, run: (token: string) => Promise<T>): Promise<T> {
    const token = await this.accessToken(secret)
    try {
      return await run(token)
    } catch (e) {
      if (!(e instanceof WecomApiError) || !WECOM_STALE_TOKEN_CODES.has(e.errcode)) throw e
      if (this.cache.get(secret)?.token === token) this.cache.delete(secret)
      return run(await this.accessToken(secret))
    }
  }

  private async fetchToken(secret: string): Promise<string> {
    const q = new URLSearchParams({ corpid: this.o.corpId, corpsecret: secret })
    const r = await this.call('gettoken', TokenResponse, `/cgi-bin/gettoken?${q.toString()}`)
    if (!r.access_token || !r.expires_in)
      throw new WecomApiError(-2, 'response without access_token', 'gettoken')
    const now = this.o.clock.now().getTime()
    this.cache.set(secret, {
      token: r.access_token,
      refreshAt: now + Math.max(0, r.expires_in - REFRESH_MARGIN_S) * 1000,
    })
    return r.access_token
  }

  private async call<O extends z.infer<typeof ErrFields>>(
    api: string,
    schema: z.ZodType<O, z.ZodTypeDef, unknown>,
    pathAndQuery: string,
  ): Promise<O> {
    const f = this.o.fetchImpl ?? fetch
    let res: Response
    try {
      res = await f(`${this.o.apiBase}${pathAndQuery}`, {
        method: 'GET',
        signal: AbortSignal.timeout(this.o.timeoutMs ?? 5000),
      })
    } catch (e) {
      throw new AppError('UPSTREAM_UNAVAILABLE', `WeCom ${api} unreachable`, { cause: String(e) })
    }
    if (!res.ok) throw new AppError('UPSTREAM_UNAVAILABLE', `WeCom ${api} answered HTTP ${res.status}`)
    const parsed = schema.safeParse(await res.json().catch(() => undefined))
    if (!parsed.success)
      throw new AppError('UPSTREAM_UNAVAILABLE', `WeCom ${api} answered an unexpected body`)
    const data = parsed.data
    if (data.errcode !== undefined && data.errcode !== 0)
      throw new WecomApiError(data.errcode, data.errmsg ?? '', api)
    return data
  }
}

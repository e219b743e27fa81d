import { z } from '@careloop/shared'
import type { Clock } from '../../clock'
import { callPlatform, ErrFields } from '../platform-call'

/**
 * The server's WeChat mini-program API client (platform.md §1). The same code talks to
 * https://api.weixin.qq.com in production and to the simulator locally; only `apiBase` differs.
 * WeChat answers errors as HTTP 200 with `errcode` ≠ 0, so every call branches on `errcode`.
 */

export class WechatApiError extends Error {
  constructor(
    readonly errcode: number,
    readonly errmsg: string,
    readonly api: string,
  ) {
    super(`${api}: errcode ${errcode} ${errmsg}`)
    this.name = 'WechatApiError'
  }
}

/** Stale-token codes: refresh once and retry (platform.md §1.3). */
export const STALE_TOKEN_CODES = new Set([40001, 40014, 42001])

const Code2Session = ErrFields.extend({
  openid: z.string().min(1).optional(),
  session_key: z.string().optional(),
  unionid: z.string().optional(),
})
const PhoneResponse = ErrFields.extend({
  phone_info: z
    .object({
      phoneNumber: z.string(),
      purePhoneNumber: z.string(),
      // documented as a string, the official example shows a number: accept both (platform.md §1.2)
      countryCode: z.union([z.string(), z.number()]).transform(String),
    })
    .optional(),
})
const TokenResponse = ErrFields.extend({
  access_token: z.string().optional(),
  expires_in: z.number().optional(),
})

const SubscribeSendResponse = ErrFields.extend({
  msgid: z.union([z.string(), z.number()]).transform(String).optional(),
})

/** WeChat's msgid is a 64-bit integer sent as a bare JSON number: quote it before parsing so no digit is lost. */
const parseKeepingMsgid = (text: string): unknown =>
  JSON.parse(text.replace(/("msgid"\s*:\s*)(-?\d+)/g, '$1"$2"'))

export interface SubscribeMessageInput {
  /** The recipient's openid. */
  touser: string
  templateId: string
  /** A page of the live version, query allowed (else 41030); omitted → the card has no link. */
  page?: string
  /** `{thing1: {value}}`: fit and validate with `fitSubscribeValue` / `validateSubscribeData` first. */
  data: Record<string, { value: string }>
  miniprogramState?: 'developer' | 'trial' | 'formal'
  lang?: 'zh_CN'
}

export interface WechatClientOptions {
  appid: string
  secret: string
  apiBase: string
  clock: Clock
  timeoutMs?: number
  fetchImpl?: typeof fetch
}

export interface WechatSession {
  openid: string
  unionid: string | undefined
}

export class WechatClient {
  private cached: { token: string; refreshAt: number } | undefined
  private inflight: Promise<string> | undefined
  private lastForced = 0

  constructor(private readonly o: WechatClientOptions) {}

  /** code2Session: exchanges a `wx.login` code for the user's openid/unionid. */
  async code2Session(code: string): Promise<WechatSession> {
    const q = new URLSearchParams({
      appid: this.o.appid,
      secret: this.o.secret,
      js_code: code,
      grant_type: 'authorization_code',
    })
    const r = await this.call('jscode2session', Code2Session, `/sns/jscode2session?${q.toString()}`)
    if (!r.openid) throw new WechatApiError(-2, 'response without openid', 'jscode2session')
    // session_key is deliberately dropped here: it never leaves the server and we do not keep it.
    return { openid: r.openid, unionid: r.unionid }
  }

  /** getuserphonenumber: exchanges a getPhoneNumber code (single-use, 5 min) for the user's phone. */
  async phoneNumber(code: string): Promise<{ phone: string; countryCode: string }> {
    const r = await this.withAccessToken((token) =>
      this.call(
        'getuserphonenumber',
        PhoneResponse,
        `/wxa/business/getuserphonenumber?access_token=${encodeURIComponent(token)}`,
        {
          code,
        },
      ),
    )
    if (!r.phone_info) throw new WechatApiError(-2, 'response without phone_info', 'getuserphonenumber')
    return { phone: r.phone_info.purePhoneNumber, countryCode: r.phone_info.countryCode }
  }

  /**
   * `subscribe/send` (platform.md §2.1): one subscribe message to one user. Stale tokens are refreshed
   * and the call retried once; every other errcode surfaces as WechatApiError (43101 no credit or
   * unsubscribed, 47003 bad data, 40003 / 40037 / 41030 …) for the caller to branch on (§2.3).
   */
  async sendSubscribeMessage(o: SubscribeMessageInput): Promise<{ msgid: string | undefined }> {
    const body = {
      touser: o.touser,
      template_id: o.templateId,
      ...(o.page !== undefined ? { page: o.page } : {}),
      data: o.data,
      ...(o.miniprogramState ? { miniprogram_state: o.miniprogramState } : {}),
      ...(o.lang ? { lang: o.lang } : {}),
    }
    const r = await this.withAccessToken((token) =>
      this.call(
        'subscribe/send',
        SubscribeSendResponse,
        `/cgi-bin/message/subscribe/send?access_token=${encodeURIComponent(token)}`,
        body,
        parseKeepingMsgid,
      ),
    )
    return { msgid: r.msgid }
  }

  /**
   * The app's access_token from `/cgi-bin/stable_token`, cached until 5 minutes before expiry and
   * refreshed single-flight (concurrent callers share one request).
   */
  async accessToken(): Promise<string> {
    const now = this.o.clock.now().getTime()
    if (this.cached && now < this.cached.refreshAt) return this.cached.token
    this.inflight ??= this.fetchToken(false).finally(() => (this.inflight = undefined))
    return this.inflight
  }

  /**
   * Runs a token-protected call. On a stale-token code it refreshes once and retries; if the
   * normal refresh hands back the same token, it force-refreshes (rate-limited by WeChat to 20/day,
   * 30 s apart).
   */
  async withAccessToken<T>(run: (token: string) => Promise<T>): Promise<T> {
    const token = await this.accessToken()
    try {
      return await run(token)
    } catch (e) {
      if (!(e instanceof WechatApiError) || !STALE_TOKEN_CODES.has(e.errcode)) throw e
      this.cached = undefined
      let fresh = await this.accessToken()
      const now = this.o.clock.now().getTime()
      if (fresh === token && now - this.lastForced >= 30_000) {
        this.lastForced = now
        fresh = await this.fetchToken(true)
      }
      return run(fresh)
    }
  }

  private async fetchToken(forceRefresh: boolean): Promise<string> {
    const r = await this.call('stable_token', TokenResponse, '/cgi-bin/stable_token', {
      grant_type: 'client_credential',
      appid: this.o.appid,
      secret: this.o.secret,
      force_refresh: forceRefresh,
    })
    if (!r.access_token || !r.expires_in)
      throw new WechatApiError(-2, 'response without access_token', 'stable_token')
    const now = this.o.clock.now().getTime()
    this.cached = { token: r.access_token, refreshAt: now + Math.max(0, r.expires_in - 300) * 1000 }
    return r.access_token
  }

  private call<O extends z.infer<typeof ErrFields>>(
    api: string,
    schema: z.ZodType<O, z.ZodTypeDef, unknown>,
    pathAndQuery: string,
    body?: unknown,
    parseBody?: (text: string) => unknown,
  ): Promise<O> {
    return callPlatform({
      platform: 'WeChat',
      parseBody,
      apiBase: this.o.apiBase,
      fetchImpl: this.o.fetchImpl,
      timeoutMs: this.o.timeoutMs,
      api,
      schema,
      pathAndQuery,
      body,
      apiError: (errcode, errmsg, name) => new WechatApiError(errcode, errmsg, name),
    })
  }
}

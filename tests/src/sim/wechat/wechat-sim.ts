import { createHash } from 'node:crypto'
import { SimServer, type SimRequest, type SimResponse } from '../sim-server'
import { SubscribeState, mountSubscribe } from './wechat-subscribe'

export {
  DEFAULT_SUBSCRIBE_TEMPLATES,
  SUBSCRIBE_TEMPLATE_IDS,
  type SubscribeDecision,
  type SubscribeMessage,
  type SubscribeTemplate,
  type SubscribeTemplateKind,
} from './wechat-subscribe'

/**
 * WeChat mini-program server API simulator (platform.md §1, §7.1): code2Session with single-use,
 * 5-minute codes and the per-user minute quota; `/cgi-bin/token` and `/cgi-bin/stable_token` with
 * their expiry and rotation semantics. Ids are deterministic (derived from the app id and the
 * simulated user's key), so the same user always gets the same openid/unionid. Subscribe messages
 * (`/cgi-bin/message/subscribe/send`, templates, consent credits) live in `wechat-subscribe.ts`.
 */

export interface WechatSimOptions {
  appid: string
  secret: string
}

interface Code {
  openid: string
  issuedAt: number
  used: boolean
}

interface Token {
  kind: 'token' | 'stable'
  expiresAt: number
  revoked: boolean
}

const CODE_TTL_MS = 300_000
const TOKEN_TTL_S = 7200
const OLD_TOKEN_GRACE_MS = 300_000
const STABLE_PREREFRESH_S = 300
const LOGIN_QUOTA_PER_MIN = 100
const FORCE_REFRESH_PER_DAY = 20
const FORCE_REFRESH_MIN_GAP_MS = 30_000

const digest = (s: string, len: number, enc: 'hex' | 'base64url' = 'base64url'): string =>
  createHash('sha256').update(s).digest(enc).slice(0, len)

export class WechatSim extends SimServer {
  private seq = 0
  private codes = new Map<string, Code>()
  private users = new Map<string, { user: string; openid: string; unionid: string }>()
  private loginCalls = new Map<string, number[]>()
  private tokens = new Map<string, Token>()
  private currentToken: string | undefined
  private currentStable: string | undefined
  private forceRefreshes: number[] = []
  private phoneCodes = new Map<string, { phone: string; issuedAt: number; used: boolean }>()
  /** Subscribe-message templates, consent credits and delivered messages. */
  readonly subscriptions = new SubscribeState()

  constructor(readonly options: WechatSimOptions) {
    super('wechat')
    this.route('GET', '/sns/jscode2session', (r) => this.code2Session(r))
    this.route('GET', '/cgi-bin/token', (r) => this.token(r))
    this.route('POST', '/cgi-bin/stable_token', (r) => this.stableToken(r))
    this.route('GET', '/cgi-bin/stable_token', () => this.err(43002, 'require POST method'))
    this.route('POST', '/wxa/business/getuserphonenumber', (r) => this.phoneNumber(r))
    this.route('POST', '/_sim/wx/login', (r) => this.mintLoginCode(r))
    this.route('POST', '/_sim/wx/phone', (r) => this.mintPhoneCode(r))
    this.route('GET', '/_sim/wx/users', () => ({ body: { users: [...this.users.values()] } }))
    this.route('POST', '/_sim/wx/tokens/expire', (r) => this.expireTokens(r, 'expire'))
    this.route('POST', '/_sim/wx/tokens/revoke', (r) => this.expireTokens(r, 'revoke'))
    mountSubscribe({
      state: this.subscriptions,
      now: () => this.clock.now(),
      route: (method, path, handler) => this.route(method, path, handler),
      checkAccessToken: (token) => this.checkAccessToken(token),
      err: (errcode, errmsg) => this.err(errcode, errmsg),
      knownOpenid: (openid) => this.users.has(openid) || this.subscriptions.openids.has(openid),
    })
  }

  protected resetState(): void {
    this.seq = 0
    this.codes.clear()
    this.users.clear()
    this.loginCalls.clear()
    this.tokens.clear()
    this.currentToken = undefined
    this.currentStable = undefined
    this.forceRefreshes = []
    this.phoneCodes.clear()
    this.subscriptions.reset()
  }

  /** Mints a getPhoneNumber code (what `<Button openType="getPhoneNumber">` hands the page). */
  phoneCode(phone: string): string {
    const code = digest(`phone:${++this.seq}:${phone}`, 32, 'hex')
    this.phoneCodes.set(code, { phone, issuedAt: this.clock.now(), used: false })
    return code
  }

  private phoneNumber(r: SimRequest): SimResponse {
    const bad = this.checkAccessToken(r.query.get('access_token'))
    if (bad) return bad
    const b = (r.json ?? {}) as { code?: unknown }
    if (typeof b.code !== 'string' || !b.code) return this.err(47001, 'data format error: code missing')
    const c = this.phoneCodes.get(b.code)
    // Single-use, five minutes (platform.md §1.2): a used or stale code is "invalid code".
    if (!c || c.used || this.clock.now() - c.issuedAt > CODE_TTL_MS) return this.err(40029, 'invalid code')
    c.used = true
    return {
      body: {
        errcode: 0,
        errmsg: 'ok',
        phone_info: {
          phoneNumber: c.phone,
          purePhoneNumber: c.phone,
          countryCode: 86,
          watermark: { timestamp: Math.floor(this.clock.now() / 1000), appid: this.options.appid },
        },
      },
    }
  }

  private mintPhoneCode(r: SimRequest): SimResponse {
    const b = (r.json ?? {}) as { phone?: unknown }
    const phone = b.phone === undefined ? '13812345678' : b.phone
    if (typeof phone !== 'string' || !/^1\d{10}$/.test(phone))
      return { status: 400, body: { error: 'phone must be an 11-digit mainland mobile number' } }
    return { body: { code: this.phoneCode(phone) } }
  }

  /** Stable identity of a simulated WeChat user, keyed by a free-form user key. */
  identity(user: string): { openid: string; unionid: string } {
    return {
      openid: `o${digest(`${this.options.appid}:openid:${user}`, 27)}`,
      unionid: `u${digest(`unionid:${user}`, 27)}`,
    }
  }

  /** Mints a fresh single-use login code for a simulated user (what `wx.login` returns on a phone). */
  loginCode(user: string): { code: string; openid: string; unionid: string } {
    const id = this.identity(user)
    this.users.set(id.openid, { user, ...id })
    const code = digest(`code:${++this.seq}:${user}`, 32, 'hex')
    this.codes.set(code, { openid: id.openid, issuedAt: this.clock.now(), used: false })
    return { code, ...id }
  }

  /** Validates an access_token exactly like the real API does for token-protected calls. */
  checkAccessToken(token: string | null): SimResponse | undefined {
    if (!token) return this.err(41001, 'access_token missing')
    const t = this.tokens.get(token)
    if (!t || t.revoked) return this.err(40001, 'invalid credential, access_token is invalid or not latest')
    if (t.expiresAt <= this.clock.now()) return this.err(42001, 'access_token expired')
    return undefined
  }

  private err(errcode: number, errmsg: string): SimResponse {
    return { body: { errcode, errmsg: `${errmsg}, rid: ${digest(`rid:${++this.seq}`, 24, 'hex')}` } }
  }

  private checkApp(
    appid: string | null | undefined,
    secret: string | null | undefined,
  ): SimResponse | undefined {
    if (!appid) return this.err(41002, 'appid missing')
    if (!secret) return this.err(41004, 'appsecret missing')
    if (appid !== this.options.appid) return this.err(40013, 'invalid appid')
    if (secret !== this.options.secret) return this.err(40125, 'invalid appsecret')
    return undefined
  }

  private code2Session(r: SimRequest): SimResponse {
    const q = r.query
    const bad = this.checkApp(q.get('appid'), q.get('secret'))
    if (bad) return bad
    if (q.get('grant_type') !== 'authorization_code') return this.err(40002, 'invalid grant_type')
    const jsCode = q.get('js_code')
    if (!jsCode) return this.err(41008, 'missing code')
    const code = this.codes.get(jsCode)
    const now = this.clock.now()
    if (!code || now - code.issuedAt > CODE_TTL_MS) return this.err(40029, 'invalid code')
    if (code.used) return this.err(40163, 'code been used')
    const recent = (this.loginCalls.get(code.openid) ?? []).filter((t) => now - t < 60_000)
    if (recent.length >= LOGIN_QUOTA_PER_MIN) {
      this.loginCalls.set(code.openid, recent)
      return this.err(45011, 'api minute-quota reach limit mustslower retry next minute')
    }
    recent.push(now)
    this.loginCalls.set(code.openid, recent)
    code.used = true
    const user = this.users.get(code.openid)
    return {
      body: {
        openid: code.openid,
        // base64 of 16 bytes, like the real session_key
        session_key: createHash('md5').update(`session:${jsCode}`).digest('base64'),
        ...(user ? { unionid: user.unionid } : {}),
      },
    }
  }

  private issue(kind: Token['kind']): string {
    const token = `${kind === 'stable' ? 'ST' : 'AT'}_${digest(`token:${++this.seq}`, 60, 'base64url')}`
    this.tokens.set(token, { kind, expiresAt: this.clock.now() + TOKEN_TTL_S * 1000, revoked: false })
    return token
  }

  private token(r: SimRequest): SimResponse {
    const q = r.query
    if (q.get('grant_type') !== 'client_credential') return this.err(40002, 'invalid grant_type')
    const bad = this.checkApp(q.get('appid'), q.get('secret'))
    if (bad) return bad
    // Each call issues a new token; the previous one lives about five more minutes.
    const prev = this.currentToken ? this.tokens.get(this.currentToken) : undefined
    if (prev) prev.expiresAt = Math.min(prev.expiresAt, this.clock.now() + OLD_TOKEN_GRACE_MS)
    this.currentToken = this.issue('token')
    return { body: { access_token: this.currentToken, expires_in: TOKEN_TTL_S } }
  }

  private stableToken(r: SimRequest): SimResponse {
    const b = (r.json ?? {}) as {
      grant_type?: unknown
      appid?: unknown
      secret?: unknown
      force_refresh?: unknown
    }
    if (b.grant_type !== 'client_credential') return this.err(40002, 'invalid grant_type')
    const bad = this.checkApp(
      typeof b.appid === 'string' ? b.appid : undefined,
      typeof b.secret === 'string' ? b.secret : undefined,
    )
    if (bad) return bad
    const now = this.clock.now()
    if (b.force_refresh === true) {
      this.forceRefreshes = this.forceRefreshes.filter((t) => now - t < 86_400_000)
      if (this.forceRefreshes.length >= FORCE_REFRESH_PER_DAY)
        return this.err(45009, 'reach max api daily quota limit')
      const last = this.forceRefreshes.at(-1)
      if (last !== undefined && now - last < FORCE_REFRESH_MIN_GAP_MS)
        return this.err(45011, 'api minute-quota reach limit mustslower retry next minute')
      this.forceRefreshes.push(now)
      // A forced refresh invalidates the previous stable token at once.
      const prev = this.currentStable ? this.tokens.get(this.currentStable) : undefined
      if (prev) prev.revoked = true
      this.currentStable = this.issue('stable')
    } else {
      const cur = this.currentStable ? this.tokens.get(this.currentStable) : undefined
      // Normal mode returns the same token with its remaining life, pre-refreshed ~5 min before expiry.
      if (!cur || cur.revoked || cur.expiresAt - now <= STABLE_PREREFRESH_S * 1000)
        this.currentStable = this.issue('stable')
    }
    const token = this.currentStable!
    const t = this.tokens.get(token)!
    return { body: { access_token: token, expires_in: Math.floor((t.expiresAt - now) / 1000) } }
  }

  private mintLoginCode(r: SimRequest): SimResponse {
    const b = (r.json ?? {}) as { user?: unknown }
    if (typeof b.user !== 'string' || !/^[\w.@-]{1,64}$/.test(b.user))
      return { status: 400, body: { error: 'user must be 1-64 chars of letters, digits, _ . @ -' } }
    return { body: this.loginCode(b.user) }
  }

  private expireTokens(r: SimRequest, how: 'expire' | 'revoke'): SimResponse {
    const b = (r.json ?? {}) as { token?: unknown }
    const now = this.clock.now()
    for (const [k, t] of this.tokens) {
      if (typeof b.token === 'string' && b.token !== k) continue
      if (how === 'expire') t.expiresAt = Math.min(t.expiresAt, now)
      else t.revoked = true
    }
    return { body: { ok: true } }
  }
}

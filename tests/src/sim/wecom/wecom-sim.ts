import { createHash } from 'node:crypto'
import { SimServer, type SimRequest, type SimResponse } from '../sim-server'

/**
 * WeCom (企业微信) server API simulator (platform.md §4, §7.2), the part staff login needs:
 * `GET /cgi-bin/gettoken` (one token per app secret, 7200 s) and web login's
 * `GET /cgi-bin/auth/getuserinfo` (single-use 5-minute codes). Errors come as HTTP 200 with errcode.
 *
 * Hooks: `POST /_sim/wecom/login {userid}` (or `{openid}` for a non-member) → `{code}`;
 * `POST /_sim/wecom/tokens/expire` (every token answers 42001 from then on).
 */

export interface WecomSimOptions {
  corpId: string
  /** App secrets the corp accepts (the self-built app's, the customer-contact one …). */
  secrets: readonly string[]
}

interface Code {
  who: { userid: string } | { openid: string }
  issuedAt: number
  used: boolean
}

interface Token {
  secret: string
  expiresAt: number
}

/** Local-only credentials (`npm start`, tests): never a real corp. */
export const SIM_WECOM = { corpId: 'wwsimcorp00000001', agentSecret: 'sim-wecom-agent-secret' } as const

const CODE_TTL_MS = 300_000
const TOKEN_TTL_S = 7200

const digest = (s: string, len: number): string => createHash('sha256').update(s).digest('hex').slice(0, len)

export class WecomSim extends SimServer {
  private seq = 0
  private codes = new Map<string, Code>()
  private tokens = new Map<string, Token>()
  /** The live token of each secret. */
  private current = new Map<string, string>()

  constructor(readonly options: WecomSimOptions) {
    super('wecom')
    this.route('GET', '/cgi-bin/gettoken', (r) => this.getToken(r))
    this.route('GET', '/cgi-bin/auth/getuserinfo', (r) => this.getUserInfo(r))
    this.route('POST', '/_sim/wecom/login', (r) => this.mintLogin(r))
    this.route('POST', '/_sim/wecom/tokens/expire', () => {
      const now = this.clock.now()
      for (const t of this.tokens.values()) t.expiresAt = Math.min(t.expiresAt, now)
      return { body: { expired: this.tokens.size } }
    })
  }

  protected resetState(): void {
    this.seq = 0
    this.codes.clear()
    this.tokens.clear()
    this.current.clear()
  }

  /** Mints a web-login code, as WeCom hands the redirect URI after a member (or outsider) authorises. */
  loginCode(who: { userid: string } | { openid: string }): string {
    const code = digest(`wecom-code:${++this.seq}:${JSON.stringify(who)}`, 32)
    this.codes.set(code, { who, issuedAt: this.clock.now(), used: false })
    return code
  }

  /** Validates an access_token like every token-protected WeCom API: 41001 / 40014 / 42001. */
  checkAccessToken(token: string | null): SimResponse | undefined {
    if (!token) return this.err(41001, 'access_token missing')
    const t = this.tokens.get(token)
    if (!t) return this.err(40014, 'invalid access_token')
    if (t.expiresAt <= this.clock.now()) return this.err(42001, 'access_token expired')
    return undefined
  }

  private err(errcode: number, errmsg: string): SimResponse {
    return { body: { errcode, errmsg: `${errmsg}, hint: [${digest(`rid:${++this.seq}`, 10)}]` } }
  }

  private getToken(r: SimRequest): SimResponse {
    const corpid = r.query.get('corpid')
    const secret = r.query.get('corpsecret')
    if (!corpid) return this.err(41002, 'corpid missing')
    if (!secret) return this.err(41004, 'corpsecret missing')
    if (corpid !== this.options.corpId) return this.err(40013, 'invalid corpid')
    if (!this.options.secrets.includes(secret)) return this.err(40001, 'invalid secret')
    const now = this.clock.now()
    // Within its lifetime the same token comes back for the same secret; after expiry, a new one.
    const live = this.current.get(secret)
    const t = live ? this.tokens.get(live) : undefined
    if (live && t && t.expiresAt > now)
      return {
        body: {
          errcode: 0,
          errmsg: 'ok',
          access_token: live,
          expires_in: Math.ceil((t.expiresAt - now) / 1000),
        },
      }
    const token = `wecom-${digest(`token:${++this.seq}:${secret}:${now}`, 48)}`
    this.tokens.set(token, { secret, expiresAt: now + TOKEN_TTL_S * 1000 })
    this.current.set(secret, token)
    return { body: { errcode: 0, errmsg: 'ok', access_token: token, expires_in: TOKEN_TTL_S } }
  }

  private getUserInfo(r: SimRequest): SimResponse {
    const bad = this.checkAccessToken(r.query.get('access_token'))
    if (bad) return bad
    const code = r.query.get('code')
    if (!code) return this.err(41008, 'missing code')
    const c = this.codes.get(code)
    if (!c || c.used || this.clock.now() - c.issuedAt > CODE_TTL_MS) return this.err(40029, 'invalid code')
    c.used = true
    return { body: { errcode: 0, errmsg: 'ok', ...c.who } }
  }

  private mintLogin(r: SimRequest): SimResponse {
    const b = (r.json ?? {}) as { userid?: unknown; openid?: unknown }
    const ok = (v: unknown): v is string => typeof v === 'string' && /^[A-Za-z0-9_.@-]{1,64}$/.test(v)
    if (ok(b.userid)) return { body: { code: this.loginCode({ userid: b.userid }) } }
    if (ok(b.openid)) return { body: { code: this.loginCode({ openid: b.openid }) } }
    return { status: 400, body: { error: 'userid (a corp member) or openid (an outsider) is required' } }
  }
}

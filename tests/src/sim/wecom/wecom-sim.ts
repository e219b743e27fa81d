import { createHash } from 'node:crypto'
import { SimServer, type SimHandler, type SimRequest, type SimResponse } from '../sim-server'
import {
  ERR,
  hookBody,
  hookError,
  isJson,
  type ApiHandler,
  type EventRecord,
  type Json,
  type WecomContext,
} from './wecom-api'
import { mountContacts } from './wecom-contacts'
import {
  DEFAULT_AGENT_ID,
  buildEventXml,
  buildTextMessageXml,
  openPassiveReply,
  pushXml,
  verifyCallbackUrl,
  type PushOptions,
  type WecomEvent,
  type WecomEventTarget,
} from './wecom-events'
import { mountGroupMsg } from './wecom-groupmsg'
import { mountGroups } from './wecom-groups'
import { mountMessages } from './wecom-messages'
import { WecomState, pad } from './wecom-state'
import { mountTags, seedTags, type TagSeed } from './wecom-tags'

export {
  buildEventXml,
  buildTextMessageXml,
  pushEvent,
  pushXml,
  verifyCallbackUrl,
  type DeliveryReport,
  type WecomEvent,
  type WecomEventTarget,
} from './wecom-events'
export { ERR as WECOM_SIM_ERRCODES, type EventRecord } from './wecom-api'

/**
 * WeCom (企业微信) server API simulator (platform.md §3–4, §7.2). This class is the server: token and
 * login routes live here, every other area mounts its routes from its own file —
 * contacts (`wecom-contacts.ts`), corp tags (`wecom-tags.ts`), customer groups and join ways
 * (`wecom-groups.ts`), mass messages (`wecom-groupmsg.ts`), app messages and robots
 * (`wecom-messages.ts`); the callback pusher is `wecom-events.ts`. Errors come as HTTP 200 with
 * errcode and an errmsg ending in `, rid: …`; every API but gettoken and the robot webhook needs a
 * live access_token (41001 / 40014 / 42001).
 *
 * Hooks (all under `/_sim/wecom/`, CORS): `login {userid|openid}` → {code}; `tokens/expire`;
 * `seed {members, tags, robots}`; `GET state`; `events/target {url, token, encodingAesKey, corpId?,
 * agentId?, duplicates?, timeoutMs?, retries?, retryDelayMs?, hold?}` (`{url: null}` clears it);
 * `GET events`; `POST events {event}` pushes any event; `events/redeliver {seq, duplicates?}`;
 * `events/release {seqs?}` delivers held events in the given order; `events/verify` runs the GET
 * handshake; `nurse-message {userid, content}` sends a member's text message and opens the passive
 * reply; plus the area hooks documented in each area file.
 */

export interface WecomSimOptions {
  corpId: string
  /** App secrets the corp accepts (the self-built app's, the customer-contact one …). */
  secrets: readonly string[]
  /** The self-built app's agentid (message/send, callbacks); default 1000002. */
  agentId?: number
  /** Robot webhook keys that exist from the start (and survive `/_sim/reset`). */
  webhookKeys?: readonly string[]
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

/** Where events go, and how they are delivered. */
export interface EventTargetConfig extends WecomEventTarget {
  duplicates?: number
  timeoutMs?: number
  retries?: number
  retryDelayMs?: number
  /** Record events without delivering them until `events/release` (to deliver out of order). */
  hold?: boolean
}

/** Local-only credentials (`npm start`, tests): never a real corp. */
export const SIM_WECOM = { corpId: 'wwsimcorp00000001', agentSecret: 'sim-wecom-agent-secret' } as const

const CODE_TTL_MS = 300_000
const TOKEN_TTL_S = 7200

const digest = (s: string, len: number): string => createHash('sha256').update(s).digest('hex').slice(0, len)

export class WecomSim extends SimServer {
  private seq = 0
  private ridSeq = 0
  private pushSeq = 0
  private codes = new Map<string, Code>()
  private tokens = new Map<string, Token>()
  /** The live token of each secret. */
  private current = new Map<string, string>()
  /** The simulated corp: members, customers, tags, groups, tasks, message logs. */
  readonly state = new WecomState()
  private target: EventTargetConfig | undefined
  private events: EventRecord[] = []

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
    for (const k of options.webhookKeys ?? []) this.state.robots.add(k)

    const ctx = this.context()
    mountContacts(ctx)
    mountTags(ctx)
    mountGroups(ctx)
    mountGroupMsg(ctx)
    mountMessages(ctx)
    this.mountHooks()
  }

  protected resetState(): void {
    this.seq = 0
    this.ridSeq = 0
    this.pushSeq = 0
    this.codes.clear()
    this.tokens.clear()
    this.current.clear()
    this.state.reset()
    for (const k of this.options.webhookKeys ?? []) this.state.robots.add(k)
    this.target = undefined
    this.events = []
  }

  get agentId(): number {
    return this.options.agentId ?? DEFAULT_AGENT_ID
  }

  /** Mints a web-login code, as WeCom hands the redirect URI after a member (or outsider) authorises. */
  loginCode(who: { userid: string } | { openid: string }): string {
    const code = digest(`wecom-code:${++this.seq}:${JSON.stringify(who)}`, 32)
    this.codes.set(code, { who, issuedAt: this.clock.now(), used: false })
    return code
  }

  /** Validates an access_token like every token-protected WeCom API: 41001 / 40014 / 42001. */
  checkAccessToken(token: string | null): SimResponse | undefined {
    const r = this.tokenApp(token)
    return typeof r === 'string' ? undefined : r
  }

  /** Sends events to `target` from now on (undefined: record them only). */
  setEventTarget(target: EventTargetConfig | undefined): void {
    this.target = target
  }

  /** Every event emitted since the last reset, oldest first. */
  eventLog(): readonly EventRecord[] {
    return this.events
  }

  /** Records `event` and delivers it to the configured target (see {@link EventTargetConfig}). */
  async emitEvent(event: WecomEvent): Promise<EventRecord> {
    const createTime = Math.floor(this.clock.now() / 1000)
    const rec: EventRecord = {
      seq: this.events.length + 1,
      at: new Date(this.clock.now()).toISOString(),
      event,
      createTime,
      xml: buildEventXml(this.target?.corpId ?? this.options.corpId, event, createTime),
    }
    this.events.push(rec)
    await this.deliver(rec)
    return rec
  }

  private tokenApp(token: string | null): string | SimResponse {
    if (!token) return this.err(41001, 'access_token missing')
    const t = this.tokens.get(token)
    if (!t) return this.err(40014, 'invalid access_token')
    if (t.expiresAt <= this.clock.now()) return this.err(42001, 'access_token expired')
    return t.secret
  }

  private err(errcode: number, errmsg: string): SimResponse {
    return { body: { errcode, errmsg: `${errmsg}, rid: sim-${pad(++this.ridSeq, 8)}` } }
  }

  private context(): WecomContext {
    const api = (method: 'GET' | 'POST', path: string, handler: ApiHandler): void =>
      this.route(method, path, (req) => {
        const app = this.tokenApp(req.query.get('access_token'))
        if (typeof app !== 'string') return app
        let body: Json = {}
        if (method === 'POST' && req.rawBody.trim() !== '') {
          if (!isJson(req.json)) return this.err(ERR.jsonFormat, 'Warning: wrong json format.')
          body = req.json
        }
        return handler({ req, app, body, query: req.query })
      })
    return {
      corpId: this.options.corpId,
      agentId: this.agentId,
      state: this.state,
      now: () => this.clock.now(),
      api,
      route: (method, path, handler: SimHandler) => this.route(method, path, handler),
      hook: (method, name, handler: SimHandler) => this.route(method, `/_sim/wecom/${name}`, handler),
      ok: (fields = {}) => ({ body: { errcode: 0, errmsg: 'ok', ...fields } }),
      err: (errcode, errmsg) => this.err(errcode, errmsg),
      emit: (event) => this.emitEvent(event),
    }
  }

  private pushOptions(rec: EventRecord, n: number): PushOptions {
    const t = this.target
    return {
      createTime: rec.createTime,
      timestamp: String(Math.floor(this.clock.now() / 1000)),
      nonce: String(1_000_000_000 + n),
      random: createHash('sha256').update(`event-random:${n}`).digest().subarray(0, 16),
      timeoutMs: t?.timeoutMs,
      retries: t?.retries,
      retryDelayMs: t?.retryDelayMs,
      duplicates: t?.duplicates,
    }
  }

  private async deliver(
    rec: EventRecord,
    options: { force?: boolean; duplicates?: number } = {},
  ): Promise<void> {
    const t = this.target
    if (!t) {
      rec.skipped = 'no event target'
      return
    }
    if (t.hold && !options.force) {
      rec.skipped = 'held'
      return
    }
    const n = ++this.pushSeq
    const { xml: _xml, ...delivery } = await pushXml(t, rec.xml, {
      ...this.pushOptions(rec, n),
      ...(options.duplicates !== undefined ? { duplicates: options.duplicates } : {}),
    })
    rec.delivery = delivery
    rec.skipped = undefined
  }

  private mountHooks(): void {
    const hook = (method: 'GET' | 'POST', name: string, handler: SimHandler): void =>
      this.route(method, `/_sim/wecom/${name}`, handler)

    hook('POST', 'seed', (r) => {
      const b = hookBody(r)
      const members = Array.isArray(b.members) ? b.members : []
      for (const m of members) {
        const userid = typeof m === 'string' ? m : isJson(m) && typeof m.userid === 'string' ? m.userid : ''
        if (!userid) return hookError('members are userids or {userid, name}')
        const name = isJson(m) && typeof m.name === 'string' ? m.name : userid
        this.state.members.set(userid, { userid, name })
      }
      const robots = Array.isArray(b.robots) ? b.robots : []
      for (const k of robots) if (typeof k === 'string' && k) this.state.robots.add(k)
      const tags = Array.isArray(b.tags) ? (b.tags as TagSeed[]) : []
      if (!tags.every((t) => isJson(t) && typeof t.group_name === 'string' && Array.isArray(t.tags)))
        return hookError('tags are [{group_name, tags: [name | {name, order}]}]')
      const groups = seedTags(this.state, tags, Math.floor(this.clock.now() / 1000))
      return {
        body: {
          members: [...this.state.members.keys()],
          robots: [...this.state.robots],
          tag_groups: groups.map((g) => ({
            group_id: g.group_id,
            group_name: g.group_name,
            tags: this.state.tagsOf(g.group_id).map((t) => ({ id: t.id, name: t.name })),
          })),
        },
      }
    })

    hook('GET', 'state', () => ({ body: this.snapshot() }))

    hook('POST', 'events/target', (r) => {
      const b = hookBody(r)
      if (b.url === null || b.url === undefined) {
        this.target = undefined
        return { body: { target: null } }
      }
      if (typeof b.url !== 'string' || typeof b.token !== 'string' || typeof b.encodingAesKey !== 'string')
        return hookError('url, token and encodingAesKey are required')
      if (!/^[A-Za-z0-9+/]{43}$/.test(b.encodingAesKey))
        return hookError('encodingAesKey must be 43 base64 characters')
      const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined)
      this.target = {
        url: b.url,
        token: b.token,
        encodingAesKey: b.encodingAesKey,
        corpId: typeof b.corpId === 'string' && b.corpId ? b.corpId : this.options.corpId,
        agentId: num(b.agentId) ?? this.agentId,
        duplicates: num(b.duplicates),
        timeoutMs: num(b.timeoutMs),
        retries: num(b.retries),
        retryDelayMs: num(b.retryDelayMs),
        hold: b.hold === true,
      }
      return { body: { target: { ...this.target, token: '***', encodingAesKey: '***' } } }
    })

    hook('GET', 'events', () => ({ body: { events: this.events } }))

    hook('POST', 'events', async (r) => {
      const b = hookBody(r)
      const ev = b.event
      const kinds = ['change_external_contact', 'change_external_chat', 'change_external_tag']
      if (
        !isJson(ev) ||
        typeof ev.event !== 'string' ||
        !kinds.includes(ev.event) ||
        typeof ev.changeType !== 'string'
      )
        return hookError(`event {event: ${kinds.join(' | ')}, changeType, …} is required`)
      return { body: await this.emitEvent(ev as unknown as WecomEvent) }
    })

    hook('POST', 'events/redeliver', async (r) => {
      const b = hookBody(r)
      const rec = this.events.find((e) => e.seq === b.seq)
      if (!rec) return hookError('no event with that seq', 404)
      if (!this.target) return hookError('no event target configured', 409)
      await this.deliver(rec, {
        force: true,
        duplicates: typeof b.duplicates === 'number' ? b.duplicates : 0,
      })
      return { body: rec }
    })

    hook('POST', 'events/release', async (r) => {
      const b = hookBody(r)
      if (!this.target) return hookError('no event target configured', 409)
      const seqs = Array.isArray(b.seqs)
        ? b.seqs.filter((s): s is number => typeof s === 'number')
        : this.events.filter((e) => e.skipped === 'held').map((e) => e.seq)
      const out: EventRecord[] = []
      for (const s of seqs) {
        const rec = this.events.find((e) => e.seq === s)
        if (!rec) return hookError(`no event with seq ${s}`, 404)
        await this.deliver(rec, { force: true })
        out.push(rec)
      }
      return { body: { released: out } }
    })

    hook('POST', 'events/verify', async () => {
      if (!this.target) return hookError('no event target configured', 409)
      const n = ++this.pushSeq
      return {
        body: await verifyCallbackUrl(this.target, {
          timestamp: String(Math.floor(this.clock.now() / 1000)),
          nonce: String(1_000_000_000 + n),
        }),
      }
    })

    hook('POST', 'nurse-message', async (r) => {
      const b = hookBody(r)
      if (typeof b.userid !== 'string' || typeof b.content !== 'string' || !b.content)
        return hookError('userid and content are required')
      if (!this.target) return hookError('no event target configured', 409)
      const n = ++this.pushSeq
      const createTime = Math.floor(this.clock.now() / 1000)
      const xml = buildTextMessageXml({
        corpId: this.target.corpId,
        fromUser: b.userid,
        content: b.content,
        createTime,
        msgId: String(7_000_000_000_000_000_000n + BigInt(this.state.next('nurse_msg'))),
        agentId: this.target.agentId,
      })
      const { xml: _xml, ...delivery } = await pushXml(this.target, xml, {
        ...this.pushOptions({ seq: 0, at: '', event: { raw: xml }, createTime, xml }, n),
        duplicates: 0,
      })
      const opened = delivery.reply ? openPassiveReply(this.target, delivery.reply) : undefined
      return { body: { xml, delivery, reply: opened ?? null } }
    })
  }

  private snapshot(): Json {
    const s = this.state
    return {
      members: [...s.members.values()],
      contacts: [...s.contacts.values()].map((c) => ({
        ...c,
        follows: [...c.follows.values()].map((f) => ({ ...f, tags: [...f.tags] })),
      })),
      tag_groups: [...s.groups.values()].map((g) => ({ ...g, tags: s.tagsOf(g.group_id) })),
      chats: [...s.chats.values()].map((c) => ({ ...c, member_version: s.memberVersion(c) })),
      join_ways: [...s.joinWays.values()].map(({ app: _app, ...jw }) => jw),
      robots: [...s.robots],
    }
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

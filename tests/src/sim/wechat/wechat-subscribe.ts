import { validateSubscribeData, subscribeKeyType, type SubscribeKeyType } from '@careloop/shared'
import type { SimHandler, SimRequest, SimResponse } from '../sim-server'

/**
 * Subscribe messages (订阅消息) of the WeChat simulator (platform.md §2, §7.1).
 *
 * `POST /cgi-bin/message/subscribe/send?access_token=` checks, in this order: the access_token (41001 /
 * 40001 / 42001, as every token API of the sim); a JSON body (47001); `touser` an openid the sim knows
 * (issued by a login code, or added by the `subscribe` / `users` hooks), else 40003; `template_id` a
 * registered template, else 40037; `page`, when given, one of the registered pages (query ignored) or,
 * when no page list is set, any path starting with `pages/` or `pkg-`, else 41030; `miniprogram_state`
 * and `lang` among the documented values, else 47003; `data` against the template's keys with the
 * shared value rules (`validateSubscribeData`: a missing key is "is empty"), else 47003 naming the
 * field; then the platform-side consent: a one-time template consumes one credit of (openid, template)
 * — none left → 43101 — and a long-term one needs a standing `accept` (43101 otherwise). Success is
 * `{errcode: 0, errmsg: 'ok', msgid}` where msgid is a deterministic integer above 2^53, written as a
 * raw JSON number as WeChat does (so a client that parses it as a double loses digits).
 *
 * Hooks (`/_sim/wx/`, CORS): `GET templates`; `POST templates {id, title, kind: 'one-time' |
 * 'long-term', keys: {thing1: 'thing', …}, names?, enumValues?}` registers or replaces one;
 * `POST subscribe {openid, decisions: {[templateId]: 'accept' | 'reject' | 'ban' | 'filter'}}` (accept on
 * a one-time template adds one credit, on a long-term one subscribes; reject on a long-term one
 * unsubscribes; ban / filter change nothing); `GET credits[?openid=]`; `GET messages[?openid=]` (every
 * accepted message: {msgid, touser, template_id, page, data, miniprogram_state, lang, at});
 * `POST pages {pages: string[] | null}`; `POST users {openid}` makes an openid known.
 * `/_sim/reset` restores the default templates below.
 */

export type SubscribeTemplateKind = 'one-time' | 'long-term'

export interface SubscribeTemplate {
  id: string
  title: string
  kind: SubscribeTemplateKind
  keys: Record<string, SubscribeKeyType>
  /** What each key shows (事项, 时间 …). */
  names?: Record<string, string>
  enumValues?: Record<string, string[]>
}

export const SUBSCRIBE_TEMPLATE_IDS = {
  followupReminder: 'tmpl-followup-reminder',
  questionnaireDue: 'tmpl-questionnaire-due',
  healthNotice: 'tmpl-health-notice',
} as const

/** Registered at construction and after every reset, so the local demo works out of the box. */
export const DEFAULT_SUBSCRIBE_TEMPLATES: readonly SubscribeTemplate[] = [
  {
    id: SUBSCRIBE_TEMPLATE_IDS.followupReminder,
    title: '随访提醒',
    kind: 'one-time',
    keys: { thing1: 'thing', time2: 'time', thing3: 'thing' },
    names: { thing1: '事项', time2: '时间', thing3: '备注' },
  },
  {
    id: SUBSCRIBE_TEMPLATE_IDS.questionnaireDue,
    title: '问卷填写提醒',
    kind: 'one-time',
    keys: { thing1: 'thing', time2: 'time', thing3: 'thing' },
    names: { thing1: '问卷名称', time2: '截止时间', thing3: '说明' },
  },
  {
    id: SUBSCRIBE_TEMPLATE_IDS.healthNotice,
    title: '健康通知',
    kind: 'long-term',
    keys: { thing1: 'thing', thing2: 'thing', time3: 'time' },
    names: { thing1: '标题', thing2: '内容', time3: '时间' },
  },
]

export interface SubscribeMessage {
  msgid: string
  touser: string
  template_id: string
  page?: string
  data: Record<string, { value: string }>
  miniprogram_state: string
  lang: string
  at: string
}

export interface CreditView {
  openid: string
  template_id: string
  kind: SubscribeTemplateKind
  /** One-time: sends left. Long-term: 0. */
  credits: number
  /** Long-term: a standing accept. One-time: false. */
  subscribed: boolean
}

export type SubscribeDecision = 'accept' | 'reject' | 'ban' | 'filter'

const MSGID_BASE = 1_800_000_000_000_000_000n
const STATES = ['developer', 'trial', 'formal']
const LANGS = ['zh_CN', 'en_US', 'zh_HK', 'zh_TW']

/** The platform side of subscribe messages: templates, consent, delivered messages. */
export class SubscribeState {
  templates = new Map<string, SubscribeTemplate>()
  /** `openid|templateId` → one-time credits left. */
  credits = new Map<string, number>()
  /** `openid|templateId` of standing long-term accepts. */
  subscribed = new Set<string>()
  messages: SubscribeMessage[] = []
  /** Registered pages; undefined = accept `pages/…` and `pkg-…`. */
  pages: string[] | undefined
  /** Openids made known by hooks (login-issued ones live in the sim's user map). */
  openids = new Set<string>()
  private seq = 0

  constructor() {
    this.reset()
  }

  reset(): void {
    this.templates = new Map(DEFAULT_SUBSCRIBE_TEMPLATES.map((t) => [t.id, structuredClone(t)]))
    this.credits.clear()
    this.subscribed.clear()
    this.messages = []
    this.pages = undefined
    this.openids.clear()
    this.seq = 0
  }

  nextMsgid(): string {
    return String(MSGID_BASE + BigInt(++this.seq))
  }

  /** Records the user's answers to `requestSubscribeMessage`; throws on an unknown template. */
  decide(openid: string, decisions: Record<string, SubscribeDecision>): void {
    for (const id of Object.keys(decisions))
      if (!this.templates.has(id)) throw new Error(`unknown template ${id}`)
    this.openids.add(openid)
    for (const [id, d] of Object.entries(decisions)) {
      const t = this.templates.get(id)!
      const k = `${openid}|${id}`
      if (t.kind === 'one-time') {
        this.credits.set(k, (this.credits.get(k) ?? 0) + (d === 'accept' ? 1 : 0))
      } else if (d === 'accept') this.subscribed.add(k)
      else if (d === 'reject') this.subscribed.delete(k)
    }
  }

  creditsOf(openid?: string): CreditView[] {
    const keys = new Set([...this.credits.keys(), ...this.subscribed])
    const out: CreditView[] = []
    for (const k of keys) {
      const [o, id] = k.split('|') as [string, string]
      const t = this.templates.get(id)
      if (!t || (openid && o !== openid)) continue
      out.push({
        openid: o,
        template_id: id,
        kind: t.kind,
        credits: t.kind === 'one-time' ? (this.credits.get(k) ?? 0) : 0,
        subscribed: t.kind === 'long-term' && this.subscribed.has(k),
      })
    }
    return out
  }

  pageAllowed(page: string): boolean {
    const path = page.split('?')[0]!
    return this.pages ? this.pages.includes(path) : path.startsWith('pages/') || path.startsWith('pkg-')
  }
}

export interface SubscribeContext {
  readonly state: SubscribeState
  now(): number
  route(method: 'GET' | 'POST', path: string, handler: SimHandler): void
  checkAccessToken(token: string | null): SimResponse | undefined
  err(errcode: number, errmsg: string): SimResponse
  /** Issued by a login code or added by a hook. */
  knownOpenid(openid: string): boolean
}

type Json = Record<string, unknown>
const isJson = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)
const hookError = (error: string, status = 400): SimResponse => ({ status, body: { error } })
const body = (r: SimRequest): Json => (isJson(r.json) ? r.json : {})

export function mountSubscribe(ctx: SubscribeContext): void {
  const { state } = ctx
  ctx.route('POST', '/cgi-bin/message/subscribe/send', (r) => send(ctx, r))

  ctx.route('GET', '/_sim/wx/templates', () => ({ body: { templates: [...state.templates.values()] } }))
  ctx.route('POST', '/_sim/wx/templates', (r) => {
    const t = parseTemplate(body(r))
    if (typeof t === 'string') return hookError(t)
    state.templates.set(t.id, t)
    return { body: { template: t } }
  })
  ctx.route('POST', '/_sim/wx/subscribe', (r) => {
    const b = body(r)
    if (typeof b.openid !== 'string' || !b.openid) return hookError('openid is required')
    const d = b.decisions
    const ok = ['accept', 'reject', 'ban', 'filter']
    if (!isJson(d) || !Object.values(d).every((v) => typeof v === 'string' && ok.includes(v)))
      return hookError("decisions are {[templateId]: 'accept' | 'reject' | 'ban' | 'filter'}")
    const unknown = Object.keys(d).find((id) => !state.templates.has(id))
    if (unknown) return hookError(`unknown template ${unknown}`, 404)
    state.decide(b.openid, d as Record<string, SubscribeDecision>)
    return { body: { openid: b.openid, credits: state.creditsOf(b.openid) } }
  })
  ctx.route('GET', '/_sim/wx/credits', (r) => ({
    body: { credits: state.creditsOf(r.query.get('openid') ?? undefined) },
  }))
  ctx.route('GET', '/_sim/wx/messages', (r) => {
    const openid = r.query.get('openid')
    return { body: { messages: state.messages.filter((m) => !openid || m.touser === openid) } }
  })
  ctx.route('POST', '/_sim/wx/pages', (r) => {
    const p = body(r).pages
    if (p === null || p === undefined) state.pages = undefined
    else if (Array.isArray(p) && p.every((x) => typeof x === 'string' && x)) state.pages = p as string[]
    else return hookError('pages must be a list of page paths, or null for the default rule')
    return { body: { pages: state.pages ?? null } }
  })
  ctx.route('POST', '/_sim/wx/users', (r) => {
    const openid = body(r).openid
    if (typeof openid !== 'string' || !/^[\w-]{1,64}$/.test(openid))
      return hookError('openid must be 1-64 letters, digits, _ or -')
    state.openids.add(openid)
    return { body: { openid } }
  })
}

function parseTemplate(b: Json): SubscribeTemplate | string {
  if (typeof b.id !== 'string' || !b.id) return 'id is required'
  if (typeof b.title !== 'string' || !b.title) return 'title is required'
  if (b.kind !== 'one-time' && b.kind !== 'long-term') return "kind must be 'one-time' or 'long-term'"
  const keys = b.keys
  if (!isJson(keys) || Object.keys(keys).length === 0) return 'keys are {thing1: "thing", …}'
  for (const [k, type] of Object.entries(keys))
    if (subscribeKeyType(k) === undefined || subscribeKeyType(k) !== type)
      return `key ${k} must be a type prefix plus an index, with that type as its value`
  const strings = (v: unknown): v is Record<string, string> =>
    isJson(v) && Object.values(v).every((x) => typeof x === 'string')
  if (b.names !== undefined && !strings(b.names)) return 'names are {thing1: "事项", …}'
  const enums = b.enumValues
  if (
    enums !== undefined &&
    !(
      isJson(enums) &&
      Object.values(enums).every((l) => Array.isArray(l) && l.every((x) => typeof x === 'string'))
    )
  )
    return 'enumValues are {enum1: ["…", …]}'
  return {
    id: b.id,
    title: b.title,
    kind: b.kind,
    keys: keys as Record<string, SubscribeKeyType>,
    ...(b.names !== undefined ? { names: b.names } : {}),
    ...(enums !== undefined ? { enumValues: enums as Record<string, string[]> } : {}),
  }
}

function send(ctx: SubscribeContext, r: SimRequest): SimResponse {
  const { state } = ctx
  const bad = ctx.checkAccessToken(r.query.get('access_token'))
  if (bad) return bad
  if (!isJson(r.json)) return ctx.err(47001, 'data format error')
  const b = r.json
  if (typeof b.touser !== 'string' || !ctx.knownOpenid(b.touser)) return ctx.err(40003, 'invalid openid')
  const t = typeof b.template_id === 'string' ? state.templates.get(b.template_id) : undefined
  if (!t) return ctx.err(40037, 'invalid template_id')
  const page = b.page === undefined || b.page === null || b.page === '' ? undefined : b.page
  if (page !== undefined && (typeof page !== 'string' || !state.pageAllowed(page)))
    return ctx.err(41030, 'invalid page')
  const mpState = b.miniprogram_state ?? 'formal'
  if (typeof mpState !== 'string' || !STATES.includes(mpState))
    return ctx.err(47003, 'argument invalid! miniprogram_state invalid')
  const lang = b.lang ?? 'zh_CN'
  if (typeof lang !== 'string' || !LANGS.includes(lang))
    return ctx.err(47003, 'argument invalid! lang invalid')
  if (!isJson(b.data)) return ctx.err(47003, 'argument invalid! data is empty')
  const data = b.data as Record<string, { value: string }>
  const check = validateSubscribeData(data, { keys: Object.keys(t.keys), enumValues: t.enumValues })
  if (!check.ok) return ctx.err(47003, check.message)

  const k = `${b.touser}|${t.id}`
  if (t.kind === 'one-time') {
    const left = state.credits.get(k) ?? 0
    if (left <= 0) return ctx.err(43101, 'user refuse to accept the msg')
    state.credits.set(k, left - 1)
  } else if (!state.subscribed.has(k)) return ctx.err(43101, 'user refuse to accept the msg')

  const msgid = state.nextMsgid()
  state.messages.push({
    msgid,
    touser: b.touser,
    template_id: t.id,
    ...(page !== undefined ? { page } : {}),
    // only the template's keys are kept, as the card shows them
    data: Object.fromEntries(Object.keys(t.keys).map((key) => [key, { value: data[key]!.value }])),
    miniprogram_state: mpState,
    lang,
    at: new Date(ctx.now()).toISOString(),
  })
  return {
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: `{"errcode":0,"errmsg":"ok","msgid":${msgid}}`,
  }
}

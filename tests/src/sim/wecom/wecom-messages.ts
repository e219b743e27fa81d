import type { SimRequest, SimResponse } from '../sim-server'
import {
  ERR,
  bytes,
  hookBody,
  isJson,
  readInt,
  readString,
  type Json,
  type WecomCall,
  type WecomContext,
} from './wecom-api'
import { digest, pad, within } from './wecom-state'

/**
 * App messages and group robots (platform.md §4.6–4.8).
 *
 * `message/send` (text, markdown, textcard): invalid recipients come back in `invaliduser` (parties and
 * tags are not modelled, so every one is invalid); all invalid → 81013. Past 30 messages per minute or
 * 1000 per hour to the same member (sliding windows on the simulator clock) the message is dropped
 * silently: errcode 0, recorded in `GET /_sim/wecom/dropped` only. Over-long text is truncated (2048 B).
 *
 * Duplicate check (W-90236: 「支持重复消息检查，当指定 enable_duplicate_check 为 1 开启：表示在一定时间间隔
 * 内，同样内容（请求json）的消息，不会重复收到；时间间隔可通过 duplicate_check_interval 指定，默认1800秒」,
 * the interval "不超过4小时"): `enable_duplicate_check` 0 (default) or 1, anything else 40058;
 * `duplicate_check_interval` seconds, absent or 0 → 1800, above 14400 → clamped to 14400, negative →
 * 40058. With the check on, a member who already received the same content (msgtype + the message
 * body, after truncation) from the same app (agentid) less than the interval ago does not receive it
 * again: the call still answers errcode 0 (with a msgid), and the copy is recorded in
 * `GET /_sim/wecom/duplicates` instead of app-messages. Every delivery counts as an earlier one, with
 * or without the check; the window runs from the last delivery. Duplicates and silently dropped copies
 * do not count against the rate limits and do not restart the window. The official wording keys on the
 * request JSON; the sim keys per member on the content, which is never laxer for a single recipient.
 *
 * `POST /cgi-bin/webhook/send?key=…`: unknown key 93000; 20 accepted messages per minute per key →
 * 45009; text ≤2048 B and markdown / markdown_v2 ≤4096 B, longer → 40058.
 *
 * Hooks: `POST robots {key?}` → {key, webhook_url}; `GET app-messages[?userid=]`,
 * `GET webhook-messages[?key=]`, `GET dropped[?userid=]`, `GET duplicates[?userid=]`.
 */

export const APP_PER_MINUTE = 30
export const APP_PER_HOUR = 1000
export const ROBOT_PER_MINUTE = 20
export const DUPLICATE_CHECK_DEFAULT_S = 1800
export const DUPLICATE_CHECK_MAX_S = 14400

/** The longest prefix of `s` that fits in `max` UTF-8 bytes. */
export function truncateBytes(s: string, max: number): string {
  if (bytes(s) <= max) return s
  let out = ''
  let n = 0
  for (const ch of s) {
    const b = bytes(ch)
    if (n + b > max) break
    out += ch
    n += b
  }
  return out
}

export function mountMessages(ctx: WecomContext): void {
  ctx.api('POST', '/cgi-bin/message/send', (call) => sendAppMessage(ctx, call))
  ctx.route('POST', '/cgi-bin/webhook/send', (r) => sendWebhook(ctx, r))

  ctx.hook('POST', 'robots', (r) => {
    const b = hookBody(r)
    const key = typeof b.key === 'string' && b.key ? b.key : `sim-robot-key-${pad(ctx.state.next('robot'))}`
    ctx.state.robots.add(key)
    return { body: { key, webhook_url: `/cgi-bin/webhook/send?key=${encodeURIComponent(key)}` } }
  })
  ctx.hook('GET', 'app-messages', (r) => {
    const userid = r.query.get('userid')
    return {
      body: { messages: ctx.state.appMessages.filter((m) => !userid || m.touser.includes(userid)) },
    }
  })
  ctx.hook('GET', 'dropped', (r) => {
    const userid = r.query.get('userid')
    return { body: { dropped: ctx.state.dropped.filter((d) => !userid || d.userid === userid) } }
  })
  ctx.hook('GET', 'duplicates', (r) => {
    const userid = r.query.get('userid')
    return { body: { duplicates: ctx.state.duplicates.filter((d) => !userid || d.userid === userid) } }
  })
  ctx.hook('GET', 'webhook-messages', (r) => {
    const key = r.query.get('key')
    return { body: { messages: ctx.state.webhookMessages.filter((m) => !key || m.key === key) } }
  })
}

const split = (v: string | undefined | null): string[] => (v ? v.split('|').filter((x) => x !== '') : [])

/** The content a message of `msgtype` carries (after truncation), or an error. */
function appContent(
  ctx: WecomContext,
  msgtype: string,
  body: Json,
): { content: Json } | { error: SimResponse } {
  const raw = body[msgtype]
  const part: Json = isJson(raw) ? raw : {}
  if (msgtype === 'text' || msgtype === 'markdown') {
    const content = readString(part, 'content')
    if (!content) return { error: ctx.err(ERR.emptyContent, `${msgtype}.content is empty`) }
    return { content: { content: truncateBytes(content, 2048) } }
  }
  const title = readString(part, 'title')
  const description = readString(part, 'description')
  const url = readString(part, 'url')
  if (!title) return { error: ctx.err(41016, 'missing title') }
  if (!description) return { error: ctx.err(41033, 'missing description') }
  if (!url) return { error: ctx.err(41010, 'missing url') }
  const btntxt = readString(part, 'btntxt')
  return {
    content: {
      title: truncateBytes(title, 128),
      description: truncateBytes(description, 512),
      url,
      ...(btntxt ? { btntxt: [...btntxt].slice(0, 4).join('') } : {}),
    },
  }
}

function sendAppMessage(ctx: WecomContext, { body }: WecomCall): SimResponse {
  const { state } = ctx
  const agentid = readInt(body, 'agentid')
  if (agentid === undefined) return ctx.err(ERR.missingAgentid, 'missing agentid')
  if (agentid === null || agentid !== ctx.agentId)
    return ctx.err(ERR.invalidAgentid, `invalid agentid: ${String(body.agentid)}`)
  const msgtype = readString(body, 'msgtype')
  if (msgtype !== 'text' && msgtype !== 'markdown' && msgtype !== 'textcard')
    return ctx.err(ERR.invalidMsgtype, `invalid message type: ${String(msgtype)}`)
  const touser = readString(body, 'touser')
  const toparty = readString(body, 'toparty')
  const totag = readString(body, 'totag')
  if (touser === null || toparty === null || totag === null)
    return ctx.err(ERR.invalidParameter, 'invalid touser / toparty / totag')
  const users = touser === '@all' ? [...state.members.keys()] : [...new Set(split(touser))]
  // ≤1000 named members per call; @all reaches every member however many there are
  if (touser !== '@all' && users.length > 1000)
    return ctx.err(40032, 'invalid userid list size: at most 1000')
  const check = readInt(body, 'enable_duplicate_check')
  if (check === null || (check !== undefined && check !== 0 && check !== 1))
    return ctx.err(ERR.invalidParameter, 'invalid enable_duplicate_check: must be 0 or 1')
  const requested = readInt(body, 'duplicate_check_interval')
  if (requested === null || (requested !== undefined && requested < 0))
    return ctx.err(ERR.invalidParameter, 'invalid duplicate_check_interval')
  const interval = Math.min(requested || DUPLICATE_CHECK_DEFAULT_S, DUPLICATE_CHECK_MAX_S)
  const built = appContent(ctx, msgtype, body)
  if ('error' in built) return built.error
  const { content } = built
  const contentKey = digest(`${msgtype}:${JSON.stringify(content)}`, 32)
  const valid = users.filter((u) => state.members.has(u))
  const invalid = users.filter((u) => !state.members.has(u))
  const parties = split(toparty)
  const tags = split(totag)
  if (valid.length === 0) return ctx.err(ERR.allInvalid, 'user & party & tag all invalid')

  const now = ctx.now()
  const at = new Date(now).toISOString()
  const msgid = `simAppMsg${pad(state.next('app_msg'))}`
  const delivered: string[] = []
  for (const userid of valid) {
    const key = `${agentid}|${userid}`
    const sentKey = `${key}|${contentKey}`
    const earlier = state.appContentSent.get(sentKey)
    if (check === 1 && earlier && now - earlier.at < interval * 1000) {
      state.duplicates.push({
        msgid,
        at,
        agentid,
        userid,
        msgtype,
        duplicate_of: { msgid: earlier.msgid, at: new Date(earlier.at).toISOString() },
        interval,
      })
      continue
    }
    const hour = within(state.appDeliveries.get(key) ?? [], now, 3600_000)
    const minute = within(hour, now, 60_000)
    const reason =
      minute.length >= APP_PER_MINUTE ? 'per-minute' : hour.length >= APP_PER_HOUR ? 'per-hour' : undefined
    if (reason) {
      state.dropped.push({ msgid, at, agentid, userid, msgtype, reason })
      state.appDeliveries.set(key, hour)
      continue
    }
    state.appDeliveries.set(key, [...hour, now])
    state.appContentSent.set(sentKey, { msgid, at: now })
    delivered.push(userid)
  }
  if (delivered.length) state.appMessages.push({ msgid, at, agentid, msgtype, touser: delivered, content })
  return ctx.ok({
    invaliduser: invalid.join('|'),
    invalidparty: parties.join('|'),
    invalidtag: tags.join('|'),
    unlicenseduser: '',
    msgid,
  })
}

const WEBHOOK_LIMITS: Record<string, number> = { text: 2048, markdown: 4096, markdown_v2: 4096 }
const WEBHOOK_TYPES = new Set([
  'text',
  'markdown',
  'markdown_v2',
  'image',
  'news',
  'file',
  'voice',
  'template_card',
])

function sendWebhook(ctx: WecomContext, r: SimRequest): SimResponse {
  const { state } = ctx
  const key = r.query.get('key')
  if (!key || !state.robots.has(key)) return ctx.err(ERR.invalidWebhookKey, 'invalid webhook url')
  if (!isJson(r.json)) return ctx.err(ERR.jsonFormat, 'Warning: wrong json format.')
  const body = r.json
  const msgtype = readString(body, 'msgtype')
  if (!msgtype || !WEBHOOK_TYPES.has(msgtype))
    return ctx.err(ERR.invalidMsgtype, `invalid message type: ${String(msgtype)}`)
  const now = ctx.now()
  const recent = within(state.robotSends.get(key) ?? [], now, 60_000)
  state.robotSends.set(key, recent)
  if (recent.length >= ROBOT_PER_MINUTE) return ctx.err(ERR.freqLimit, 'api freq out of limit')
  const part = body[msgtype]
  if (!isJson(part)) return ctx.err(ERR.invalidParameter, `missing ${msgtype}`)
  const limit = WEBHOOK_LIMITS[msgtype]
  if (limit !== undefined) {
    const content = readString(part, 'content')
    if (!content) return ctx.err(ERR.emptyContent, `${msgtype}.content is empty`)
    if (bytes(content) > limit)
      return ctx.err(ERR.invalidParameter, `${msgtype}.content exceed max length ${limit}`)
  }
  if (msgtype === 'news') {
    const n = Array.isArray(part.articles) ? part.articles.length : 0
    if (n < 1 || n > 8) return ctx.err(ERR.invalidParameter, 'news.articles must hold 1..8 articles')
  }
  recent.push(now)
  state.webhookMessages.push({ key, at: new Date(now).toISOString(), msgtype, body })
  return ctx.ok()
}

import { randomBytes } from 'node:crypto'
import { decrypt, encrypt, getSignature } from '@wecom/crypto'

/**
 * The WeCom callback pusher (platform.md §3.1, §3.5–3.8, §7.2): builds the customer-contact event XML
 * (or a member's text message), encrypts it with WeCom's scheme (AES-256-CBC, PKCS#7 to 32 bytes,
 * receiveid = corpid, via `@wecom/crypto`), signs it (`sha1(sort(token, timestamp, nonce, encrypt))`)
 * and POSTs `<xml><ToUserName/><Encrypt/><AgentID/></xml>` with `msg_signature`, `timestamp` and
 * `nonce` URL-encoded in the query. Each attempt waits 5 s; a timeout, network error or non-200
 * answer is retried up to 3 times with the identical request; optional duplicates re-send it after
 * a successful delivery. Also performs the GET URL-verification handshake (§3.5).
 */

export interface WecomEventTarget {
  /** The callback URL (e.g. the bot's `/wecom/callback`). */
  url: string
  token: string
  /** The 43-character EncodingAESKey. */
  encodingAesKey: string
  /** ToUserName and the receiveid inside the ciphertext. */
  corpId: string
  /** The outer `<AgentID>`; default 1000002. */
  agentId?: number
}

export type ContactChangeType =
  | 'add_external_contact'
  | 'add_half_external_contact'
  | 'edit_external_contact'
  | 'del_external_contact'
  | 'del_follow_user'

export type ChatUpdateDetail = 'add_member' | 'del_member' | 'change_owner' | 'change_name' | 'change_notice'

export type WecomEvent =
  | {
      event: 'change_external_contact'
      changeType: ContactChangeType
      userId: string
      externalUserId: string
      state?: string
      welcomeCode?: string
      /** del_external_contact: `DELETE_BY_TRANSFER` when a transfer removed the contact. */
      source?: string
    }
  | {
      event: 'change_external_chat'
      changeType: 'create' | 'update' | 'dismiss'
      chatId: string
      updateDetail?: ChatUpdateDetail
      /** add_member: 0 invited / link, 3 QR code. */
      joinScene?: number
      /** del_member: 0 left, 1 removed. */
      quitScene?: number
      memChangeList?: readonly string[]
      lastMemVer?: string
      curMemVer?: string
    }
  | {
      event: 'change_external_tag'
      changeType: 'create' | 'update' | 'delete' | 'shuffle'
      id: string
      tagType: 'tag' | 'tag_group'
      strategyId?: number
    }

export interface PushOptions {
  /** Envelope CreateTime, unix seconds; default now. */
  createTime?: number
  /** Query `timestamp`; default createTime. */
  timestamp?: string
  /** Query `nonce`; default random. */
  nonce?: string
  /** 16-byte random prefix of the plaintext; default random. */
  random?: Buffer
  /** Per-attempt timeout; default 5000 ms (WeCom's). */
  timeoutMs?: number
  /** Retries after the first attempt; default 3 (WeCom's). */
  retries?: number
  retryDelayMs?: number
  /** Extra identical deliveries after a successful one (what a WeCom retry storm looks like). */
  duplicates?: number
}

export interface Attempt {
  status?: number
  error?: string
  /** The response body (only kept for the attempt that succeeded). */
  body?: string
}

export interface DeliveryReport {
  /** The plaintext that was encrypted. */
  xml: string
  url: string
  /** The POST body actually sent. */
  body: string
  query: { msg_signature: string; timestamp: string; nonce: string }
  attempts: Attempt[]
  delivered: boolean
  duplicates: Attempt[]
  /** The successful attempt's response body ('' for an empty 200). */
  reply?: string
}

export const DEFAULT_AGENT_ID = 1000002

/** Wraps text in CDATA; a literal `]]>` inside is split across two sections. */
export function cdata(text: string): string {
  return `<![CDATA[${text.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`
}

/** The plaintext XML of a customer-contact event, in the field order of the official samples (§3.7). */
export function buildEventXml(corpId: string, event: WecomEvent, createTime: number): string {
  const s = (name: string, value: string | undefined): string =>
    value === undefined ? '' : `<${name}>${cdata(value)}</${name}>`
  const n = (name: string, value: number | undefined): string =>
    value === undefined ? '' : `<${name}>${value}</${name}>`
  let body: string
  switch (event.event) {
    case 'change_external_contact':
      body =
        s('Event', event.event) +
        s('ChangeType', event.changeType) +
        s('UserID', event.userId) +
        s('ExternalUserID', event.externalUserId) +
        s('State', event.state) +
        s('WelcomeCode', event.welcomeCode) +
        s('Source', event.source)
      break
    case 'change_external_chat': {
      const list = event.memChangeList
      body =
        s('Event', event.event) +
        s('ChatId', event.chatId) +
        s('ChangeType', event.changeType) +
        s('UpdateDetail', event.updateDetail) +
        n('JoinScene', event.joinScene) +
        n('QuitScene', event.quitScene) +
        (list ? n('MemChangeCnt', list.length) : '') +
        (list
          ? `<MemChangeList>${list.map((i) => `<Item>${cdata(i)}</Item>`).join('')}</MemChangeList>`
          : '') +
        s('LastMemVer', event.lastMemVer) +
        s('CurMemVer', event.curMemVer)
      break
    }
    case 'change_external_tag':
      body =
        s('Event', event.event) +
        s('Id', event.id) +
        s('TagType', event.tagType) +
        s('ChangeType', event.changeType) +
        n('StrategyId', event.strategyId)
      break
  }
  return (
    `<xml><ToUserName>${cdata(corpId)}</ToUserName><FromUserName>${cdata('sys')}</FromUserName>` +
    `<CreateTime>${createTime}</CreateTime><MsgType>${cdata('event')}</MsgType>${body}</xml>`
  )
}

export interface TextMessage {
  corpId: string
  /** The member's userid. */
  fromUser: string
  content: string
  createTime: number
  msgId: string
  agentId?: number
}

/** A member's text message to the app (§3.8). */
export function buildTextMessageXml(m: TextMessage): string {
  return (
    `<xml><ToUserName>${cdata(m.corpId)}</ToUserName><FromUserName>${cdata(m.fromUser)}</FromUserName>` +
    `<CreateTime>${m.createTime}</CreateTime><MsgType>${cdata('text')}</MsgType>` +
    `<Content>${cdata(m.content)}</Content><MsgId>${m.msgId}</MsgId>` +
    `<AgentID>${m.agentId ?? DEFAULT_AGENT_ID}</AgentID></xml>`
  )
}

/** Encrypts and signs `xml` for `target` and builds the POST envelope (§3.6). */
export function sealForTarget(
  target: WecomEventTarget,
  xml: string,
  options: Pick<PushOptions, 'timestamp' | 'nonce' | 'random'> & { timestamp: string },
): { encrypt: string; body: string; query: DeliveryReport['query'] } {
  const nonce = options.nonce ?? String(randomBytes(4).readUInt32BE(0))
  const encrypted = encrypt(target.encodingAesKey, xml, target.corpId, options.random ?? randomBytes(16))
  const signature = getSignature(target.token, options.timestamp, nonce, encrypted)
  const body =
    `<xml><ToUserName>${cdata(target.corpId)}</ToUserName><Encrypt>${cdata(encrypted)}</Encrypt>` +
    `<AgentID>${cdata(String(target.agentId ?? DEFAULT_AGENT_ID))}</AgentID></xml>`
  return {
    encrypt: encrypted,
    body,
    query: { msg_signature: signature, timestamp: options.timestamp, nonce },
  }
}

/** `url` plus the signed query, every value URL-encoded (a `+` in a value must not become a space). */
export function signedUrl(url: string, query: Record<string, string>): string {
  const qs = Object.entries(query)
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
    .join('&')
  return `${url}${url.includes('?') ? '&' : '?'}${qs}`
}

async function postOnce(url: string, body: string, timeoutMs: number): Promise<Attempt> {
  try {
    const r = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    })
    return { status: r.status, body: await r.text() }
  } catch (e) {
    // DOMException (the timeout) is not always `instanceof Error` across realms: go by shape.
    const err = (typeof e === 'object' && e !== null ? e : {}) as {
      name?: unknown
      message?: unknown
      cause?: unknown
    }
    if (err.name === 'TimeoutError' || err.name === 'AbortError') return { error: 'timeout' }
    const cause = err.cause instanceof Error ? `: ${err.cause.message}` : ''
    return { error: `${typeof err.message === 'string' ? err.message : String(e)}${cause}` }
  }
}

/** The attempt without its body (only the successful attempt keeps it). */
const bare = (a: Attempt): Attempt => (a.status !== undefined ? { status: a.status } : { error: a.error })

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Encrypts `xml` and delivers it to `target` with WeCom's timeout / retry / duplicate behaviour. */
export async function pushXml(
  target: WecomEventTarget,
  xml: string,
  options: PushOptions = {},
): Promise<DeliveryReport> {
  const timestamp = options.timestamp ?? String(options.createTime ?? Math.floor(Date.now() / 1000))
  const sealed = sealForTarget(target, xml, { ...options, timestamp })
  const url = signedUrl(target.url, sealed.query)
  const timeoutMs = options.timeoutMs ?? 5000
  const retries = Math.max(0, Math.min(options.retries ?? 3, 3))
  const attempts: Attempt[] = []
  let reply: string | undefined
  for (let i = 0; i <= retries; i++) {
    if (i > 0 && options.retryDelayMs) await sleep(options.retryDelayMs)
    const a = await postOnce(url, sealed.body, timeoutMs)
    if (a.status === 200) {
      reply = a.body ?? ''
      attempts.push(a)
      break
    }
    attempts.push(bare(a))
  }
  const delivered = reply !== undefined
  const duplicates: Attempt[] = []
  if (delivered) {
    for (let i = 0; i < (options.duplicates ?? 0); i++) {
      const a = await postOnce(url, sealed.body, timeoutMs)
      duplicates.push(bare(a))
    }
  }
  return {
    xml,
    url: target.url,
    body: sealed.body,
    query: sealed.query,
    attempts,
    delivered,
    duplicates,
    reply,
  }
}

/** Builds the event XML (§3.7) and delivers it (see {@link pushXml}). */
export function pushEvent(
  target: WecomEventTarget,
  event: WecomEvent,
  options: PushOptions = {},
): Promise<DeliveryReport> {
  const createTime = options.createTime ?? Math.floor(Date.now() / 1000)
  return pushXml(target, buildEventXml(target.corpId, event, createTime), { ...options, createTime })
}

export interface VerifyResult {
  ok: boolean
  status?: number
  error?: string
  /** What the receiver answered. */
  body?: string
  /** The plaintext it had to answer with. */
  expected: string
}

/** The GET URL-verification handshake (§3.5): the receiver must answer the bare plaintext within 1 s. */
export async function verifyCallbackUrl(
  target: WecomEventTarget,
  options: { echo?: string; timestamp?: string; nonce?: string; random?: Buffer; timeoutMs?: number } = {},
): Promise<VerifyResult> {
  const expected = options.echo ?? String(BigInt(`0x${randomBytes(8).toString('hex')}`))
  const timestamp = options.timestamp ?? String(Math.floor(Date.now() / 1000))
  const nonce = options.nonce ?? String(randomBytes(4).readUInt32BE(0))
  const echostr = encrypt(target.encodingAesKey, expected, target.corpId, options.random ?? randomBytes(16))
  const url = signedUrl(target.url, {
    msg_signature: getSignature(target.token, timestamp, nonce, echostr),
    timestamp,
    nonce,
    echostr,
  })
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(options.timeoutMs ?? 1000) })
    const body = await r.text()
    return { ok: r.status === 200 && body === expected, status: r.status, body, expected }
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e), expected }
  }
}

export interface OpenedReply {
  /** The decrypted inner XML. */
  xml: string
  /** Its `<Content>`, when it is a text reply. */
  content?: string
  signatureValid: boolean
  receiveId: string
}

/** Opens a passive reply (§3.6 `<xml><Encrypt/><MsgSignature/><TimeStamp/><Nonce/></xml>`) as WeCom would. */
export function openPassiveReply(target: WecomEventTarget, replyXml: string): OpenedReply | undefined {
  const field = (name: string): string | undefined => {
    const m = new RegExp(`<${name}>(?:<!\\[CDATA\\[([\\s\\S]*?)\\]\\]>|([^<]*))</${name}>`).exec(replyXml)
    return m ? (m[1] ?? m[2]) : undefined
  }
  const enc = field('Encrypt')
  if (!enc) return undefined
  const signature = field('MsgSignature') ?? ''
  const timestamp = field('TimeStamp') ?? ''
  const nonce = field('Nonce') ?? ''
  const { message, id } = decrypt(target.encodingAesKey, enc)
  const content = /<Content><!\[CDATA\[([\s\S]*?)\]\]><\/Content>/.exec(message)?.[1]
  return {
    xml: message,
    content,
    signatureValid: getSignature(target.token, timestamp, nonce, enc) === signature,
    receiveId: id,
  }
}

// Customer-contact events (platform.md §3.7) go to the server, which owns the data. WeCom waits 5 s
// for the callback's answer and a welcome code lives 20 s, so the callback answers at once and the
// event is forwarded in the background, with a few quick retries when the server is unreachable or
// answers 5xx. The server makes duplicate deliveries harmless (the delivery's dedupeKey).
import { WecomEventInput } from '@careloop/shared'
import type { MessageHandler } from './callback.routes'
import { dedupeKey } from './callback.routes'
import type { WecomInboundMessage } from './callback-xml'
import { ServerCallError } from './server-client'
import type { ServerClient } from './server-client'

export const FORWARDED_EVENTS = new Set<string>([
  'change_external_contact',
  'change_external_chat',
  'change_external_tag',
])

/** Is this decrypted callback a customer-contact event the server wants? */
export const isCustomerContactEvent = (m: WecomInboundMessage): boolean =>
  m.msgType === 'event' && m.event !== undefined && FORWARDED_EVENTS.has(m.event)

const str = (fields: Readonly<Record<string, unknown>>, name: string, max = 256): string | undefined => {
  const v = fields[name]
  if (typeof v === 'number') return String(v)
  if (typeof v !== 'string') return undefined
  const t = v.trim()
  return t && t.length <= max ? t : undefined
}

/** An integer however WeCom wrote it ("3", " 3 ", 3); undefined for anything else. */
const int = (fields: Readonly<Record<string, unknown>>, name: string): number | undefined => {
  const v = fields[name]
  if (typeof v === 'number') return Number.isSafeInteger(v) ? v : undefined
  if (typeof v !== 'string' || !/^\s*-?\d{1,15}\s*$/.test(v)) return undefined
  return Number(v.trim())
}

/** `<MemChangeList><Item>a</Item><Item>b</Item></MemChangeList>` (one Item parses as a string). */
const items = (v: unknown): string[] | undefined => {
  if (v === undefined || v === null || v === '') return undefined
  const raw: unknown = typeof v === 'object' && !Array.isArray(v) ? (v as { Item?: unknown }).Item : v
  const list: unknown[] = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]
  return list
    .map((x) => (typeof x === 'number' ? String(x) : x))
    .filter((x): x is string => typeof x === 'string' && x.trim() !== '')
    .map((x) => x.trim())
}

/**
 * Maps a decrypted customer-contact event to the server's WecomEventInput (field names camel-cased,
 * numbers parsed leniently, MemChangeList → array). Null when it is not such an event or cannot be
 * made valid (no ChangeType).
 */
export function toWecomEventInput(m: WecomInboundMessage, nowSeconds: number): WecomEventInput | null {
  if (!isCustomerContactEvent(m)) return null
  const f = m.fields
  const tagType = str(f, 'TagType')
  const createTime = int(f, 'CreateTime')
  const candidate = {
    dedupeKey: dedupeKey(m),
    event: m.event,
    changeType: str(f, 'ChangeType', 64),
    createTime: createTime !== undefined && createTime >= 0 ? createTime : nowSeconds,
    userId: str(f, 'UserID'),
    externalUserId: str(f, 'ExternalUserID'),
    // our states are ≤30 characters; a longer one is not ours
    state: str(f, 'State', 30),
    welcomeCode: str(f, 'WelcomeCode'),
    source: str(f, 'Source'),
    failReason: str(f, 'FailReason'),
    chatId: str(f, 'ChatId'),
    updateDetail: str(f, 'UpdateDetail'),
    joinScene: int(f, 'JoinScene'),
    quitScene: int(f, 'QuitScene'),
    memChangeCnt: int(f, 'MemChangeCnt'),
    memChangeList: items(f.MemChangeList),
    lastMemVer: str(f, 'LastMemVer'),
    curMemVer: str(f, 'CurMemVer'),
    id: str(f, 'Id'),
    tagType: tagType === 'tag' || tagType === 'tag_group' ? tagType : undefined,
    strategyId: str(f, 'StrategyId'),
  }
  const defined = Object.fromEntries(Object.entries(candidate).filter(([, v]) => v !== undefined))
  const parsed = WecomEventInput.safeParse(defined)
  return parsed.success ? parsed.data : null
}

export interface ForwarderLog {
  info(obj: object, msg: string): void
  warn(obj: object, msg: string): void
  error(obj: object, msg: string): void
}

export interface EventForwarderDeps {
  server: Pick<ServerClient, 'forwardEvent'>
  log: ForwarderLog
  /** Retries after the first attempt (5xx, 429, unreachable); default 3. */
  retries?: number
  /** Delay before the first retry, doubled each time; default 300 ms. */
  retryDelayMs?: number
  sleep?: (ms: number) => Promise<void>
  /** Unix seconds, for an event without a usable CreateTime. */
  nowSeconds?: () => number
}

export interface EventForwarder {
  /** Starts forwarding in the background; returns at once. False when it is not a forwardable event. */
  forward(message: WecomInboundMessage): boolean
  /** Resolves when every forward started so far has finished (tests, shutdown). */
  idle(): Promise<void>
}

export function createEventForwarder(deps: EventForwarderDeps): EventForwarder {
  const retries = deps.retries ?? 3
  const baseDelay = deps.retryDelayMs ?? 300
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)))
  const now = deps.nowSeconds ?? (() => Math.floor(Date.now() / 1000))
  const inflight = new Set<Promise<void>>()

  const send = async (input: WecomEventInput): Promise<void> => {
    const about = { event: input.event, changeType: input.changeType, dedupeKey: input.dedupeKey }
    for (let attempt = 0; ; attempt++) {
      try {
        const r = await deps.server.forwardEvent(input)
        deps.log.info({ ...about, attempt, duplicate: r.duplicate, outcome: r.outcome }, 'event forwarded')
        return
      } catch (err) {
        const retryable = err instanceof ServerCallError ? err.retryable : true
        const reason = err instanceof Error ? err.message : String(err)
        if (!retryable || attempt >= retries) {
          deps.log.error({ ...about, attempt, err: reason }, 'event not forwarded; giving up')
          return
        }
        deps.log.warn({ ...about, attempt, err: reason }, 'event forward failed; retrying')
        await sleep(baseDelay * 2 ** attempt)
      }
    }
  }

  return {
    forward(message) {
      if (!isCustomerContactEvent(message)) return false
      const input = toWecomEventInput(message, now())
      if (!input) {
        deps.log.error({ event: message.event }, 'customer-contact event could not be mapped; dropped')
        return true
      }
      const p = send(input).finally(() => inflight.delete(p))
      inflight.add(p)
      return true
    },
    async idle() {
      while (inflight.size) await Promise.all([...inflight])
    },
  }
}

/**
 * The bot's handler with event forwarding in front: customer-contact events are forwarded in the
 * background (no reply); everything else goes to `inner` (the nurse commands).
 */
export const withEventForwarding =
  (forwarder: EventForwarder, inner: MessageHandler): MessageHandler =>
  (message) =>
    forwarder.forward(message) ? null : inner(message)

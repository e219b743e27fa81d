import type { SimHandler, SimRequest, SimResponse } from '../sim-server'
import type { DeliveryReport, WecomEvent } from './wecom-events'
import type { WecomState } from './wecom-state'

/**
 * What every area of the WeCom simulator (contacts, tags, groups, mass messages, app messages) gets
 * from `WecomSim` to mount its routes: token-checked API routes, hook routes, the errcode helpers and
 * the event emitter. Errors are HTTP 200 with `errcode` and an errmsg ending in `, rid: …`.
 */

export type Json = Record<string, unknown>

export interface WecomCall {
  req: SimRequest
  /** The calling app: the secret its access_token was issued for. */
  app: string
  /** The JSON body (POST) — `{}` when absent. */
  body: Json
  query: URLSearchParams
}

export type ApiHandler = (call: WecomCall) => SimResponse | Promise<SimResponse>

/** One event the simulator emitted (and, when a target is configured, delivered). */
export interface EventRecord {
  seq: number
  at: string
  event: WecomEvent | { raw: string }
  createTime: number
  xml: string
  delivery?: Omit<DeliveryReport, 'xml'>
  /** Why nothing was delivered. */
  skipped?: string
}

export interface WecomContext {
  readonly corpId: string
  readonly agentId: number
  readonly state: WecomState
  /** Simulator clock, ms. */
  now(): number
  /** A route behind an access_token (41001 / 40014 / 42001) whose POST body must be a JSON object (47001). */
  api(method: 'GET' | 'POST', path: string, handler: ApiHandler): void
  /** A route without token checking (the robot webhook). */
  route(method: 'GET' | 'POST', path: string, handler: SimHandler): void
  /** A test hook at `/_sim/wecom/${name}` (CORS). */
  hook(method: 'GET' | 'POST', name: string, handler: SimHandler): void
  ok(fields?: Json): SimResponse
  err(errcode: number, errmsg: string): SimResponse
  /** Records the event and delivers it to the configured target (awaits delivery unless told not to). */
  emit(event: WecomEvent): Promise<EventRecord>
}

/**
 * Errcodes the simulator uses. Those in platform.md §4 are as documented; the others are WeCom's
 * global codes as published, and where WeCom documents no code the choice is the simulator's (marked).
 */
export const ERR = {
  invalidUserid: 40003,
  invalidMsgtype: 40008,
  invalidChatid: 40050,
  invalidAgentid: 40056,
  invalidParameter: 40058,
  /** Unknown tag / group id, or one this app did not create (the creator-only rule; sim's choice). */
  invalidTagId: 40068,
  tagNameExists: 40071,
  invalidTagNameLength: 40072,
  invalidExternalUserid: 40096,
  missingToken: 41001,
  missingUserid: 41009,
  missingAgentid: 41011,
  /** add_msg_template with no recipient left [inferred]. */
  noCustomers: 41048,
  /** More than 3000 corp tags (sim's choice: WeCom documents the cap, not its errcode). */
  tagCap: 41049,
  welcomeUsed: 41051,
  emptyContent: 44004,
  freqLimit: 45009,
  jsonFormat: 47001,
  useridNotFound: 60111,
  allInvalid: 81013,
  notExternalContact: 84061,
  invalidWebhookKey: 93000,
} as const

// ---- body readers: undefined when absent, null when present but malformed ----

export function readString(body: Json, key: string): string | undefined | null {
  const v = body[key]
  if (v === undefined || v === null) return undefined
  return typeof v === 'string' ? v : null
}

export function readInt(body: Json, key: string): number | undefined | null {
  const v = body[key]
  if (v === undefined || v === null) return undefined
  if (typeof v === 'number' && Number.isInteger(v)) return v
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return Number(v)
  return null
}

export function readStrings(body: Json, key: string): string[] | undefined | null {
  const v = body[key]
  if (v === undefined || v === null) return undefined
  if (!Array.isArray(v)) return null
  const list: unknown[] = v
  return list.every((x): x is string => typeof x === 'string') ? list : null
}

export function readObject(body: Json, key: string): Json | undefined | null {
  const v = body[key]
  if (v === undefined || v === null) return undefined
  return isJson(v) ? v : null
}

export function isJson(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

export const bytes = (s: string): number => Buffer.byteLength(s, 'utf8')

/** A hook's JSON body ({} when absent or not an object). */
export function hookBody(r: SimRequest): Json {
  return isJson(r.json) ? r.json : {}
}

export function hookError(error: string, status = 400): SimResponse {
  return { status, body: { error } }
}

/** Offset cursors: opaque strings to the client. */
export function encodeCursor(offset: number): string {
  return Buffer.from(`sim:${offset}`).toString('base64url')
}

export function decodeCursor(cursor: string | undefined | null): number | null {
  if (!cursor) return 0
  const m = /^sim:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'))
  return m ? Number(m[1]) : null
}

/** A page of `items` from `cursor`, with the `next_cursor` WeCom returns ('' on the last page). */
export function page<T>(items: T[], offset: number, limit: number): { items: T[]; next_cursor: string } {
  const slice = items.slice(offset, offset + limit)
  const next = offset + limit < items.length ? encodeCursor(offset + limit) : ''
  return { items: slice, next_cursor: next }
}

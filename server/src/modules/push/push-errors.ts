import { isAppError } from '@careloop/shared'

/**
 * What a failed channel call means for the row (issue 5, platform §2.3, §4.6–4.8):
 * - `retry`: transient (network, timeout, 5xx → UPSTREAM_UNAVAILABLE, -1 system busy, 43108
 *   concurrent send to one user, a stale token that survived the client's one refresh): try again
 *   later with exponential backoff and jitter; dead-lettered after the maximum attempts.
 * - `backoff`: the platform says "too fast" (45009 / 45011 / 45033): wait longer; not an error of ours.
 * - `fallback`: this channel cannot reach the recipient (43101 refused / credit used): the next
 *   channel, at once.
 * - `permanent`: retrying cannot help (bad data naming the field, unknown template / page /
 *   recipient, bad robot key): the row fails and shows in the console.
 */
export type Verdict =
  | { kind: 'retry'; code: string; reason: string }
  | { kind: 'backoff'; code: string; reason: string }
  | { kind: 'fallback'; code: string; reason: string }
  | { kind: 'permanent'; code: string; reason: string; field: string | null }

const RETRY = new Set([-1, 43108, 40001, 40014, 42001])
const BACKOFF = new Set([45009, 45011, 45033])
const FALLBACK = new Set([43101])
/** Permanent errcodes and the request field each one is about. */
const FIELD_OF: Record<number, string | null> = {
  40003: 'touser',
  40037: 'template_id',
  41030: 'page',
  43107: null,
  45168: 'data',
  40058: 'content',
  81013: 'touser',
  93000: 'key',
}

/** The data key WeChat names in a 47003 message: `argument invalid! data.thing1.value is empty`. */
export const fieldOf47003 = (errmsg: string): string | null =>
  /data\.([A-Za-z_]+\d+)\.value/.exec(errmsg)?.[1] ?? null

const errcodeOf = (e: unknown): { errcode: number; errmsg: string } | undefined => {
  if (typeof e !== 'object' || e === null) return undefined
  const { errcode, errmsg } = e as { errcode?: unknown; errmsg?: unknown }
  return typeof errcode === 'number'
    ? { errcode, errmsg: typeof errmsg === 'string' ? errmsg : '' }
    : undefined
}

export const classifyPushError = (e: unknown): Verdict => {
  const platform = errcodeOf(e)
  if (platform) {
    const { errcode, errmsg } = platform
    const code = String(errcode)
    const reason = errmsg.replace(/,?\s*rid: .*$/, '').slice(0, 200) || `errcode ${errcode}`
    if (RETRY.has(errcode)) return { kind: 'retry', code, reason }
    if (BACKOFF.has(errcode)) return { kind: 'backoff', code, reason }
    if (FALLBACK.has(errcode)) return { kind: 'fallback', code, reason }
    if (errcode === 47003) return { kind: 'permanent', code, reason, field: fieldOf47003(errmsg) }
    return { kind: 'permanent', code, reason, field: FIELD_OF[errcode] ?? null }
  }
  if (isAppError(e)) {
    if (e.code === 'UPSTREAM_BUSY') return { kind: 'backoff', code: e.code, reason: e.message }
    return { kind: 'retry', code: e.code, reason: e.message.slice(0, 200) }
  }
  const reason = e instanceof Error ? e.message : String(e)
  return { kind: 'retry', code: 'INTERNAL', reason: reason.slice(0, 200) }
}

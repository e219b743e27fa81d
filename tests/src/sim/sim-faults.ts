/**
 * Fault injection of every simulator (`POST /_sim/faults`, platform.md §7), kept apart from the HTTP
 * frame in `sim-server.ts`.
 *
 * A fault matches `route` (`/path` or `METHOD /path`) and answers with one of its `kinds` instead of
 * running the handler:
 * - `{errcode}`: HTTP 200 `{errcode, errmsg: 'simulated fault, rid: …'}` (or `body` when given);
 * - `{status}`: that HTTP status (body `{errcode: -1, …}` unless `body` is given);
 * - `{timeout: true}`: the request is not processed and gets no answer; the socket is destroyed after
 *   `holdMs` (default 30 s) or when the client gives up first.
 *
 * The classic form `{route, errcode|status|timeout, body?, times}` fails the next `times` (default 1)
 * matching requests. With `rate` (0 < rate ≤ 1) each matching request fails with that probability,
 * drawn from a PRNG seeded by `seed` (default 1) so a run is reproducible; `times` then caps the
 * injected faults (default: unlimited). Several `kinds` are used in turn (`pick: 'round-robin'`,
 * default) or at random (`pick: 'random'`, same PRNG). Faults are tried in the order they were added;
 * a spent one is dropped. Hits are counted per route and kind (`errcode:40001`, `status:502`,
 * `timeout`) until `POST /_sim/faults/clear` or `/_sim/reset`.
 */

export type FaultKind =
  | { errcode: number; status?: number; body?: unknown }
  | { status: number; errcode?: number; body?: unknown }
  | { timeout: true }

export interface Fault {
  /** `METHOD /path` or just `/path` */
  route: string
  kinds: FaultKind[]
  /** Probability that a matching request fails (1 for the classic form). */
  rate: number
  /** Faults left to inject; null = unlimited. */
  times: number | null
  pick: 'round-robin' | 'random'
  seed: number
  /** How long a `timeout` holds the request before destroying the socket. */
  holdMs: number
}

export type FaultOutcome =
  | { kind: 'respond'; label: string; status: number; body: unknown }
  | { kind: 'timeout'; label: string; holdMs: number }

export const DEFAULT_HOLD_MS = 30_000

/** mulberry32: small, fast, deterministic. */
function prng(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    let t = (state = (state + 0x6d2b79f5) >>> 0)
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v)

function parseKind(k: unknown): FaultKind | undefined {
  if (!isObj(k)) return undefined
  if (k.timeout === true) return { timeout: true }
  const status = k.status
  const errcode = k.errcode
  if (
    status !== undefined &&
    !(Number.isInteger(status) && (status as number) >= 100 && (status as number) <= 599)
  )
    return undefined
  if (errcode !== undefined && !Number.isInteger(errcode)) return undefined
  if (status === undefined && errcode === undefined) return undefined
  return {
    ...(errcode !== undefined ? { errcode: errcode as number } : {}),
    ...(status !== undefined ? { status: status as number } : {}),
    ...(k.body !== undefined ? { body: k.body } : {}),
  } as FaultKind
}

export function faultLabel(k: FaultKind): string {
  if ('timeout' in k) return 'timeout'
  if (k.status !== undefined && k.status !== 200) return `status:${k.status}`
  return `errcode:${k.errcode ?? -1}`
}

interface Entry {
  fault: Fault
  random: () => number
  turn: number
}

export class FaultBook {
  private entries: Entry[] = []
  private hits = new Map<string, Map<string, number>>()
  private rid = 0

  /** Adds a fault from a hook body; a string is the reason it was refused. */
  add(input: unknown): Fault | string {
    if (!isObj(input) || typeof input.route !== 'string' || !input.route) return 'route is required'
    let kinds: FaultKind[]
    if (input.kinds !== undefined) {
      if (!Array.isArray(input.kinds) || input.kinds.length === 0)
        return 'kinds must be a non-empty array of {errcode} | {status} | {timeout: true}'
      const parsed = input.kinds.map(parseKind)
      if (parsed.some((k) => k === undefined))
        return 'kinds must be a non-empty array of {errcode} | {status} | {timeout: true}'
      kinds = parsed as FaultKind[]
    } else {
      const given = input.errcode !== undefined || input.status !== undefined || input.timeout !== undefined
      const single = given ? parseKind(input) : { errcode: -1 }
      if (!single) return 'errcode and status must be integers, timeout must be true'
      kinds = [single]
    }
    const rate = input.rate ?? 1
    if (!num(rate) || rate <= 0 || rate > 1) return 'rate must be a number in (0, 1]'
    const times = input.times ?? (input.rate === undefined ? 1 : null)
    if (times !== null && !(Number.isInteger(times) && (times as number) > 0))
      return 'times must be a positive integer'
    const pick = input.pick ?? 'round-robin'
    if (pick !== 'round-robin' && pick !== 'random') return "pick must be 'round-robin' or 'random'"
    const seed = input.seed ?? 1
    if (!Number.isInteger(seed)) return 'seed must be an integer'
    const holdMs = input.holdMs ?? DEFAULT_HOLD_MS
    if (!num(holdMs) || holdMs < 0) return 'holdMs must be a non-negative number of milliseconds'
    const fault: Fault = {
      route: input.route,
      kinds,
      rate,
      times: times as number | null,
      pick,
      seed: seed as number,
      holdMs,
    }
    this.entries.push({ fault, random: prng(fault.seed), turn: 0 })
    return fault
  }

  /** The fault (if any) a request to `method path` runs into; consumes it. */
  take(method: string, path: string): FaultOutcome | undefined {
    for (const e of this.entries) {
      const f = e.fault
      if (f.route !== path && f.route !== `${method} ${path}`) continue
      if (f.rate < 1 && e.random() >= f.rate) continue
      const kind =
        f.pick === 'random'
          ? f.kinds[Math.floor(e.random() * f.kinds.length)]!
          : f.kinds[e.turn++ % f.kinds.length]!
      if (f.times !== null) {
        f.times -= 1
        if (f.times <= 0) this.entries = this.entries.filter((x) => x !== e)
      }
      const label = faultLabel(kind)
      const perRoute = this.hits.get(f.route) ?? new Map<string, number>()
      perRoute.set(label, (perRoute.get(label) ?? 0) + 1)
      this.hits.set(f.route, perRoute)
      if ('timeout' in kind) return { kind: 'timeout', label, holdMs: f.holdMs }
      return {
        kind: 'respond',
        label,
        status: kind.status ?? 200,
        body: kind.body ?? {
          errcode: kind.errcode ?? -1,
          errmsg: `simulated fault, rid: sim-fault-${String(++this.rid).padStart(6, '0')}`,
        },
      }
    }
    return undefined
  }

  clear(): void {
    this.entries = []
    this.hits.clear()
    this.rid = 0
  }

  /** Active faults and the hits so far: `{[route]: {[kind]: count}}`. */
  view(): { faults: Fault[]; hits: Record<string, Record<string, number>> } {
    return {
      faults: this.entries.map((e) => e.fault),
      hits: Object.fromEntries([...this.hits].map(([r, m]) => [r, Object.fromEntries(m)])),
    }
  }
}

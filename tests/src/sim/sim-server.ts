import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { FaultBook } from './sim-faults'

export { DEFAULT_HOLD_MS, type Fault, type FaultKind } from './sim-faults'

/**
 * The common frame of every platform simulator: plain HTTP on 127.0.0.1, the real paths, state in
 * memory, and the shared hooks of platform.md §7 (`/_sim/clock`, `/_sim/faults`, `/_sim/requests`,
 * `/_sim/reset`). `/_sim/*` answers CORS so the h5 build's platform adapter can call it.
 *
 * Faults (`sim-faults.ts`): `POST /_sim/faults {route, errcode|status|timeout, times}` or
 * `{route, rate, kinds: [{errcode} | {status} | {timeout: true}], seed?, times?, pick?, holdMs?}`;
 * `GET /_sim/faults` → {faults, hits: {[route]: {[kind]: n}}}; `POST /_sim/faults/clear`. A faulted
 * request never reaches its handler; it is still listed in `/_sim/requests` with `fault` set (and
 * `status: 0` when it was held as a timeout). `close()` drops held requests at once.
 */

export interface SimRequest {
  readonly method: string
  readonly path: string
  /** Path and query exactly as received (what request signatures cover). */
  readonly url: string
  readonly query: URLSearchParams
  readonly headers: IncomingMessage['headers']
  readonly rawBody: string
  /** JSON body when the raw body parses as JSON, else undefined. */
  readonly json: unknown
}

export interface SimResponse {
  status?: number
  body?: unknown
  headers?: Record<string, string>
}

export type SimHandler = (req: SimRequest) => SimResponse | Promise<SimResponse>

/** A handler of a path pattern (`routeMatch`): `m` holds the pattern's captures. */
export type SimPatternHandler = (req: SimRequest, m: RegExpExecArray) => SimResponse | Promise<SimResponse>

export interface RecordedRequest {
  at: string
  method: string
  path: string
  query: Record<string, string>
  body: unknown
  /** 0 when a simulated timeout held the request without answering. */
  status: number
  /** The injected fault (`errcode:40001`, `status:502`, `timeout`), if any. */
  fault?: string
}

/**
 * A controllable clock: real time plus an offset, or frozen. `follow(other)` makes it an alias of
 * another simulator's clock (the local stack runs every simulator on one clock, so advancing time
 * through any of them moves all of them, and the server that follows it).
 */
export class SimClock {
  private offsetMs = 0
  private frozenAt: number | undefined
  private source: SimClock | undefined
  follow(other: SimClock): void {
    if (other === this) throw new Error('a clock cannot follow itself')
    this.source = other
  }
  now(): number {
    if (this.source) return this.source.now()
    return this.frozenAt ?? Date.now() + this.offsetMs
  }
  set(input: { advanceMs?: number; now?: string | number; freeze?: boolean }): void {
    if (this.source) return this.source.set(input)
    if (input.now !== undefined) {
      const t = typeof input.now === 'number' ? input.now : Date.parse(input.now)
      if (Number.isNaN(t)) throw new Error('now must be an ISO date or epoch ms')
      if (this.frozenAt !== undefined) this.frozenAt = t
      else this.offsetMs = t - Date.now()
    }
    if (input.advanceMs !== undefined) {
      if (this.frozenAt !== undefined) this.frozenAt += input.advanceMs
      else this.offsetMs += input.advanceMs
    }
    if (input.freeze === true) this.frozenAt = this.now()
    if (input.freeze === false && this.frozenAt !== undefined) {
      this.offsetMs = this.frozenAt - Date.now()
      this.frozenAt = undefined
    }
  }
  reset(): void {
    if (this.source) return this.source.reset()
    this.offsetMs = 0
    this.frozenAt = undefined
  }
}

const json = (status: number, body: unknown): SimResponse => ({ status, body })

export abstract class SimServer {
  readonly clock = new SimClock()
  private server: Server | undefined
  private readonly routes = new Map<string, SimHandler>()
  private readonly patterns: { method: string; pattern: RegExp; handler: SimPatternHandler }[] = []
  private readonly faults = new FaultBook()
  private readonly held = new Set<{ res: ServerResponse; timer: NodeJS.Timeout }>()
  private recorded: RecordedRequest[] = []
  private baseUrl = ''

  constructor(readonly name: string) {
    this.route('POST', '/_sim/clock', (r) => {
      this.clock.set((r.json ?? {}) as Parameters<SimClock['set']>[0])
      return json(200, { now: new Date(this.clock.now()).toISOString() })
    })
    this.route('GET', '/_sim/clock', () => json(200, { now: new Date(this.clock.now()).toISOString() }))
    this.route('POST', '/_sim/faults', (r) => {
      const f = this.faults.add(r.json)
      if (typeof f === 'string') return json(400, { error: f })
      return json(200, this.faults.view())
    })
    this.route('GET', '/_sim/faults', () => json(200, this.faults.view()))
    this.route('POST', '/_sim/faults/clear', () => {
      this.faults.clear()
      return json(200, this.faults.view())
    })
    this.route('GET', '/_sim/requests', (r) => {
      const path = r.query.get('path')
      return json(200, { requests: path ? this.recorded.filter((x) => x.path === path) : this.recorded })
    })
    this.route('POST', '/_sim/reset', () => {
      this.faults.clear()
      this.recorded = []
      this.clock.reset()
      this.resetState()
      return json(200, { ok: true })
    })
  }

  /** Clears the platform-side state (not the routes). */
  protected abstract resetState(): void

  protected route(method: string, path: string, handler: SimHandler): void {
    this.routes.set(`${method} ${path}`, handler)
  }

  /** A route with path parameters (`/v3/…/out-trade-no/([^/]+)`), tried after the exact routes. */
  protected routeMatch(method: string, pattern: RegExp, handler: SimPatternHandler): void {
    this.patterns.push({ method, pattern: new RegExp(`^(?:${pattern.source})$`), handler })
  }

  /**
   * Last look at every platform (non-hook) answer, faults included, before it is sent: e.g. a
   * simulator that signs its responses. Default: unchanged.
   */
  protected finish(_req: SimRequest, out: SimResponse): SimResponse | Promise<SimResponse> {
    return out
  }

  get url(): string {
    if (!this.baseUrl) throw new Error(`${this.name} simulator is not listening`)
    return this.baseUrl
  }

  requests(path?: string): RecordedRequest[] {
    return path ? this.recorded.filter((r) => r.path === path) : [...this.recorded]
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((e: unknown) => {
        res.writeHead(500, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ error: String(e) }))
      })
    })
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject)
      this.server!.listen(port, host, () => resolve())
    })
    const addr = this.server.address() as AddressInfo
    this.baseUrl = `http://${host}:${addr.port}`
    return this.baseUrl
  }

  async close(): Promise<void> {
    const s = this.server
    this.server = undefined
    for (const h of this.held) {
      clearTimeout(h.timer)
      h.res.socket?.destroy()
    }
    this.held.clear()
    if (!s) return
    s.closeAllConnections()
    await new Promise<void>((resolve) => s.close(() => resolve()))
  }

  /** A simulated timeout: no answer; the socket is destroyed after `ms` unless the client gives up first. */
  private hold(res: ServerResponse, ms: number): void {
    const h = {
      res,
      timer: setTimeout(() => {
        this.held.delete(h)
        res.socket?.destroy()
      }, ms),
    }
    h.timer.unref()
    res.once('close', () => {
      clearTimeout(h.timer)
      this.held.delete(h)
    })
    this.held.add(h)
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim')
    const method = req.method ?? 'GET'
    const isHook = url.pathname.startsWith('/_sim/')
    const cors: Record<string, string> = isHook
      ? {
          'access-control-allow-origin': '*',
          'access-control-allow-methods': 'GET, POST, OPTIONS',
          'access-control-allow-headers': 'content-type',
        }
      : {}
    if (method === 'OPTIONS' && isHook) {
      res.writeHead(204, cors)
      res.end()
      return
    }
    const chunks: Buffer[] = []
    for await (const c of req) chunks.push(c as Buffer)
    const rawBody = Buffer.concat(chunks).toString('utf8')
    let parsed: unknown
    try {
      parsed = rawBody ? JSON.parse(rawBody) : undefined
    } catch {
      parsed = undefined
    }
    const simReq: SimRequest = {
      method,
      path: url.pathname,
      url: req.url ?? '/',
      query: url.searchParams,
      headers: req.headers,
      rawBody,
      json: parsed,
    }

    const record = (status: number, fault?: string): void => {
      if (isHook) return
      this.recorded.push({
        at: new Date(this.clock.now()).toISOString(),
        method,
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        body: parsed ?? (rawBody || undefined),
        status,
        ...(fault ? { fault } : {}),
      })
    }

    let out: SimResponse
    const fault = isHook ? undefined : this.faults.take(method, url.pathname)
    if (fault?.kind === 'timeout') {
      record(0, fault.label)
      this.hold(res, fault.holdMs)
      return
    }
    if (fault) {
      out = { status: fault.status, body: fault.body }
    } else {
      const handler = this.routes.get(`${method} ${url.pathname}`)
      const matches = this.patterns.filter((p) => p.pattern.test(url.pathname))
      const byPattern = matches.find((p) => p.method === method)
      if (handler) out = await handler(simReq)
      else if (byPattern) out = await byPattern.handler(simReq, byPattern.pattern.exec(url.pathname)!)
      else if ([...this.routes.keys()].some((k) => k.endsWith(` ${url.pathname}`)) || matches.length)
        out = this.methodNotAllowed(method)
      else out = this.notFound(url.pathname)
    }
    if (!isHook) out = await this.finish(simReq, out)
    const status = out.status ?? 200
    record(status, fault?.label)
    const headers: Record<string, string> = { ...cors, ...(out.headers ?? {}) }
    if (out.body === undefined) {
      res.writeHead(status, headers)
      res.end()
      return
    }
    if (Buffer.isBuffer(out.body)) {
      // binary bodies (a hook's PNG) go out as they are
      headers['content-type'] ??= 'application/octet-stream'
      res.writeHead(status, headers)
      res.end(out.body)
      return
    }
    const text = typeof out.body === 'string' ? out.body : JSON.stringify(out.body)
    headers['content-type'] ??=
      typeof out.body === 'string' ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8'
    res.writeHead(status, headers)
    res.end(text)
  }

  protected notFound(path: string): SimResponse {
    return json(404, { errcode: 404, errmsg: `no such path ${path}` })
  }

  protected methodNotAllowed(method: string): SimResponse {
    return json(405, { errcode: 43002, errmsg: `require POST method, got ${method}` })
  }
}

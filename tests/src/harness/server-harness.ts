import { createServer, type RequestListener, type Server } from 'node:http'
import { LoginResponse } from '@careloop/shared'
import type { AddressInfo } from 'node:net'
import { createApp, requestListener, type AppDeps } from '../../../server/src/app'
import { ManualClock } from '../../../server/src/clock'
import { parseConfig, type Config } from '../../../server/src/config'
import { syncIndexes } from '../../../server/src/db/connection'
import { createLogger } from '../../../server/src/logger'
import { WechatClient } from '../../../server/src/platform/wechat/wechat-client'
import { useTestDatabase } from '../jest/test-database'
import { WechatSim } from '../sim/wechat/wechat-sim'
import { SIM_WECOM, WecomSim } from '../sim/wecom/wecom-sim'
import { PaySim, type PayKeyMode, type PaySimOptions } from '../sim/pay/pay-sim'
import { SimClock } from '../sim/sim-server'
import { seedDemoStaff, DEMO_STAFF_PASSWORD } from '../../../server/src/modules/staff/staff-bootstrap.service'
import { StaffLoginResponse } from '@careloop/shared'

export const SIM_APPID = 'wxsimappid0000001'
export const SIM_SECRET = 'sim-secret'

export interface ServerHarness {
  readonly url: string
  readonly sim: WechatSim
  readonly clock: ManualClock
  readonly config: Config
  readonly db: ReturnType<typeof useTestDatabase>['connection']
  /** fetch against the server, JSON in and out. */
  request(
    method: string,
    path: string,
    opts?: { body?: unknown; rawBody?: string; token?: string; headers?: Record<string, string> },
  ): Promise<{ status: number; body: unknown; headers: Headers }>
  /** Logs a simulated WeChat user in through the real endpoint. */
  login(user: string): Promise<LoginResponse>
  /** The WeChat Pay simulator (option `paySim`), configured as the server's WECHATPAY_*; else undefined. */
  readonly paySim: PaySim | undefined
}

/** A simulator clock that is the test's ManualClock: `/_sim/clock` moves it, due notify retries follow it. */
class ManualSimClock extends SimClock {
  constructor(private readonly manual: ManualClock) {
    super()
  }
  override now(): number {
    return this.manual.now().getTime()
  }
  override set(input: { advanceMs?: number; now?: string | number }): void {
    if (input.now !== undefined) this.manual.set(new Date(input.now))
    if (input.advanceMs !== undefined) this.manual.advance(input.advanceMs)
  }
  override reset(): void {}
}

/**
 * Registers beforeAll/afterAll that start, for one test file: a fresh database on the test engine,
 * the WeChat simulator over HTTP, and the real Koa app listening on a free port, wired exactly as
 * main.ts wires them (same WeChat client, simulator base URL).
 */
export const useServerHarness = (
  overrides: Partial<Pick<AppDeps, 'consoleDir' | 'h5Dir' | 'pushPort' | 'points'>> & {
    env?: Record<string, string>
    /**
     * Start a WeChat Pay simulator on the harness clock and configure the server with it (notify URL:
     * this server's /api/v1/pay/notify). `keyMode` picks the merchant's key setup (default public-key).
     */
    paySim?: boolean | (PaySimOptions & { keyMode?: PayKeyMode })
  } = {},
): ServerHarness => {
  const database = useTestDatabase()
  const sim = new WechatSim({ appid: SIM_APPID, secret: SIM_SECRET })
  const clock = new ManualClock(new Date())
  const payOptions = overrides.paySim === true ? {} : overrides.paySim || undefined
  const paySim = payOptions ? new PaySim(payOptions) : undefined
  paySim?.clock.follow(new ManualSimClock(clock))
  let server: Server | undefined
  let url = ''
  let config: Config | undefined

  beforeAll(async () => {
    const simUrl = await sim.listen()
    // the server listens first (its handler set below) so the pay notify URL can name its port
    let handler: RequestListener | undefined = undefined
    server = createServer((req, res) => handler?.(req, res))
    await new Promise<void>((ok) => server!.listen(0, '127.0.0.1', ok))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    if (paySim) await paySim.listen()
    config = parseConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      WECHAT_APPID: SIM_APPID,
      WECHAT_SECRET: SIM_SECRET,
      WECHAT_API_BASE: simUrl,
      ...(paySim && payOptions ? paySim.env(`${url}/api/v1/pay/notify`, payOptions.keyMode) : {}),
      ...overrides.env,
    })
    const db = database.connection
    const wechat = new WechatClient({ ...config.wechat, clock })
    const app = createApp({ config, logger: createLogger('silent'), clock, db, wechat, ...overrides })
    await syncIndexes(db)
    handler = requestListener(app)
  })

  afterAll(async () => {
    server?.closeAllConnections()
    await new Promise<void>((ok) => (server ? server.close(() => ok()) : ok()))
    await sim.close()
    await paySim?.close()
  })

  const h: ServerHarness = {
    get url() {
      return url
    },
    sim,
    clock,
    paySim,
    get config() {
      return config!
    },
    get db() {
      return database.connection
    },
    async request(method, path, opts = {}) {
      const headers: Record<string, string> = { ...opts.headers }
      let body: string | undefined
      if (opts.rawBody !== undefined) body = opts.rawBody
      else if (opts.body !== undefined) body = JSON.stringify(opts.body)
      if (body !== undefined) headers['content-type'] ??= 'application/json'
      if (opts.token) headers.authorization = `Bearer ${opts.token}`
      const res = await fetch(`${url}${path}`, { method, headers, body })
      const text = await res.text()
      let parsed: unknown = text
      try {
        parsed = text ? JSON.parse(text) : undefined
      } catch {
        /* not JSON: keep the text */
      }
      return { status: res.status, body: parsed, headers: res.headers }
    },
    async login(user) {
      const { code } = sim.loginCode(user)
      const r = await h.request('POST', '/api/v1/auth/wechat/login', { body: { code } })
      if (r.status !== 200) throw new Error(`login failed: ${r.status} ${JSON.stringify(r.body)}`)
      return LoginResponse.parse(r.body)
    },
  }
  return h
}

// --- staff ---------------------------------------------------------------------------------------

export interface StaffHarness extends ServerHarness {
  /** The WeCom simulator the server's WeCom client talks to (corp SIM_WECOM). */
  readonly wecom: WecomSim
  /** Creates the demo staff (admin, nurse.li, headnurse.wang, marketing.zhao); idempotent. */
  seedStaff(): Promise<void>
  /** Logs a staff member in through the password endpoint (default: the demo password). */
  staffLogin(username: string, password?: string): Promise<StaffLoginResponse>
}

/**
 * useServerHarness plus the WeCom simulator (its URL, corp id and agent secret in the server's
 * config) and staff helpers.
 */
export const useStaffHarness = (overrides: Parameters<typeof useServerHarness>[0] = {}): StaffHarness => {
  const wecom = new WecomSim({ corpId: SIM_WECOM.corpId, secrets: [SIM_WECOM.agentSecret] })
  // useServerHarness reads `env` in its beforeAll, which runs after this one has filled it in.
  const env: Record<string, string> = { ...overrides.env }
  beforeAll(async () => {
    const wecomUrl = await wecom.listen()
    Object.assign(env, {
      WECOM_CORP_ID: SIM_WECOM.corpId,
      WECOM_AGENT_SECRET: SIM_WECOM.agentSecret,
      WECOM_API_BASE: wecomUrl,
      ...overrides.env,
    })
  })
  const h = useServerHarness({ ...overrides, env })
  afterAll(async () => {
    await wecom.close()
  })
  return Object.assign(h, {
    wecom,
    async seedStaff() {
      await seedDemoStaff({ db: h.db, clock: h.clock })
    },
    async staffLogin(username: string, password = DEMO_STAFF_PASSWORD) {
      const r = await h.request('POST', '/api/v1/staff/auth/login', { body: { username, password } })
      if (r.status !== 200) throw new Error(`staff login failed: ${r.status} ${JSON.stringify(r.body)}`)
      return StaffLoginResponse.parse(r.body)
    },
  })
}

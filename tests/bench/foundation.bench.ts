import { createServer, type RequestListener, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { resolve } from 'node:path'
import Koa from 'koa'
import { createApp, requestListener } from '../../server/src/app'
import { systemClock } from '../../server/src/clock'
import { parseConfig } from '../../server/src/config'
import { openConnection, syncIndexes } from '../../server/src/db/connection'
import { resolveEngine } from '../../server/src/db/local-engine'
import { createLogger } from '../../server/src/logger'
import { createAccountRepo } from '../../server/src/modules/accounts/account.repo'
import { WechatClient } from '../../server/src/platform/wechat/wechat-client'
import { WechatSim } from '../src/sim/wechat/wechat-sim'

/**
 * Ratios measured in one run (never absolute thresholds):
 *  1. our full HTTP stack (request id, logging, error mapping, router, contract-checked response)
 *     vs a bare Koa handler, on /healthz;
 *  2. an authenticated, validated, database-backed route (GET /api/v1/me) vs bare Koa;
 *  3. the patient repo's find-or-create upsert vs the same upsert on the raw driver.
 */

const N = Number(process.env.BENCH_REQUESTS ?? 3000)
const CONCURRENCY = 16

const listen = async (handler: RequestListener): Promise<{ server: Server; url: string }> => {
  const server = createServer(handler)
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok))
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }
}

const load = async (url: string, headers: Record<string, string> = {}): Promise<number> => {
  let next = 0
  const started = process.hrtime.bigint()
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < N) {
        const r = await fetch(url, { headers })
        if (!r.ok) throw new Error(`${url} answered ${r.status}`)
        await r.arrayBuffer()
      }
    }),
  )
  return Number(process.hrtime.bigint() - started) / 1e6
}

const time = async (n: number, fn: (i: number) => Promise<unknown>): Promise<number> => {
  const started = process.hrtime.bigint()
  for (let i = 0; i < n; i++) await fn(i)
  return Number(process.hrtime.bigint() - started) / 1e6
}

const main = async (): Promise<void> => {
  const repoRoot = resolve(__dirname, '../..')
  const engine = await resolveEngine({ mongodbUri: process.env.MONGODB_URI, backend: 'memory', repoRoot })
  const db = await openConnection(engine.uri, `careloop_bench_${Date.now()}`)
  const sim = new WechatSim({ appid: 'wxbench', secret: 's' })
  const simUrl = await sim.listen()
  const config = parseConfig({
    WECHAT_APPID: 'wxbench',
    WECHAT_SECRET: 's',
    WECHAT_API_BASE: simUrl,
    LOG_LEVEL: 'silent',
  })
  const app = createApp({
    config,
    logger: createLogger('silent'),
    clock: systemClock,
    db,
    wechat: new WechatClient({ ...config.wechat, clock: systemClock }),
  })
  await syncIndexes(db)
  const ours = await listen(requestListener(app))
  const bare = new Koa()
  bare.use((ctx) => {
    ctx.body = { status: 'ok', uptimeSeconds: 1, version: '0.1.0' }
  })
  const bareCallback = bare.callback()
  const bareSrv = await listen((req, res) => void bareCallback(req, res))

  const { code } = sim.loginCode('bench')
  const login = (await (
    await fetch(`${ours.url}/api/v1/auth/wechat/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code }),
    })
  ).json()) as { accessToken: string }

  await load(`${bareSrv.url}/healthz`) // warm-up
  await load(`${ours.url}/healthz`)
  const tBare = await load(`${bareSrv.url}/healthz`)
  const tHealth = await load(`${ours.url}/healthz`)
  const tMe = await load(`${ours.url}/api/v1/me`, { authorization: `Bearer ${login.accessToken}` })

  const repo = createAccountRepo(db)
  const raw = db.db!.collection('raw_patients')
  await raw.createIndex({ openid: 1 }, { unique: true })
  const M = 1000
  const at = new Date()
  const tRaw = await time(M, (i) =>
    raw.findOneAndUpdate(
      { openid: `o${i % 100}` },
      { $setOnInsert: { openid: `o${i % 100}`, name: null }, $set: { lastLoginAt: at } },
      { upsert: true, returnDocument: 'after' },
    ),
  )
  const tRepo = await time(M, (i) =>
    repo.findOrCreateByOpenid({ openid: `o${i % 100}`, unionid: undefined, at }),
  )

  const rps = (ms: number): string => `${Math.round((N / ms) * 1000)} req/s`
  console.log(
    `engine: ${engine.kind}; ${N} requests per HTTP case, concurrency ${CONCURRENCY}; ${M} upserts per DB case`,
  )
  console.log(`bare Koa /healthz            ${rps(tBare)}`)
  console.log(
    `CareLoop /healthz            ${rps(tHealth)}   ratio vs bare Koa: ${(tHealth / tBare).toFixed(2)}x time`,
  )
  console.log(
    `CareLoop GET /api/v1/me      ${rps(tMe)}   ratio vs bare Koa: ${(tMe / tBare).toFixed(2)}x time`,
  )
  console.log(`account repo upsert vs raw driver upsert: ${(tRepo / tRaw).toFixed(2)}x time`)

  ours.server.close()
  bareSrv.server.close()
  await sim.close()
  await db.dropDatabase()
  await db.close()
  await engine.stop()
}

main().catch((e: unknown) => {
  console.error(e)
  process.exit(1)
})

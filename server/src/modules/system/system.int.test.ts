import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type Router from '@koa/router'
import { apiRoutes, ClientConfig, ErrorBody, Health, Readiness } from '@careloop/shared'
import { useServerHarness } from '../../../../tests/src/harness/server-harness'
import { useTestDatabase } from '../../../../tests/src/jest/test-database'
import { createApp, requestListener } from '../../app'
import { systemClock } from '../../clock'
import { parseConfig } from '../../config'
import { openConnection } from '../../db/connection'
import { createLogger } from '../../logger'
import { WechatClient } from '../../platform/wechat/wechat-client'

const h = useServerHarness()
const spare = useTestDatabase()

describe('system routes', () => {
  it('GET /healthz says the process is up and carries a request id', async () => {
    const r = await h.request('GET', '/healthz', { headers: { 'x-request-id': 'trace-123' } })
    expect(r.status).toBe(200)
    expect(Health.parse(r.body).status).toBe('ok')
    expect(r.headers.get('x-request-id')).toBe('trace-123')
  })

  it('GET /readyz is 200 with the database up', async () => {
    const r = await h.request('GET', '/readyz')
    expect(r.status).toBe(200)
    expect(Readiness.parse(r.body).checks.database).toBe('up')
  })

  it('GET /readyz is 503 NOT_READY when the database is unreachable', async () => {
    const db = await openConnection(process.env.MONGODB_URI!, spare.dbName)
    await db.close()
    const config = parseConfig({
      NODE_ENV: 'test',
      WECHAT_APPID: 'a',
      WECHAT_SECRET: 's',
      WECHAT_API_BASE: 'http://127.0.0.1:9',
    })
    const app = createApp({
      config,
      logger: createLogger('silent'),
      clock: systemClock,
      db,
      wechat: new WechatClient({ ...config.wechat, clock: systemClock }),
    })
    const server = createServer(requestListener(app))
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok))
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/readyz`)
      expect(res.status).toBe(503)
      const body = ErrorBody.parse(await res.json())
      expect(body.error.code).toBe('NOT_READY')
      expect(body.error.details).toEqual({ checks: { database: 'down' } })
    } finally {
      server.close()
    }
  })

  it('unknown routes answer 404 in the error shape; wrong methods 405', async () => {
    const r = await h.request('GET', '/api/v1/nope')
    expect(r.status).toBe(404)
    const body = ErrorBody.parse(r.body)
    expect(body.error.code).toBe('NOT_FOUND')
    expect(body.error.requestId).toBe(r.headers.get('x-request-id'))

    const m = await h.request('DELETE', '/api/v1/me')
    expect(m.status).toBe(405)
    expect(ErrorBody.parse(m.body).error.code).toBe('METHOD_NOT_ALLOWED')
  })

  it('GET /api/v1/client-config tells the client it runs against the simulators', async () => {
    const r = await h.request('GET', '/api/v1/client-config')
    const cfg = ClientConfig.parse(r.body)
    expect(cfg.mode).toBe('simulated')
    expect(cfg.simulators?.wechat).toBe(h.sim.url)
    // No WeCom configured here: no WeCom simulator to name (client-config.int.test.ts has one).
    expect(cfg.simulators?.wecom).toBeUndefined()
  })

  it('GET /api/openapi.json documents exactly the routes the router mounts', async () => {
    const r = await h.request('GET', '/api/openapi.json')
    expect(r.status).toBe(200)
    const doc = r.body as { openapi: string; paths: Record<string, Record<string, { operationId: string }>> }
    expect(doc.openapi).toMatch(/^3\./)
    const documented = Object.entries(doc.paths).flatMap(([p, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${p.replace(/\{(\w+)\}/g, ':$1')}`),
    )

    // Read the mounted routes off the live router of a real app.
    const config = parseConfig({ NODE_ENV: 'test', WECHAT_APPID: 'a', WECHAT_SECRET: 's' })
    const app = createApp({
      config,
      logger: createLogger('silent'),
      clock: systemClock,
      db: h.db,
      wechat: new WechatClient({ ...config.wechat, clock: systemClock }),
    })
    const router = app.middleware.map((m) => (m as { router?: Router }).router).find(Boolean)!
    const mounted = router.stack.flatMap((layer) =>
      layer.methods.filter((m) => m !== 'HEAD').map((m) => `${m} ${layer.path}`),
    )
    expect(new Set(documented)).toEqual(new Set(mounted))
    expect(documented).toHaveLength(Object.keys(apiRoutes).length)
    // every documented operation has a response schema and an id
    for (const ops of Object.values(doc.paths))
      for (const op of Object.values(ops)) expect(op.operationId).toBeTruthy()
  })
})

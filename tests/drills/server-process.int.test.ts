import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { Health, LoginResponse } from '@careloop/shared'
import { testMongoUri } from '../src/jest/test-database'
import { WechatSim } from '../src/sim/wechat/wechat-sim'

/**
 * Drill: the built server as a real process. It starts on the engine, serves a real login through
 * the simulator, shuts down cleanly on SIGTERM (exit 0, port released), and refuses to start with a
 * bad configuration, naming every bad variable, without a stack trace.
 */
const repoRoot = resolve(__dirname, '../..')
const mainJs = resolve(repoRoot, 'server/dist/main.js')
const sim = new WechatSim({ appid: 'wxdrill', secret: 'drill-secret' })

beforeAll(async () => {
  if (!existsSync(mainJs))
    throw new Error('server/dist/main.js is missing; run `npm run build:ts` (npm test does)')
  await sim.listen()
})
afterAll(() => sim.close())

const start = (env: Record<string, string>): ChildProcessWithoutNullStreams =>
  spawn(process.execPath, [mainJs], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', ...env },
  })

const exited = (
  child: ChildProcessWithoutNullStreams,
): Promise<{ code: number | null; signal: string | null }> =>
  new Promise((ok) => child.once('exit', (code, signal) => ok({ code, signal })))

/** Resolves with the listening URL from the server's JSON log. */
const listening = (child: ChildProcessWithoutNullStreams): Promise<string> =>
  new Promise((ok, fail) => {
    let buf = ''
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString()
      const m = /"url":"(http:\/\/[^"]+)"[^\n]*CareLoop server listening/.exec(buf)
      if (m) ok(m[1]!)
    })
    child.once('exit', (code) => fail(new Error(`server exited early (${code}): ${buf}`)))
  })

describe('server process', () => {
  it('serves a login, then exits 0 on SIGTERM and releases its port', async () => {
    const child = start({
      NODE_ENV: 'test',
      PORT: '0',
      MONGODB_URI: `${testMongoUri().replace(/\/$/, '')}/careloop_drill_${Date.now()}`,
      WECHAT_APPID: 'wxdrill',
      WECHAT_SECRET: 'drill-secret',
      WECHAT_API_BASE: sim.url,
      SERVE_STATIC: 'false',
    })
    const done = exited(child)
    const url = await listening(child)
    expect(Health.parse(await (await fetch(`${url}/healthz`)).json()).status).toBe('ok')
    const res = await fetch(`${url}/api/v1/auth/wechat/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: sim.loginCode('drill-user').code }),
    })
    expect(LoginResponse.parse(await res.json()).patient.id).toMatch(/^[0-9a-f]{24}$/)

    child.kill('SIGTERM')
    await expect(done).resolves.toEqual({ code: 0, signal: null })
    await expect(fetch(`${url}/healthz`)).rejects.toThrow()
  })

  it('refuses a bad configuration with exit 78 and a message naming each variable', async () => {
    const child = start({ NODE_ENV: 'production', PORT: 'eighty' })
    let err = ''
    child.stderr.on('data', (d: Buffer) => (err += d.toString()))
    const { code } = await exited(child)
    expect(code).toBe(78)
    expect(err).toContain('Invalid configuration')
    for (const v of ['PORT', 'WECHAT_APPID', 'WECHAT_SECRET', 'AUTH_TOKEN_SECRET', 'MONGODB_URI'])
      expect(err).toContain(v)
    expect(err).not.toMatch(/\n\s+at /) // no stack trace
  })
})

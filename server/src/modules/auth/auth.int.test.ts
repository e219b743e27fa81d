import { ErrorBody, LoginResponse, MeResponse } from '@careloop/shared'
import { useServerHarness } from '../../../../tests/src/harness/server-harness'
import { accountModel } from '../accounts/account.model'
import { patientModel } from '../patients/patient.model'

const h = useServerHarness()
const login = '/api/v1/auth/wechat/login'

const errorCode = (body: unknown): string => ErrorBody.parse(body).error.code
const patientCount = (): Promise<number> => patientModel(h.db).countDocuments()

describe('POST /api/v1/auth/wechat/login', () => {
  beforeEach(async () => {
    await patientModel(h.db).deleteMany({})
    await accountModel(h.db).deleteMany({})
  })

  it('creates the patient on first login and finds the same one on the next, with tokens', async () => {
    const first = h.sim.loginCode('alice')
    const r1 = await h.request('POST', login, { body: { code: first.code } })
    expect(r1.status).toBe(200)
    const body1 = LoginResponse.parse(r1.body)
    expect(body1.patient.name).toBeNull()
    expect(body1.accessToken.split('.')).toHaveLength(3)
    expect(body1.refreshToken.length).toBeGreaterThanOrEqual(40)
    expect(body1.expiresIn).toBe(900)

    const r2 = await h.request('POST', login, { body: { code: h.sim.loginCode('alice').code } })
    expect(LoginResponse.parse(r2.body).patient.id).toBe(body1.patient.id)
    expect(await patientCount()).toBe(1)

    // the server really called code2Session on the simulator with the app's credentials
    const calls = h.sim.requests('/sns/jscode2session')
    expect(calls.at(-1)?.query).toMatchObject({
      appid: h.config.wechat.appid,
      grant_type: 'authorization_code',
    })
    const stored = await accountModel(h.db).findOne({}).lean()
    expect(stored?.openid).toBe(first.openid)
    expect(stored?.unionid).toBe(first.unionid)
    expect(stored?.activeProfileId?.toHexString()).toBe(body1.patient.id)
    expect(body1.patient.relation).toBe('self')
    expect(body1.careConsent).toBe(false)
  })

  it('gives two different WeChat users two different patients', async () => {
    const a = await h.login('user-a')
    const b = await h.login('user-b')
    expect(a.patient.id).not.toBe(b.patient.id)
  })

  it('creates exactly one patient when the same new user logs in concurrently', async () => {
    const codes = Array.from({ length: 10 }, () => h.sim.loginCode('racer').code)
    const results = await Promise.all(codes.map((code) => h.request('POST', login, { body: { code } })))
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(200))
    expect(new Set(results.map((r) => LoginResponse.parse(r.body).patient.id)).size).toBe(1)
    expect(await patientCount()).toBe(1)
  })

  it('rejects an unknown code with AUTH_CODE_INVALID and creates nothing', async () => {
    const r = await h.request('POST', login, { body: { code: 'not-a-real-code' } })
    expect(r.status).toBe(400)
    expect(errorCode(r.body)).toBe('AUTH_CODE_INVALID')
    expect(await patientCount()).toBe(0)
  })

  it('rejects a reused code with AUTH_CODE_USED', async () => {
    const { code } = h.sim.loginCode('bob')
    expect((await h.request('POST', login, { body: { code } })).status).toBe(200)
    const again = await h.request('POST', login, { body: { code } })
    expect(again.status).toBe(400)
    expect(errorCode(again.body)).toBe('AUTH_CODE_USED')
  })

  it('rejects a code older than five minutes and creates nothing', async () => {
    const { code } = h.sim.loginCode('carol')
    h.sim.clock.set({ advanceMs: 301_000 })
    try {
      const r = await h.request('POST', login, { body: { code } })
      expect(r.status).toBe(400)
      expect(errorCode(r.body)).toBe('AUTH_CODE_INVALID')
      expect(await patientCount()).toBe(0)
    } finally {
      h.sim.clock.reset()
    }
  })

  it('maps the per-user minute quota (45011) to 429 and WeChat busy (-1) to 503', async () => {
    await fetch(`${h.sim.url}/_sim/faults`, {
      method: 'POST',
      body: JSON.stringify({ route: '/sns/jscode2session', errcode: 45011, times: 1 }),
    })
    const limited = await h.request('POST', login, { body: { code: h.sim.loginCode('dan').code } })
    expect(limited.status).toBe(429)
    expect(errorCode(limited.body)).toBe('AUTH_RATE_LIMITED')
    expect(limited.headers.get('retry-after')).toBe('60')

    await fetch(`${h.sim.url}/_sim/faults`, {
      method: 'POST',
      body: JSON.stringify({ route: '/sns/jscode2session', errcode: -1, times: 1 }),
    })
    const busy = await h.request('POST', login, { body: { code: h.sim.loginCode('dan').code } })
    expect(busy.status).toBe(503)
    expect(errorCode(busy.body)).toBe('UPSTREAM_BUSY')
    expect(await patientCount()).toBe(0)
  })

  it('answers bad input with 400 naming the problem', async () => {
    const missing = await h.request('POST', login, { body: {} })
    expect(missing.status).toBe(400)
    const err = ErrorBody.parse(missing.body).error
    expect(err.code).toBe('VALIDATION_FAILED')
    expect(err.details).toEqual([{ path: 'code', message: 'code is required' }])

    const extra = await h.request('POST', login, { body: { code: 'x', admin: true } })
    expect(errorCode(extra.body)).toBe('VALIDATION_FAILED')

    const malformed = await h.request('POST', login, { rawBody: '{"code": ' })
    expect(malformed.status).toBe(400)
    expect(errorCode(malformed.body)).toBe('MALFORMED_JSON')

    const noBody = await h.request('POST', login, {
      rawBody: 'code=abc',
      headers: { 'content-type': 'text/plain' },
    })
    expect(noBody.status).toBe(400)
    expect(errorCode(noBody.body)).toBe('VALIDATION_FAILED')
    expect(await patientCount()).toBe(0)
  })
})

describe('/api/v1/me', () => {
  it('needs a valid access token', async () => {
    const none = await h.request('GET', '/api/v1/me')
    expect(none.status).toBe(401)
    expect(errorCode(none.body)).toBe('AUTH_REQUIRED')

    const forged = await h.request('GET', '/api/v1/me', { token: 'eyJhbGciOiJIUzI1NiJ9.e30.forged' })
    expect(forged.status).toBe(401)
    expect(errorCode(forged.body)).toBe('AUTH_TOKEN_INVALID')
  })

  it('returns and renames only the caller, and rejects expired tokens', async () => {
    const alice = await h.login('me-alice')
    const bob = await h.login('me-bob')
    const renamed = await h.request('PUT', '/api/v1/me', {
      token: alice.accessToken,
      body: { name: '王秀英' },
    })
    expect(renamed.status).toBe(200)
    expect(MeResponse.parse(renamed.body).patient.name).toBe('王秀英')

    const bobView = MeResponse.parse((await h.request('GET', '/api/v1/me', { token: bob.accessToken })).body)
    expect(bobView.patient.id).toBe(bob.patient.id)
    expect(bobView.patient.name).toBeNull()

    const bad = await h.request('PUT', '/api/v1/me', { token: alice.accessToken, body: { name: '' } })
    expect(bad.status).toBe(400)
    expect(ErrorBody.parse(bad.body).error.details).toEqual([
      { path: 'name', message: 'name must not be empty' },
    ])

    h.clock.advance(901_000)
    try {
      const expired = await h.request('GET', '/api/v1/me', { token: alice.accessToken })
      expect(expired.status).toBe(401)
      expect(errorCode(expired.body)).toBe('AUTH_TOKEN_EXPIRED')
    } finally {
      h.clock.advance(-901_000)
    }
  })
})

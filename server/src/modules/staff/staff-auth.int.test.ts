import { ErrorBody, StaffLoginResponse, StaffMeResponse } from '@careloop/shared'
import { useStaffHarness } from '../../../../tests/src/harness/server-harness'
import { auditModel } from '../audit/audit.model'
import { DEMO_STAFF_PASSWORD, ensureBootstrapAdmin } from './staff-bootstrap.service'
import { staffModel } from './staff.model'

const h = useStaffHarness()
const LOGIN = '/api/v1/staff/auth/login'
const WECOM = '/api/v1/staff/auth/wecom'

const errorOf = (body: unknown) => ErrorBody.parse(body).error
const login = (username: string, password: string) =>
  h.request('POST', LOGIN, { body: { username, password } })
const audits = (action: string) => auditModel(h.db).find({ action }).sort({ at: 1, _id: 1 }).lean()

beforeAll(async () => {
  await h.seedStaff()
})
beforeEach(() => {
  // Every test starts outside the previous one's per-IP failure window.
  h.clock.advance(61_000)
})

describe('password login', () => {
  it('logs in with the right password and issues a staff token for /staff/me', async () => {
    const r = await login('nurse.li', DEMO_STAFF_PASSWORD)
    expect(r.status).toBe(200)
    const body = StaffLoginResponse.parse(r.body)
    expect(body.staff).toMatchObject({
      username: 'nurse.li',
      role: 'nurse',
      wecomUserId: 'LiNa',
      active: true,
    })
    expect(body.expiresIn).toBe(h.config.staff.tokenTtlSeconds)
    expect(JSON.stringify(body)).not.toMatch(/passwordHash|argon2/)

    const me = await h.request('GET', '/api/v1/staff/me', { token: body.accessToken })
    expect(me.status).toBe(200)
    expect(StaffMeResponse.parse(me.body).staff.username).toBe('nurse.li')

    const stored = await staffModel(h.db).findOne({ username: 'nurse.li' }).lean()
    expect(stored?.passwordHash).toMatch(/^\$argon2id\$/)
    expect(stored?.lastLoginAt).toBeInstanceOf(Date)
    const ok = (await audits('staff.login')).at(-1)
    expect(ok).toMatchObject({
      actor: { kind: 'staff', id: body.staff.id, role: 'nurse' },
      detail: { method: 'password' },
    })
  })

  it('accepts the username in any case, and refuses wrong passwords and unknown users alike', async () => {
    expect((await login('NURSE.LI', DEMO_STAFF_PASSWORD)).status).toBe(200)
    const wrong = await login('nurse.li', 'not-the-password')
    const unknown = await login('nobody.here', 'not-the-password')
    for (const r of [wrong, unknown]) {
      expect(r.status).toBe(401)
      expect(errorOf(r.body)).toMatchObject({
        code: 'STAFF_CREDENTIALS_INVALID',
        message: 'Wrong username or password',
      })
    }
    const failures = await audits('staff.login_failed')
    const forUnknown = failures.find((f) => (f.detail as { reason?: string }).reason === 'unknown_user')
    expect(forUnknown?.actor).toMatchObject({ kind: 'system', id: null })
    expect((forUnknown?.detail as { usernameHash?: string }).usernameHash).toMatch(/^[0-9a-f]{16}$/)
    // No password and no unknown username is ever written to the audit log.
    const all = JSON.stringify(await auditModel(h.db).find({}).lean())
    expect(all).not.toContain('nobody.here')
    expect(all).not.toContain('not-the-password')
    expect(all).not.toContain(DEMO_STAFF_PASSWORD)
  })

  it('locks an account for 15 minutes after 5 consecutive failures, then lets it in again', async () => {
    const username = 'headnurse.wang'
    for (let i = 1; i <= 4; i++) {
      const r = await login(username, `wrong-${i}-password`)
      expect([i, r.status, errorOf(r.body).code]).toEqual([i, 401, 'STAFF_CREDENTIALS_INVALID'])
    }
    const fifth = await login(username, 'wrong-5-password')
    expect(fifth.status).toBe(423)
    expect(errorOf(fifth.body)).toMatchObject({ code: 'STAFF_LOCKED', details: { retryAfterSeconds: 900 } })

    // Locked: even the right password is refused, and the lock's remaining time is told.
    h.clock.advance(10 * 60_000)
    const during = await login(username, DEMO_STAFF_PASSWORD)
    expect(during.status).toBe(423)
    expect(errorOf(during.body).details).toEqual({ retryAfterSeconds: 300 })

    h.clock.advance(5 * 60_000 + 1000)
    expect((await login(username, DEMO_STAFF_PASSWORD)).status).toBe(200)
    const stored = await staffModel(h.db).findOne({ username }).lean()
    expect(stored).toMatchObject({ failedLogins: 0, lockedUntil: null })

    const locks = await audits('staff.locked')
    expect(locks).toHaveLength(1)
    expect(locks[0]?.detail).toMatchObject({ failures: 5 })
    const reasons = (await audits('staff.login_failed'))
      .filter((a) => a.actor?.id === stored!._id.toHexString())
      .map((a) => (a.detail as { reason: string }).reason)
    expect(reasons).toEqual([
      'bad_password',
      'bad_password',
      'bad_password',
      'bad_password',
      'bad_password',
      'locked',
    ])
  })

  it('counts consecutive failures only: a success resets the counter', async () => {
    const username = 'marketing.zhao'
    for (let i = 0; i < 4; i++) expect((await login(username, 'wrong-password-x')).status).toBe(401)
    expect((await login(username, DEMO_STAFF_PASSWORD)).status).toBe(200)
    for (let i = 0; i < 4; i++) expect((await login(username, 'wrong-password-y')).status).toBe(401)
    expect((await login(username, DEMO_STAFF_PASSWORD)).status).toBe(200)
  })

  it('locks exactly once under concurrent failures', async () => {
    await staffModel(h.db).create({ username: 'racer', name: '并发', role: 'nurse', passwordHash: 'x' })
    const results = await Promise.all(Array.from({ length: 8 }, () => login('racer', 'wrong-password-z')))
    expect(results.filter((r) => r.status === 423).length).toBeGreaterThanOrEqual(1)
    expect(results.every((r) => r.status === 401 || r.status === 423)).toBe(true)
    const racer = await staffModel(h.db).findOne({ username: 'racer' }).lean()
    expect(racer?.lockedUntil).toBeInstanceOf(Date)
    const locks = (await audits('staff.locked')).filter((a) => a.actor?.id === racer!._id.toHexString())
    expect(locks).toHaveLength(1)
  })

  it('limits failed logins per address: after 20 in a minute every attempt gets 429 until the window passes', async () => {
    for (let i = 0; i < 20; i++) {
      const r = await login(`sprayed.${i}`, 'guess-password')
      expect(r.status).toBe(401)
    }
    const limited = await login('nurse.li', DEMO_STAFF_PASSWORD)
    expect(limited.status).toBe(429)
    expect(errorOf(limited.body)).toMatchObject({ code: 'RATE_LIMITED' })
    expect(
      (errorOf(limited.body).details as { retryAfterSeconds: number }).retryAfterSeconds,
    ).toBeGreaterThan(0)
    expect(limited.headers.get('retry-after')).toBe('60')
    const wecomLimited = await h.request('POST', WECOM, {
      body: { code: h.wecom.loginCode({ userid: 'LiNa' }) },
    })
    expect(wecomLimited.status).toBe(429)

    h.clock.advance(61_000)
    expect((await login('nurse.li', DEMO_STAFF_PASSWORD)).status).toBe(200)
  })

  it('does not count successful logins against the address', async () => {
    for (let i = 0; i < 25; i++) expect((await login('admin', DEMO_STAFF_PASSWORD)).status).toBe(200)
  })

  it('refuses a deactivated account like a wrong password', async () => {
    await staffModel(h.db).updateOne({ username: 'racer' }, { $set: { active: false, lockedUntil: null } })
    const r = await login('racer', 'whatever-password')
    expect(r.status).toBe(401)
    expect(errorOf(r.body).code).toBe('STAFF_CREDENTIALS_INVALID')
  })
})

describe('WeCom web login', () => {
  it('maps the WeCom userid to the linked staff account', async () => {
    // The code comes from the simulator's hook, as the console's simulated login gets it.
    const hook = await fetch(`${h.wecom.url}/_sim/wecom/login`, {
      method: 'POST',
      body: JSON.stringify({ userid: 'LiNa' }),
    })
    const { code } = (await hook.json()) as { code: string }
    const r = await h.request('POST', WECOM, { body: { code } })
    expect(r.status).toBe(200)
    const body = StaffLoginResponse.parse(r.body)
    expect(body.staff.username).toBe('nurse.li')
    expect((await h.request('GET', '/api/v1/staff/me', { token: body.accessToken })).status).toBe(200)
    expect((await audits('staff.login')).at(-1)?.detail).toEqual({ method: 'wecom' })

    const calls = h.wecom.requests('/cgi-bin/auth/getuserinfo')
    expect(calls.at(-1)?.query.code).toBe(code)
    expect(h.wecom.requests('/cgi-bin/gettoken').at(-1)?.query).toMatchObject({
      corpid: h.config.wecom.corpId,
      corpsecret: h.config.wecom.agentSecret,
    })

    // single-use
    const again = await h.request('POST', WECOM, { body: { code } })
    expect(again.status).toBe(401)
    expect(errorOf(again.body).code).toBe('STAFF_CREDENTIALS_INVALID')
  })

  it('refuses unknown members, outsiders and expired codes', async () => {
    for (const code of [
      h.wecom.loginCode({ userid: 'NotStaff' }),
      h.wecom.loginCode({ openid: 'oOutsider123' }),
      'never-issued',
    ]) {
      const r = await h.request('POST', WECOM, { body: { code } })
      expect(r.status).toBe(401)
      expect(errorOf(r.body).code).toBe('STAFF_CREDENTIALS_INVALID')
    }
    const old = h.wecom.loginCode({ userid: 'LiNa' })
    h.wecom.clock.set({ advanceMs: 301_000 })
    try {
      expect((await h.request('POST', WECOM, { body: { code: old } })).status).toBe(401)
    } finally {
      h.wecom.clock.reset()
    }
    const all = JSON.stringify(await auditModel(h.db).find({ action: 'staff.login_failed' }).lean())
    expect(all).not.toContain('NotStaff')
    expect(all).not.toContain('oOutsider123')
  })

  it('refreshes an expired access_token once and goes on', async () => {
    const before = h.wecom.requests('/cgi-bin/gettoken').length
    await fetch(`${h.wecom.url}/_sim/wecom/tokens/expire`, { method: 'POST' })
    const r = await h.request('POST', WECOM, { body: { code: h.wecom.loginCode({ userid: 'LiNa' }) } })
    expect(r.status).toBe(200)
    expect(h.wecom.requests('/cgi-bin/gettoken').length).toBe(before + 1)
    const userinfo = h.wecom.requests('/cgi-bin/auth/getuserinfo').slice(-2)
    expect(userinfo.map((c) => c.status)).toEqual([200, 200])
  })

  it('maps WeCom busy to 503 UPSTREAM_BUSY', async () => {
    await fetch(`${h.wecom.url}/_sim/faults`, {
      method: 'POST',
      body: JSON.stringify({ route: '/cgi-bin/auth/getuserinfo', errcode: -1, times: 1 }),
    })
    const r = await h.request('POST', WECOM, { body: { code: h.wecom.loginCode({ userid: 'LiNa' }) } })
    expect(r.status).toBe(503)
    expect(errorOf(r.body).code).toBe('UPSTREAM_BUSY')
  })

  it('refuses a deactivated staff member', async () => {
    await staffModel(h.db).updateOne({ username: 'nurse.li' }, { $set: { active: false } })
    try {
      const r = await h.request('POST', WECOM, { body: { code: h.wecom.loginCode({ userid: 'LiNa' }) } })
      expect(r.status).toBe(401)
    } finally {
      await staffModel(h.db).updateOne({ username: 'nurse.li' }, { $set: { active: true } })
    }
  })
})

describe('bootstrap', () => {
  it('seeds the demo staff idempotently', async () => {
    await h.seedStaff()
    await h.seedStaff()
    const names = (await staffModel(h.db).find({}).lean()).map((s) => s.username)
    for (const u of ['admin', 'nurse.li', 'headnurse.wang', 'marketing.zhao'])
      expect(names.filter((n) => n === u)).toHaveLength(1)
  })

  it('creates the production admin once when there are no staff and a bootstrap password is set', async () => {
    await staffModel(h.db).deleteMany({})
    const password = 'bootstrap-secret-42'
    expect(
      await ensureBootstrapAdmin({
        db: h.db,
        clock: h.clock,
        config: { staff: { tokenTtlSeconds: 60, bootstrapAdminPassword: undefined } },
      }),
    ).toBe('not-configured')
    const config = { staff: { tokenTtlSeconds: 60, bootstrapAdminPassword: password } }
    const results = await Promise.all(
      [1, 2, 3].map(() => ensureBootstrapAdmin({ db: h.db, clock: h.clock, config })),
    )
    expect(results.filter((r) => r === 'created')).toHaveLength(1)
    expect(await ensureBootstrapAdmin({ db: h.db, clock: h.clock, config })).toBe('exists')
    expect(await staffModel(h.db).countDocuments()).toBe(1)
    const r = await login('admin', password)
    expect(r.status).toBe(200)
    expect(StaffLoginResponse.parse(r.body).staff.role).toBe('admin')
  })
})

import {
  apiRoutes,
  ConsentsResponse,
  ErrorBody,
  ExportResponse,
  MeResponse,
  ProfilesResponse,
  RefreshResponse,
} from '@careloop/shared'
import { useServerHarness } from '../../../../tests/src/harness/server-harness'

const h = useServerHarness()
const code = (body: unknown): string => ErrorBody.parse(body).error.code
const policy = async (): Promise<string> =>
  ((await h.request('GET', '/api/v1/privacy-policy')).body as { version: string }).version

/** A logged-in patient who accepted the current policy. */
const consenting = async (user: string) => {
  const s = await h.login(user)
  const r = await h.request('POST', '/api/v1/me/consents', {
    token: s.accessToken,
    body: { purpose: 'care', granted: true, policyVersion: await policy() },
  })
  expect(r.status).toBe(200)
  return s
}

describe('consent (F3)', () => {
  it('blocks patient-scoped calls until care consent to the current policy, and keeps every change', async () => {
    const s = await h.login('consent-1')
    expect(s.careConsent).toBe(false)
    const blocked = await h.request('POST', '/api/v1/me/phone', { token: s.accessToken, body: { code: 'x' } })
    expect(blocked.status).toBe(403)
    expect(code(blocked.body)).toBe('CONSENT_REQUIRED')

    const stale = await h.request('POST', '/api/v1/me/consents', {
      token: s.accessToken,
      body: { purpose: 'care', granted: true, policyVersion: '2020-01' },
    })
    expect(stale.status).toBe(409)
    expect(code(stale.body)).toBe('POLICY_VERSION_STALE')

    const v = await policy()
    for (const body of [
      { purpose: 'care', granted: true, policyVersion: v },
      { purpose: 'care', granted: true, policyVersion: v }, // a retry: harmless
      { purpose: 'marketing', granted: true, policyVersion: v },
      { purpose: 'marketing', granted: false, policyVersion: v },
    ])
      expect((await h.request('POST', '/api/v1/me/consents', { token: s.accessToken, body })).status).toBe(
        200,
      )
    const c = ConsentsResponse.parse(
      (await h.request('GET', '/api/v1/me/consents', { token: s.accessToken })).body,
    )
    expect(c.current.care?.granted).toBe(true)
    expect(c.current.marketing?.granted).toBe(false)
    expect(c.history.map((e) => `${e.purpose}:${e.granted}:${e.by}`)).toEqual([
      'marketing:false:self',
      'marketing:true:self',
      'care:true:self',
    ])
    const me = MeResponse.parse((await h.request('GET', '/api/v1/me', { token: s.accessToken })).body)
    expect(me.careConsent).toBe(true)
  })

  it('names the bad field', async () => {
    const s = await h.login('consent-2')
    const r = await h.request('POST', '/api/v1/me/consents', {
      token: s.accessToken,
      body: { purpose: 'ads', granted: 'yes', policyVersion: 'x' },
    })
    expect(r.status).toBe(400)
    const paths = (ErrorBody.parse(r.body).error.details as { path: string }[]).map((d) => d.path)
    expect(paths).toEqual(expect.arrayContaining(['purpose', 'granted']))
  })
})

describe('refresh tokens', () => {
  it('rotate; a reused one revokes the whole family; logout ends it', async () => {
    const s = await h.login('refresh-1')
    const r1 = await h.request('POST', '/api/v1/auth/refresh', { body: { refreshToken: s.refreshToken } })
    expect(r1.status).toBe(200)
    const next = RefreshResponse.parse(r1.body)
    expect(next.refreshToken).not.toBe(s.refreshToken)

    const reuse = await h.request('POST', '/api/v1/auth/refresh', { body: { refreshToken: s.refreshToken } })
    expect(reuse.status).toBe(401)
    expect(code(reuse.body)).toBe('AUTH_REFRESH_REUSED')
    const afterReuse = await h.request('POST', '/api/v1/auth/refresh', {
      body: { refreshToken: next.refreshToken },
    })
    expect(code(afterReuse.body)).toBe('AUTH_REFRESH_INVALID')

    const s2 = await h.login('refresh-1')
    expect(
      (await h.request('POST', '/api/v1/auth/logout', { body: { refreshToken: s2.refreshToken } })).status,
    ).toBe(204)
    expect(
      (await h.request('POST', '/api/v1/auth/logout', { body: { refreshToken: s2.refreshToken } })).status,
    ).toBe(204)
    const dead = await h.request('POST', '/api/v1/auth/refresh', { body: { refreshToken: s2.refreshToken } })
    expect(code(dead.body)).toBe('AUTH_REFRESH_INVALID')
  })

  it('expire after the configured days', async () => {
    const s = await h.login('refresh-2')
    h.clock.advance(31 * 86_400_000)
    try {
      const r = await h.request('POST', '/api/v1/auth/refresh', { body: { refreshToken: s.refreshToken } })
      expect(code(r.body)).toBe('AUTH_REFRESH_INVALID')
    } finally {
      h.clock.advance(-31 * 86_400_000)
    }
  })
})

describe('family proxy (F2)', () => {
  it('manages up to five family members, switches, and each member consents on its own', async () => {
    const s = await consenting('family-1')
    const add = (name: string) =>
      h.request('POST', '/api/v1/profiles', {
        token: s.accessToken,
        body: { name, relation: 'parent', birthYear: 1950, gender: 'female', proxyConsent: true },
      })
    const first = await add('母亲')
    expect(first.status).toBe(201)
    // a retry of the same request adds nobody
    expect(ProfilesResponse.parse((await add('母亲')).body).profiles).toHaveLength(2)
    for (const n of ['父亲', '外婆', '外公', '奶奶']) expect((await add(n)).status).toBe(201)
    const sixth = await add('爷爷')
    expect(sixth.status).toBe(409)
    expect(code(sixth.body)).toBe('FAMILY_LIMIT_REACHED')

    const list = ProfilesResponse.parse(
      (await h.request('GET', '/api/v1/profiles', { token: s.accessToken })).body,
    )
    expect(list.profiles).toHaveLength(6)
    const mother = list.profiles.find((p) => p.name === '母亲')!
    const act = await h.request('POST', `/api/v1/profiles/${mother.id}/activate`, { token: s.accessToken })
    expect(ProfilesResponse.parse(act.body).activeProfileId).toBe(mother.id)

    // the mother has not consented yet: scoped calls are blocked for her until the proxy consents
    const me = MeResponse.parse((await h.request('GET', '/api/v1/me', { token: s.accessToken })).body)
    expect(me.patient.id).toBe(mother.id)
    expect(me.careConsent).toBe(false)
    const blocked = await h.request('POST', '/api/v1/me/phone', { token: s.accessToken, body: { code: 'x' } })
    expect(code(blocked.body)).toBe('CONSENT_REQUIRED')
    const c = await h.request('POST', '/api/v1/me/consents', {
      token: s.accessToken,
      body: { purpose: 'care', granted: true, policyVersion: await policy() },
    })
    expect(ConsentsResponse.parse(c.body).history[0]!.by).toBe('proxy')

    const self = list.profiles.find((p) => p.relation === 'self')!
    const delSelf = await h.request('DELETE', `/api/v1/profiles/${self.id}`, { token: s.accessToken })
    expect(code(delSelf.body)).toBe('PROFILE_IS_SELF')
    const del = await h.request('DELETE', `/api/v1/profiles/${mother.id}`, { token: s.accessToken })
    const after = ProfilesResponse.parse(del.body)
    expect(after.profiles.map((p) => p.id)).not.toContain(mother.id)
    // the removed active profile falls back to the account's own profile
    expect(after.activeProfileId).toBe(self.id)
  })

  it('validates new members', async () => {
    const s = await consenting('family-2')
    const r = await h.request('POST', '/api/v1/profiles', {
      token: s.accessToken,
      body: { name: '', relation: 'self', birthYear: 3000 },
    })
    expect(r.status).toBe(400)
    const paths = (ErrorBody.parse(r.body).error.details as { path: string }[]).map((d) => d.path)
    expect(paths).toEqual(expect.arrayContaining(['name', 'relation', 'birthYear', 'proxyConsent']))
  })
})

describe('one patient cannot reach another', () => {
  it('every patient route refuses a missing token, and id routes answer 404 for another account’s profile', async () => {
    const a = await consenting('iso-a')
    const b = await consenting('iso-b')
    const aProfiles = ProfilesResponse.parse(
      (
        await h.request('POST', '/api/v1/profiles', {
          token: a.accessToken,
          body: { name: '张父', relation: 'parent', proxyConsent: true },
        })
      ).body,
    )
    const aParent = aProfiles.profiles.find((p) => p.relation === 'parent')!
    const patientRoutes = Object.values(apiRoutes).filter((r) => r.auth === 'patient')
    expect(patientRoutes.length).toBeGreaterThanOrEqual(10)
    for (const r of patientRoutes) {
      const path = r.path.replace(':id', aParent.id)
      const anon = await h.request(r.method.toUpperCase(), path, { body: r.body ? {} : undefined })
      expect([r.id, anon.status]).toEqual([r.id, 401])
      if (r.path.includes(':id')) {
        // `:id` is a profile id on profile routes; elsewhere (an inbox message, a follow-up step, a
        // questionnaire) A's profile id names nothing of B's either: 404, never another's data.
        // Routes with a body validate it first (no body → 400); their cross-account cases with a valid
        // body are in their own modules' tests (questionnaire answers, readings).
        const cross = await h.request(r.method.toUpperCase(), path, { token: b.accessToken })
        if (r.body && cross.status === 400) continue
        expect([r.id, cross.status]).toEqual([r.id, 404])
        expect([r.id, code(cross.body)]).toEqual([r.id, expect.stringMatching(/_NOT_FOUND$/)])
      }
    }
    // A's family member is untouched and B never became able to act for it
    const aList = ProfilesResponse.parse(
      (await h.request('GET', '/api/v1/profiles', { token: a.accessToken })).body,
    )
    expect(aList.profiles.map((p) => p.id)).toContain(aParent.id)
    const bMe = MeResponse.parse((await h.request('GET', '/api/v1/me', { token: b.accessToken })).body)
    expect(bMe.profiles.map((p) => p.id)).not.toContain(aParent.id)
    const bExport = ExportResponse.parse(
      (await h.request('GET', '/api/v1/me/export', { token: b.accessToken })).body,
    )
    expect(bExport.profile.id).toBe(bMe.patient.id)
  })
})

describe('phone, export and erasure (F1, F5)', () => {
  it('binds the phone encrypted at rest, exports everything, then erases every trace of PII', async () => {
    const user = 'erase-1'
    const s = await consenting(user)
    const phone = '13912345678'
    expect(
      (
        await h.request('PUT', '/api/v1/me', {
          token: s.accessToken,
          body: {
            name: '赵丽华',
            gender: 'female',
            birthYear: 1961,
            hospitalPatientId: 'ZY20261123',
            idNumber: '11010519491231002x',
          },
        })
      ).status,
    ).toBe(200)
    // shown masked; a later PUT that omits it leaves it alone; a wrong checksum is refused by name
    const renamed = await h.request('PUT', '/api/v1/me', {
      token: s.accessToken,
      body: { name: '赵丽华', gender: 'female', birthYear: 1961, hospitalPatientId: 'ZY20261123' },
    })
    expect(MeResponse.parse(renamed.body).patient.idNumber).toBe('1101**********002X')
    const badId = await h.request('PUT', '/api/v1/me', {
      token: s.accessToken,
      body: { name: '赵丽华', idNumber: '110105194912310021' },
    })
    expect((ErrorBody.parse(badId.body).error.details as { path: string }[])[0]!.path).toBe('idNumber')
    const bound = await h.request('POST', '/api/v1/me/phone', {
      token: s.accessToken,
      body: { code: h.sim.phoneCode(phone) },
    })
    expect(bound.status).toBe(200)
    expect(MeResponse.parse(bound.body).account.phone).toBe('139****5678')

    const used = await h.request('POST', '/api/v1/me/phone', {
      token: s.accessToken,
      body: { code: h.sim.phoneCode('13800000000') },
    })
    expect(used.status).toBe(200)
    const again = await h.request('POST', '/api/v1/me/phone', {
      token: s.accessToken,
      body: { code: 'not-a-code' },
    })
    expect(code(again.body)).toBe('PHONE_CODE_INVALID')
    await h.request('POST', '/api/v1/me/phone', {
      token: s.accessToken,
      body: { code: h.sim.phoneCode(phone) },
    })

    // the raw database never holds the plaintext phone
    const raw = async (needle: string): Promise<string[]> => {
      const hits: string[] = []
      for (const c of await h.db.db!.listCollections().toArray()) {
        const docs = await h.db.db!.collection(c.name).find({}).toArray()
        if (JSON.stringify(docs).includes(needle)) hits.push(c.name)
      }
      return hits
    }
    expect(await raw(phone)).toEqual([])
    expect(await raw('11010519491231002X')).toEqual([])

    const ex = ExportResponse.parse(
      (await h.request('GET', '/api/v1/me/export', { token: s.accessToken })).body,
    )
    expect(ex.account.phone).toBe(phone)
    expect(ex.profile).toMatchObject({
      name: '赵丽华',
      gender: 'female',
      birthYear: 1961,
      hospitalPatientId: 'ZY20261123',
      idNumber: '11010519491231002X',
    })
    expect(ex.consents.map((c) => c.purpose)).toContain('care')
    expect(ex.sessions.length).toBeGreaterThanOrEqual(1)
    expect(ex.account.unionid).toBe(h.sim.identity(user).unionid)

    const erase = await h.request('DELETE', '/api/v1/me/account', { token: s.accessToken })
    expect(erase.status).toBe(204)
    const { openid, unionid } = h.sim.identity(user)
    for (const needle of ['赵丽华', 'ZY20261123', '1101**********002X', openid, unionid, phone])
      expect([needle, await raw(needle)]).toEqual([needle, []])

    const afterAccess = await h.request('GET', '/api/v1/me', { token: s.accessToken })
    expect(afterAccess.status).toBe(401)
    const afterRefresh = await h.request('POST', '/api/v1/auth/refresh', {
      body: { refreshToken: s.refreshToken },
    })
    expect(code(afterRefresh.body)).toBe('AUTH_REFRESH_INVALID')
    // the same WeChat user can start over with a new, empty account
    const fresh = await h.login(user)
    expect(fresh.patient.name).toBeNull()
    expect(fresh.account.id).not.toBe(s.account.id)
  })
})

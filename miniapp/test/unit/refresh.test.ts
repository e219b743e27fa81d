import { httpRequest, refreshSession } from '../../src/api/http'
import { getAccessToken, getRefreshToken, saveSession } from '../../src/api/session'
import { fail, fakeApi, ok, type SentRequest } from '../fake-api'
import { taro } from '../taro-mock'

const REFRESH = 'POST /api/v1/auth/refresh'
const pair = (n: number) => ({ accessToken: `access-${n}`, refreshToken: `refresh-${n}`, expiresIn: 7200 })
const bearer = (r: SentRequest) => r.header.Authorization

/** GET /x answers 401 AUTH_TOKEN_EXPIRED for the old token and ok for the new one. */
const expiringX = (req: SentRequest) =>
  bearer(req) === 'Bearer access-1'
    ? fail(401, 'AUTH_TOKEN_EXPIRED', 'token expired')
    : ok({ token: bearer(req) })

describe('token refresh', () => {
  beforeEach(() => saveSession(pair(1)))

  it('refreshes once on AUTH_TOKEN_EXPIRED, stores the rotated pair and retries', async () => {
    const sent = fakeApi({ 'GET /x': expiringX, [REFRESH]: ok(pair(2)) })
    await expect(httpRequest({ method: 'GET', url: '/x', auth: true })).resolves.toEqual({
      token: 'Bearer access-2',
    })
    expect(sent.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /x', REFRESH, 'GET /x'])
    expect(sent[1]!.data).toEqual({ refreshToken: 'refresh-1' })
    expect(sent[1]!.header.Authorization).toBeUndefined()
    expect(getAccessToken()).toBe('access-2')
    expect(getRefreshToken()).toBe('refresh-2')
  })

  it('is single-flight: concurrent expired calls share one refresh (a second would count as reuse)', async () => {
    let refreshes = 0
    let release: () => void = () => undefined
    const gate = new Promise<void>((r) => (release = r))
    const sent = fakeApi({
      'GET /x': expiringX,
      'GET /y': expiringX,
      'GET /z': expiringX,
      [REFRESH]: () => {
        refreshes++
        return ok(pair(2))
      },
    })
    // hold the first refresh until all three calls have seen 401
    const inner = taro.request.getMockImplementation() as (o: { url: string }) => Promise<unknown>
    taro.request.mockImplementation(async (o: { url: string }) => {
      if (o.url === '/api/v1/auth/refresh') await gate
      return inner(o)
    })

    const calls = ['/x', '/y', '/z'].map((url) => httpRequest({ method: 'GET', url, auth: true }))
    await new Promise((r) => setTimeout(r, 10))
    release()
    await expect(Promise.all(calls)).resolves.toEqual([
      { token: 'Bearer access-2' },
      { token: 'Bearer access-2' },
      { token: 'Bearer access-2' },
    ])
    expect(refreshes).toBe(1)
    expect(sent.filter((r) => r.url === '/api/v1/auth/refresh')).toHaveLength(1)
  })

  it('uses a token refreshed meanwhile instead of refreshing again', async () => {
    let first = true
    const sent = fakeApi({
      'GET /x': (req) => {
        if (first) {
          first = false
          // another call rotated the pair while this one was in flight
          saveSession(pair(2))
          return fail(401, 'AUTH_TOKEN_EXPIRED', 'token expired')
        }
        return ok({ token: bearer(req) })
      },
    })
    await expect(httpRequest({ method: 'GET', url: '/x', auth: true })).resolves.toEqual({
      token: 'Bearer access-2',
    })
    expect(sent.filter((r) => r.url === '/api/v1/auth/refresh')).toHaveLength(0)
  })

  it('refreshes before the call when the access token has expired locally', async () => {
    saveSession(pair(1), Date.now() - 8_000_000)
    const sent = fakeApi({ 'GET /x': expiringX, [REFRESH]: ok(pair(2)) })
    await expect(httpRequest({ method: 'GET', url: '/x', auth: true })).resolves.toEqual({
      token: 'Bearer access-2',
    })
    expect(sent.map((r) => r.url)).toEqual(['/api/v1/auth/refresh', '/x'])
  })

  it.each(['AUTH_REFRESH_INVALID', 'AUTH_REFRESH_REUSED'])(
    'clears the session when the refresh is refused with %s',
    async (code) => {
      fakeApi({ 'GET /x': expiringX, [REFRESH]: fail(401, code, 'refused') })
      await expect(httpRequest({ method: 'GET', url: '/x', auth: true })).rejects.toMatchObject({ code })
      expect(getAccessToken()).toBeNull()
      expect(getRefreshToken()).toBeNull()
    },
  )

  it('keeps the session when the refresh fails on the network', async () => {
    fakeApi({ 'GET /x': expiringX, [REFRESH]: { networkError: 'request:fail' } })
    await expect(httpRequest({ method: 'GET', url: '/x', auth: true })).rejects.toMatchObject({
      code: 'NETWORK_ERROR',
    })
    expect(getRefreshToken()).toBe('refresh-1')
  })

  it('retries only once: a second expiry is reported, not looped on', async () => {
    const sent = fakeApi({
      'GET /x': fail(401, 'AUTH_TOKEN_EXPIRED', 'token expired'),
      [REFRESH]: ok(pair(2)),
    })
    await expect(httpRequest({ method: 'GET', url: '/x', auth: true })).rejects.toMatchObject({
      code: 'AUTH_TOKEN_EXPIRED',
    })
    expect(sent.map((r) => r.url)).toEqual(['/x', '/api/v1/auth/refresh', '/x'])
  })

  it('does not refresh on other auth errors', async () => {
    const sent = fakeApi({ 'GET /x': fail(401, 'AUTH_TOKEN_INVALID', 'bad') })
    await expect(httpRequest({ method: 'GET', url: '/x', auth: true })).rejects.toMatchObject({
      code: 'AUTH_TOKEN_INVALID',
    })
    expect(sent).toHaveLength(1)
  })

  it('exposes refreshSession for callers that need a fresh token', async () => {
    fakeApi({ [REFRESH]: ok(pair(3)) })
    await expect(refreshSession()).resolves.toBe('access-3')
  })
})

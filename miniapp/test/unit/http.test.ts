import { ApiError, httpRequest, isAuthError } from '../../src/api/http'
import { getAccessToken, saveSession } from '../../src/api/session'
import { fail, fakeApi, ok } from '../fake-api'

describe('httpRequest', () => {
  it('returns the JSON body of a 2xx answer', async () => {
    fakeApi({ 'GET /x': ok({ a: 1 }) })
    await expect(httpRequest({ method: 'GET', url: '/x' })).resolves.toEqual({ a: 1 })
  })

  it('keeps the server code, request id and message, and shows Chinese', async () => {
    fakeApi({ 'POST /x': fail(429, 'AUTH_RATE_LIMITED', 'Too many logins') })
    const err = (await httpRequest({ method: 'POST', url: '/x', data: {} }).catch(
      (e: unknown) => e,
    )) as ApiError
    expect(err).toBeInstanceOf(ApiError)
    expect(err).toMatchObject({
      code: 'AUTH_RATE_LIMITED',
      status: 429,
      requestId: 'req-test-1',
      serverMessage: 'Too many logins',
      message: '登录尝试过于频繁，请稍后再试',
    })
  })

  it('prefers a Chinese message from the server', async () => {
    fakeApi({ 'PUT /x': fail(400, 'VALIDATION_FAILED', '姓名最多 20 个字') })
    await expect(httpRequest({ method: 'PUT', url: '/x', data: {} })).rejects.toThrow('姓名最多 20 个字')
  })

  it('names unknown failures by status', async () => {
    fakeApi({ 'GET /x': { status: 502, data: '<html>Bad Gateway</html>' } })
    await expect(httpRequest({ method: 'GET', url: '/x' })).rejects.toMatchObject({
      code: 'HTTP_502',
      message: '服务暂时不可用，请稍后重试（HTTP_502）',
    })
  })

  it('refuses an authenticated call without a session, before sending anything', async () => {
    const sent = fakeApi({})
    const err = await httpRequest({ method: 'GET', url: '/api/v1/me', auth: true }).catch((e: unknown) => e)
    expect(isAuthError(err)).toBe(true)
    expect(sent).toHaveLength(0)
  })
})

describe('session', () => {
  it('treats an expired access token as no session', () => {
    saveSession({ accessToken: 'a', refreshToken: 'r', expiresIn: 60 }, 1_000_000)
    expect(getAccessToken(1_000_000 + 59_000)).toBe('a')
    expect(getAccessToken(1_000_000 + 60_000)).toBeNull()
  })
})

import Taro from '@tarojs/taro'
import type { ErrorBody, RefreshRequest, RefreshResponse } from '@careloop/shared'

import { apiBase } from '../env'
import { clearSession, getAccessToken, getRefreshToken, saveSession } from './session'
import { userMessageFor } from './messages'

/**
 * An HTTP call that did not succeed. `message` is Chinese and meant for the patient; `code` is the
 * server's stable code (or NETWORK_ERROR / BAD_RESPONSE / HTTP_<status>) for the program to branch on.
 */
export class ApiError extends Error {
  override readonly name = 'ApiError'
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly serverMessage?: string,
    readonly requestId?: string,
    readonly details?: unknown,
  ) {
    super(message)
  }
}

const AUTH_CODES = new Set([
  'AUTH_REQUIRED',
  'AUTH_TOKEN_INVALID',
  'AUTH_TOKEN_EXPIRED',
  'AUTH_REFRESH_INVALID',
  'AUTH_REFRESH_REUSED',
])

/** True when the session is missing or no longer accepted: the patient has to log in again. */
export const isAuthError = (e: unknown): e is ApiError => e instanceof ApiError && AUTH_CODES.has(e.code)

/** True when the active profile has not (or no longer) given care consent (403 CONSENT_REQUIRED). */
export const isConsentError = (e: unknown): e is ApiError =>
  e instanceof ApiError && e.code === 'CONSENT_REQUIRED'

// wx.request documents no PATCH (OPTIONS GET HEAD POST PUT DELETE TRACE CONNECT), so the API uses PUT.
type Method = 'GET' | 'POST' | 'PUT' | 'DELETE'

export interface HttpRequest {
  method: Method
  /** Absolute URL, or a path on the API origin's base already applied by the caller. */
  url: string
  data?: unknown
  /**
   * Send the stored access token. When it has expired (locally, or the server says
   * AUTH_TOKEN_EXPIRED) the session is refreshed once and the call retried; without any session the
   * call fails with AUTH_REQUIRED before sending anything.
   */
  auth?: boolean
  timeoutMs?: number
}

function isErrorBody(body: unknown): body is ErrorBody {
  if (typeof body !== 'object' || body === null || !('error' in body)) return false
  const err = (body as { error: unknown }).error
  return (
    typeof err === 'object' &&
    err !== null &&
    typeof (err as { code?: unknown }).code === 'string' &&
    typeof (err as { message?: unknown }).message === 'string'
  )
}

export function toApiError(status: number, body: unknown): ApiError {
  if (isErrorBody(body)) {
    const { code, message, requestId, details } = body.error
    return new ApiError(code, userMessageFor(code, message), status, message, requestId, details)
  }
  const code = `HTTP_${status}`
  // The local simulators' hooks answer `{ error: '…' }`: keep their words for the log and the demo.
  const hookError =
    typeof body === 'object' && body !== null && typeof (body as { error?: unknown }).error === 'string'
      ? (body as { error: string }).error
      : undefined
  return new ApiError(code, userMessageFor(code), status, hookError)
}

function errMsgOf(e: unknown): string {
  if (e instanceof Error) return e.message
  if (typeof e === 'object' && e !== null && typeof (e as { errMsg?: unknown }).errMsg === 'string') {
    return (e as { errMsg: string }).errMsg
  }
  return String(e)
}

const authRequired = () => new ApiError('AUTH_REQUIRED', userMessageFor('AUTH_REQUIRED'), 401)

/** One JSON request through Taro.request (wx.request on weapp, fetch on h5). 204 answers null. */
async function send<T>(req: HttpRequest, token: string | null): Promise<T> {
  const header: Record<string, string> = { Accept: 'application/json' }
  if (req.data !== undefined) header['Content-Type'] = 'application/json'
  if (token) header.Authorization = `Bearer ${token}`

  let res: Taro.request.SuccessCallbackResult<TaroGeneral.IAnyObject | string | ArrayBuffer>
  try {
    res = await Taro.request({
      url: req.url,
      method: req.method as 'GET',
      data: req.data as Record<string, unknown> | undefined,
      header,
      dataType: 'json',
      timeout: req.timeoutMs ?? 15_000,
    })
  } catch (e) {
    throw new ApiError('NETWORK_ERROR', userMessageFor('NETWORK_ERROR'), 0, errMsgOf(e))
  }

  if (res.statusCode === 204) return null as T
  if (res.statusCode >= 200 && res.statusCode < 300) {
    if (res.data === null || res.data === undefined || typeof res.data !== 'object') {
      throw new ApiError('BAD_RESPONSE', userMessageFor('BAD_RESPONSE'), res.statusCode)
    }
    return res.data as T
  }
  throw toApiError(res.statusCode, res.data)
}

let refreshing: Promise<string> | null = null

async function rotateTokens(): Promise<string> {
  const refreshToken = getRefreshToken()
  if (!refreshToken) throw authRequired()
  const body: RefreshRequest = { refreshToken }
  let pair: RefreshResponse
  try {
    pair = await send<RefreshResponse>(
      { method: 'POST', url: `${apiBase()}/api/v1/auth/refresh`, data: body },
      null,
    )
  } catch (e) {
    // The server refused the refresh token (invalid, expired, reused, malformed): the session is
    // over. A network failure keeps it, so the patient can retry once the network is back.
    if (e instanceof ApiError && e.status >= 400 && e.status < 500) clearSession()
    throw e
  }
  saveSession(pair)
  return pair.accessToken
}

/**
 * Rotates the token pair with `POST /api/v1/auth/refresh` and answers the new access token.
 * Single-flight: concurrent callers share one refresh, because presenting the same refresh token
 * twice counts as reuse and revokes the whole session.
 */
export function refreshSession(): Promise<string> {
  if (!refreshing) {
    refreshing = rotateTokens().finally(() => {
      refreshing = null
    })
  }
  return refreshing
}

/** One JSON request; with `auth`, refreshes an expired session once and retries (see HttpRequest). */
export async function httpRequest<T>(req: HttpRequest): Promise<T> {
  if (!req.auth) return send<T>(req, null)

  let token = getAccessToken()
  if (!token) {
    if (!getRefreshToken()) throw authRequired()
    token = await refreshSession()
  }
  try {
    return await send<T>(req, token)
  } catch (e) {
    if (!(e instanceof ApiError && e.code === 'AUTH_TOKEN_EXPIRED') || !getRefreshToken()) throw e
    // Another call may have refreshed while this one was in flight: use its token, not a second refresh.
    const current = getAccessToken()
    const fresh = current !== null && current !== token ? current : await refreshSession()
    return send<T>(req, fresh)
  }
}

import Taro from '@tarojs/taro'
import type { ErrorBody } from '@careloop/shared'

import { getAccessToken } from './session'
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

const AUTH_CODES = new Set(['AUTH_REQUIRED', 'AUTH_TOKEN_INVALID', 'AUTH_TOKEN_EXPIRED'])

/** True when the session is missing or no longer accepted: the patient has to log in again. */
export const isAuthError = (e: unknown): e is ApiError => e instanceof ApiError && AUTH_CODES.has(e.code)

// wx.request documents no PATCH (OPTIONS GET HEAD POST PUT DELETE TRACE CONNECT), so the API uses PUT.
type Method = 'GET' | 'POST' | 'PUT' | 'DELETE'

export interface HttpRequest {
  method: Method
  /** Absolute URL, or a path on the API origin's base already applied by the caller. */
  url: string
  data?: unknown
  /** Send the stored access token; fails with AUTH_REQUIRED without a request when there is none. */
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
  return new ApiError(code, userMessageFor(code), status)
}

function errMsgOf(e: unknown): string {
  if (e instanceof Error) return e.message
  if (typeof e === 'object' && e !== null && typeof (e as { errMsg?: unknown }).errMsg === 'string') {
    return (e as { errMsg: string }).errMsg
  }
  return String(e)
}

/** One JSON request through Taro.request (wx.request on weapp, fetch on h5). */
export async function httpRequest<T>(req: HttpRequest): Promise<T> {
  const header: Record<string, string> = { Accept: 'application/json' }
  if (req.data !== undefined) header['Content-Type'] = 'application/json'
  if (req.auth) {
    const token = getAccessToken()
    if (!token) throw new ApiError('AUTH_REQUIRED', userMessageFor('AUTH_REQUIRED'), 401)
    header.Authorization = `Bearer ${token}`
  }

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

  if (res.statusCode >= 200 && res.statusCode < 300) {
    if (res.data === null || res.data === undefined || typeof res.data !== 'object') {
      throw new ApiError('BAD_RESPONSE', userMessageFor('BAD_RESPONSE'), res.statusCode)
    }
    return res.data as T
  }
  throw toApiError(res.statusCode, res.data)
}

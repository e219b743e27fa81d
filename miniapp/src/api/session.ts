import Taro from '@tarojs/taro'
import type { RefreshResponse } from '@careloop/shared'

/** Storage keys of the patient's session (wx storage on weapp, localStorage on h5). */
export const SESSION_KEYS = {
  accessToken: 'careloop.accessToken',
  refreshToken: 'careloop.refreshToken',
  expiresAt: 'careloop.accessTokenExpiresAt',
} as const

/** Stores a token pair, from login or from a refresh (which rotates both tokens). */
export function saveSession(
  pair: Pick<RefreshResponse, 'accessToken' | 'refreshToken' | 'expiresIn'>,
  now = Date.now(),
) {
  Taro.setStorageSync(SESSION_KEYS.accessToken, pair.accessToken)
  Taro.setStorageSync(SESSION_KEYS.refreshToken, pair.refreshToken)
  Taro.setStorageSync(SESSION_KEYS.expiresAt, now + pair.expiresIn * 1000)
}

/** The stored access token, or null when there is none or it has expired. */
export function getAccessToken(now = Date.now()): string | null {
  const token: unknown = Taro.getStorageSync(SESSION_KEYS.accessToken)
  if (typeof token !== 'string' || token === '') return null
  const expiresAt: unknown = Taro.getStorageSync(SESSION_KEYS.expiresAt)
  if (typeof expiresAt === 'number' && expiresAt <= now) return null
  return token
}

export function getRefreshToken(): string | null {
  const token: unknown = Taro.getStorageSync(SESSION_KEYS.refreshToken)
  return typeof token === 'string' && token !== '' ? token : null
}

/**
 * True when the app can make authenticated calls: a live access token, or a refresh token to get a
 * new one with (the server decides whether it is still good).
 */
export const hasSession = (now = Date.now()) => getAccessToken(now) !== null || getRefreshToken() !== null

export function clearSession() {
  for (const key of Object.values(SESSION_KEYS)) Taro.removeStorageSync(key)
}

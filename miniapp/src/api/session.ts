import Taro from '@tarojs/taro'
import type { LoginResponse } from '@careloop/shared'

/** Storage keys of the patient's session (wx storage on weapp, localStorage on h5). */
export const SESSION_KEYS = {
  accessToken: 'careloop.accessToken',
  refreshToken: 'careloop.refreshToken',
  expiresAt: 'careloop.accessTokenExpiresAt',
} as const

export function saveSession(
  login: Pick<LoginResponse, 'accessToken' | 'refreshToken' | 'expiresIn'>,
  now = Date.now(),
) {
  Taro.setStorageSync(SESSION_KEYS.accessToken, login.accessToken)
  Taro.setStorageSync(SESSION_KEYS.refreshToken, login.refreshToken)
  Taro.setStorageSync(SESSION_KEYS.expiresAt, now + login.expiresIn * 1000)
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

export const hasSession = (now = Date.now()) => getAccessToken(now) !== null

export function clearSession() {
  for (const key of Object.values(SESSION_KEYS)) Taro.removeStorageSync(key)
}

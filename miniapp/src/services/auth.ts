import type { LoginResponse, MeResponse } from '@careloop/shared'

import { api } from '../api/endpoints'
import { ApiError, isAuthError } from '../api/http'
import { clearSession, getRefreshToken, hasSession, saveSession } from '../api/session'
import { platform, PlatformError } from '../platform'
import { PAGES, type PagePath } from '../routes'

/** WeChat login: a platform login code, exchanged by the server for a session. */
export async function loginWithWechat(): Promise<LoginResponse> {
  const { code } = await platform.login()
  const res = await api.wechatLogin({ code })
  saveSession(res)
  return res
}

/**
 * Where a patient goes once the session and the active profile are known: the privacy policy until
 * the active profile has given care consent (F3), then the name form until the profile has a name.
 */
export function pageFor(state: Pick<LoginResponse, 'careConsent' | 'patient'>): PagePath {
  if (!state.careConsent) return PAGES.consent
  if (!state.patient.name) return PAGES.profileSetup
  return PAGES.home
}

export type MeResult = { kind: 'ok'; me: MeResponse } | { kind: 'logged-out' }

/** The account, its active profile and all its profiles, or `logged-out` (and then cleared). */
export async function loadMe(): Promise<MeResult> {
  if (!hasSession()) return { kind: 'logged-out' }
  try {
    return { kind: 'ok', me: await api.getMe() }
  } catch (e) {
    if (isAuthError(e)) {
      clearSession()
      return { kind: 'logged-out' }
    }
    throw e
  }
}

/** Ends the session on the server (revoking the refresh token's family) and on the device. */
export async function logout(): Promise<void> {
  const refreshToken = getRefreshToken()
  clearSession()
  if (!refreshToken) return
  try {
    await api.logout({ refreshToken })
  } catch {
    // Best effort: the device no longer holds the tokens, and they expire on their own.
  }
}

/** The Chinese message to show for any error a page catches. */
export function messageOf(e: unknown, fallback = '操作失败，请稍后重试'): string {
  if (e instanceof ApiError || e instanceof PlatformError) return e.message
  return fallback
}

import Taro from '@tarojs/taro'
import type { MeResponse } from '@careloop/shared'

import { isAuthError, isConsentError } from '../api/http'
import { clearSession } from '../api/session'
import { PAGES } from '../routes'
import { logout, type MeResult } from './auth'
import { setNotice } from './notice'

/**
 * The errors every page handles the same way: a session that is gone (expired and not refreshable,
 * revoked, reused) → login; a profile without care consent → the consent page. Answers true when it
 * navigated away, so the page stops handling the error.
 */
export async function leaveOnSessionError(e: unknown): Promise<boolean> {
  if (isAuthError(e)) {
    clearSession()
    if (e.code !== 'AUTH_REQUIRED') setNotice(e.message)
    await Taro.reLaunch({ url: PAGES.login })
    return true
  }
  if (isConsentError(e)) {
    await Taro.reLaunch({ url: PAGES.consent })
    return true
  }
  return false
}

/** The /me of a signed-in user; null after sending a logged-out one to 登录. */
export async function meOrLogin(res: MeResult): Promise<MeResponse | null> {
  if (res.kind === 'ok') return res.me
  await Taro.reLaunch({ url: PAGES.login })
  return null
}

/** 退出登录: ends the session, then 登录. */
export async function logoutToLogin(): Promise<void> {
  await logout()
  await Taro.reLaunch({ url: PAGES.login })
}

import type { Patient } from '@careloop/shared'

import { api } from '../api/endpoints'
import { ApiError, isAuthError } from '../api/http'
import { clearSession, hasSession, saveSession } from '../api/session'
import { platform, PlatformError } from '../platform'
import { PAGES, type PagePath } from '../routes'

/** WeChat login: a platform login code, exchanged by the server for a session. */
export async function loginWithWechat(): Promise<Patient> {
  const { code } = await platform.login()
  const res = await api.wechatLogin({ code })
  saveSession(res)
  return res.patient
}

/** Where a freshly logged-in patient goes: the profile form until they have a name. */
export const pageAfterLogin = (patient: Patient): PagePath => (patient.name ? PAGES.home : PAGES.profileSetup)

export type MeResult = { kind: 'ok'; patient: Patient } | { kind: 'logged-out' }

/** The logged-in patient, or `logged-out` (session missing or rejected, and then cleared). */
export async function loadMe(): Promise<MeResult> {
  if (!hasSession()) return { kind: 'logged-out' }
  try {
    const { patient } = await api.getMe()
    return { kind: 'ok', patient }
  } catch (e) {
    if (isAuthError(e)) {
      clearSession()
      return { kind: 'logged-out' }
    }
    throw e
  }
}

/** A patient name as the server accepts it (1..20 characters, no control characters), or the reason not. */
export function checkName(raw: string): { ok: true; name: string } | { ok: false; message: string } {
  const name = raw.trim()
  if (name === '') return { ok: false, message: '请输入您的姓名' }
  if (name.length > 20) return { ok: false, message: '姓名最多 20 个字' }
  if (/\p{Cc}/u.test(name)) return { ok: false, message: '姓名不能包含特殊字符' }
  return { ok: true, name }
}

export async function saveName(name: string): Promise<Patient> {
  const { patient } = await api.updateMe({ name })
  return patient
}

export function logout() {
  clearSession()
}

/** The Chinese message to show for any error a page catches. */
export function messageOf(e: unknown, fallback = '操作失败，请稍后重试'): string {
  if (e instanceof ApiError || e instanceof PlatformError) return e.message
  return fallback
}

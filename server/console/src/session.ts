import { Staff } from '@careloop/shared'
import { createContext, useContext } from 'react'

const KEY = 'careloop.console.session'

/** What survives a reload of the tab: the staff access token and who it belongs to. */
export interface Session {
  token: string
  /** Epoch milliseconds when the access token stops working. */
  expiresAt: number
  staff: Staff
}

export const loadSession = (): Session | null => {
  try {
    const raw = sessionStorage.getItem(KEY)
    if (!raw) return null
    const v = JSON.parse(raw) as { token?: unknown; expiresAt?: unknown; staff?: unknown }
    const staff = Staff.safeParse(v.staff)
    if (typeof v.token !== 'string' || typeof v.expiresAt !== 'number' || !staff.success) return null
    if (v.expiresAt <= Date.now()) return null
    return { token: v.token, expiresAt: v.expiresAt, staff: staff.data }
  } catch {
    return null
  }
}

export const saveSession = (s: Session): void => sessionStorage.setItem(KEY, JSON.stringify(s))

export const clearSession = (): void => sessionStorage.removeItem(KEY)

/** The token the API client sends, read fresh on every call. */
export const currentToken = (): string | null => loadSession()?.token ?? null

export interface SessionApi {
  session: Session
  logout: () => void
}

export const SessionContext = createContext<SessionApi | null>(null)

/** The logged-in staff member; only used below the authenticated layout. */
export const useSession = (): SessionApi => {
  const s = useContext(SessionContext)
  if (!s) throw new Error('useSession outside the authenticated layout')
  return s
}

import type { StaffRole } from '@careloop/shared'
import type { ParameterizedContext } from 'koa'
import type { Logger } from '../logger'

/** A logged-in WeChat account acting for one of its profiles (the active one). */
export interface PatientPrincipal {
  kind: 'patient'
  accountId: string
  /** The profile every patient-scoped call acts on; always one the account manages. */
  profileId: string
}

/** A logged-in staff member. */
export interface StaffPrincipal {
  kind: 'staff'
  staffId: string
  role: StaffRole
}

/** One of our own processes (the WeCom bot), authenticated with SERVICE_TOKEN. */
export interface ServicePrincipal {
  kind: 'service'
}

export type Principal = PatientPrincipal | StaffPrincipal | ServicePrincipal

/** What the middleware chain keeps on `ctx.state`. */
export interface AppState {
  requestId: string
  log: Logger
  principal?: Principal
  /** Input parsed by `validate`. */
  body?: unknown
  query?: unknown
  params?: unknown
}

export type AppContext = ParameterizedContext<AppState>

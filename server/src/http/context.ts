import type { ParameterizedContext } from 'koa'
import type { Logger } from '../logger'

/** A logged-in patient, as established by the auth middleware. */
export interface PatientPrincipal {
  kind: 'patient'
  patientId: string
}

export type Principal = PatientPrincipal

/** What the middleware chain keeps on `ctx.state`. */
export interface AppState {
  requestId: string
  log: Logger
  principal?: Principal
  /** Input parsed by `validate`. */
  body?: unknown
  query?: unknown
}

export type AppContext = ParameterizedContext<AppState>

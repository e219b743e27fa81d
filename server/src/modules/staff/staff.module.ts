import type Router from '@koa/router'
import type { Clock } from '../../clock'
import type { Config } from '../../config'
import type { Connection } from '../../db/connection'
import type { AccessGuard } from '../../http/auth'
import type { AppState, StaffPrincipal } from '../../http/context'
import { WecomClient } from '../../platform/wecom/wecom-client'
import type { PiiCrypto } from '../../privacy/pii-crypto'
import { createAuditLog, type AuditLog } from '../audit/audit.repo'
import { createTokenService } from '../auth/token.service'
import { createPatientStaffRepo } from '../patients/patient-staff.repo'
import { phoneAad } from '../patients/profile.service'
import { createLoginRateLimiter } from './login-rate-limit.service'
import { createStaffAuditService } from './staff-audit.service'
import { createStaffAuthService, type WecomLogin } from './staff-auth.service'
import { createPasswordHasher } from './staff-password.service'
import { createStaffPatientsService } from './staff-patients.service'
import { mountStaffRoutes } from './staff.routes'
import { createStaffRepo } from './staff.repo'
import { createStaffService } from './staff.service'

export interface StaffModule {
  /** The AccessGuard's `staff` part (re-reads the staff member on every request). */
  resolveStaff(p: StaffPrincipal): Promise<StaffPrincipal>
  /** Mounts every route of `staffRoutes` (shared/src/api/staff.ts). */
  mount(router: Router<AppState>, guard: AccessGuard): void
}

/**
 * Wires the staff side: repos, password hashing, login limits, WeCom web login (built from
 * `config.wecom` when it has a corp id and agent secret), staff tokens (`config.staff.tokenTtlSeconds`),
 * patients for staff and the audit viewer.
 */
export const createStaffModule = (deps: {
  config: Config
  clock: Clock
  db: Connection
  pii: PiiCrypto
  /** The app's audit log (one is created on `db` when omitted). */
  audit?: AuditLog
  /** Replaces the WeCom client built from config (tests). */
  wecom?: WecomLogin
}): StaffModule => {
  const { config, clock, db } = deps
  const audit = deps.audit ?? createAuditLog(db, clock)
  const staff = createStaffRepo(db)
  const passwords = createPasswordHasher()
  const { corpId, agentSecret, apiBase } = config.wecom
  const wecom =
    deps.wecom ??
    (corpId && agentSecret ? new WecomClient({ corpId, agentSecret, apiBase, clock }) : undefined)
  const tokens = createTokenService({
    secret: config.auth.tokenSecret,
    accessTtlSeconds: config.auth.accessTokenTtlSeconds,
    staffTtlSeconds: config.staff.tokenTtlSeconds,
    clock,
  })
  const auth = createStaffAuthService({
    staff,
    passwords,
    tokens,
    audit,
    clock,
    limiter: createLoginRateLimiter({ clock }),
    wecom,
  })
  const services = {
    auth,
    staff: createStaffService({ staff, passwords, audit, clock }),
    patients: createStaffPatientsService({
      patients: createPatientStaffRepo(db),
      staff,
      audit,
      pii: deps.pii,
      phoneAad,
      timezone: deps.config.timezone,
    }),
    audit: createStaffAuditService({ audit, staff }),
  }
  return {
    resolveStaff: (p) => auth.resolvePrincipal(p),
    mount: (router, guard) => mountStaffRoutes(router, guard, services),
  }
}

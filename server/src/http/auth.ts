import { AppError, type ApiRoute } from '@careloop/shared'
import type { Middleware } from 'koa'
import type { AppState, PatientPrincipal, StaffPrincipal } from './context'

/** What an access token proves: a patient account, or a staff member with a role. */
export type TokenClaims = { kind: 'patient'; accountId: string } | StaffPrincipal

/** Turns a bearer token into a principal, or throws AppError (AUTH_TOKEN_INVALID/EXPIRED). */
export interface AccessGuard {
  verify(token: string): TokenClaims
  /**
   * Resolves the profile a patient token acts for right now (the account's active profile, which
   * the account may switch) and checks care consent. Throws PROFILE/CONSENT errors.
   */
  patient(p: { accountId: string }, needsConsent: boolean): Promise<PatientPrincipal>
  /** Re-reads the staff member: deactivated accounts lose access at once and role changes apply. */
  staff(p: StaffPrincipal): Promise<StaffPrincipal>
  /** Checks a service token (constant time); throws AUTH_TOKEN_INVALID. */
  service(token: string): void
}

/**
 * Enforces who may call a route: `public` passes; `patient` needs a patient token, resolves the
 * active profile and (unless the route works before consent) care consent; `staff` needs a staff
 * token whose role is in the route's roles (the role × route permission matrix lives in shared/).
 */
export const requireAuth =
  (route: Pick<ApiRoute, 'auth' | 'roles' | 'beforeConsent'>, guard: AccessGuard): Middleware<AppState> =>
  async (ctx, next) => {
    if (route.auth === 'public') {
      await next()
      return
    }
    const m = /^Bearer\s+(\S+)$/i.exec(ctx.get('authorization'))
    if (!m) throw new AppError('AUTH_REQUIRED', 'Send an access token: Authorization: Bearer <token>')
    if (route.auth === 'service') {
      guard.service(m[1]!)
      ctx.state.principal = { kind: 'service' }
      await next()
      return
    }
    const principal = guard.verify(m[1]!)
    if (route.auth === 'patient') {
      if (principal.kind !== 'patient') throw new AppError('FORBIDDEN', 'This route is for patients')
      ctx.state.principal = await guard.patient(principal, route.beforeConsent !== true)
    } else {
      if (principal.kind !== 'staff') throw new AppError('FORBIDDEN', 'This route is for staff')
      const staff = await guard.staff(principal)
      if (!route.roles?.includes(staff.role))
        throw new AppError('FORBIDDEN', `Role ${staff.role} may not use this route`)
      ctx.state.principal = staff
    }
    await next()
  }

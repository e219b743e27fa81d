import { AppError, type RouteAuth } from '@careloop/shared'
import type { Middleware } from 'koa'
import type { AppState, Principal } from './context'

/** Turns a bearer token into a principal, or throws AppError (AUTH_TOKEN_INVALID/EXPIRED). */
export type TokenVerifier = (token: string) => Principal

/**
 * Requires the principal kind a route declares. `public` routes pass through; `patient` routes need
 * a valid patient access token (`Authorization: Bearer …`). Staff routes arrive with the staff
 * accounts (issue 3); until then they are refused.
 */
export const requireAuth =
  (auth: RouteAuth, verify: TokenVerifier): Middleware<AppState> =>
  async (ctx, next) => {
    if (auth === 'public') {
      await next()
      return
    }
    const header = ctx.get('authorization')
    const m = /^Bearer\s+(\S+)$/i.exec(header)
    if (!m) throw new AppError('AUTH_REQUIRED', 'Send an access token: Authorization: Bearer <token>')
    const principal = verify(m[1]!)
    if (auth === 'patient' && principal.kind !== 'patient') throw new AppError('FORBIDDEN', 'Patients only')
    if (auth === 'staff') throw new AppError('FORBIDDEN', 'Staff only')
    ctx.state.principal = principal
    await next()
  }

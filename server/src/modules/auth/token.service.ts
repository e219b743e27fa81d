import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { AppError, STAFF_ROLES, type StaffRole } from '@careloop/shared'
import jwt from 'jsonwebtoken'
import type { Clock } from '../../clock'
import type { TokenClaims } from '../../http/auth'

const ISSUER = 'careloop'

export interface TokenService {
  issueAccessToken(c: TokenClaims): { token: string; expiresIn: number }
  verifyAccessToken(token: string): TokenClaims
  newRefreshToken(familyId?: string): { token: string; hash: string; familyId: string }
}

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex')

/**
 * Short-lived HS256 access tokens (JWT) for patients (subject: the account) and staff (subject: the
 * staff id, with the role), and opaque refresh tokens stored only as a hash.
 */
export const createTokenService = (o: {
  secret: string
  accessTtlSeconds: number
  staffTtlSeconds?: number
  clock: Clock
}): TokenService => ({
  issueAccessToken(c) {
    const now = Math.floor(o.clock.now().getTime() / 1000)
    const ttl = c.kind === 'staff' ? (o.staffTtlSeconds ?? 8 * 3600) : o.accessTtlSeconds
    const token = jwt.sign(
      { kind: c.kind, iat: now, exp: now + ttl, ...(c.kind === 'staff' ? { role: c.role } : {}) },
      o.secret,
      {
        algorithm: 'HS256',
        issuer: ISSUER,
        subject: c.kind === 'staff' ? c.staffId : c.accountId,
        audience: c.kind,
      },
    )
    return { token, expiresIn: ttl }
  },
  verifyAccessToken(token) {
    let claims: string | jwt.JwtPayload
    try {
      claims = jwt.verify(token, o.secret, {
        algorithms: ['HS256'],
        issuer: ISSUER,
        audience: ['patient', 'staff'],
        clockTimestamp: Math.floor(o.clock.now().getTime() / 1000),
      })
    } catch (e) {
      if (e instanceof jwt.TokenExpiredError)
        throw new AppError('AUTH_TOKEN_EXPIRED', 'Access token has expired; refresh it')
      throw new AppError('AUTH_TOKEN_INVALID', 'Access token is invalid')
    }
    if (typeof claims === 'string' || typeof claims.sub !== 'string')
      throw new AppError('AUTH_TOKEN_INVALID', 'Access token is invalid')
    if (claims.kind === 'patient' && claims.aud === 'patient')
      return { kind: 'patient', accountId: claims.sub }
    const role = claims.role as StaffRole
    if (claims.kind === 'staff' && claims.aud === 'staff' && STAFF_ROLES.includes(role))
      return { kind: 'staff', staffId: claims.sub, role }
    throw new AppError('AUTH_TOKEN_INVALID', 'Access token is invalid')
  },
  newRefreshToken(familyId) {
    const token = randomBytes(32).toString('base64url')
    return { token, hash: hashToken(token), familyId: familyId ?? randomUUID() }
  },
})

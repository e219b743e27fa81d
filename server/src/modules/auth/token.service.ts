import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { AppError } from '@careloop/shared'
import jwt from 'jsonwebtoken'
import type { Clock } from '../../clock'
import type { Principal } from '../../http/context'

const ISSUER = 'careloop'

export interface TokenService {
  issueAccessToken(p: Principal): { token: string; expiresIn: number }
  verifyAccessToken(token: string): Principal
  newRefreshToken(): { token: string; hash: string; familyId: string }
}

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex')

/** Short-lived HS256 access tokens (JWT) and opaque refresh tokens (stored only as a hash). */
export const createTokenService = (o: {
  secret: string
  accessTtlSeconds: number
  clock: Clock
}): TokenService => ({
  issueAccessToken(p) {
    const now = Math.floor(o.clock.now().getTime() / 1000)
    const token = jwt.sign({ kind: p.kind, iat: now, exp: now + o.accessTtlSeconds }, o.secret, {
      algorithm: 'HS256',
      issuer: ISSUER,
      subject: p.patientId,
      audience: p.kind,
    })
    return { token, expiresIn: o.accessTtlSeconds }
  },
  verifyAccessToken(token) {
    try {
      const claims = jwt.verify(token, o.secret, {
        algorithms: ['HS256'],
        issuer: ISSUER,
        audience: 'patient',
        clockTimestamp: Math.floor(o.clock.now().getTime() / 1000),
      })
      if (typeof claims === 'string' || typeof claims.sub !== 'string' || claims.kind !== 'patient')
        throw new AppError('AUTH_TOKEN_INVALID', 'Access token is invalid')
      return { kind: 'patient', patientId: claims.sub }
    } catch (e) {
      if (e instanceof AppError) throw e
      if (e instanceof jwt.TokenExpiredError)
        throw new AppError('AUTH_TOKEN_EXPIRED', 'Access token has expired; refresh it')
      throw new AppError('AUTH_TOKEN_INVALID', 'Access token is invalid')
    }
  },
  newRefreshToken() {
    const token = randomBytes(32).toString('base64url')
    return { token, hash: hashToken(token), familyId: randomUUID() }
  },
})

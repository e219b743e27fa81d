import { createHash } from 'node:crypto'
import { AppError, type StaffLoginRequest, type StaffLoginResponse } from '@careloop/shared'
import type { Clock } from '../../clock'
import type { StaffPrincipal } from '../../http/context'
import { WECOM_INVALID_CODE, WecomApiError, type WecomIdentity } from '../../platform/wecom/wecom-client'
import type { AuditLog } from '../audit/audit.repo'
import type { TokenService } from '../auth/token.service'
import type { LoginRateLimiter } from './login-rate-limit.service'
import type { PasswordHasher } from './staff-password.service'
import type { StaffRecord, StaffRepo } from './staff.repo'
import { presentStaff, type RequestMeta } from './staff.service'

/** Consecutive failed password logins that lock an account. */
export const MAX_FAILED_LOGINS = 5
/** How long a locked account stays locked. */
export const LOCK_MS = 15 * 60_000

/** What WeCom web login needs from the WeCom client. */
export interface WecomLogin {
  getUserInfo(code: string): Promise<WecomIdentity>
}

export interface StaffAuthService {
  login(body: StaffLoginRequest, meta: RequestMeta): Promise<StaffLoginResponse>
  wecomLogin(code: string, meta: RequestMeta): Promise<StaffLoginResponse>
  /**
   * The AccessGuard's staff part: re-reads the staff member on every request, so deactivation and
   * role changes apply at once. Unknown or inactive → AUTH_TOKEN_INVALID.
   */
  resolvePrincipal(p: StaffPrincipal): Promise<StaffPrincipal>
}

/** An identifier the audit may keep for someone who is not a staff member: a short one-way hash. */
const fingerprint = (kind: string, value: string): string =>
  createHash('sha256').update(`careloop:${kind}:${value}`).digest('hex').slice(0, 16)

const invalid = (): AppError => new AppError('STAFF_CREDENTIALS_INVALID', 'Wrong username or password')

export const createStaffAuthService = (deps: {
  staff: StaffRepo
  passwords: PasswordHasher
  tokens: Pick<TokenService, 'issueAccessToken'>
  audit: AuditLog
  clock: Clock
  limiter: LoginRateLimiter
  /** undefined when WeCom web login is not configured. */
  wecom: WecomLogin | undefined
}): StaffAuthService => {
  const { staff, audit, clock, limiter } = deps

  const actorOf = (s: StaffRecord | null) =>
    s ? { kind: 'staff' as const, id: s.id, role: s.role } : { kind: 'system' as const, id: null }

  const failed = async (
    s: StaffRecord | null,
    meta: RequestMeta,
    detail: Record<string, unknown>,
  ): Promise<void> => {
    limiter.fail(meta.ip)
    await audit.record({
      actor: actorOf(s),
      action: 'staff.login_failed',
      detail,
      ip: meta.ip,
      requestId: meta.requestId,
    })
  }

  const lockedError = (until: Date): AppError =>
    new AppError('STAFF_LOCKED', 'Too many failed logins: this account is locked for a while', {
      retryAfterSeconds: Math.max(1, Math.ceil((until.getTime() - clock.now().getTime()) / 1000)),
    })

  const succeed = async (
    s: StaffRecord,
    method: 'password' | 'wecom',
    meta: RequestMeta,
  ): Promise<StaffLoginResponse> => {
    await staff.recordSuccess(s.id, clock.now())
    await audit.record({
      actor: actorOf(s),
      action: 'staff.login',
      detail: { method },
      ip: meta.ip,
      requestId: meta.requestId,
    })
    const t = deps.tokens.issueAccessToken({ kind: 'staff', staffId: s.id, role: s.role })
    return { accessToken: t.token, expiresIn: t.expiresIn, staff: presentStaff(s) }
  }

  return {
    async login(body, meta) {
      limiter.check(meta.ip)
      const username = body.username.toLowerCase()
      const s = await staff.findByUsername(username)
      if (!s || !s.active) {
        // Same work as a wrong password, and the same answer: nothing tells whether the name exists.
        await deps.passwords.burn(body.password)
        await failed(s, meta, {
          method: 'password',
          reason: s ? 'inactive' : 'unknown_user',
          ...(s ? {} : { usernameHash: fingerprint('username', username) }),
        })
        throw invalid()
      }
      const now = clock.now()
      if (s.lockedUntil && s.lockedUntil > now) {
        await failed(s, meta, { method: 'password', reason: 'locked' })
        throw lockedError(s.lockedUntil)
      }
      if (!(await deps.passwords.verify(s.passwordHash, body.password))) {
        const failures = await staff.recordFailure(s.id)
        await failed(s, meta, { method: 'password', reason: 'bad_password', failures })
        if (failures >= MAX_FAILED_LOGINS) {
          const until = new Date(now.getTime() + LOCK_MS)
          // Concurrent failures: one request wins the lock and records it; all answer "locked".
          if (await staff.lockIfReached(s.id, MAX_FAILED_LOGINS, until))
            await audit.record({
              actor: actorOf(s),
              action: 'staff.locked',
              detail: { failures, until: until.toISOString() },
              ip: meta.ip,
              requestId: meta.requestId,
            })
          throw lockedError(until)
        }
        throw invalid()
      }
      return succeed(s, 'password', meta)
    },

    async wecomLogin(code, meta) {
      limiter.check(meta.ip)
      if (!deps.wecom)
        throw new AppError('UPSTREAM_MISCONFIGURED', 'WeCom login is not configured on this server')
      let who: WecomIdentity
      try {
        who = await deps.wecom.getUserInfo(code)
      } catch (e) {
        if (!(e instanceof WecomApiError)) throw e
        if (e.errcode === WECOM_INVALID_CODE) {
          await failed(null, meta, { method: 'wecom', reason: 'invalid_code' })
          throw new AppError('STAFF_CREDENTIALS_INVALID', 'The WeCom login code is invalid, used or expired')
        }
        if (e.errcode === -1 || e.errcode === 45009)
          throw new AppError('UPSTREAM_BUSY', 'WeCom is busy; try again shortly')
        throw new AppError('UPSTREAM_MISCONFIGURED', `WeCom refused the login (errcode ${e.errcode})`)
      }
      const s = who.kind === 'member' ? await staff.findByWecomUserId(who.userid) : null
      if (!s || !s.active) {
        await failed(s, meta, {
          method: 'wecom',
          reason: who.kind === 'outsider' ? 'not_a_member' : s ? 'inactive' : 'unknown_wecom_user',
          ...(s
            ? {}
            : { wecomUserHash: fingerprint('wecom', who.kind === 'member' ? who.userid : who.openid) }),
        })
        throw new AppError(
          'STAFF_CREDENTIALS_INVALID',
          'This WeCom account is not linked to an active staff account',
        )
      }
      // A password lock-out does not block WeCom login: WeCom has proved who this is.
      return succeed(s, 'wecom', meta)
    },

    async resolvePrincipal(p) {
      const s = await staff.findById(p.staffId)
      if (!s || !s.active) throw new AppError('AUTH_TOKEN_INVALID', 'This staff account is no longer active')
      return { kind: 'staff', staffId: s.id, role: s.role }
    },
  }
}

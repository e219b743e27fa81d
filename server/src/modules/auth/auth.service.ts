import { AppError, type LoginResponse, type RefreshResponse } from '@careloop/shared'
import type { Clock } from '../../clock'
import { WechatApiError, type WechatSession } from '../../platform/wechat/wechat-client'
import type { PiiCrypto } from '../../privacy/pii-crypto'
import type { AccountRepo } from '../accounts/account.repo'
import type { AuditLog } from '../audit/audit.repo'
import { hasCareConsent } from '../consent/consent.service'
import type { PatientRepo } from '../patients/patient.repo'
import { toAccount } from '../patients/profile.service'
import { toPatient } from '../patients/patient.repo'
import type { SessionRepo } from './session.repo'
import { hashToken, type TokenService } from './token.service'

export interface WechatLogin {
  code2Session(code: string): Promise<WechatSession>
}

/** code2Session errcodes → our stable codes (platform.md §1.1). */
const mapWechatLoginError = (e: WechatApiError): AppError => {
  switch (e.errcode) {
    case 40029:
      return new AppError(
        'AUTH_CODE_INVALID',
        'The login code is invalid or has expired; call wx.login again',
      )
    case 40163:
      return new AppError('AUTH_CODE_USED', 'The login code has already been used; call wx.login again')
    case 45011:
      return new AppError('AUTH_RATE_LIMITED', 'Too many logins for this WeChat user; retry in a minute')
    case 40226:
      return new AppError('FORBIDDEN', 'WeChat blocked this login as risky')
    case -1:
      return new AppError('UPSTREAM_BUSY', 'WeChat is busy; retry shortly')
    default:
      return new AppError('UPSTREAM_MISCONFIGURED', `WeChat refused the login (errcode ${e.errcode})`)
  }
}

export interface AuthService {
  loginWithWechat(code: string): Promise<LoginResponse>
  refresh(refreshToken: string): Promise<RefreshResponse>
  logout(refreshToken: string): Promise<void>
}

export const createAuthService = (deps: {
  wechat: WechatLogin
  accounts: AccountRepo
  patients: PatientRepo
  sessions: SessionRepo
  tokens: TokenService
  audit: AuditLog
  pii: PiiCrypto
  clock: Clock
  refreshTokenTtlDays: number
}): AuthService => {
  const issue = async (accountId: string, familyId?: string) => {
    const access = deps.tokens.issueAccessToken({ kind: 'patient', accountId })
    const refresh = deps.tokens.newRefreshToken(familyId)
    await deps.sessions.create({
      accountId,
      tokenHash: refresh.hash,
      familyId: refresh.familyId,
      expiresAt: new Date(deps.clock.now().getTime() + deps.refreshTokenTtlDays * 86_400_000),
    })
    return { accessToken: access.token, refreshToken: refresh.token, expiresIn: access.expiresIn }
  }
  return {
    async loginWithWechat(code) {
      let session: WechatSession
      try {
        session = await deps.wechat.code2Session(code)
      } catch (e) {
        // Nothing has been written yet: a bad, used or expired code creates nothing.
        throw e instanceof WechatApiError ? mapWechatLoginError(e) : e
      }
      const now = deps.clock.now()
      const { account } = await deps.accounts.findOrCreateByOpenid({
        openid: session.openid,
        unionid: session.unionid,
        at: now,
      })
      const accountId = account._id.toHexString()
      const self = await deps.patients.ensureSelfProfile(accountId)
      // First login (or a repair after a partial one): the own profile becomes the active one.
      const acc = account.activeProfileId
        ? account
        : ((await deps.accounts.initActiveProfile(accountId, self._id.toHexString())) ??
          (await deps.accounts.findById(accountId))!)
      const active =
        (acc.activeProfileId &&
          (await deps.patients.findForAccount(accountId, acc.activeProfileId.toHexString()))) ||
        self
      const tokens = await issue(accountId)
      return {
        ...tokens,
        account: toAccount(acc, active, deps.pii),
        patient: toPatient(active),
        careConsent: hasCareConsent(active),
      }
    },

    async refresh(refreshToken) {
      const now = deps.clock.now()
      const s = await deps.sessions.findByHash(hashToken(refreshToken))
      if (!s || s.expiresAt <= now)
        throw new AppError('AUTH_REFRESH_INVALID', 'The refresh token is unknown or expired; log in again')
      if (s.revokedAt)
        throw new AppError('AUTH_REFRESH_INVALID', 'The refresh token was revoked; log in again')
      const claimed = await deps.sessions.claimForRotation(s._id, now)
      if (!claimed) {
        // Presented again after rotation: someone holds a copy. Revoke the whole family.
        await deps.sessions.revokeFamily(s.familyId, now)
        await deps.audit.record({
          actor: { kind: 'patient', id: s.accountId.toHexString() },
          action: 'auth.refresh_reuse',
          detail: { familyId: s.familyId },
        })
        throw new AppError(
          'AUTH_REFRESH_REUSED',
          'This refresh token was already used; all sessions of this login were ended',
        )
      }
      return issue(s.accountId.toHexString(), s.familyId)
    },

    async logout(refreshToken) {
      const s = await deps.sessions.findByHash(hashToken(refreshToken))
      if (s) await deps.sessions.revokeFamily(s.familyId, deps.clock.now())
    },
  }
}

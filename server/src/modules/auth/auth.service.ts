import { AppError, type LoginResponse, type Patient } from '@careloop/shared'
import type { Clock } from '../../clock'
import { WechatApiError, type WechatSession } from '../../platform/wechat/wechat-client'
import type { PatientRepo } from '../patients/patient.repo'
import type { SessionRepo } from './session.repo'
import type { TokenService } from './token.service'

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
}

export const createAuthService = (deps: {
  wechat: WechatLogin
  patients: PatientRepo
  sessions: SessionRepo
  tokens: TokenService
  clock: Clock
  refreshTokenTtlDays: number
}): AuthService => ({
  async loginWithWechat(code) {
    let session: WechatSession
    try {
      session = await deps.wechat.code2Session(code)
    } catch (e) {
      // Nothing has been written yet: a bad, used or expired code creates nothing.
      throw e instanceof WechatApiError ? mapWechatLoginError(e) : e
    }
    const now = deps.clock.now()
    const { patient } = await deps.patients.findOrCreateByOpenid({
      openid: session.openid,
      unionid: session.unionid,
      at: now,
    })
    const access = deps.tokens.issueAccessToken({ kind: 'patient', patientId: patient.id })
    const refresh = deps.tokens.newRefreshToken()
    await deps.sessions.create({
      patientId: patient.id,
      tokenHash: refresh.hash,
      familyId: refresh.familyId,
      expiresAt: new Date(now.getTime() + deps.refreshTokenTtlDays * 86_400_000),
    })
    return { accessToken: access.token, refreshToken: refresh.token, expiresIn: access.expiresIn, patient }
  },
})

export interface PatientService {
  me(patientId: string): Promise<Patient>
  rename(patientId: string, name: string): Promise<Patient>
}

export const createPatientService = (deps: { patients: PatientRepo }): PatientService => ({
  async me(patientId) {
    const p = await deps.patients.findById(patientId)
    if (!p) throw new AppError('AUTH_TOKEN_INVALID', 'This account no longer exists')
    return p
  },
  async rename(patientId, name) {
    const p = await deps.patients.updateName(patientId, name)
    if (!p) throw new AppError('AUTH_TOKEN_INVALID', 'This account no longer exists')
    return p
  },
})

import type Router from '@koa/router'
import { AppError, authRoutes } from '@careloop/shared'
import type { TokenVerifier } from '../../http/auth'
import type { AppState, Principal } from '../../http/context'
import { mount } from '../../http/mount'
import type { AuthService, PatientService } from './auth.service'

const patientOf = (p: Principal | undefined): string => {
  if (p?.kind !== 'patient') throw new AppError('AUTH_REQUIRED', 'Patient login required')
  return p.patientId
}

export const mountAuthRoutes = (
  router: Router<AppState>,
  verify: TokenVerifier,
  auth: AuthService,
  patients: PatientService,
): void => {
  mount(router, authRoutes.wechatLogin, verify, ({ body }) => auth.loginWithWechat(body.code))
  mount(router, authRoutes.getMe, verify, async ({ principal }) => ({
    patient: await patients.me(patientOf(principal)),
  }))
  mount(router, authRoutes.updateMe, verify, async ({ principal, body }) => ({
    patient: await patients.rename(patientOf(principal), body.name),
  }))
}

import type Router from '@koa/router'
import { authRoutes } from '@careloop/shared'
import type { AccessGuard } from '../../http/auth'
import type { AppState } from '../../http/context'
import { mount, patientOf } from '../../http/mount'
import type { ProfileService } from '../patients/profile.service'
import type { AuthService } from './auth.service'

export const mountAuthRoutes = (
  router: Router<AppState>,
  guard: AccessGuard,
  auth: AuthService,
  profiles: ProfileService,
): void => {
  mount(router, authRoutes.wechatLogin, guard, ({ body }) => auth.loginWithWechat(body.code))
  mount(router, authRoutes.refresh, guard, ({ body }) => auth.refresh(body.refreshToken))
  mount(router, authRoutes.logout, guard, async ({ body }) => {
    await auth.logout(body.refreshToken)
    return null
  })
  mount(router, authRoutes.getMe, guard, ({ principal }) => profiles.me(patientOf(principal)))
  mount(router, authRoutes.updateMe, guard, ({ principal, body }) =>
    profiles.update(patientOf(principal), body),
  )
  mount(router, authRoutes.bindPhone, guard, ({ principal, body, requestId, ip }) =>
    profiles.bindPhone(patientOf(principal), body.code, { requestId, ip }),
  )
}

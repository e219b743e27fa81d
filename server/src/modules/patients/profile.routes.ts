import type Router from '@koa/router'
import { patientRoutes } from '@careloop/shared'
import type { AccessGuard } from '../../http/auth'
import type { AppState } from '../../http/context'
import { mount, patientOf } from '../../http/mount'
import type { ConsentService } from '../consent/consent.service'
import { PRIVACY_POLICY } from '../consent/privacy-policy'
import type { ProfileService } from './profile.service'

export const mountProfileRoutes = (
  router: Router<AppState>,
  guard: AccessGuard,
  profiles: ProfileService,
  consent: ConsentService,
): void => {
  const r = patientRoutes
  mount(router, r.listProfiles, guard, ({ principal }) => profiles.list(patientOf(principal)))
  mount(router, r.createProfile, guard, ({ principal, body }) => profiles.create(patientOf(principal), body))
  mount(router, r.activateProfile, guard, ({ principal, params }) =>
    profiles.activate(patientOf(principal), params.id!),
  )
  mount(router, r.deleteProfile, guard, ({ principal, params, requestId, ip }) =>
    profiles.remove(patientOf(principal), params.id!, { requestId, ip }),
  )
  mount(router, r.privacyPolicy, guard, () => PRIVACY_POLICY)
  mount(router, r.getConsents, guard, async ({ principal }) =>
    consent.get(await profiles.active(patientOf(principal))),
  )
  mount(router, r.setConsent, guard, async ({ principal, body, requestId, ip }) => {
    const p = patientOf(principal)
    return consent.set({
      accountId: p.accountId,
      profile: await profiles.active(p),
      request: body,
      requestId,
      ip,
    })
  })
  mount(router, r.exportMyData, guard, ({ principal }) => profiles.exportData(patientOf(principal)))
  mount(router, r.eraseAccount, guard, async ({ principal, requestId, ip }) => {
    await profiles.eraseAccount(patientOf(principal), { requestId, ip })
    return null
  })
}

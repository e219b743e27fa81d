import type Router from '@koa/router'
import { pushRoutes } from '@careloop/shared'
import type { AccessGuard } from '../../http/auth'
import type { AppState } from '../../http/context'
import { mount, patientOf, staffOf } from '../../http/mount'
import type { PatientPushService } from './patient-push.service'
import type { PushConsole } from './push.service'

export const mountPushRoutes = (
  router: Router<AppState>,
  guard: AccessGuard,
  deps: { patient: PatientPushService; console: PushConsole },
): void => {
  const r = pushRoutes
  const { patient, console: outbox } = deps
  mount(router, r.getPushPreferences, guard, ({ principal }) => patient.preferences(patientOf(principal)))
  mount(router, r.setPushPreferences, guard, ({ principal, body }) =>
    patient.setPreferences(patientOf(principal), body),
  )
  mount(router, r.listSubscriptions, guard, ({ principal }) => patient.subscriptions(patientOf(principal)))
  mount(router, r.recordSubscriptions, guard, ({ principal, body }) =>
    patient.recordSubscriptions(patientOf(principal), body),
  )
  // the fixed paths before `/:id/read`
  mount(router, r.inboxUnreadCount, guard, ({ principal }) => patient.unread(patientOf(principal)))
  mount(router, r.readAllInbox, guard, ({ principal }) => patient.readAll(patientOf(principal)))
  mount(router, r.listInbox, guard, ({ principal, query }) => patient.inbox(patientOf(principal), query))
  mount(router, r.readInboxMessage, guard, ({ principal, params }) =>
    patient.read(patientOf(principal), params.id!),
  )
  mount(router, r.listOutbox, guard, ({ principal, query, ip, requestId }) =>
    outbox.list(staffOf(principal), query, { ip, requestId }),
  )
  mount(router, r.pushStats, guard, () => outbox.stats())
  mount(router, r.retryOutbox, guard, ({ principal, params, ip, requestId }) =>
    outbox.retry(staffOf(principal), params.id!, { ip, requestId }),
  )
}

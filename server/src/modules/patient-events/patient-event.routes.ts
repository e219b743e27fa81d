import type Router from '@koa/router'
import { patientEventRoutes } from '@careloop/shared'
import type { AccessGuard } from '../../http/auth'
import type { AppState } from '../../http/context'
import { mount, staffOf } from '../../http/mount'
import type { PatientEventService } from './patient-event.service'

export const mountPatientEventRoutes = (
  router: Router<AppState>,
  guard: AccessGuard,
  events: PatientEventService,
): void => {
  const r = patientEventRoutes
  mount(router, r.recordPatientEvent, guard, ({ principal, params, body, ip, requestId }) =>
    events.record(staffOf(principal), params.id!, body, { ip, requestId }),
  )
  mount(router, r.listPatientEvents, guard, ({ principal, params, ip, requestId }) =>
    events.list(staffOf(principal), params.id!, { ip, requestId }),
  )
}

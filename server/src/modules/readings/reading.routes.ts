import type Router from '@koa/router'
import { readingRoutes } from '@careloop/shared'
import type { AccessGuard } from '../../http/auth'
import type { AppState } from '../../http/context'
import { mount, patientOf, staffOf } from '../../http/mount'
import type { ReadingService } from './reading.service'

export const mountReadingRoutes = (
  router: Router<AppState>,
  guard: AccessGuard,
  readings: ReadingService,
): void => {
  const r = readingRoutes
  mount(router, r.submitReading, guard, ({ principal, body }) => readings.submit(patientOf(principal), body))
  mount(router, r.myReadings, guard, ({ principal, query }) => readings.mine(patientOf(principal), query))
  mount(router, r.patientReadings, guard, ({ principal, params, query, ip, requestId }) =>
    readings.forStaff(staffOf(principal), params.id!, query, { ip, requestId }),
  )
}

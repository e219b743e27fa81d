import type Router from '@koa/router'
import { pointsRoutes, type EarnRuleId } from '@careloop/shared'
import type { AccessGuard } from '../../http/auth'
import type { AppState } from '../../http/context'
import { mount, patientOf, staffOf } from '../../http/mount'
import type { PointsPatientService } from './points-patient.service'
import type { PointsStaffService } from './points-staff.service'

export const mountPointsRoutes = (
  router: Router<AppState>,
  guard: AccessGuard,
  s: { patient: PointsPatientService; staff: PointsStaffService },
): void => {
  const r = pointsRoutes
  mount(router, r.myPoints, guard, ({ principal, query }) => s.patient.summary(patientOf(principal), query))
  mount(router, r.myPointsLedger, guard, ({ principal, query }) =>
    s.patient.ledger(patientOf(principal), query),
  )
  mount(router, r.myPointsWays, guard, ({ principal, query }) => s.patient.ways(patientOf(principal), query))
  mount(router, r.pointsCheckin, guard, ({ principal, body }) =>
    s.patient.checkin(patientOf(principal), body),
  )
  mount(router, r.listPointsRules, guard, () => s.staff.rules())
  mount(router, r.updatePointsRule, guard, ({ principal, params, body, ip, requestId }) =>
    s.staff.updateRule(staffOf(principal), params.rule as EarnRuleId, body, { ip, requestId }),
  )
  mount(router, r.getPointsTiers, guard, () => s.staff.tiers())
  mount(router, r.updatePointsTiers, guard, ({ principal, body, ip, requestId }) =>
    s.staff.setTiers(staffOf(principal), body, { ip, requestId }),
  )
  mount(router, r.patientPoints, guard, ({ principal, params, query, ip, requestId }) =>
    s.staff.patient(staffOf(principal), params.id!, query, { ip, requestId }),
  )
  mount(router, r.adjustPoints, guard, ({ principal, params, body, ip, requestId }) =>
    s.staff.adjust(staffOf(principal), params.id!, body, { ip, requestId }),
  )
  mount(router, r.pointsLiability, guard, ({ query }) => s.staff.liability(query))
}

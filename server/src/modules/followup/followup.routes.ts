import type Router from '@koa/router'
import { followupRoutes } from '@careloop/shared'
import type { AccessGuard } from '../../http/auth'
import type { AppState } from '../../http/context'
import { mount, patientOf, staffOf } from '../../http/mount'
import type { EnrolmentService } from './enrolment.service'
import type { FollowupBotService } from './followup-bot.service'
import type { FollowupPatientService } from './followup-patient.service'
import type { PlanService } from './plan.service'
import type { RatesService } from './rates.service'

export const mountFollowupRoutes = (
  router: Router<AppState>,
  guard: AccessGuard,
  s: {
    plans: PlanService
    enrolments: EnrolmentService
    rates: RatesService
    patient: FollowupPatientService
    bot: FollowupBotService
  },
): void => {
  const r = followupRoutes
  mount(router, r.listPlans, guard, ({ query }) => s.plans.list(query.status))
  mount(router, r.getPlan, guard, ({ params }) => s.plans.get(params.id!))
  mount(router, r.createPlan, guard, ({ principal, body, ip, requestId }) =>
    s.plans.create(staffOf(principal), body, { ip, requestId }),
  )
  mount(router, r.updatePlan, guard, ({ principal, params, body, ip, requestId }) =>
    s.plans.update(staffOf(principal), params.id!, body, { ip, requestId }),
  )
  mount(router, r.followupRates, guard, ({ principal, query }) => s.rates.rates(staffOf(principal), query))
  mount(router, r.enrolPatient, guard, ({ principal, params, body, ip, requestId }) =>
    s.enrolments.enrol(
      { kind: 'staff', p: staffOf(principal), via: 'console', meta: { ip, requestId } },
      { patientId: params.id!, planId: body.planId, anchorDate: body.anchorDate, nurseId: body.nurseId },
    ),
  )
  mount(router, r.patientEnrolments, guard, ({ principal, params, ip, requestId }) =>
    s.enrolments.list(staffOf(principal), params.id!, { ip, requestId }),
  )
  mount(router, r.pauseEnrolment, guard, ({ principal, params, ip, requestId }) =>
    s.enrolments.pause(staffOf(principal), params.id!, { ip, requestId }),
  )
  mount(router, r.resumeEnrolment, guard, ({ principal, params, ip, requestId }) =>
    s.enrolments.resume(staffOf(principal), params.id!, { ip, requestId }),
  )
  mount(router, r.stopEnrolment, guard, ({ principal, params, ip, requestId }) =>
    s.enrolments.stop(staffOf(principal), params.id!, { ip, requestId }),
  )
  mount(router, r.myFollowup, guard, ({ principal, query }) =>
    s.patient.mine(patientOf(principal), query.patientId),
  )
  mount(router, r.myStepDone, guard, ({ principal, params }) =>
    s.patient.done(patientOf(principal), params.id!),
  )
  mount(router, r.serviceNurseToday, guard, ({ params, ip, requestId }) =>
    s.bot.today(params.userid!, { ip, requestId }),
  )
  mount(router, r.serviceNurseComplete, guard, ({ params, body, ip, requestId }) =>
    s.bot.complete(params.userid!, body, { ip, requestId }),
  )
  mount(router, r.serviceNurseEnrol, guard, ({ params, body, ip, requestId }) =>
    s.bot.enrol(params.userid!, body, { ip, requestId }),
  )
}

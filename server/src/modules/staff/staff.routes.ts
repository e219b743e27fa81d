import type Router from '@koa/router'
import { staffRoutes } from '@careloop/shared'
import type { AccessGuard } from '../../http/auth'
import type { AppState } from '../../http/context'
import { mount, staffOf } from '../../http/mount'
import type { StaffAuditService } from './staff-audit.service'
import type { StaffAuthService } from './staff-auth.service'
import type { StaffPatientsService } from './staff-patients.service'
import type { StaffService } from './staff.service'

export interface StaffServices {
  auth: StaffAuthService
  staff: StaffService
  patients: StaffPatientsService
  audit: StaffAuditService
}

/** Staff login, the staff's own account, staff management, patients for staff, the audit viewer. */
export const mountStaffRoutes = (router: Router<AppState>, guard: AccessGuard, s: StaffServices): void => {
  const r = staffRoutes
  mount(router, r.staffLogin, guard, ({ body, ip, requestId }) => s.auth.login(body, { ip, requestId }))
  mount(router, r.staffWecomLogin, guard, ({ body, ip, requestId }) =>
    s.auth.wecomLogin(body.code, { ip, requestId }),
  )
  mount(router, r.staffMe, guard, async ({ principal }) => ({ staff: await s.staff.me(staffOf(principal)) }))

  mount(router, r.listStaff, guard, async () => ({ staff: await s.staff.list() }))
  mount(router, r.listNurses, guard, async () => ({
    staff: (await s.staff.list()).filter((x) => x.active && (x.role === 'nurse' || x.role === 'head_nurse')),
  }))
  mount(router, r.createStaff, guard, async ({ principal, body, ip, requestId }) => ({
    staff: await s.staff.create(staffOf(principal), body, { ip, requestId }),
  }))
  mount(router, r.updateStaff, guard, async ({ principal, params, body, ip, requestId }) => ({
    staff: await s.staff.update(staffOf(principal), params.id!, body, { ip, requestId }),
  }))

  mount(router, r.listPatients, guard, ({ principal, query, ip, requestId }) =>
    s.patients.list(staffOf(principal), query, { ip, requestId }),
  )
  mount(router, r.getPatient, guard, ({ principal, params, ip, requestId }) =>
    s.patients.get(staffOf(principal), params.id!, { ip, requestId }),
  )
  mount(router, r.assignNurse, guard, ({ principal, params, body, ip, requestId }) =>
    s.patients.assignNurse(staffOf(principal), params.id!, body.nurseId, { ip, requestId }),
  )

  mount(router, r.listAudit, guard, ({ query }) => s.audit.list(query))
  mount(router, r.serviceStaffByWecom, guard, async ({ params }) => ({
    staff: await s.staff.byWecomUserId(params.userid!),
  }))
}

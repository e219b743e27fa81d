import {
  AppError,
  QUOTA_KINDS,
  type MembershipStatus,
  type QuotaUsageRequest,
  type QuotaUsageResponse,
} from '@careloop/shared'
import { Types } from 'mongoose'
import type { Clock } from '../../clock'
import type { StaffPrincipal } from '../../http/context'
import type { AuditLog } from '../audit/audit.repo'
import { monthKeyOf } from '../communities/zoned-time'
import type { PatientStaffRepo } from '../patients/patient-staff.repo'
import { accessOf } from '../staff/staff-patients.service'
import { staffActor } from '../staff/staff.service'
import { activeGrant } from './grants'
import { presentStatus } from './membership-present'
import type { MembershipRepo, QuotaRepo } from './membership.repo'

export interface QuotaService {
  /** The membership of a profile now, with this month's quota use. */
  status(profileId: string): Promise<MembershipStatus>
  forStaff(
    p: StaffPrincipal,
    patientId: string,
    meta: { ip: string; requestId: string },
  ): Promise<MembershipStatus>
  /** Records one use (nurse / head nurse, within scope); QUOTA_EXHAUSTED when none is left this month. */
  consume(
    p: StaffPrincipal,
    patientId: string,
    body: QuotaUsageRequest,
    meta: { ip: string; requestId: string },
  ): Promise<QuotaUsageResponse>
}

export const createQuotaService = (deps: {
  memberships: MembershipRepo
  quotas: QuotaRepo
  staffPatients: Pick<PatientStaffRepo, 'findInScope'>
  audit: AuditLog
  clock: Clock
  timeZone: string
}): QuotaService => {
  const { memberships, quotas, clock, timeZone } = deps

  const status = async (profileId: string): Promise<MembershipStatus> => {
    const now = clock.now()
    const month = monthKeyOf(now, timeZone)
    const m = await memberships.find(profileId)
    const used: Record<string, number> = {}
    if (m && activeGrant(m.grants, now))
      for (const kind of QUOTA_KINDS) used[kind] = await quotas.used(m.profileId, kind, month)
    return presentStatus(m, now, month, used)
  }

  const inScope = async (p: StaffPrincipal, patientId: string): Promise<void> => {
    if (!(await deps.staffPatients.findInScope(accessOf(p).scope, patientId)))
      throw new AppError('PATIENT_NOT_FOUND', 'No such patient in your scope')
  }

  return {
    status,

    async forStaff(p, patientId, meta) {
      await inScope(p, patientId)
      const s = await status(patientId)
      await deps.audit.record({
        actor: staffActor(p),
        action: 'patient.read_membership',
        patientId,
        detail: { active: s.active },
        ...meta,
      })
      return s
    },

    async consume(p, patientId, body, meta) {
      await inScope(p, patientId)
      const profileId = new Types.ObjectId(patientId)
      const now = clock.now()
      const month = monthKeyOf(now, timeZone)
      const quotaOf = (perMonth: number, used: number) => ({
        kind: body.kind,
        month,
        perMonth,
        used,
        left: Math.max(0, perMonth - used),
      })
      const first = await quotas.findByRequest(profileId, body.requestId)
      const m = await memberships.find(patientId)
      const grant = m ? activeGrant(m.grants, now) : undefined
      const perMonth = grant?.quotas.find((q) => q.kind === body.kind)?.perMonth ?? 0
      if (first) {
        const used = await quotas.used(profileId, first.kind, first.month)
        return {
          quota: { ...quotaOf(perMonth, used), kind: first.kind, month: first.month },
          duplicate: true,
        }
      }
      const exhausted = (used: number) =>
        new AppError(
          'QUOTA_EXHAUSTED',
          grant ? `No ${body.kind} left this month` : 'The patient has no active membership with this quota',
          { kind: body.kind, month, perMonth, used },
        )
      if (perMonth === 0) throw exhausted(0)
      const r = await quotas.use(
        {
          profileId,
          kind: body.kind,
          month,
          requestId: body.requestId,
          staffId: p.staffId,
          note: body.note,
          at: now,
        },
        perMonth,
      )
      const used = await quotas.used(profileId, body.kind, month)
      if (r.kind === 'exhausted') throw exhausted(used)
      if (r.kind === 'used')
        await deps.audit.record({
          actor: staffActor(p),
          action: 'membership.quota_use',
          patientId,
          detail: { kind: body.kind, month, slot: r.usage.slot, perMonth, note: body.note },
          ...meta,
        })
      return { quota: quotaOf(perMonth, used), duplicate: r.kind === 'duplicate' }
    },
  }
}

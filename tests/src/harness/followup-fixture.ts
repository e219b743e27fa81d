import type { CreatePlanRequest } from '@careloop/shared'
import {
  EnrolResponse,
  ErrorBody,
  FollowupPlan,
  StaffMeResponse,
  type StaffRole,
  type z,
} from '@careloop/shared'
import { Types } from 'mongoose'
import { patientModel } from '../../../server/src/modules/patients/patient.model'
import { FakePush } from './fake-push'
import { useStaffHarness, type StaffHarness } from './server-harness'

export type PlanBody = z.input<typeof CreatePlanRequest>

/**
 * Follow-up tests: the staff harness with a recording PushPort in place of the outbox, the demo staff
 * plus a second nurse (nurse.zhou), and helpers to make patients and plans and to enrol. Tokens are
 * fetched fresh (tests move the clock by days; access tokens would expire).
 */
export interface FollowupKit {
  readonly h: StaffHarness
  readonly push: FakePush
  readonly ids: { admin: string; nurseLi: string; headWang: string; nurseZhou: string }
  token(who: StaffRole | 'nurse.zhou'): Promise<string>
  patient(o?: { name?: string; nurseId?: string | null; accountId?: Types.ObjectId }): Promise<string>
  plan(body: PlanBody): Promise<FollowupPlan>
  enrol(
    patientId: string,
    body: { planId: string; anchorDate?: string; nurseId?: string },
    who?: StaffRole | 'nurse.zhou',
  ): Promise<EnrolResponse>
  /** The error code of a failed response. */
  code(body: unknown): string
}

const USER_OF: Record<StaffRole | 'nurse.zhou', string> = {
  admin: 'admin',
  nurse: 'nurse.li',
  head_nurse: 'headnurse.wang',
  marketer: 'marketing.zhao',
  'nurse.zhou': 'nurse.zhou',
}

export const useFollowupHarness = (o: { env?: Record<string, string> } = {}): FollowupKit => {
  const push = new FakePush()
  const h = useStaffHarness({ pushPort: push, env: o.env })
  const ids = { admin: '', nurseLi: '', headWang: '', nurseZhou: '' }
  let seq = 0

  const token = async (who: StaffRole | 'nurse.zhou'): Promise<string> =>
    (await h.staffLogin(USER_OF[who])).accessToken

  beforeAll(async () => {
    await h.seedStaff()
    const admin = await token('admin')
    const me = async (t: string) =>
      StaffMeResponse.parse((await h.request('GET', '/api/v1/staff/me', { token: t })).body).staff.id
    ids.admin = await me(admin)
    ids.nurseLi = await me(await token('nurse'))
    ids.headWang = await me(await token('head_nurse'))
    const r = await h.request('POST', '/api/v1/admin/staff', {
      token: admin,
      body: {
        username: 'nurse.zhou',
        name: '周敏',
        role: 'nurse',
        password: 'careloop-demo-2026',
        wecomUserId: 'ZhouMin',
      },
    })
    if (r.status !== 201) throw new Error(`create nurse.zhou: ${r.status} ${JSON.stringify(r.body)}`)
    ids.nurseZhou = await me(await token('nurse.zhou'))
  })

  const kit: FollowupKit = {
    h,
    push,
    ids,
    token,
    async patient(p = {}) {
      const d = await patientModel(h.db).create({
        accountId: p.accountId ?? new Types.ObjectId(),
        relation: p.accountId ? 'parent' : 'self',
        name: p.name ?? `患者${++seq}`,
        assignedNurseId: p.nurseId === undefined ? new Types.ObjectId(ids.nurseLi) : p.nurseId,
      })
      return d._id.toHexString()
    },
    async plan(body) {
      const r = await h.request('POST', '/api/v1/staff/followup/plans', {
        token: await token('head_nurse'),
        body,
      })
      if (r.status !== 201) throw new Error(`create plan: ${r.status} ${JSON.stringify(r.body)}`)
      return FollowupPlan.parse(r.body)
    },
    async enrol(patientId, body, who = 'nurse') {
      const r = await h.request('POST', `/api/v1/staff/patients/${patientId}/enrolments`, {
        token: await token(who),
        body,
      })
      if (r.status !== 200) throw new Error(`enrol: ${r.status} ${JSON.stringify(r.body)}`)
      return EnrolResponse.parse(r.body)
    },
    code: (body) => ErrorBody.parse(body).error.code,
  }
  return kit
}

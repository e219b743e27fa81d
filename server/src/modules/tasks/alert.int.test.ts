// Who an alert goes to: the running enrolment's nurse before the patient's assigned nurse; nobody
// responsible → an unassigned task and a message to each head nurse. Repeats change nothing.
import { useFollowupHarness } from '../../../../tests/src/harness/followup-fixture'
import { createStaffRepo } from '../staff/staff.repo'
import { createAlertService } from './alert.service'
import { createTaskRepo } from './task.repo'

const kit = useFollowupHarness()
const { h } = kit

const alerts = () =>
  createAlertService({
    db: h.db,
    clock: h.clock,
    tasks: createTaskRepo(h.db),
    staff: createStaffRepo(h.db),
    push: kit.push,
  })

const raise = (patientId: string, key: string) =>
  alerts().raise({
    dedupeKey: key,
    patientId,
    kind: 'red_flag',
    title: '伤口渗液',
    detail: '术后问卷：伤口有渗液',
    source: { kind: 'answer', id: key },
  })

describe('alert recipients', () => {
  it("prefers the running enrolment's nurse over the assigned nurse", async () => {
    const patientId = await kit.patient({ name: '张三', nurseId: kit.ids.nurseLi })
    const plan = await kit.plan({
      name: '心内科随访',
      anchor: 'enrolment',
      steps: [{ offsetDays: 3, kind: 'reminder', title: '复诊', windowDays: 2 }],
    })
    await kit.enrol(patientId, { planId: plan.id, nurseId: kit.ids.nurseZhou }, 'head_nurse')
    const r = await raise(patientId, 'rf-enrolled')
    expect(r.task.nurseId?.toHexString()).toBe(kit.ids.nurseZhou)
    expect(r.notified).toEqual([kit.ids.nurseZhou])
    expect(kit.push.rows.get(`alert:rf-enrolled:${kit.ids.nurseZhou}`)?.message).toMatchObject({
      staffId: kit.ids.nurseZhou,
      channels: ['wecom-app'],
      urgent: true,
      purpose: 'staff',
    })
  })

  it('falls back to the head nurses when nobody is responsible, once however often it is raised', async () => {
    const patientId = await kit.patient({ name: '李四', nurseId: null })
    const first = await raise(patientId, 'rf-orphan')
    const again = await raise(patientId, 'rf-orphan')
    expect(first.created).toBe(true)
    expect(again.created).toBe(false)
    expect(first.task.nurseId).toBeNull()
    expect(first.notified).toEqual([kit.ids.headWang])
    const keys = [...kit.push.rows.keys()].filter((k) => k.startsWith('alert:rf-orphan:'))
    expect(keys).toEqual([`alert:rf-orphan:${kit.ids.headWang}`])
  })
})

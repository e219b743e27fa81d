import {
  AppError,
  type ServiceCompleteRequest,
  type ServiceCompleteResponse,
  type ServiceEnrolRequest,
  type ServiceEnrolResponse,
  type ServiceTodayResponse,
  type TodayItem,
} from '@careloop/shared'
import type { Clock } from '../../clock'
import type { StaffPrincipal } from '../../http/context'
import type { AuditLog } from '../audit/audit.repo'
import type { PatientLookup } from '../patients/patient-lookup'
import type { PatientStaffRepo } from '../patients/patient-staff.repo'
import { accessOf } from '../staff/staff-patients.service'
import type { StaffRepo } from '../staff/staff.repo'
import { staffActor, type RequestMeta } from '../staff/staff.service'
import type { TaskDoc, TaskRepo } from '../tasks/task.repo'
import type { TaskService } from '../tasks/task.service'
import type { BotListRepo } from './bot-list.repo'
import type { EnrolmentService } from './enrolment.service'
import type { StepDoc } from './followup.model'
import type { StepCompletion } from './followup-steps.service'
import type { PlanRepo } from './plan.repo'
import { formatLocal } from './schedule'
import type { StepRepo } from './step.repo'

/**
 * The WeCom bot's follow-up commands, for the nurse it knows by WeCom userid: 今日随访 (her open
 * tasks due by today, urgent first, then her patients' steps due now), 完成 (an item of that list, or
 * a task by the short ref alerts show) and 入组 (enrol a patient of hers in a plan by name). Her role
 * and patient scope apply exactly as in the console.
 */
export interface FollowupBotService {
  today(userid: string, meta: RequestMeta): Promise<ServiceTodayResponse>
  complete(userid: string, body: ServiceCompleteRequest, meta: RequestMeta): Promise<ServiceCompleteResponse>
  enrol(userid: string, body: ServiceEnrolRequest, meta: RequestMeta): Promise<ServiceEnrolResponse>
}

/** Items numbered in one list (a WeCom text holds about this many lines). */
const LIST_MAX = 30
const ENROLLERS = new Set(['nurse', 'head_nurse', 'admin'])
const MAX_CANDIDATES = 10

export const createFollowupBotService = (deps: {
  staff: StaffRepo
  tasks: TaskRepo
  taskService: TaskService
  steps: StepRepo
  completion: Pick<StepCompletion, 'byStaff'>
  lists: BotListRepo
  plans: PlanRepo
  enrolments: Pick<EnrolmentService, 'enrol'>
  lookup: PatientLookup
  patients: Pick<PatientStaffRepo, 'findInScope'>
  audit: AuditLog
  clock: Clock
  timeZone: string
}): FollowupBotService => {
  const { tasks, taskService, steps, clock, timeZone, audit } = deps

  const nurseOf = async (userid: string): Promise<{ p: StaffPrincipal; name: string }> => {
    const s = await deps.staff.findByWecomUserId(userid)
    if (!s || !s.active)
      throw new AppError('STAFF_NOT_FOUND', `No active staff member with WeCom userid ${userid}`)
    return { p: { kind: 'staff', staffId: s.id, role: s.role }, name: s.name }
  }
  const who = (p: StaffPrincipal, name: string) => ({ id: p.staffId, name, role: p.role })

  const completeTask = async (
    p: StaffPrincipal,
    name: string,
    t: TaskDoc,
    note: string | null,
    meta: RequestMeta,
  ): Promise<ServiceCompleteResponse> => {
    const r = await taskService.complete(p, t._id.toHexString(), note, meta)
    return {
      nurse: who(p, name),
      alreadyDone: r.alreadyDone,
      type: 'task',
      ref: r.task.ref,
      title: r.task.title,
      patient: r.task.patient,
    }
  }

  const completeStep = async (
    p: StaffPrincipal,
    name: string,
    s: StepDoc,
    meta: RequestMeta,
  ): Promise<ServiceCompleteResponse> => {
    const mine = s.nurseId?.toHexString() === p.staffId
    if (!mine && !(await deps.patients.findInScope(accessOf(p).scope, s.patientId.toHexString())))
      throw new AppError('TASK_NOT_FOUND', 'No such item of yours')
    const r = await deps.completion.byStaff(s, p.staffId, clock.now())
    if (!r) throw new AppError('FOLLOWUP_STEP_STATE', 'This step is closed (missed or cancelled)')
    if (!r.alreadyDone)
      await audit.record({
        actor: staffActor(p),
        action: 'followup.step_done',
        patientId: s.patientId.toHexString(),
        detail: { stepId: s._id.toHexString(), via: 'wecom-bot' },
        ...meta,
      })
    const names = await tasks.patientNames([s.patientId])
    return {
      nurse: who(p, name),
      alreadyDone: r.alreadyDone,
      type: 'step',
      ref: s._id.toHexString().slice(-6),
      title: s.title,
      patient: { id: s.patientId.toHexString(), name: names.get(s.patientId.toHexString()) ?? null },
    }
  }

  return {
    async today(userid, meta) {
      const { p, name } = await nurseOf(userid)
      const { start, end, date } = taskService.today()
      const now = clock.now()
      // Her list, whatever her role: her own tasks and the ones nobody is responsible for.
      const open = await tasks.list({
        nurseIn: [p.staffId, null],
        status: 'open',
        dueBefore: end,
        limit: 200,
      })
      const due = (await steps.dueFor({ nurseId: p.staffId, before: end, now, limit: 200 })).filter(
        (s) => s.kind !== 'nurse_task',
      )
      const names = await tasks.patientNames([
        ...open.map((t) => t.patientId),
        ...due.map((s) => s.patientId),
      ])
      const all: Omit<TodayItem, 'n'>[] = [
        ...open.map((t) => ({
          ref: t._id.toHexString().slice(-6),
          type: 'task' as const,
          id: t._id.toHexString(),
          kind: t.kind,
          urgent: t.priority === 'urgent',
          title: t.title,
          patient: { id: t.patientId.toHexString(), name: names.get(t.patientId.toHexString()) ?? null },
          dueAt: t.dueAt.toISOString(),
          dueAtLocal: formatLocal(t.dueAt, timeZone),
          overdue: t.dueAt < start,
        })),
        ...due.map((s) => ({
          ref: s._id.toHexString().slice(-6),
          type: 'step' as const,
          id: s._id.toHexString(),
          kind: s.kind,
          urgent: false,
          title: s.title,
          patient: { id: s.patientId.toHexString(), name: names.get(s.patientId.toHexString()) ?? null },
          dueAt: s.dueAt.toISOString(),
          dueAtLocal: formatLocal(s.dueAt, timeZone),
          overdue: s.dueAt < start,
        })),
      ]
      // Urgent first, then tasks, then patients' steps; each by due time.
      const rank = (i: (typeof all)[number]): number => (i.urgent ? 0 : i.type === 'task' ? 1 : 2)
      all.sort((a, b) => rank(a) - rank(b) || a.dueAt.localeCompare(b.dueAt))
      const items = all.slice(0, LIST_MAX).map((i, k) => ({ ...i, n: k + 1 }))
      await deps.lists.save(
        p.staffId,
        items.map((i) => ({ type: i.type, id: i.id })),
        now,
      )
      await audit.record({
        actor: staffActor(p),
        action: 'task.list',
        detail: {
          via: 'wecom-bot',
          count: items.length,
          patientIds: [...new Set(items.map((i) => i.patient.id))].slice(0, 50),
        },
        ...meta,
      })
      return { nurse: who(p, name), date, items, more: all.length - items.length }
    },

    async complete(userid, body, meta) {
      const { p, name } = await nurseOf(userid)
      const note = body.note ?? null
      const item = body.item.toLowerCase()
      const byId = async (type: 'task' | 'step', id: string): Promise<ServiceCompleteResponse> => {
        if (type === 'task') {
          const t = await tasks.findById(id)
          if (!t || !taskService.visibleTo(p, t))
            throw new AppError('TASK_NOT_FOUND', 'No such task of yours')
          return completeTask(p, name, t, note, meta)
        }
        const s = await steps.findById(id)
        if (!s) throw new AppError('TASK_NOT_FOUND', 'No such item of yours')
        return completeStep(p, name, s, meta)
      }
      if (/^\d{1,3}$/.test(item)) {
        const list = await deps.lists.get(p.staffId)
        // 「完成 3」 means the list she saw today; yesterday's numbers no longer do.
        if (!list || list.at < taskService.today().start)
          throw new AppError(
            'FOLLOWUP_LIST_EXPIRED',
            'Ask for 今日随访 first: item numbers refer to today’s list',
          )
        const chosen = list.items[Number(item) - 1]
        if (!chosen) throw new AppError('TASK_NOT_FOUND', `Item ${item} is not in your list`)
        return byId(chosen.type, chosen.id)
      }
      if (item.length === 24) {
        if (await tasks.findById(item)) return byId('task', item)
        return byId('step', item)
      }
      // A short ref: an item of her last list, else one of her tasks (alerts show 完成 <ref>).
      const listed = (await deps.lists.get(p.staffId))?.items.find((i) => i.id.endsWith(item))
      if (listed) return byId(listed.type, listed.id)
      const scope = taskService.scopeOf({ ...p, role: 'nurse' })
      const candidates = (await tasks.list({ ...scope, limit: 2000 })).filter((t) =>
        t._id.toHexString().endsWith(item),
      )
      const pick = candidates.find((t) => t.status === 'open') ?? candidates[0]
      if (!pick) throw new AppError('TASK_NOT_FOUND', `No task of yours ends with ${item}`)
      return completeTask(p, name, pick, note, meta)
    },

    async enrol(userid, body, meta) {
      const { p } = await nurseOf(userid)
      if (!ENROLLERS.has(p.role)) throw new AppError('FORBIDDEN', `Role ${p.role} may not enrol patients`)
      const { kind, rows } = await deps.lookup.find(accessOf(p).scope, body.patient)
      await audit.record({
        actor: staffActor(p),
        action: 'patient.list',
        detail: {
          via: 'wecom-bot',
          query: kind === 'text' ? { kind, text: body.patient } : { kind },
          count: rows.length,
          patientIds: rows.slice(0, MAX_CANDIDATES).map((r) => r.id),
        },
        ...meta,
      })
      if (rows.length === 0)
        throw new AppError('PATIENT_NOT_FOUND', `No patient matching ${body.patient} in your scope`)
      if (rows.length > 1)
        return {
          outcome: 'ambiguous',
          field: 'patient',
          candidates: rows.slice(0, MAX_CANDIDATES).map((r) => {
            const b = deps.lookup.present(r)
            return { id: b.id, label: [b.name ?? '（未填姓名）', b.phone].filter(Boolean).join(' ') }
          }),
          total: rows.length,
        }
      const active = await deps.plans.list('active')
      const exact = active.filter((x) => x.name === body.plan)
      const plans = exact.length ? exact : active.filter((x) => x.name.includes(body.plan))
      if (plans.length === 0)
        throw new AppError('FOLLOWUP_PLAN_NOT_FOUND', `No active plan named ${body.plan}`)
      if (plans.length > 1)
        return {
          outcome: 'ambiguous',
          field: 'plan',
          candidates: plans.slice(0, MAX_CANDIDATES).map((x) => ({ id: x._id.toHexString(), label: x.name })),
          total: plans.length,
        }
      const plan = plans[0]!
      const patient = rows[0]!
      const r = await deps.enrolments.enrol(
        { kind: 'staff', p, via: 'bot', meta },
        { patientId: patient.id, planId: plan._id.toHexString(), anchorDate: body.anchorDate },
      )
      const next = r.enrolment.steps.find((s) => s.status === 'scheduled' || s.status === 'due')
      return {
        outcome: 'done',
        created: r.created,
        patient: deps.lookup.present(patient),
        plan: { id: plan._id.toHexString(), name: plan.name },
        anchorDate: r.enrolment.anchorDate,
        next: next ? { title: next.title, dueAtLocal: next.dueAtLocal } : null,
      }
    },
  }
}

import { AppError, type CompleteTaskResponse, type NurseTask, type TasksResponse } from '@careloop/shared'
import type { TasksQuery, z } from '@careloop/shared'
import type { Clock } from '../../clock'
import type { StaffPrincipal } from '../../http/context'
import type { AuditLog } from '../audit/audit.repo'
import { formatLocal } from '../communities/zoned-time'
import { dayBounds, localDateOf } from '../followup/schedule'
import type { StaffRepo } from '../staff/staff.repo'
import { staffActor, type RequestMeta } from '../staff/staff.service'
import type { TaskDoc, TaskListFilter, TaskRepo } from './task.repo'

export type TaskListInput = z.infer<typeof TasksQuery>

/** What happens when a task is done, beyond the task (a nurse step of a follow-up plan is done too). */
export type TaskDoneHook = (task: TaskDoc, staffId: string, at: Date) => Promise<void>

export interface TaskService {
  list(p: StaffPrincipal, q: TaskListInput, meta: RequestMeta): Promise<TasksResponse>
  complete(
    p: StaffPrincipal,
    id: string,
    note: string | null,
    meta: RequestMeta,
  ): Promise<CompleteTaskResponse>
  /** Presents tasks (names resolved) the way the API shows them. */
  present(tasks: TaskDoc[]): Promise<NurseTask[]>
  /** Who may see a task: a nurse her own and the unassigned ones; head nurses and admins all. */
  visibleTo(p: StaffPrincipal, t: TaskDoc): boolean
  /** The nurse scope of task lists (undefined: everyone's). */
  scopeOf(p: StaffPrincipal, nurseId?: string): Pick<TaskListFilter, 'nurseId' | 'nurseIn'>
  /** The end of today (exclusive) and its start, hospital zone. */
  today(): { start: Date; end: Date; date: string }
}

const LIMIT = 200

export const createTaskService = (deps: {
  tasks: TaskRepo
  staff: Pick<StaffRepo, 'findByIds'>
  audit: AuditLog
  clock: Clock
  timeZone: string
  onDone?: TaskDoneHook
}): TaskService => {
  const { tasks, audit, clock, timeZone } = deps

  const today = (): { start: Date; end: Date; date: string } => {
    const date = localDateOf(clock.now(), timeZone)
    return { ...dayBounds(date, timeZone), date }
  }

  const present = async (rows: TaskDoc[]): Promise<NurseTask[]> => {
    const names = await tasks.patientNames([
      ...new Map(rows.map((t) => [t.patientId.toHexString(), t.patientId])).values(),
    ])
    const staffIds = [
      ...new Set(
        rows
          .flatMap((t) => [t.nurseId?.toHexString(), t.doneBy?.toHexString()])
          .filter((x): x is string => !!x),
      ),
    ]
    const staff = new Map((await deps.staff.findByIds(staffIds)).map((s) => [s.id, s.name]))
    const { start } = today()
    return rows.map((t) => ({
      id: t._id.toHexString(),
      ref: t._id.toHexString().slice(-6),
      kind: t.kind,
      priority: t.priority,
      title: t.title,
      detail: t.detail ?? '',
      dueAt: t.dueAt.toISOString(),
      dueAtLocal: formatLocal(t.dueAt, timeZone),
      overdue: t.status === 'open' && t.dueAt < start,
      status: t.status,
      patient: { id: t.patientId.toHexString(), name: names.get(t.patientId.toHexString()) ?? null },
      nurse: t.nurseId
        ? { id: t.nurseId.toHexString(), name: staff.get(t.nurseId.toHexString()) ?? null }
        : null,
      source: { kind: t.source.kind, id: t.source.id, groupId: t.source.groupId ?? null },
      doneAt: t.doneAt ? t.doneAt.toISOString() : null,
      doneBy: t.doneBy
        ? { id: t.doneBy.toHexString(), name: staff.get(t.doneBy.toHexString()) ?? null }
        : null,
      note: t.note ?? null,
      createdAt: t.createdAt.toISOString(),
    }))
  }

  const visibleTo = (p: StaffPrincipal, t: TaskDoc): boolean =>
    p.role !== 'nurse' || t.nurseId === null || t.nurseId.toHexString() === p.staffId

  const scopeOf = (p: StaffPrincipal, nurseId?: string): Pick<TaskListFilter, 'nurseId' | 'nurseIn'> =>
    p.role === 'nurse' ? { nurseIn: [p.staffId, null] } : nurseId ? { nurseId } : {}

  return {
    present,
    visibleTo,
    scopeOf,
    today,
    async list(p, q, meta) {
      const filter: Omit<TaskListFilter, 'limit'> = { ...scopeOf(p, q.nurseId) }
      if (q.patientId) filter.patientId = q.patientId
      if (q.view !== 'all') filter.status = 'open'
      if (q.view === 'today') filter.dueBefore = today().end
      const [rows, total] = await Promise.all([tasks.list({ ...filter, limit: LIMIT }), tasks.count(filter)])
      await audit.record({
        actor: staffActor(p),
        action: 'task.list',
        patientId: q.patientId ?? null,
        detail: {
          view: q.view,
          count: rows.length,
          patientIds: [...new Set(rows.map((t) => t.patientId.toHexString()))].slice(0, 50),
        },
        ...meta,
      })
      return { tasks: await present(rows), total }
    },

    async complete(p, id, note, meta) {
      const t = await tasks.findById(id)
      if (!t || !visibleTo(p, t)) throw new AppError('TASK_NOT_FOUND', 'No such task of yours')
      if (t.status === 'cancelled') throw new AppError('TASK_NOT_OPEN', 'This task was cancelled')
      const at = clock.now()
      const done = t.status === 'open' ? await tasks.complete(id, p.staffId, at, note) : null
      const alreadyDone = done === null
      const final = done ?? (await tasks.findById(id))!
      if (final.status !== 'done') throw new AppError('TASK_NOT_OPEN', 'This task was cancelled')
      // Also on a repeat: a crash after the task but before its step is repaired (idempotent).
      if (deps.onDone) await deps.onDone(final, final.doneBy?.toHexString() ?? p.staffId, final.doneAt ?? at)
      if (!alreadyDone)
        await audit.record({
          actor: staffActor(p),
          action: 'task.complete',
          patientId: t.patientId.toHexString(),
          detail: { taskId: id, kind: t.kind, note },
          ...meta,
        })
      return { task: (await present([final]))[0]!, alreadyDone }
    },
  }
}

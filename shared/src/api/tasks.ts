import { z } from '../zod'
import { ObjectIdString } from './auth'
import { defineRoute } from './route'
import { IdParams } from './staff'

/**
 * Nurse tasks (F16–F19, F34): follow-up steps a nurse carries out, missed steps to chase, red-flag
 * answers and abnormal readings to act on. A nurse sees her own and the unassigned ones; head nurses
 * and admins see everyone's.
 */

export const TASK_KIND_VALUES = [
  'followup',
  'missed',
  'red_flag',
  'abnormal_reading',
  'no_reading',
  'manual',
] as const

export const NurseTask = z
  .object({
    id: ObjectIdString,
    /** Last 6 hex of the id: what alerts and the bot's 完成 use. */
    ref: z.string(),
    kind: z.enum(TASK_KIND_VALUES),
    priority: z.enum(['urgent', 'normal']),
    title: z.string(),
    detail: z.string(),
    dueAt: z.string().datetime(),
    /** `YYYY-MM-DD HH:mm` in the hospital's zone. */
    dueAtLocal: z.string(),
    /** Open and due before today (hospital zone). */
    overdue: z.boolean(),
    status: z.enum(['open', 'done', 'cancelled']),
    patient: z.object({ id: ObjectIdString, name: z.string().nullable() }),
    nurse: z.object({ id: ObjectIdString, name: z.string().nullable() }).nullable(),
    source: z.object({ kind: z.string(), id: z.string(), groupId: z.string().nullable() }),
    doneAt: z.string().datetime().nullable(),
    doneBy: z.object({ id: ObjectIdString, name: z.string().nullable() }).nullable(),
    note: z.string().nullable(),
    createdAt: z.string().datetime(),
  })
  .openapi('NurseTask')
export type NurseTask = z.infer<typeof NurseTask>

export const TasksQuery = z
  .object({
    /** today: open tasks due by the end of today (overdue included); open: all open; all: every status. */
    view: z.enum(['today', 'open', 'all']).default('today'),
    /** head nurse, admin: one nurse's tasks (a nurse always sees her own and the unassigned ones). */
    nurseId: ObjectIdString.optional(),
    patientId: ObjectIdString.optional(),
  })
  .strict()

export const TasksResponse = z
  .object({ tasks: z.array(NurseTask), total: z.number().int().nonnegative() })
  .openapi('TasksResponse')
export type TasksResponse = z.infer<typeof TasksResponse>

export const CompleteTaskRequest = z
  .object({ note: z.string().trim().max(200, 'note must be at most 200 characters').optional() })
  .strict()
  .openapi('CompleteTaskRequest')

export const CompleteTaskResponse = z
  .object({
    task: NurseTask,
    /** The task was done already: nothing changed. */
    alreadyDone: z.boolean(),
  })
  .openapi('CompleteTaskResponse')
export type CompleteTaskResponse = z.infer<typeof CompleteTaskResponse>

const CARERS = ['nurse', 'head_nurse', 'admin'] as const

export const taskRoutes = {
  listTasks: defineRoute({
    id: 'listTasks',
    method: 'get',
    path: '/api/v1/staff/tasks',
    summary: "Nurse tasks: today's, open or all (nurse: her own and unassigned; head nurse, admin: all)",
    tag: 'tasks',
    auth: 'staff',
    roles: CARERS,
    query: TasksQuery,
    response: TasksResponse,
    errors: ['VALIDATION_FAILED'],
  }),
  completeTask: defineRoute({
    id: 'completeTask',
    method: 'post',
    path: '/api/v1/staff/tasks/:id/complete',
    summary: 'Mark a task done (idempotent: a done task answers alreadyDone:true)',
    tag: 'tasks',
    auth: 'staff',
    roles: CARERS,
    params: IdParams,
    body: CompleteTaskRequest,
    response: CompleteTaskResponse,
    errors: ['VALIDATION_FAILED', 'TASK_NOT_FOUND', 'TASK_NOT_OPEN'],
  }),
}

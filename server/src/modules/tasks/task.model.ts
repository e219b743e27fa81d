import { Schema, type Connection, type Model, type Types } from 'mongoose'

export const TASK_KINDS = [
  'followup',
  'missed',
  'red_flag',
  'abnormal_reading',
  'no_reading',
  'manual',
] as const
export type TaskKind = (typeof TASK_KINDS)[number]
export type TaskPriority = 'urgent' | 'normal'
export type TaskStatus = 'open' | 'done' | 'cancelled'

/**
 * A nurse task (F16–F19, F34): a follow-up step to carry out, a missed step to chase, a red-flag
 * answer or abnormal reading to act on. Created once per `dedupeKey` (re-running a job or re-saving
 * an answer never duplicates it); `nurseId` is the responsible nurse, null when nobody is (the head
 * nurses then see it).
 */
export interface TaskDoc {
  _id: Types.ObjectId
  dedupeKey: string
  patientId: Types.ObjectId
  nurseId: Types.ObjectId | null
  kind: TaskKind
  priority: TaskPriority
  title: string
  detail: string
  dueAt: Date
  status: TaskStatus
  doneAt: Date | null
  doneBy: Types.ObjectId | null
  note: string | null
  source: { kind: string; id: string; groupId: string | null }
  createdAt: Date
  updatedAt: Date
}

const taskSchema = new Schema<TaskDoc>(
  {
    dedupeKey: { type: String, required: true },
    patientId: { type: Schema.Types.ObjectId, required: true },
    nurseId: { type: Schema.Types.ObjectId, default: null },
    kind: { type: String, enum: TASK_KINDS, required: true },
    priority: { type: String, enum: ['urgent', 'normal'], required: true },
    title: { type: String, required: true },
    detail: { type: String, default: '' },
    dueAt: { type: Date, required: true },
    status: { type: String, enum: ['open', 'done', 'cancelled'], required: true, default: 'open' },
    doneAt: { type: Date, default: null },
    doneBy: { type: Schema.Types.ObjectId, default: null },
    note: { type: String, default: null },
    source: {
      kind: { type: String, required: true },
      id: { type: String, required: true },
      groupId: { type: String, default: null },
    },
  },
  { timestamps: true, collection: 'nurse_tasks', versionKey: false },
)
// One task per cause: the idempotency key of every producer (step, answer, reading, job run).
taskSchema.index({ dedupeKey: 1 }, { unique: true })
// A nurse's open tasks by due time (今日随访, console task list).
taskSchema.index({ nurseId: 1, status: 1, dueAt: 1 })
// A patient's tasks (360° view).
taskSchema.index({ patientId: 1, createdAt: -1 })
// Cancelling the open tasks of a source group (enrolment stopped).
taskSchema.index({ 'source.kind': 1, 'source.groupId': 1, status: 1 })

export const taskModel = (conn: Connection): Model<TaskDoc> =>
  (conn.models.NurseTask as Model<TaskDoc> | undefined) ?? conn.model<TaskDoc>('NurseTask', taskSchema)

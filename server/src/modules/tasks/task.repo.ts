import { isValidObjectId, Types, type Connection } from 'mongoose'
import { isDuplicateKey } from '../../db/duplicate-key'
import { patientModel } from '../patients/patient.model'
import { taskModel, type TaskDoc, type TaskKind, type TaskPriority, type TaskStatus } from './task.model'

export type { TaskDoc, TaskKind, TaskPriority, TaskStatus }

export interface OpenTaskInput {
  /** Idempotency key of the cause, e.g. `red-flag:<answerId>:<questionId>`. */
  dedupeKey: string
  patientId: string
  nurseId: string | null
  kind: TaskKind
  priority: TaskPriority
  title: string
  detail?: string
  dueAt: Date
  source: { kind: string; id: string; groupId?: string }
}

export interface TaskListFilter {
  /** A nurse's own tasks; `null` = tasks nobody is responsible for; undefined = everyone's. */
  nurseId?: string | null
  /** Tasks of any of these nurses (`null` = unassigned), e.g. a nurse's own and the unassigned ones. */
  nurseIn?: (string | null)[]
  patientId?: string
  status?: TaskStatus
  kinds?: TaskKind[]
  dueBefore?: Date
  dueFrom?: Date
  limit: number
}

export interface TaskRepo {
  /** Creates the task unless its dedupeKey exists; returns the stored task and whether it is new. */
  openOnce(input: OpenTaskInput): Promise<{ task: TaskDoc; created: boolean }>
  findById(id: string): Promise<TaskDoc | null>
  list(filter: TaskListFilter): Promise<TaskDoc[]>
  /** open → done, once (a second call returns null); records who and when. */
  complete(id: string, by: string, at: Date, note: string | null): Promise<TaskDoc | null>
  /** Cancels the open tasks of a source group (enrolment stopped); returns how many. */
  cancelBySource(source: { kind: string; groupId: string }, at: Date): Promise<number>
  /** How many tasks match (same filter as `list`, without its limit). */
  count(filter: Omit<TaskListFilter, 'limit'>): Promise<number>
  /** Display names of patients (null for erased or unnamed profiles). */
  patientNames(ids: readonly Types.ObjectId[]): Promise<Map<string, string | null>>
}

const oid = (id: string): Types.ObjectId | null => (isValidObjectId(id) ? new Types.ObjectId(id) : null)

const filterOf = (f: Omit<TaskListFilter, 'limit'>): Record<string, unknown> => {
  const q: Record<string, unknown> = {}
  if (f.nurseId !== undefined)
    q.nurseId = f.nurseId === null ? null : (oid(f.nurseId) ?? new Types.ObjectId())
  if (f.nurseIn)
    q.nurseId = { $in: f.nurseIn.map((n) => (n === null ? null : (oid(n) ?? new Types.ObjectId()))) }
  if (f.patientId !== undefined) q.patientId = oid(f.patientId) ?? new Types.ObjectId()
  if (f.status) q.status = f.status
  if (f.kinds?.length) q.kind = { $in: f.kinds }
  if (f.dueBefore || f.dueFrom)
    q.dueAt = { ...(f.dueFrom ? { $gte: f.dueFrom } : {}), ...(f.dueBefore ? { $lt: f.dueBefore } : {}) }
  return q
}

export const createTaskRepo = (conn: Connection): TaskRepo => {
  const Tasks = taskModel(conn)
  return {
    async openOnce(input) {
      const patientId = oid(input.patientId)
      if (!patientId) throw new Error(`openOnce: bad patient id ${input.patientId}`)
      try {
        const created = await Tasks.create({
          dedupeKey: input.dedupeKey,
          patientId,
          nurseId: input.nurseId ? oid(input.nurseId) : null,
          kind: input.kind,
          priority: input.priority,
          title: input.title,
          detail: input.detail ?? '',
          dueAt: input.dueAt,
          status: 'open',
          source: { kind: input.source.kind, id: input.source.id, groupId: input.source.groupId ?? null },
        })
        return { task: created.toObject<TaskDoc>(), created: true }
      } catch (e) {
        if (!isDuplicateKey(e)) throw e
        const existing = await Tasks.findOne({ dedupeKey: input.dedupeKey }).lean<TaskDoc>()
        if (!existing) throw e
        return { task: existing, created: false }
      }
    },

    async findById(id) {
      const _id = oid(id)
      return _id ? Tasks.findById(_id).lean<TaskDoc>() : null
    },

    async list(f) {
      return Tasks.find(filterOf(f)).sort({ priority: -1, dueAt: 1, _id: 1 }).limit(f.limit).lean<TaskDoc[]>()
    },

    count: (f) => Tasks.countDocuments(filterOf(f)),

    async patientNames(ids) {
      const rows = ids.length
        ? await patientModel(conn)
            .find({ _id: { $in: ids } }, { name: 1, erasedAt: 1 })
            .lean<{ _id: Types.ObjectId; name: string | null; erasedAt: Date | null }[]>()
        : []
      return new Map(rows.map((r) => [r._id.toHexString(), r.erasedAt ? null : (r.name ?? null)]))
    },

    async complete(id, by, at, note) {
      const _id = oid(id)
      const doneBy = oid(by)
      if (!_id || !doneBy) return null
      return Tasks.findOneAndUpdate(
        { _id, status: 'open' },
        { $set: { status: 'done', doneAt: at, doneBy, note } },
        { new: true },
      ).lean<TaskDoc>()
    },

    async cancelBySource(source, at) {
      const r = await Tasks.updateMany(
        { 'source.kind': source.kind, 'source.groupId': source.groupId, status: 'open' },
        { $set: { status: 'cancelled', doneAt: at } },
      )
      return r.modifiedCount
    },
  }
}

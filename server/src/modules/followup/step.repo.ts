import { isValidObjectId, Types, type Connection } from 'mongoose'
import { isDuplicateKey } from '../../db/duplicate-key'
import { stepModel, type StepCancelReasonValue, type StepDoc, type StepStatusValue } from './followup.model'

export type NewStep = Omit<
  StepDoc,
  '_id' | 'held' | 'doneAt' | 'doneBy' | 'answerId' | 'alertedAt' | 'createdAt' | 'updatedAt'
>

export interface StepRepo {
  /** Inserts the steps an enrolment lacks (by enrolment and key); returns all of its steps. */
  ensure(enrolmentId: Types.ObjectId, steps: NewStep[]): Promise<StepDoc[]>
  findById(id: string): Promise<StepDoc | null>
  forEnrolments(ids: Types.ObjectId[]): Promise<StepDoc[]>
  /** Pause: the enrolment's scheduled steps are held (no reminder, not missed). */
  hold(enrolmentId: Types.ObjectId): Promise<void>
  /** Resume: held steps whose window closed meanwhile are cancelled, the others released. */
  release(enrolmentId: Types.ObjectId, now: Date): Promise<void>
  /** Cancels the enrolment's scheduled steps. */
  cancelOpen(enrolmentId: Types.ObjectId, reason: StepCancelReasonValue): Promise<number>
  /**
   * Marks a step done if it still matches `guard` (e.g. its patient, kind and status); null otherwise.
   */
  complete(
    id: string,
    guard: { patientIds?: Types.ObjectId[]; kinds?: string[]; from: StepStatusValue[] },
    done: { at: Date; by: { kind: 'patient' | 'staff' | 'system'; id: string | null }; answerId?: string },
  ): Promise<StepDoc | null>
  /** Scheduled, unheld steps whose window closed by `now`, oldest first. */
  overdue(now: Date, limit: number): Promise<StepDoc[]>
  /** scheduled → missed (guarded); false when someone else changed it first. */
  markMissed(id: Types.ObjectId): Promise<boolean>
  /** Missed steps whose alert is still owed. */
  owedAlerts(limit: number): Promise<StepDoc[]>
  markAlerted(id: Types.ObjectId, at: Date): Promise<void>
  countScheduled(enrolmentId: Types.ObjectId): Promise<number>
  /** A nurse's patients' steps inside their window now or due before `before` (今日随访), by due time. */
  dueFor(o: { nurseId: string; before: Date; now: Date; limit: number }): Promise<StepDoc[]>
  /** Done / missed counts of steps whose window ended in [from, to), by a field. */
  outcomes(o: {
    from: Date
    to: Date
    nurseId?: string
    by: 'planId' | 'nurseId' | 'patientId'
  }): Promise<{ key: string | null; status: 'done' | 'missed'; n: number }[]>
}

export const createStepRepo = (conn: Connection): StepRepo => {
  const S = stepModel(conn)
  const oid = (id: string): Types.ObjectId | null => (isValidObjectId(id) ? new Types.ObjectId(id) : null)

  const ensureOnce = async (enrolmentId: Types.ObjectId, steps: NewStep[]): Promise<void> => {
    if (steps.length === 0) return
    await S.bulkWrite(
      steps.map((s) => ({
        updateOne: {
          filter: { enrolmentId, stepKey: s.stepKey },
          update: {
            $setOnInsert: {
              ...s,
              held: false,
              doneAt: null,
              doneBy: null,
              answerId: null,
              alertedAt: null,
            },
          },
          upsert: true,
        },
      })),
      { ordered: false },
    )
  }

  return {
    async ensure(enrolmentId, steps) {
      try {
        await ensureOnce(enrolmentId, steps)
      } catch (e) {
        // Concurrent upserts of one key: one inserts, the other collides; a second pass only matches.
        if (!isDuplicateKey(e) && !isBulkDuplicate(e)) throw e
        await ensureOnce(enrolmentId, steps)
      }
      return S.find({ enrolmentId }).sort({ dueAt: 1, stepKey: 1 }).lean<StepDoc[]>()
    },
    async findById(id) {
      const _id = oid(id)
      return _id ? S.findById(_id).lean<StepDoc>() : null
    },
    forEnrolments: (ids) =>
      ids.length
        ? S.find({ enrolmentId: { $in: ids } })
            .sort({ dueAt: 1, stepKey: 1 })
            .lean<StepDoc[]>()
        : Promise.resolve([]),
    async hold(enrolmentId) {
      await S.updateMany({ enrolmentId, status: 'scheduled' }, { $set: { held: true } })
    },
    async release(enrolmentId, now) {
      await S.updateMany(
        { enrolmentId, status: 'scheduled', held: true, windowEnd: { $lte: now } },
        { $set: { status: 'cancelled', cancelReason: 'paused', held: false } },
      )
      await S.updateMany({ enrolmentId, status: 'scheduled', held: true }, { $set: { held: false } })
    },
    async cancelOpen(enrolmentId, reason) {
      const r = await S.updateMany(
        { enrolmentId, status: 'scheduled' },
        { $set: { status: 'cancelled', cancelReason: reason, held: false } },
      )
      return r.modifiedCount
    },
    async complete(id, guard, done) {
      const _id = oid(id)
      if (!_id) return null
      const q: Record<string, unknown> = { _id, status: { $in: guard.from } }
      if (guard.patientIds) q.patientId = { $in: guard.patientIds }
      if (guard.kinds) q.kind = { $in: guard.kinds }
      return S.findOneAndUpdate(
        q,
        {
          $set: {
            status: 'done',
            doneAt: done.at,
            doneBy: done.by,
            held: false,
            ...(done.answerId ? { answerId: done.answerId } : {}),
          },
        },
        { new: true },
      ).lean<StepDoc>()
    },
    overdue: (now, limit) =>
      S.find({ status: 'scheduled', held: false, windowEnd: { $lte: now } })
        .sort({ windowEnd: 1, _id: 1 })
        .limit(limit)
        .lean<StepDoc[]>(),
    async markMissed(id) {
      const r = await S.updateOne(
        { _id: id, status: 'scheduled', held: false },
        { $set: { status: 'missed' } },
      )
      return r.modifiedCount === 1
    },
    owedAlerts: (limit) =>
      S.find({ status: 'missed', alertedAt: null })
        .sort({ windowEnd: 1, _id: 1 })
        .limit(limit)
        .lean<StepDoc[]>(),
    async markAlerted(id, at) {
      await S.updateOne({ _id: id, alertedAt: null }, { $set: { alertedAt: at } })
    },
    countScheduled: (enrolmentId) => S.countDocuments({ enrolmentId, status: 'scheduled' }),
    async dueFor(o) {
      const nurseId = oid(o.nurseId)
      if (!nurseId) return []
      return S.find({
        nurseId,
        status: 'scheduled',
        held: false,
        dueAt: { $lt: o.before },
        windowEnd: { $gt: o.now },
      })
        .sort({ dueAt: 1, _id: 1 })
        .limit(o.limit)
        .lean<StepDoc[]>()
    },
    async outcomes(o) {
      const match: Record<string, unknown> = {
        windowEnd: { $gte: o.from, $lt: o.to },
        status: { $in: ['done', 'missed'] },
      }
      if (o.nurseId !== undefined) match.nurseId = oid(o.nurseId) ?? new Types.ObjectId()
      const rows = await S.aggregate<{ _id: { k: Types.ObjectId | null; s: 'done' | 'missed' }; n: number }>([
        { $match: match },
        { $group: { _id: { k: `$${o.by}`, s: '$status' }, n: { $sum: 1 } } },
      ])
      return rows.map((r) => ({ key: r._id.k ? r._id.k.toHexString() : null, status: r._id.s, n: r.n }))
    },
  }
}

/** A bulkWrite whose only failures are duplicate keys. */
const isBulkDuplicate = (e: unknown): boolean => {
  const errs = (e as { writeErrors?: { code?: number }[] } | null)?.writeErrors
  return Array.isArray(errs) && errs.length > 0 && errs.every((w) => w.code === 11000)
}

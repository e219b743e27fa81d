import { isValidObjectId, type Connection, type Types } from 'mongoose'
import { isDuplicateKey } from '../../db/duplicate-key'
import { enrolmentModel, planModel, type PlanDoc } from './followup.model'

export class PlanNameTakenError extends Error {}

export type NewPlan = Omit<PlanDoc, '_id' | 'version' | 'createdAt' | 'updatedAt'>
export type PlanChanges = Partial<
  Pick<PlanDoc, 'name' | 'description' | 'anchor' | 'steps' | 'thresholds' | 'autoEnrolTagId' | 'status'>
>

export interface PlanRepo {
  list(status: 'active' | 'archived' | 'all'): Promise<PlanDoc[]>
  findById(id: string): Promise<PlanDoc | null>
  /** Throws PlanNameTakenError on a taken name. */
  create(p: NewPlan): Promise<PlanDoc>
  /** Applies the changes and bumps the version; null when the plan does not exist. */
  update(id: string, changes: PlanChanges): Promise<PlanDoc | null>
  /** Active or paused enrolments per plan id. */
  runningCounts(planIds: Types.ObjectId[]): Promise<Map<string, number>>
  /** Active plans that watch readings (any reading threshold or `noReadingDays`). */
  watchingReadings(): Promise<PlanDoc[]>
  /** The active plans that enrol patients who receive this tag. */
  forAutoEnrolTag(tagId: string): Promise<PlanDoc[]>
}

export const createPlanRepo = (conn: Connection): PlanRepo => {
  const Plans = planModel(conn)
  const Enrolments = enrolmentModel(conn)
  const named = async <T>(name: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run()
    } catch (e) {
      if (isDuplicateKey(e)) throw new PlanNameTakenError(name)
      throw e
    }
  }
  return {
    list: (status) =>
      Plans.find(status === 'all' ? {} : { status })
        .sort({ status: 1, name: 1 })
        .lean<PlanDoc[]>(),
    findById: async (id) => (isValidObjectId(id) ? Plans.findById(id).lean<PlanDoc>() : null),
    create: (p) => named(p.name, async () => (await Plans.create({ ...p, version: 1 })).toObject<PlanDoc>()),
    async update(id, changes) {
      if (!isValidObjectId(id)) return null
      return named(changes.name ?? '', () =>
        Plans.findByIdAndUpdate(id, { $set: changes, $inc: { version: 1 } }, { new: true }).lean<PlanDoc>(),
      )
    },
    async runningCounts(planIds) {
      const out = new Map<string, number>()
      if (planIds.length === 0) return out
      const rows = await Enrolments.aggregate<{ _id: Types.ObjectId; n: number }>([
        { $match: { planId: { $in: planIds }, status: { $in: ['active', 'paused'] } } },
        { $group: { _id: '$planId', n: { $sum: 1 } } },
      ])
      for (const r of rows) out.set(r._id.toHexString(), r.n)
      return out
    },
    watchingReadings: () =>
      Plans.find({
        status: 'active',
        $or: ['bpSystolic', 'bpDiastolic', 'glucose', 'weight', 'noReadingDays'].map((k) => ({
          [`thresholds.${k}`]: { $exists: true, $ne: null },
        })),
      }).lean<PlanDoc[]>(),
    forAutoEnrolTag: (tagId) => Plans.find({ autoEnrolTagId: tagId, status: 'active' }).lean<PlanDoc[]>(),
  }
}

import { isValidObjectId, Types, type Connection } from 'mongoose'
import { isDuplicateKey } from '../../db/duplicate-key'
import {
  enrolmentModel,
  type EnrolmentDoc,
  type EnrolmentHistoryDoc,
  type EnrolmentStatusValue,
} from './followup.model'

export type NewEnrolment = Omit<EnrolmentDoc, '_id' | 'status' | 'activeKey' | 'createdAt' | 'updatedAt'>

export interface EnrolmentRepo {
  /**
   * Inserts an active enrolment unless the patient has a running (active or paused) one in the plan:
   * then that one is returned with `created: false`. Safe under any number of concurrent calls.
   */
  enrolOnce(e: NewEnrolment): Promise<{ enrolment: EnrolmentDoc; created: boolean }>
  findById(id: string): Promise<EnrolmentDoc | null>
  /** The running (active or paused) enrolment of a patient in a plan, if any. */
  findRunning(patientId: string, planId: string): Promise<EnrolmentDoc | null>
  forPatient(patientId: string): Promise<EnrolmentDoc[]>
  /** Running (active or paused) enrolments of a patient. */
  runningForPatient(patientId: string): Promise<EnrolmentDoc[]>
  /** Active (not paused) enrolments of these plans, oldest first (the no-reading check). */
  activeForPlans(planIds: Types.ObjectId[]): Promise<EnrolmentDoc[]>
  /**
   * Moves an enrolment from one of `from` to `to` (atomic guard), appending `entry` to its history;
   * stopping and completing free the running slot. Null when it was not in `from`.
   */
  transition(
    id: string,
    from: EnrolmentStatusValue[],
    to: EnrolmentStatusValue,
    entry: EnrolmentHistoryDoc,
  ): Promise<EnrolmentDoc | null>
}

const activeKeyOf = (patientId: Types.ObjectId, planId: Types.ObjectId): string =>
  `${patientId.toHexString()}:${planId.toHexString()}`

export const createEnrolmentRepo = (conn: Connection): EnrolmentRepo => {
  const E = enrolmentModel(conn)
  const oid = (id: string): Types.ObjectId | null => (isValidObjectId(id) ? new Types.ObjectId(id) : null)
  return {
    async enrolOnce(e) {
      const activeKey = activeKeyOf(e.patientId, e.planId)
      // Two rounds: the running enrolment we collided with may have been stopped in between.
      for (let round = 0; round < 3; round++) {
        try {
          const d = await E.create({ ...e, status: 'active', activeKey })
          return { enrolment: d.toObject<EnrolmentDoc>(), created: true }
        } catch (err) {
          if (!isDuplicateKey(err)) throw err
          const existing = await E.findOne({ activeKey }).lean<EnrolmentDoc>()
          if (existing) return { enrolment: existing, created: false }
        }
      }
      throw new Error(`enrolOnce: could not settle ${activeKey}`)
    },
    async findById(id) {
      const _id = oid(id)
      return _id ? E.findById(_id).lean<EnrolmentDoc>() : null
    },
    async findRunning(patientId, planId) {
      const p = oid(patientId)
      const q = oid(planId)
      return p && q ? E.findOne({ activeKey: activeKeyOf(p, q) }).lean<EnrolmentDoc>() : null
    },
    async forPatient(patientId) {
      const p = oid(patientId)
      return p
        ? E.find({ patientId: p }).sort({ enrolledAt: -1, _id: -1 }).limit(100).lean<EnrolmentDoc[]>()
        : []
    },
    async runningForPatient(patientId) {
      const p = oid(patientId)
      return p
        ? E.find({ patientId: p, status: { $in: ['active', 'paused'] } })
            .sort({ enrolledAt: 1, _id: 1 })
            .lean<EnrolmentDoc[]>()
        : []
    },
    async activeForPlans(planIds) {
      if (planIds.length === 0) return []
      return E.find({ planId: { $in: planIds }, status: 'active' })
        .sort({ enrolledAt: 1, _id: 1 })
        .lean<EnrolmentDoc[]>()
    },
    async transition(id, from, to, entry) {
      const _id = oid(id)
      if (!_id) return null
      const running = to === 'active' || to === 'paused'
      return E.findOneAndUpdate(
        { _id, status: { $in: from } },
        {
          $set: { status: to },
          $push: { history: entry },
          ...(running ? {} : { $unset: { activeKey: 1 } }),
        },
        { new: true },
      ).lean<EnrolmentDoc>()
    },
  }
}

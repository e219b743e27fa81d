import type { SegmentFilter } from '@careloop/shared'
import type { Connection, FilterQuery } from 'mongoose'
import { patientModel, type PatientDoc } from '../patients/patient.model'
import { segmentModel, type SegmentDoc } from './segment.model'

export class SegmentNameTakenError extends Error {}

export interface SegmentRepo {
  /** Live (non-erased) patients matching a compiled segment filter: the count and the first few. */
  preview(filter: SegmentFilter, sampleSize: number): Promise<{ count: number; sample: PatientDoc[] }>
  list(): Promise<SegmentDoc[]>
  /** Throws SegmentNameTakenError on a taken name. */
  save(name: string, expression: string, createdBy: string): Promise<void>
}

export const createSegmentRepo = (conn: Connection): SegmentRepo => {
  const P = patientModel(conn)
  const S = segmentModel(conn)
  return {
    async preview(filter, sampleSize) {
      const q = { $and: [filter, { erasedAt: null }] } as FilterQuery<PatientDoc>
      const [count, sample] = await Promise.all([
        P.countDocuments(q),
        P.find(q).sort({ _id: 1 }).limit(sampleSize).lean<PatientDoc[]>(),
      ])
      return { count, sample }
    },
    list: () => S.find({}).sort({ name: 1 }).lean<SegmentDoc[]>(),
    async save(name, expression, createdBy) {
      try {
        await S.create({ name, expression, createdBy })
      } catch (e) {
        if ((e as { code?: number }).code === 11000) throw new SegmentNameTakenError(name)
        throw e
      }
    },
  }
}

import type { ReadingKind } from '@careloop/shared'
import { isValidObjectId, Types, type Connection } from 'mongoose'
import { isDuplicateKey } from '../../db/duplicate-key'
import { readingModel, type ReadingDoc } from './reading.model'

export type { ReadingDoc }

export type NewReading = Omit<ReadingDoc, '_id' | 'effectsAppliedAt'>

export interface ReadingFilter {
  kind?: ReadingKind
  from?: Date
  to?: Date
}

export interface ReadingRepo {
  /** Inserts unless the (patient, requestId) exists: then the first reading and `created: false`. */
  insert(r: NewReading): Promise<{ reading: ReadingDoc; created: boolean }>
  findByRequest(patientId: string, requestId: string): Promise<ReadingDoc | null>
  /** Newest measured first. */
  list(patientId: string, f: ReadingFilter, limit: number): Promise<ReadingDoc[]>
  /** The newest measured reading of these kinds (all kinds when empty). */
  latest(patientId: string, kinds: ReadingKind[]): Promise<ReadingDoc | null>
  pendingEffects(limit: number): Promise<ReadingDoc[]>
  markEffectsApplied(id: Types.ObjectId, at: Date): Promise<void>
}

const oid = (id: string): Types.ObjectId | null => (isValidObjectId(id) ? new Types.ObjectId(id) : null)

export const createReadingRepo = (conn: Connection): ReadingRepo => {
  const R = readingModel(conn)
  const findByRequest = async (patientId: string, requestId: string): Promise<ReadingDoc | null> => {
    const p = oid(patientId)
    return p ? R.findOne({ patientId: p, requestId }).lean<ReadingDoc>() : null
  }
  return {
    async insert(r) {
      try {
        const d = await R.create({ ...r, effectsAppliedAt: null })
        return { reading: d.toObject<ReadingDoc>(), created: true }
      } catch (e) {
        if (!isDuplicateKey(e)) throw e
        const first = await findByRequest(r.patientId.toHexString(), r.requestId)
        if (!first) throw e
        return { reading: first, created: false }
      }
    },
    findByRequest,
    async list(patientId, f, limit) {
      const p = oid(patientId)
      if (!p) return []
      const q: Record<string, unknown> = { patientId: p }
      if (f.kind) q.kind = f.kind
      if (f.from || f.to)
        q.measuredAt = { ...(f.from ? { $gte: f.from } : {}), ...(f.to ? { $lt: f.to } : {}) }
      return R.find(q).sort({ measuredAt: -1, _id: -1 }).limit(limit).lean<ReadingDoc[]>()
    },
    async latest(patientId, kinds) {
      const p = oid(patientId)
      if (!p) return null
      return R.findOne({ patientId: p, ...(kinds.length ? { kind: { $in: kinds } } : {}) })
        .sort({ measuredAt: -1, _id: -1 })
        .lean<ReadingDoc>()
    },
    pendingEffects: (limit) =>
      R.find({ effectsAppliedAt: null }).sort({ createdAt: 1, _id: 1 }).limit(limit).lean<ReadingDoc[]>(),
    async markEffectsApplied(id, at) {
      await R.updateOne({ _id: id, effectsAppliedAt: null }, { $set: { effectsAppliedAt: at } })
    },
  }
}

import { isValidObjectId, Types, type Connection } from 'mongoose'
import { isDuplicateKey } from '../../db/duplicate-key'
import { answerModel, type AnswerDoc } from './questionnaire.model'

export type { AnswerDoc }

export type NewAnswer = Omit<AnswerDoc, '_id' | 'effectsAppliedAt' | 'stepId'> & {
  stepId: Types.ObjectId | null
}

export type InsertResult =
  | { kind: 'created'; answer: AnswerDoc }
  /** The same (patient, requestId) exists: the first answer. */
  | { kind: 'same-request'; answer: AnswerDoc }
  /** Another answer holds the step. */
  | { kind: 'step-taken'; answer: AnswerDoc }

export interface AnswerRepo {
  /** Inserts unless the request or the step already has an answer (concurrency-safe by unique keys). */
  insert(a: NewAnswer): Promise<InsertResult>
  findByRequest(patientId: string, requestId: string): Promise<AnswerDoc | null>
  findByStep(stepId: string): Promise<AnswerDoc | null>
  forPatient(patientId: string, limit: number): Promise<AnswerDoc[]>
  /** Answers of a questionnaire created in [from, to), oldest first, streamed. */
  inRange(questionnaireId: string, from: Date | null, to: Date | null): AsyncIterable<AnswerDoc>
  /** Answers whose effects may not have run, oldest first. */
  pendingEffects(limit: number): Promise<AnswerDoc[]>
  markEffectsApplied(id: Types.ObjectId, at: Date): Promise<void>
}

const oid = (id: string): Types.ObjectId | null => (isValidObjectId(id) ? new Types.ObjectId(id) : null)

export const createAnswerRepo = (conn: Connection): AnswerRepo => {
  const A = answerModel(conn)

  const findByRequest = async (patientId: string, requestId: string): Promise<AnswerDoc | null> => {
    const p = oid(patientId)
    return p ? A.findOne({ patientId: p, requestId }).lean<AnswerDoc>() : null
  }
  const findByStep = async (stepId: string): Promise<AnswerDoc | null> => {
    const s = oid(stepId)
    return s ? A.findOne({ stepId: s }).lean<AnswerDoc>() : null
  }

  return {
    async insert(a) {
      const { stepId, ...rest } = a
      try {
        const d = await A.create({ ...rest, ...(stepId ? { stepId } : {}), effectsAppliedAt: null })
        return { kind: 'created', answer: d.toObject<AnswerDoc>() }
      } catch (e) {
        if (!isDuplicateKey(e)) throw e
        const same = await findByRequest(a.patientId.toHexString(), a.requestId)
        if (same) return { kind: 'same-request', answer: same }
        const taken = stepId ? await findByStep(stepId.toHexString()) : null
        if (taken) return { kind: 'step-taken', answer: taken }
        throw e
      }
    },
    findByRequest,
    findByStep,
    async forPatient(patientId, limit) {
      const p = oid(patientId)
      return p
        ? A.find({ patientId: p }).sort({ createdAt: -1, _id: -1 }).limit(limit).lean<AnswerDoc[]>()
        : []
    },
    async *inRange(questionnaireId, from, to) {
      const q = oid(questionnaireId)
      if (!q) return
      const createdAt: Record<string, Date> = {}
      if (from) createdAt.$gte = from
      if (to) createdAt.$lt = to
      const cursor = A.find({ questionnaireId: q, ...(from || to ? { createdAt } : {}) })
        .sort({ createdAt: 1, _id: 1 })
        .lean<AnswerDoc[]>()
        .cursor()
      for await (const d of cursor) yield d
    },
    pendingEffects: (limit) =>
      A.find({ effectsAppliedAt: null }).sort({ createdAt: 1, _id: 1 }).limit(limit).lean<AnswerDoc[]>(),
    async markEffectsApplied(id, at) {
      await A.updateOne({ _id: id, effectsAppliedAt: null }, { $set: { effectsAppliedAt: at } })
    },
  }
}

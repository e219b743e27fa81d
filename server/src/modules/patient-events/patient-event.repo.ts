import { isDuplicateKey } from '../../db/duplicate-key'
import type { TagRuleEvent } from '@careloop/shared'
import { Types, type Connection } from 'mongoose'
import { patientEventModel, type PatientEventDoc } from './patient-event.model'

export type NewPatientEvent = Omit<PatientEventDoc, '_id' | 'patientId' | 'createdAt' | 'dedupeKey'> & {
  patientId: string
}

export interface PatientEventRepo {
  /**
   * Appends an event. When the sender's id (source + externalId) was seen before, nothing is written and
   * the earlier event is answered with `duplicate: true`.
   */
  record(e: NewPatientEvent): Promise<{ event: PatientEventDoc; duplicate: boolean }>
  /** A patient's events, newest first (at most `limit`). */
  forPatient(patientId: string, limit: number): Promise<PatientEventDoc[]>
  /** What rules need of the events of these patients, by patient id. */
  ruleEventsOf(patientIds: readonly string[]): Promise<Map<string, TagRuleEvent[]>>
  /** A patient's latest (or earliest) event of a kind, e.g. the surgery a follow-up plan counts from. */
  edgeOfKind(
    patientId: string,
    kind: PatientEventDoc['kind'],
    which: 'latest' | 'earliest',
  ): Promise<PatientEventDoc | null>
}

const isDuplicate = isDuplicateKey

export const createPatientEventRepo = (conn: Connection): PatientEventRepo => {
  const E = patientEventModel(conn)
  return {
    async record(e) {
      const dedupeKey = e.externalId ? `${e.source}:${e.externalId}` : undefined
      try {
        const doc = await E.create({
          ...e,
          patientId: new Types.ObjectId(e.patientId),
          ...(dedupeKey ? { dedupeKey } : {}),
        })
        return { event: doc.toObject<PatientEventDoc>(), duplicate: false }
      } catch (err) {
        if (!dedupeKey || !isDuplicate(err)) throw err
        const earlier = await E.findOne({ dedupeKey }).lean<PatientEventDoc>()
        if (!earlier) throw err
        return { event: earlier, duplicate: true }
      }
    },
    forPatient: (patientId, limit) =>
      E.find({ patientId: new Types.ObjectId(patientId) })
        .sort({ at: -1, _id: -1 })
        .limit(limit)
        .lean<PatientEventDoc[]>(),
    edgeOfKind: (patientId, kind, which) =>
      E.findOne({ patientId: new Types.ObjectId(patientId), kind })
        .sort(which === 'latest' ? { at: -1, _id: -1 } : { at: 1, _id: 1 })
        .lean<PatientEventDoc>(),
    async ruleEventsOf(patientIds) {
      const out = new Map<string, TagRuleEvent[]>(patientIds.map((id) => [id, []]))
      if (patientIds.length === 0) return out
      const rows = await E.find(
        { patientId: { $in: patientIds.map((id) => new Types.ObjectId(id)) } },
        { patientId: 1, kind: 1, code: 1, at: 1 },
      ).lean<Pick<PatientEventDoc, 'patientId' | 'kind' | 'code' | 'at'>[]>()
      for (const r of rows)
        out.get(r.patientId.toHexString())?.push({ kind: r.kind, code: r.code ?? null, at: r.at })
      return out
    },
  }
}

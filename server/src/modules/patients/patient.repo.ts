import type { Patient } from '@careloop/shared'
import { isValidObjectId, type Connection } from 'mongoose'
import { patientModel, type PatientDoc } from './patient.model'

const toPatient = (d: PatientDoc): Patient => ({
  id: d._id.toHexString(),
  name: d.name ?? null,
  createdAt: (d as { createdAt?: Date }).createdAt?.toISOString() ?? new Date(0).toISOString(),
})

export interface PatientRepo {
  /** Finds the patient of an openid or creates it, atomically (one patient per openid). */
  findOrCreateByOpenid(input: {
    openid: string
    unionid: string | undefined
    at: Date
  }): Promise<{ patient: Patient; created: boolean }>
  findById(id: string): Promise<Patient | null>
  updateName(id: string, name: string): Promise<Patient | null>
}

export const createPatientRepo = (conn: Connection): PatientRepo => {
  const M = patientModel(conn)
  return {
    async findOrCreateByOpenid({ openid, unionid, at }) {
      const update = {
        $setOnInsert: { openid, name: null },
        $set: { lastLoginAt: at, ...(unionid ? { unionid } : {}) },
      }
      for (let attempt = 0; ; attempt++) {
        try {
          const r = await M.findOneAndUpdate({ openid }, update, {
            upsert: true,
            new: true,
            includeResultMetadata: true,
            lean: true,
          })
          const doc = r.value as PatientDoc | null
          if (!doc) throw new Error('upsert returned no document')
          return { patient: toPatient(doc), created: r.lastErrorObject?.updatedExisting === false }
        } catch (e) {
          // Two first logins of the same user racing: the loser's upsert hits the unique index; retry finds it.
          if ((e as { code?: number }).code === 11000 && attempt === 0) continue
          throw e
        }
      }
    },
    async findById(id) {
      if (!isValidObjectId(id)) return null
      const d = await M.findById(id).lean<PatientDoc>()
      return d ? toPatient(d) : null
    },
    async updateName(id, name) {
      if (!isValidObjectId(id)) return null
      const d = await M.findByIdAndUpdate(id, { $set: { name } }, { new: true }).lean<PatientDoc>()
      return d ? toPatient(d) : null
    },
  }
}

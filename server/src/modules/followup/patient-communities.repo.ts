import { Types, type Connection } from 'mongoose'
import { communityModel, membershipModel } from '../communities/community.model'

/** Which communities patients are in now (rates by community). */
export interface PatientCommunities {
  of(patientIds: Types.ObjectId[]): Promise<{ byPatient: Map<string, string[]>; names: Map<string, string> }>
}

export const createPatientCommunities = (conn: Connection): PatientCommunities => ({
  async of(patientIds) {
    const byPatient = new Map<string, string[]>()
    const names = new Map<string, string>()
    if (patientIds.length === 0) return { byPatient, names }
    const stays = await membershipModel(conn)
      .find({ patientId: { $in: patientIds }, leftAt: null }, { patientId: 1, communityId: 1 })
      .lean<{ patientId: Types.ObjectId; communityId: Types.ObjectId }[]>()
    for (const s of stays) {
      const k = s.patientId.toHexString()
      const list = byPatient.get(k) ?? []
      if (!list.includes(s.communityId.toHexString())) list.push(s.communityId.toHexString())
      byPatient.set(k, list)
    }
    const ids = [...new Set(stays.map((s) => s.communityId.toHexString()))].map(
      (id) => new Types.ObjectId(id),
    )
    if (ids.length)
      for (const c of await communityModel(conn)
        .find({ _id: { $in: ids } }, { name: 1 })
        .lean<{ _id: Types.ObjectId; name: string }[]>())
        names.set(c._id.toHexString(), c.name)
    return { byPatient, names }
  },
})

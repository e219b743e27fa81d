import { isDuplicateKey } from '../../db/duplicate-key'
import type { TagRuleCondition } from '@careloop/shared'
import { isValidObjectId, Types, type Connection } from 'mongoose'
import { patientModel, type PatientDoc, type PatientTagEntry } from '../patients/patient.model'
import { tagRuleModel, type TagRuleDoc } from './tag-rule.model'

export class TagRuleNameTakenError extends Error {}

/** What rule evaluation reads of a live (non-erased) patient. */
export interface RulePatient {
  id: string
  name: string | null
  birthYear: number | null
  gender: 'male' | 'female' | null
  relation: string
  createdAt: Date
  tags: PatientTagEntry[]
}

export interface TagRuleRepo {
  list(): Promise<TagRuleDoc[]>
  find(id: string): Promise<TagRuleDoc | null>
  /** Throws TagRuleNameTakenError on a taken name. */
  create(r: {
    name: string
    tagId: string
    enabled: boolean
    condition: TagRuleCondition
    by: string
  }): Promise<TagRuleDoc>
  /** The updated rule, or null when it does not exist. Throws TagRuleNameTakenError on a taken name. */
  update(
    id: string,
    set: Partial<{ name: string; tagId: string; enabled: boolean; condition: TagRuleCondition }>,
    by: string,
  ): Promise<TagRuleDoc | null>
  /** Whether a rule was deleted. */
  remove(id: string): Promise<boolean>
  /** One live patient, or null (unknown or erased). */
  livePatient(id: string): Promise<RulePatient | null>
  /** Live patients in `_id` order after the cursor (null: from the start), at most `limit`. */
  livePatients(after: string | null, limit: number): Promise<RulePatient[]>
}

const isDuplicate = isDuplicateKey

const RULE_PATIENT_FIELDS = { name: 1, birthYear: 1, gender: 1, relation: 1, createdAt: 1, tags: 1 } as const

const toRulePatient = (d: PatientDoc): RulePatient => ({
  id: d._id.toHexString(),
  name: d.name ?? null,
  birthYear: typeof d.birthYear === 'number' ? d.birthYear : null,
  gender: d.gender === 'male' || d.gender === 'female' ? d.gender : null,
  relation: d.relation,
  // Documents written without timestamps count as created at the epoch (old enough for any rule).
  createdAt: d.createdAt instanceof Date ? d.createdAt : new Date(0),
  tags: d.tags ?? [],
})

export const createTagRuleRepo = (conn: Connection): TagRuleRepo => {
  const R = tagRuleModel(conn)
  const P = patientModel(conn)
  const named = async <T>(name: string | undefined, run: () => Promise<T>): Promise<T> => {
    try {
      return await run()
    } catch (e) {
      if (isDuplicate(e)) throw new TagRuleNameTakenError(name)
      throw e
    }
  }
  return {
    list: () => R.find({}).sort({ name: 1 }).lean<TagRuleDoc[]>(),
    find: (id) => (isValidObjectId(id) ? R.findById(id).lean<TagRuleDoc>() : Promise.resolve(null)),
    create: (r) =>
      named(r.name, async () =>
        (
          await R.create({
            name: r.name,
            tagId: r.tagId,
            enabled: r.enabled,
            condition: r.condition,
            createdBy: r.by,
            updatedBy: r.by,
          })
        ).toObject<TagRuleDoc>(),
      ),
    update: (id, set, by) =>
      named(set.name, () =>
        isValidObjectId(id)
          ? R.findByIdAndUpdate(id, { $set: { ...set, updatedBy: by } }, { new: true }).lean<TagRuleDoc>()
          : Promise.resolve(null),
      ),
    async remove(id) {
      if (!isValidObjectId(id)) return false
      return (await R.deleteOne({ _id: new Types.ObjectId(id) })).deletedCount > 0
    },
    async livePatient(id) {
      if (!isValidObjectId(id)) return null
      const d = await P.findOne(
        { _id: new Types.ObjectId(id), erasedAt: null },
        RULE_PATIENT_FIELDS,
      ).lean<PatientDoc>()
      return d ? toRulePatient(d) : null
    },
    async livePatients(after, limit) {
      const filter: Record<string, unknown> = { erasedAt: null }
      if (after) filter._id = { $gt: new Types.ObjectId(after) }
      const docs = await P.find(filter, RULE_PATIENT_FIELDS)
        .sort({ _id: 1 })
        .limit(limit)
        .lean<PatientDoc[]>()
      return docs.map(toRulePatient)
    },
  }
}

import { Schema, type Connection, type Model, type Types } from 'mongoose'

/**
 * An auto-tag rule (F7): while `condition` holds for a patient, the patient carries `tagId` with source
 * 'rule' and `by.id = rule:<_id>`. The condition is validated with the shared zod schema before it is
 * stored, and re-validated when read.
 */
const tagRuleSchema = new Schema(
  {
    name: { type: String, required: true },
    tagId: { type: String, required: true },
    enabled: { type: Boolean, default: true },
    condition: { type: Schema.Types.Mixed, required: true },
    createdBy: { type: String, default: null },
    updatedBy: { type: String, default: null },
  },
  { timestamps: true, collection: 'tag_rules', minimize: false },
)
// Rule names are unique (they appear in every explanation).
tagRuleSchema.index({ name: 1 }, { unique: true })

export interface TagRuleDoc {
  _id: Types.ObjectId
  name: string
  tagId: string
  enabled: boolean
  condition: unknown
  createdBy: string | null
  updatedBy: string | null
  createdAt: Date
  updatedAt: Date
}

export const tagRuleModel = (conn: Connection): Model<TagRuleDoc> =>
  (conn.models.TagRule as Model<TagRuleDoc> | undefined) ?? conn.model<TagRuleDoc>('TagRule', tagRuleSchema)

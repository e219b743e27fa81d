import { Schema, type Connection, type InferSchemaType, type Model, type Types } from 'mongoose'

/**
 * Corp-tag sync (F9). Our own corp tag group (an app may edit only what it created, platform.md
 * §4.2) and the mapping of our tags to its corp tags; failed outbound `mark_tag` calls are kept for
 * a later retry (the tagging itself never fails because of WeCom).
 */
const corpGroupSchema = new Schema(
  {
    /** Always 'ours': one row. */
    key: { type: String, required: true },
    groupId: { type: String, required: true },
    groupName: { type: String, required: true },
  },
  { timestamps: true, collection: 'wecom_corp_tag_groups' },
)
// The one row.
corpGroupSchema.index({ key: 1 }, { unique: true })

const corpTagSchema = new Schema(
  {
    /** Our tag (tags._id as hex). */
    tagId: { type: String, required: true },
    corpTagId: { type: String, required: true },
    /** The corp tag's name in WeCom (may differ from ours after a rename in the admin console). */
    corpName: { type: String, required: true },
    groupId: { type: String, required: true },
  },
  { timestamps: true, collection: 'wecom_corp_tags' },
)
// Outbound: our tag → its corp tag.
corpTagSchema.index({ tagId: 1 }, { unique: true })
// Inbound: a corp tag id from WeCom → our tag.
corpTagSchema.index({ corpTagId: 1 }, { unique: true })

const syncFailureSchema = new Schema(
  {
    patientId: { type: String, required: true },
    tagId: { type: String, required: true },
    userId: { type: String, required: true },
    externalUserId: { type: String, required: true },
    action: { type: String, enum: ['add', 'remove'], required: true },
    error: { type: String, required: true },
    attempts: { type: Number, default: 1 },
    at: { type: Date, required: true },
  },
  { collection: 'wecom_tag_sync_failures', versionKey: false },
)
// One open failure per patient tag and pair (the retry re-applies the patient's current state).
syncFailureSchema.index({ patientId: 1, tagId: 1, userId: 1, externalUserId: 1 }, { unique: true })
// Oldest first for the retry job.
syncFailureSchema.index({ at: 1 })

export type CorpGroupDoc = InferSchemaType<typeof corpGroupSchema> & { _id: Types.ObjectId }
export type CorpTagDoc = InferSchemaType<typeof corpTagSchema> & { _id: Types.ObjectId }
export type TagSyncFailureDoc = InferSchemaType<typeof syncFailureSchema> & { _id: Types.ObjectId }

export const corpGroupModel = (conn: Connection): Model<CorpGroupDoc> =>
  (conn.models.WecomCorpTagGroup as Model<CorpGroupDoc> | undefined) ??
  conn.model<CorpGroupDoc>('WecomCorpTagGroup', corpGroupSchema)
export const corpTagModel = (conn: Connection): Model<CorpTagDoc> =>
  (conn.models.WecomCorpTag as Model<CorpTagDoc> | undefined) ??
  conn.model<CorpTagDoc>('WecomCorpTag', corpTagSchema)
export const tagSyncFailureModel = (conn: Connection): Model<TagSyncFailureDoc> =>
  (conn.models.WecomTagSyncFailure as Model<TagSyncFailureDoc> | undefined) ??
  conn.model<TagSyncFailureDoc>('WecomTagSyncFailure', syncFailureSchema)

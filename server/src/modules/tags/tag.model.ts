import { Schema, type Connection, type InferSchemaType, type Model, type Types } from 'mongoose'

const tagGroupSchema = new Schema(
  {
    name: { type: String, required: true },
    kind: { type: String, enum: ['disease', 'stage', 'value', 'behaviour', 'other'], required: true },
  },
  { timestamps: true, collection: 'tag_groups' },
)
// Group names are unique.
tagGroupSchema.index({ name: 1 }, { unique: true })

const tagSchema = new Schema(
  {
    groupId: { type: Schema.Types.ObjectId, required: true },
    /** Unique across groups: segment expressions refer to tags by name. */
    name: { type: String, required: true },
    description: { type: String, default: null },
  },
  { timestamps: true, collection: 'tags' },
)
// Name look-up (expressions, CSV import) and uniqueness.
tagSchema.index({ name: 1 }, { unique: true })
// Tags of a group.
tagSchema.index({ groupId: 1 })

/** Append-only history of every tag assignment and removal on a patient (who, when, why). */
const tagEventSchema = new Schema(
  {
    patientId: { type: Schema.Types.ObjectId, required: true },
    tagId: { type: String, required: true },
    action: { type: String, enum: ['assign', 'unassign'], required: true },
    source: { type: String, enum: ['manual', 'rule', 'wecom', 'import'], required: true },
    reason: { type: String, required: true },
    by: { kind: { type: String, enum: ['staff', 'system'] }, id: { type: String, default: null } },
    at: { type: Date, required: true },
  },
  { collection: 'tag_events', versionKey: false },
)
// A patient's tag history, newest first.
tagEventSchema.index({ patientId: 1, at: -1 })

export type TagGroupDoc = InferSchemaType<typeof tagGroupSchema> & { _id: Types.ObjectId }
export type TagDoc = InferSchemaType<typeof tagSchema> & { _id: Types.ObjectId }
export type TagEventDoc = InferSchemaType<typeof tagEventSchema> & { _id: Types.ObjectId }

export const tagGroupModel = (conn: Connection): Model<TagGroupDoc> =>
  (conn.models.TagGroup as Model<TagGroupDoc> | undefined) ??
  conn.model<TagGroupDoc>('TagGroup', tagGroupSchema)
export const tagModel = (conn: Connection): Model<TagDoc> =>
  (conn.models.Tag as Model<TagDoc> | undefined) ?? conn.model<TagDoc>('Tag', tagSchema)
export const tagEventModel = (conn: Connection): Model<TagEventDoc> =>
  (conn.models.TagEvent as Model<TagEventDoc> | undefined) ??
  conn.model<TagEventDoc>('TagEvent', tagEventSchema)

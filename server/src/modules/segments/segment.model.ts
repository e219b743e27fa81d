import { Schema, type Connection, type InferSchemaType, type Model, type Types } from 'mongoose'

const segmentSchema = new Schema(
  {
    name: { type: String, required: true },
    /** Canonical form (formatSegmentExpression), so equal segments read the same. */
    expression: { type: String, required: true },
    createdBy: { type: String, default: null },
  },
  { timestamps: true, collection: 'segments' },
)
// Saved segments are picked by name.
segmentSchema.index({ name: 1 }, { unique: true })

export type SegmentDoc = InferSchemaType<typeof segmentSchema> & { _id: Types.ObjectId; createdAt: Date }

export const segmentModel = (conn: Connection): Model<SegmentDoc> =>
  (conn.models.Segment as Model<SegmentDoc> | undefined) ?? conn.model<SegmentDoc>('Segment', segmentSchema)

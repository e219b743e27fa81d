import { Schema, type Connection, type InferSchemaType, type Model, type Types } from 'mongoose'

const patientSchema = new Schema(
  {
    /** The mini-program openid: one patient per WeChat user of this app (profiles arrive with F2). */
    openid: { type: String, required: true },
    /** Open-platform unionid, when the app is bound to an open-platform account (identity stitching, F4). */
    unionid: { type: String },
    name: { type: String, default: null },
    lastLoginAt: { type: Date },
  },
  { timestamps: true, collection: 'patients' },
)
// Login: find-or-create by openid, exactly one patient per openid.
patientSchema.index({ openid: 1 }, { unique: true })
// Identity stitching: WeCom external contacts carry the unionid.
patientSchema.index({ unionid: 1 }, { sparse: true })

export type PatientDoc = InferSchemaType<typeof patientSchema> & { _id: Types.ObjectId }

export const patientModel = (conn: Connection): Model<PatientDoc> =>
  (conn.models.Patient as Model<PatientDoc> | undefined) ?? conn.model<PatientDoc>('Patient', patientSchema)

import type {
  AnswerValues,
  QuestionnaireDefinition,
  QuestionnaireKind,
  QuestionnaireStatus,
} from '@careloop/shared'
import { Schema, type Connection, type Model, type Types } from 'mongoose'

/**
 * A questionnaire as it is edited (F17). The definition (questions, rules, bands) is stored whole as
 * validated by shared/ (zod + validateQuestionnaireDefinition); `title`/`kind` are copied out for lists.
 * `version` is the version being edited; `publishedVersion` the one patients answer (its snapshot in
 * `questionnaire_versions` never changes). `revision` counts content edits: writes are guarded by it
 * so an edit racing a publish never changes a version that has been snapshotted.
 */
export interface QuestionnaireDoc {
  _id: Types.ObjectId
  title: string
  kind: QuestionnaireKind
  definition: QuestionnaireDefinition
  status: QuestionnaireStatus
  version: number
  publishedVersion: number | null
  publishedAt: Date | null
  revision: number
  createdBy: string | null
  updatedBy: string | null
  createdAt: Date
  updatedAt: Date
}

const questionnaireSchema = new Schema<QuestionnaireDoc>(
  {
    title: { type: String, required: true },
    kind: { type: String, enum: ['clinical', 'satisfaction'], required: true },
    definition: { type: Schema.Types.Mixed, required: true },
    status: { type: String, enum: ['draft', 'published', 'archived'], required: true, default: 'draft' },
    version: { type: Number, required: true, default: 1 },
    publishedVersion: { type: Number, default: null },
    publishedAt: { type: Date, default: null },
    revision: { type: Number, required: true, default: 1 },
    createdBy: { type: String, default: null },
    updatedBy: { type: String, default: null },
  },
  { timestamps: true, collection: 'questionnaires', versionKey: false, minimize: false },
)
// The console list, by status and kind.
questionnaireSchema.index({ status: 1, kind: 1, updatedAt: -1 })

/** A published version: written once, never changed (answers refer to it by number). */
export interface QuestionnaireVersionDoc {
  _id: Types.ObjectId
  questionnaireId: Types.ObjectId
  version: number
  /** The questionnaire's revision the snapshot was taken of. */
  revision: number
  definition: QuestionnaireDefinition
  publishedAt: Date
}

const versionSchema = new Schema<QuestionnaireVersionDoc>(
  {
    questionnaireId: { type: Schema.Types.ObjectId, required: true },
    version: { type: Number, required: true },
    revision: { type: Number, required: true },
    definition: { type: Schema.Types.Mixed, required: true },
    publishedAt: { type: Date, required: true },
  },
  { collection: 'questionnaire_versions', versionKey: false, minimize: false },
)
// One snapshot per version (publishing twice keeps the first); version look-ups for answers.
versionSchema.index({ questionnaireId: 1, version: 1 }, { unique: true })

export interface AnswerRedFlagEntry {
  key: string
  questionKey: string
  label: string
}

/**
 * One answer of a patient to one published version. Stored before its effects (step completion,
 * red-flag alerts); `effectsAppliedAt` null means the effects may not have run (a crash between the
 * writes): the `questionnaires.effects` job re-applies them, idempotently.
 */
export interface AnswerDoc {
  _id: Types.ObjectId
  questionnaireId: Types.ObjectId
  version: number
  title: string
  kind: QuestionnaireKind
  patientId: Types.ObjectId
  accountId: Types.ObjectId
  /** Absent (never null) without a step, so the sparse unique index skips it. */
  stepId?: Types.ObjectId
  enrolmentId: string | null
  /** Responsible nurse known at answer time (the step's enrolment); null: the alert service decides. */
  nurseId: string | null
  requestId: string
  values: AnswerValues
  score: number | null
  band: string | null
  satisfaction: number | null
  redFlags: AnswerRedFlagEntry[]
  effectsAppliedAt: Date | null
  createdAt: Date
}

const answerSchema = new Schema<AnswerDoc>(
  {
    questionnaireId: { type: Schema.Types.ObjectId, required: true },
    version: { type: Number, required: true },
    title: { type: String, required: true },
    kind: { type: String, enum: ['clinical', 'satisfaction'], required: true },
    patientId: { type: Schema.Types.ObjectId, required: true },
    accountId: { type: Schema.Types.ObjectId, required: true },
    stepId: { type: Schema.Types.ObjectId, required: false },
    enrolmentId: { type: String, default: null },
    nurseId: { type: String, default: null },
    requestId: { type: String, required: true },
    values: { type: Schema.Types.Mixed, required: true },
    score: { type: Number, default: null },
    band: { type: String, default: null },
    satisfaction: { type: Number, default: null },
    redFlags: { type: Schema.Types.Mixed, default: [] },
    effectsAppliedAt: { type: Date, default: null },
    /** When it was answered, by the injected clock. */
    createdAt: { type: Date, required: true },
  },
  {
    collection: 'questionnaire_answers',
    versionKey: false,
    minimize: false,
  },
)
// Idempotency: a retry of the same request (same profile, same requestId) finds the first answer.
answerSchema.index({ patientId: 1, requestId: 1 }, { unique: true })
// One answer per follow-up step (answers without a step have no stepId and are skipped).
answerSchema.index({ stepId: 1 }, { unique: true, sparse: true })
// A patient's answers, newest first (patient list, staff 360° view).
answerSchema.index({ patientId: 1, createdAt: -1 })
// Stats of a questionnaire over a period.
answerSchema.index({ questionnaireId: 1, createdAt: 1 })
// The repair job: answers whose effects may not have run.
answerSchema.index({ effectsAppliedAt: 1, createdAt: 1 })

export const questionnaireModel = (conn: Connection): Model<QuestionnaireDoc> =>
  (conn.models.Questionnaire as Model<QuestionnaireDoc> | undefined) ??
  conn.model<QuestionnaireDoc>('Questionnaire', questionnaireSchema)

export const questionnaireVersionModel = (conn: Connection): Model<QuestionnaireVersionDoc> =>
  (conn.models.QuestionnaireVersion as Model<QuestionnaireVersionDoc> | undefined) ??
  conn.model<QuestionnaireVersionDoc>('QuestionnaireVersion', versionSchema)

export const answerModel = (conn: Connection): Model<AnswerDoc> =>
  (conn.models.QuestionnaireAnswer as Model<AnswerDoc> | undefined) ??
  conn.model<AnswerDoc>('QuestionnaireAnswer', answerSchema)

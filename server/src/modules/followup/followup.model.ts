import { Schema, type Connection, type Model, type Types } from 'mongoose'
import type { PlanAnchor, PlanThresholds, StepKind } from '@careloop/shared'

/** One step of a plan template (also the snapshot an enrolment keeps). Typed explicitly (cheap inference). */
export interface PlanStepDoc {
  key: string
  offsetDays: number
  /** `HH:mm`, hospital zone. */
  time: string
  kind: StepKind
  title: string
  body: string | null
  questionnaireId: string | null
  link: string | null
  windowDays: number
}

const planStepSchema = new Schema<PlanStepDoc>(
  {
    key: { type: String, required: true },
    offsetDays: { type: Number, required: true },
    time: { type: String, required: true },
    kind: { type: String, required: true },
    title: { type: String, required: true },
    body: { type: String, default: null },
    questionnaireId: { type: String, default: null },
    link: { type: String, default: null },
    windowDays: { type: Number, required: true },
  },
  { _id: false },
)

/** A follow-up plan template (F15). `version` grows on every edit; enrolments snapshot their version. */
export interface PlanDoc {
  _id: Types.ObjectId
  name: string
  description: string | null
  anchor: PlanAnchor
  steps: PlanStepDoc[]
  thresholds: PlanThresholds
  autoEnrolTagId: string | null
  status: 'active' | 'archived'
  version: number
  createdBy: string | null
  createdAt: Date
  updatedAt: Date
}

const planSchema = new Schema<PlanDoc>(
  {
    name: { type: String, required: true },
    description: { type: String, default: null },
    anchor: { type: String, required: true },
    steps: { type: [planStepSchema], default: [] },
    thresholds: { type: Schema.Types.Mixed, default: {} },
    autoEnrolTagId: { type: String, default: null },
    status: { type: String, enum: ['active', 'archived'], default: 'active' },
    version: { type: Number, default: 1 },
    createdBy: { type: String, default: null },
  },
  { timestamps: true, collection: 'followup_plans', versionKey: false, minimize: false },
)
// Plans are picked by name (console, bot 入组).
planSchema.index({ name: 1 }, { unique: true })
// Tag-rule enrolment: the active plans a tag enrols into.
planSchema.index({ autoEnrolTagId: 1, status: 1 })

export type EnrolmentStatusValue = 'active' | 'paused' | 'stopped' | 'completed'
export type EnrolmentAction = 'enrolled' | 'paused' | 'resumed' | 'stopped' | 'completed'
export interface EnrolmentActor {
  kind: 'staff' | 'system' | 'rule'
  id: string | null
}
export interface EnrolmentHistoryDoc {
  at: Date
  action: EnrolmentAction
  by: EnrolmentActor
  note: string | null
}

/** A patient's enrolment in a plan (F16): a snapshot of the plan's steps at its version. */
export interface EnrolmentDoc {
  _id: Types.ObjectId
  patientId: Types.ObjectId
  planId: Types.ObjectId
  planName: string
  planVersion: number
  anchor: PlanAnchor
  /** `YYYY-MM-DD`, hospital zone. */
  anchorDate: string
  anchorSource: 'given' | 'event' | 'tag' | 'enrolment'
  steps: PlanStepDoc[]
  nurseId: Types.ObjectId | null
  status: EnrolmentStatusValue
  /**
   * `<patientId>:<planId>` while active or paused, absent otherwise: the unique sparse key that keeps
   * one running enrolment per patient and plan however many enrol at once.
   */
  activeKey?: string
  via: 'console' | 'bot' | 'tag'
  by: EnrolmentActor
  /** When it was enrolled (the service clock): steps whose window had closed by then are cancelled. */
  enrolledAt: Date
  history: EnrolmentHistoryDoc[]
  createdAt: Date
  updatedAt: Date
}

const actorSchema = { kind: { type: String, required: true }, id: { type: String, default: null } }

const enrolmentSchema = new Schema<EnrolmentDoc>(
  {
    patientId: { type: Schema.Types.ObjectId, required: true },
    planId: { type: Schema.Types.ObjectId, required: true },
    planName: { type: String, required: true },
    planVersion: { type: Number, required: true },
    anchor: { type: String, required: true },
    anchorDate: { type: String, required: true },
    anchorSource: { type: String, required: true },
    steps: { type: [planStepSchema], default: [] },
    nurseId: { type: Schema.Types.ObjectId, default: null },
    status: { type: String, enum: ['active', 'paused', 'stopped', 'completed'], required: true },
    activeKey: { type: String },
    via: { type: String, required: true },
    by: actorSchema,
    enrolledAt: { type: Date, required: true },
    history: {
      type: [
        new Schema(
          { at: Date, action: String, by: actorSchema, note: { type: String, default: null } },
          { _id: false },
        ),
      ],
      default: [],
    },
  },
  { timestamps: true, collection: 'followup_enrolments', versionKey: false },
)
// One running (active/paused) enrolment per patient and plan: concurrent enrols insert once.
enrolmentSchema.index({ activeKey: 1 }, { unique: true, sparse: true })
// A patient's enrolments (staff and patient views).
enrolmentSchema.index({ patientId: 1, enrolledAt: -1 })
// A nurse's running enrolments (her patient scope).
enrolmentSchema.index({ nurseId: 1, status: 1 })
// Running enrolments of a plan (plan list counts).
enrolmentSchema.index({ planId: 1, status: 1 })

export type StepStatusValue = 'scheduled' | 'done' | 'missed' | 'cancelled'
export type StepCancelReasonValue = 'before_enrolment' | 'stopped' | 'paused'

/** One step instance of an enrolment (F19): due at `dueAt`, missed at `windowEnd`. */
export interface StepDoc {
  _id: Types.ObjectId
  enrolmentId: Types.ObjectId
  patientId: Types.ObjectId
  planId: Types.ObjectId
  /** The enrolment's responsible nurse (copied: rates and 今日随访 filter by it). */
  nurseId: Types.ObjectId | null
  stepKey: string
  kind: StepKind
  title: string
  body: string | null
  questionnaireId: string | null
  link: string | null
  dueAt: Date
  windowEnd: Date
  status: StepStatusValue
  cancelReason: StepCancelReasonValue | null
  /** The enrolment is paused: not reminded, not missed. */
  held: boolean
  doneAt: Date | null
  doneBy: { kind: 'patient' | 'staff' | 'system'; id: string | null } | null
  answerId: string | null
  /** When the missed alert was raised (null while owed: the job repairs a crash in between). */
  alertedAt: Date | null
  createdAt: Date
  updatedAt: Date
}

const stepSchema = new Schema<StepDoc>(
  {
    enrolmentId: { type: Schema.Types.ObjectId, required: true },
    patientId: { type: Schema.Types.ObjectId, required: true },
    planId: { type: Schema.Types.ObjectId, required: true },
    nurseId: { type: Schema.Types.ObjectId, default: null },
    stepKey: { type: String, required: true },
    kind: { type: String, required: true },
    title: { type: String, required: true },
    body: { type: String, default: null },
    questionnaireId: { type: String, default: null },
    link: { type: String, default: null },
    dueAt: { type: Date, required: true },
    windowEnd: { type: Date, required: true },
    status: { type: String, enum: ['scheduled', 'done', 'missed', 'cancelled'], required: true },
    cancelReason: { type: String, default: null },
    held: { type: Boolean, default: false },
    doneAt: { type: Date, default: null },
    doneBy: {
      type: new Schema({ kind: String, id: { type: String, default: null } }, { _id: false }),
      default: null,
    },
    answerId: { type: String, default: null },
    alertedAt: { type: Date, default: null },
  },
  { timestamps: true, collection: 'followup_steps', versionKey: false },
)
// One instance per enrolment and plan step: materialising again (re-enrol, resume, retry) inserts nothing.
stepSchema.index({ enrolmentId: 1, stepKey: 1 }, { unique: true })
// The missed job: scheduled steps whose window closed; and missed steps still owed an alert.
stepSchema.index({ status: 1, windowEnd: 1 })
// A patient's steps by due time (mini-program).
stepSchema.index({ patientId: 1, dueAt: 1 })
// A nurse's steps due today (今日随访) and her rates.
stepSchema.index({ nurseId: 1, status: 1, dueAt: 1 })

/** The last 今日随访 list shown to a nurse, so 「完成 3」 means what she saw. */
export interface BotListDoc {
  _id: Types.ObjectId
  staffId: string
  items: { type: 'task' | 'step'; id: string }[]
  at: Date
}

const botListSchema = new Schema<BotListDoc>(
  {
    staffId: { type: String, required: true },
    items: {
      type: [new Schema({ type: String, id: String }, { _id: false })],
      default: [],
    },
    at: { type: Date, required: true },
  },
  { collection: 'followup_bot_lists', versionKey: false },
)
// One list per nurse (replaced each time she asks).
botListSchema.index({ staffId: 1 }, { unique: true })

export const planModel = (conn: Connection): Model<PlanDoc> =>
  (conn.models.FollowupPlan as Model<PlanDoc> | undefined) ?? conn.model<PlanDoc>('FollowupPlan', planSchema)
export const enrolmentModel = (conn: Connection): Model<EnrolmentDoc> =>
  (conn.models.FollowupEnrolment as Model<EnrolmentDoc> | undefined) ??
  conn.model<EnrolmentDoc>('FollowupEnrolment', enrolmentSchema)
export const stepModel = (conn: Connection): Model<StepDoc> =>
  (conn.models.FollowupStep as Model<StepDoc> | undefined) ?? conn.model<StepDoc>('FollowupStep', stepSchema)
export const botListModel = (conn: Connection): Model<BotListDoc> =>
  (conn.models.FollowupBotList as Model<BotListDoc> | undefined) ??
  conn.model<BotListDoc>('FollowupBotList', botListSchema)

import { z } from '../zod'
import { ObjectIdString } from './auth'
import { defineRoute } from './route'
import { IdParams } from './staff'

/**
 * Questionnaires (F17): a builder definition (questions, red-flag rules, scoring bands), versions
 * (a published version never changes; editing a published questionnaire drafts the next version),
 * answers with a score and red flags, satisfaction aggregates. The structural rules live in these
 * schemas (400 VALIDATION_FAILED); the cross-field rules (a rule naming a missing question, options
 * on a text question, duplicate keys …) in `validateQuestionnaireDefinition` (400 QUESTIONNAIRE_INVALID).
 */

export const QUESTION_TYPES = ['single', 'multiple', 'number', 'text', 'scale'] as const
export const QuestionType = z.enum(QUESTION_TYPES)
export type QuestionType = z.infer<typeof QuestionType>

export const QUESTIONNAIRE_KINDS = ['clinical', 'satisfaction'] as const
export const QuestionnaireKind = z.enum(QUESTIONNAIRE_KINDS)
export type QuestionnaireKind = z.infer<typeof QuestionnaireKind>

export const QUESTIONNAIRE_STATUSES = ['draft', 'published', 'archived'] as const
export const QuestionnaireStatus = z.enum(QUESTIONNAIRE_STATUSES)
export type QuestionnaireStatus = z.infer<typeof QuestionnaireStatus>

export const RED_FLAG_OPS = ['eq', 'in', 'includes', 'gt', 'gte', 'lt', 'lte'] as const
export const RedFlagOp = z.enum(RED_FLAG_OPS)
export type RedFlagOp = z.infer<typeof RedFlagOp>

/** Keys of questions, options and rules: stable identifiers answers and rules refer to. */
export const QuestionKey = z
  .string({ required_error: 'key is required' })
  .regex(/^[A-Za-z][A-Za-z0-9_]{0,31}$/, 'key must be a letter then letters, digits or _ (at most 32)')

const finite = (name: string) =>
  z.number({ invalid_type_error: `${name} must be a number` }).finite(`${name} must be finite`)

const label = (name: string, max: number) =>
  z
    .string({ required_error: `${name} is required`, invalid_type_error: `${name} must be a string` })
    .trim()
    .min(1, `${name} must not be empty`)
    .max(max, `${name} must be at most ${max} characters`)

export const QuestionOption = z
  .object({
    value: z
      .string({ required_error: 'value is required' })
      .trim()
      .min(1, 'value must not be empty')
      .max(32, 'value must be at most 32 characters'),
    label: label('label', 60),
    /** Points this option adds to the score (single: the chosen one; multiple: every chosen one). */
    score: finite('score').optional(),
  })
  .strict()
export type QuestionOption = z.infer<typeof QuestionOption>

export const QuestionScale = z
  .object({
    min: z.number().int('scale.min must be an integer').min(-10).max(100),
    max: z.number().int('scale.max must be an integer').min(-10).max(100),
    minLabel: z.string().trim().max(20, 'minLabel must be at most 20 characters').default(''),
    maxLabel: z.string().trim().max(20, 'maxLabel must be at most 20 characters').default(''),
  })
  .strict()

export const Question = z
  .object({
    key: QuestionKey,
    type: QuestionType,
    text: label('text', 200),
    required: z.boolean({ invalid_type_error: 'required must be true or false' }).default(true),
    /** single / multiple only. */
    options: z.array(QuestionOption).max(30, 'at most 30 options').optional(),
    /** number only: the accepted range and step. */
    min: finite('min').optional(),
    max: finite('max').optional(),
    step: finite('step').positive('step must be positive').optional(),
    unit: z.string().trim().max(10, 'unit must be at most 10 characters').optional(),
    /** scale only (e.g. 1–5 or 0–10 with labels at both ends). */
    scale: QuestionScale.optional(),
    /** number / scale: the value counts towards the score. */
    scored: z.boolean().optional(),
  })
  .strict()
export type Question = z.infer<typeof Question>

export const RedFlagValue = z.union([
  z.string().max(200),
  finite('value'),
  z.array(z.union([z.string().max(200), finite('value')])).max(30),
])
export type RedFlagValue = z.infer<typeof RedFlagValue>

/**
 * A red-flag rule: when the answer to `questionKey` satisfies `op value`, the nurse gets an urgent
 * task and a WeCom alert headed by `label` (e.g. 伤口渗液, 体温≥38.5℃).
 * eq/in: single (option values) and number/scale; includes: an option of a multiple question or a
 * substring of a text answer; in on a multiple question: any of the listed options; gt/gte/lt/lte:
 * number/scale.
 */
export const RedFlagRule = z
  .object({
    key: QuestionKey,
    questionKey: QuestionKey,
    op: RedFlagOp,
    value: RedFlagValue,
    label: label('label', 40),
  })
  .strict()
export type RedFlagRule = z.infer<typeof RedFlagRule>

export const ScoreBand = z
  .object({ min: finite('min'), max: finite('max'), label: label('label', 30) })
  .strict()
export type ScoreBand = z.infer<typeof ScoreBand>

/** Score = sum of chosen option scores and of scored number/scale values; bands name ranges (inclusive). */
export const Scoring = z
  .object({ bands: z.array(ScoreBand).max(10, 'at most 10 bands').default([]) })
  .strict()
export type Scoring = z.infer<typeof Scoring>

export const QuestionnaireDefinition = z
  .object({
    title: label('title', 60),
    kind: QuestionnaireKind,
    description: z.string().trim().max(500, 'description must be at most 500 characters').default(''),
    questions: z
      .array(Question, { required_error: 'questions is required' })
      .min(1, 'at least one question')
      .max(100, 'at most 100 questions'),
    redFlags: z.array(RedFlagRule).max(50, 'at most 50 red-flag rules').default([]),
    scoring: Scoring.default({ bands: [] }),
  })
  .strict()
  .openapi('QuestionnaireDefinition')
export type QuestionnaireDefinition = z.infer<typeof QuestionnaireDefinition>
export type QuestionnaireDefinitionInput = z.input<typeof QuestionnaireDefinition>

export const Questionnaire = z
  .object({
    id: ObjectIdString,
    title: z.string(),
    kind: QuestionnaireKind,
    description: z.string(),
    questions: z.array(Question),
    redFlags: z.array(RedFlagRule),
    scoring: Scoring,
    status: QuestionnaireStatus,
    /** The version being edited (equals publishedVersion when there are no unpublished changes). */
    version: z.number().int().positive(),
    /** The version patients answer; null until first published. */
    publishedVersion: z.number().int().positive().nullable(),
    hasUnpublishedChanges: z.boolean(),
    publishedAt: z.string().datetime().nullable(),
    createdAt: z.string().datetime(),
    updatedAt: z.string().datetime(),
  })
  .openapi('Questionnaire')
export type Questionnaire = z.infer<typeof Questionnaire>

export const QuestionnaireSummary = z
  .object({
    id: ObjectIdString,
    title: z.string(),
    kind: QuestionnaireKind,
    status: QuestionnaireStatus,
    version: z.number().int().positive(),
    publishedVersion: z.number().int().positive().nullable(),
    hasUnpublishedChanges: z.boolean(),
    questionCount: z.number().int(),
    updatedAt: z.string().datetime(),
  })
  .openapi('QuestionnaireSummary')
export type QuestionnaireSummary = z.infer<typeof QuestionnaireSummary>

export const QuestionnaireListQuery = z
  .object({
    status: QuestionnaireStatus.optional(),
    kind: QuestionnaireKind.optional(),
  })
  .strict()
export type QuestionnaireListQuery = z.infer<typeof QuestionnaireListQuery>

export const QuestionnaireListResponse = z
  .object({ questionnaires: z.array(QuestionnaireSummary) })
  .openapi('QuestionnaireListResponse')
export type QuestionnaireListResponse = z.infer<typeof QuestionnaireListResponse>

const IsoDateTime = (name: string) =>
  z.string().datetime({ offset: true, message: `${name} must be an ISO 8601 date-time` })

export const QuestionnaireStatsQuery = z
  .object({ from: IsoDateTime('from').optional(), to: IsoDateTime('to').optional() })
  .strict()
export type QuestionnaireStatsQuery = z.infer<typeof QuestionnaireStatsQuery>

export const QuestionStats = z.object({
  key: z.string(),
  type: QuestionType,
  text: z.string(),
  /** How many answers in range answered this question. */
  answered: z.number().int(),
  /** single / multiple / scale: how often each option (or scale point) was chosen. */
  counts: z.array(z.object({ value: z.string(), label: z.string(), count: z.number().int() })).optional(),
  /** number / scale. */
  mean: z.number().nullable().optional(),
  min: z.number().nullable().optional(),
  max: z.number().nullable().optional(),
})
export type QuestionStats = z.infer<typeof QuestionStats>

export const QuestionnaireStatsResponse = z
  .object({
    questionnaireId: ObjectIdString,
    title: z.string(),
    kind: QuestionnaireKind,
    from: z.string().datetime().nullable(),
    to: z.string().datetime().nullable(),
    count: z.number().int(),
    /** Mean raw score of the answers that have one; null without any. */
    meanScore: z.number().nullable(),
    /** Satisfaction surveys: mean of the answers' 0–100 scores; null for clinical questionnaires. */
    satisfaction: z.number().nullable(),
    /** Answers that raised at least one red flag. */
    redFlagged: z.number().int(),
    /** Per question of the current definition (answers of older versions count under the same keys). */
    questions: z.array(QuestionStats),
  })
  .openapi('QuestionnaireStatsResponse')
export type QuestionnaireStatsResponse = z.infer<typeof QuestionnaireStatsResponse>

// ---- answers ---------------------------------------------------------------------------------

export const AnswerValue = z.union([
  z.string().max(2000, 'an answer must be at most 2000 characters'),
  z.number().finite(),
  z.array(z.string().max(32)).max(30),
])
export type AnswerValue = z.infer<typeof AnswerValue>

export const AnswerValues = z.record(QuestionKey, AnswerValue)
export type AnswerValues = z.infer<typeof AnswerValues>

export const RequestId = z
  .string({ required_error: 'requestId is required' })
  .trim()
  .min(8, 'requestId must be 8–64 characters')
  .max(64, 'requestId must be 8–64 characters')
  .regex(/^[\w.:-]+$/, 'requestId may hold letters, digits and . _ : - only')

export const SubmitAnswerRequest = z
  .object({
    /** The profile answering (the account's own or a family member's). */
    patientId: ObjectIdString,
    /** The follow-up step this answers (one answer per step). */
    stepId: ObjectIdString.optional(),
    /** Client-generated; a retry with the same id returns the first answer. */
    requestId: RequestId,
    answers: AnswerValues,
  })
  .strict()
  .openapi('SubmitAnswerRequest')
export type SubmitAnswerRequest = z.infer<typeof SubmitAnswerRequest>

/** An answer as its patient sees it: values, score, band; no internal red-flag labels. */
export const MyAnswer = z
  .object({
    id: ObjectIdString,
    patientId: ObjectIdString,
    questionnaireId: ObjectIdString,
    title: z.string(),
    kind: QuestionnaireKind,
    version: z.number().int(),
    stepId: ObjectIdString.nullable(),
    answers: AnswerValues,
    score: z.number().nullable(),
    band: z.string().nullable(),
    /** Satisfaction surveys: 0–100. */
    satisfaction: z.number().nullable(),
    /** Set when a red flag fired: a gentle message (护士已收到提醒…). */
    notice: z.string().nullable(),
    createdAt: z.string().datetime(),
  })
  .openapi('MyAnswer')
export type MyAnswer = z.infer<typeof MyAnswer>

export const SubmitAnswerResponse = MyAnswer.extend({
  /** True when this requestId was answered before: nothing new was written. */
  duplicate: z.boolean(),
}).openapi('SubmitAnswerResponse')
export type SubmitAnswerResponse = z.infer<typeof SubmitAnswerResponse>

export const MyAnswersQuery = z.object({ patientId: ObjectIdString.optional() }).strict()
export const MyAnswersResponse = z.object({ answers: z.array(MyAnswer) }).openapi('MyAnswersResponse')
export type MyAnswersResponse = z.infer<typeof MyAnswersResponse>

/** The published version for the answering page: no option scores, rules or bands. */
export const PublicQuestion = Question.omit({ scored: true }).extend({
  options: z.array(QuestionOption.omit({ score: true })).optional(),
})
export const PublishedQuestionnaire = z
  .object({
    id: ObjectIdString,
    version: z.number().int(),
    title: z.string(),
    kind: QuestionnaireKind,
    description: z.string(),
    questions: z.array(PublicQuestion),
  })
  .openapi('PublishedQuestionnaire')
export type PublishedQuestionnaire = z.infer<typeof PublishedQuestionnaire>

export const AnswerRedFlag = z.object({ key: z.string(), questionKey: z.string(), label: z.string() })

/** An answer as clinical staff see it: each question's text next to the answer, and the red flags. */
export const StaffAnswer = z
  .object({
    id: ObjectIdString,
    questionnaireId: ObjectIdString,
    title: z.string(),
    kind: QuestionnaireKind,
    version: z.number().int(),
    stepId: ObjectIdString.nullable(),
    score: z.number().nullable(),
    band: z.string().nullable(),
    satisfaction: z.number().nullable(),
    redFlags: z.array(AnswerRedFlag),
    items: z.array(
      z.object({
        key: z.string(),
        text: z.string(),
        type: QuestionType,
        value: AnswerValue,
        display: z.string(),
      }),
    ),
    createdAt: z.string().datetime(),
  })
  .openapi('StaffAnswer')
export type StaffAnswer = z.infer<typeof StaffAnswer>

export const StaffAnswersResponse = z
  .object({ answers: z.array(StaffAnswer) })
  .openapi('StaffAnswersResponse')
export type StaffAnswersResponse = z.infer<typeof StaffAnswersResponse>

export const QuestionnaireIdParams = z.object({ id: ObjectIdString })

/** Builders: admin and head nurse. Nurses read definitions; marketers read satisfaction aggregates. */
const EDIT_ROLES = ['head_nurse', 'admin'] as const
const READ_ROLES = ['nurse', 'head_nurse', 'admin'] as const
const STATS_ROLES = ['nurse', 'head_nurse', 'marketer', 'admin'] as const

export const questionnaireRoutes = {
  listQuestionnaires: defineRoute({
    id: 'listQuestionnaires',
    method: 'get',
    path: '/api/v1/staff/questionnaires',
    summary: 'Questionnaires (marketers: satisfaction surveys only)',
    tag: 'questionnaires',
    auth: 'staff',
    roles: STATS_ROLES,
    query: QuestionnaireListQuery,
    response: QuestionnaireListResponse,
    errors: ['VALIDATION_FAILED'],
  }),
  getQuestionnaire: defineRoute({
    id: 'getQuestionnaire',
    method: 'get',
    path: '/api/v1/staff/questionnaires/:id',
    summary: 'A questionnaire as it is being edited (with its published version number)',
    tag: 'questionnaires',
    auth: 'staff',
    roles: READ_ROLES,
    params: IdParams,
    response: Questionnaire,
    errors: ['VALIDATION_FAILED', 'QUESTIONNAIRE_NOT_FOUND'],
  }),
  createQuestionnaire: defineRoute({
    id: 'createQuestionnaire',
    method: 'post',
    path: '/api/v1/staff/questionnaires',
    summary: 'Create a questionnaire (a draft)',
    tag: 'questionnaires',
    auth: 'staff',
    roles: EDIT_ROLES,
    body: QuestionnaireDefinition,
    response: Questionnaire,
    status: 201,
    errors: ['VALIDATION_FAILED', 'QUESTIONNAIRE_INVALID'],
  }),
  updateQuestionnaire: defineRoute({
    id: 'updateQuestionnaire',
    method: 'put',
    path: '/api/v1/staff/questionnaires/:id',
    summary:
      'Replace the definition (a draft is edited in place; a published one gets a new draft version, the published version stays as it was)',
    tag: 'questionnaires',
    auth: 'staff',
    roles: EDIT_ROLES,
    params: IdParams,
    body: QuestionnaireDefinition,
    response: Questionnaire,
    errors: [
      'VALIDATION_FAILED',
      'QUESTIONNAIRE_INVALID',
      'QUESTIONNAIRE_NOT_FOUND',
      'QUESTIONNAIRE_ARCHIVED',
    ],
  }),
  publishQuestionnaire: defineRoute({
    id: 'publishQuestionnaire',
    method: 'post',
    path: '/api/v1/staff/questionnaires/:id/publish',
    summary: 'Publish the current version (idempotent; an archived questionnaire is published again)',
    tag: 'questionnaires',
    auth: 'staff',
    roles: EDIT_ROLES,
    params: IdParams,
    response: Questionnaire,
    errors: ['VALIDATION_FAILED', 'QUESTIONNAIRE_NOT_FOUND', 'QUESTIONNAIRE_INVALID'],
  }),
  archiveQuestionnaire: defineRoute({
    id: 'archiveQuestionnaire',
    method: 'post',
    path: '/api/v1/staff/questionnaires/:id/archive',
    summary: 'Archive a questionnaire (idempotent): patients can no longer open or answer it',
    tag: 'questionnaires',
    auth: 'staff',
    roles: EDIT_ROLES,
    params: IdParams,
    response: Questionnaire,
    errors: ['VALIDATION_FAILED', 'QUESTIONNAIRE_NOT_FOUND'],
  }),
  questionnaireStats: defineRoute({
    id: 'questionnaireStats',
    method: 'get',
    path: '/api/v1/staff/questionnaires/:id/stats',
    summary:
      'Answers in a period: count, mean score, satisfaction 0–100 (surveys), per-question distribution (marketers: satisfaction surveys only)',
    tag: 'questionnaires',
    auth: 'staff',
    roles: STATS_ROLES,
    params: IdParams,
    query: QuestionnaireStatsQuery,
    response: QuestionnaireStatsResponse,
    errors: ['VALIDATION_FAILED', 'QUESTIONNAIRE_NOT_FOUND', 'FORBIDDEN'],
  }),
  patientAnswers: defineRoute({
    id: 'patientAnswers',
    method: 'get',
    path: '/api/v1/staff/patients/:id/answers',
    summary:
      "A patient's questionnaire answers with scores and red flags, newest first (within the caller's scope)",
    tag: 'questionnaires',
    auth: 'staff',
    roles: READ_ROLES,
    params: IdParams,
    response: StaffAnswersResponse,
    errors: ['VALIDATION_FAILED', 'PATIENT_NOT_FOUND'],
  }),
  myQuestionnaire: defineRoute({
    id: 'myQuestionnaire',
    method: 'get',
    path: '/api/v1/me/questionnaires/:id',
    summary: 'The published version of a questionnaire, for the answering page',
    tag: 'questionnaires',
    auth: 'patient',
    params: QuestionnaireIdParams,
    response: PublishedQuestionnaire,
    errors: ['VALIDATION_FAILED', 'QUESTIONNAIRE_NOT_FOUND', 'CONSENT_REQUIRED'],
  }),
  submitAnswer: defineRoute({
    id: 'submitAnswer',
    method: 'post',
    path: '/api/v1/me/questionnaires/:id/answers',
    summary:
      'Answer the published version for one of my profiles (idempotent by requestId; one answer per follow-up step)',
    tag: 'questionnaires',
    auth: 'patient',
    params: QuestionnaireIdParams,
    body: SubmitAnswerRequest,
    response: SubmitAnswerResponse,
    status: 201,
    errors: [
      'VALIDATION_FAILED',
      'QUESTIONNAIRE_NOT_FOUND',
      'QUESTIONNAIRE_ANSWER_INVALID',
      'QUESTIONNAIRE_ALREADY_ANSWERED',
      'PROFILE_NOT_FOUND',
      'QUESTIONNAIRE_STEP_NOT_FOUND',
      'CONSENT_REQUIRED',
    ],
  }),
  myAnswers: defineRoute({
    id: 'myAnswers',
    method: 'get',
    path: '/api/v1/me/answers',
    summary: 'My answers (a profile of this account; default the active one), newest first',
    tag: 'questionnaires',
    auth: 'patient',
    query: MyAnswersQuery,
    response: MyAnswersResponse,
    errors: ['VALIDATION_FAILED', 'PROFILE_NOT_FOUND', 'CONSENT_REQUIRED'],
  }),
}

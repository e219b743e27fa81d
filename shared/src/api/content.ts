import { z } from '../zod'
import { ObjectIdString } from './auth'
import { TagName } from './tags'

/**
 * Health-education content library (F22). An article has versions; a version goes draft → clinical
 * review (head nurse — there is no doctor role; admins may stand in) → compliance review (an admin
 * who neither wrote nor clinically reviewed it) → approved. A rejection ends that version
 * (`rejected`, kept with its review steps) and opens a new draft copy of it. Editing an approved
 * article opens a new draft; the approved version keeps serving until its successor is approved
 * (then it becomes `superseded`). Only the approved version is served to patients and sent.
 */

export const ARTICLE_VERSION_STATES = [
  'draft',
  'clinical_review',
  'compliance_review',
  'approved',
  'rejected',
  'superseded',
] as const
export const ArticleVersionState = z.enum(ARTICLE_VERSION_STATES)
export type ArticleVersionState = z.infer<typeof ArticleVersionState>

/** The state of the article's working (newest) version. */
export const ARTICLE_STATUSES = ['draft', 'clinical_review', 'compliance_review', 'approved'] as const
export const ArticleStatus = z.enum(ARTICLE_STATUSES)
export type ArticleStatus = z.infer<typeof ArticleStatus>

export const REVIEW_STEPS = ['clinical', 'compliance'] as const
export const ReviewStep = z.enum(REVIEW_STEPS)
export type ReviewStep = z.infer<typeof ReviewStep>

export const ReviewDecision = z.enum(['approve', 'reject'])
export type ReviewDecision = z.infer<typeof ReviewDecision>

/** Reading this long (or scrolling to the end) counts as a completed read and earns points once. */
export const CONTENT_READ_COMPLETE_SECONDS = 30

/** Offered by the editor when an article has no disclaimer yet (admins may change it). */
export const DEFAULT_CONTENT_DISCLAIMER =
  '本文仅供健康科普参考，不能替代医生的诊断和治疗。如有不适，请及时就医或咨询您的责任护士。'

/** The blocked medical claims a new installation starts with (admins edit the list). */
export const DEFAULT_BLOCKED_CLAIMS = [
  '治愈率',
  '根治',
  '保证疗效',
  '包治',
  '无副作用',
  '100%有效',
  '药到病除',
  '永不复发',
] as const

const text = (name: string, max: number) =>
  z
    .string({ required_error: `${name} is required`, invalid_type_error: `${name} must be a string` })
    .trim()
    .max(max, `${name} must be at most ${max} characters`)

const ArticleTitle = text('title', 60).min(1, 'title must not be empty')
const ArticleSummary = text('summary', 200)
const ArticleCategory = text('category', 20).min(1, 'category must not be empty')
const ArticleBody = z
  .string({ required_error: 'bodyHtml is required', invalid_type_error: 'bodyHtml must be a string' })
  .min(1, 'bodyHtml must not be empty')
  .max(100_000, 'bodyHtml must be at most 100000 characters')
const Disclaimer = text('disclaimer', 500)
const CoverUrl = z
  .string()
  .trim()
  .max(500, 'coverUrl must be at most 500 characters')
  .url('coverUrl must be a URL')
  .refine((u) => /^https?:\/\//i.test(u), 'coverUrl must be an http(s) URL')
const ArticleTags = z
  .array(TagName)
  .max(10, 'at most 10 tags')
  .refine((t) => new Set(t).size === t.length, 'tags must not repeat')

export const CreateArticleRequest = z
  .object({
    title: ArticleTitle,
    summary: ArticleSummary.default(''),
    coverUrl: CoverUrl.nullable().optional(),
    category: ArticleCategory,
    /** Disease tag names the article is about (targeting, recommendations). */
    tags: ArticleTags.default([]),
    /** Rich text; stored sanitised (p h2 h3 strong em ul ol li img[src,alt] a[href] blockquote br). */
    bodyHtml: ArticleBody,
    /** Required before submission (400 CONTENT_DISCLAIMER_REQUIRED). */
    disclaimer: Disclaimer.default(''),
    /** Client-generated; a retried create with the same id answers the first article. */
    requestId: z
      .string()
      .trim()
      .min(8, 'requestId must be 8–64 characters')
      .max(64, 'requestId must be 8–64 characters')
      .regex(/^[\w.:-]+$/, 'requestId may hold letters, digits and . _ : - only')
      .optional(),
  })
  .strict()
  .openapi('CreateArticleRequest')
export type CreateArticleRequest = z.infer<typeof CreateArticleRequest>

/**
 * Changes to an article. `category` / `tags` are metadata (no review). Any other field edits the
 * working draft, or opens a new draft when the working version is approved; 409 CONTENT_STATE while
 * the working version is under review.
 */
export const UpdateArticleRequest = z
  .object({
    title: ArticleTitle.optional(),
    summary: ArticleSummary.optional(),
    coverUrl: CoverUrl.nullable().optional(),
    category: ArticleCategory.optional(),
    tags: ArticleTags.optional(),
    bodyHtml: ArticleBody.optional(),
    disclaimer: Disclaimer.optional(),
  })
  .strict()
  .refine((b) => Object.values(b).some((v) => v !== undefined), 'nothing to change')
  .openapi('UpdateArticleRequest')
export type UpdateArticleRequest = z.infer<typeof UpdateArticleRequest>

const VersionNumber = z
  .number({ required_error: 'version is required', invalid_type_error: 'version must be a number' })
  .int('version must be an integer')
  .min(1, 'version must be at least 1')

/** Submits version `version` (the working draft) for clinical review; idempotent. */
export const SubmitArticleRequest = z
  .object({ version: VersionNumber })
  .strict()
  .openapi('SubmitArticleRequest')
export type SubmitArticleRequest = z.infer<typeof SubmitArticleRequest>

export const ReviewDecisionRequest = z
  .object({
    /** The version the reviewer read (a newer submission is not approved by accident). */
    version: VersionNumber,
    decision: ReviewDecision,
    /** Required when rejecting: what the author must change. */
    comment: text('comment', 500).optional(),
  })
  .strict()
  .superRefine((b, ctx) => {
    if (b.decision === 'reject' && !b.comment)
      ctx.addIssue({ code: 'custom', path: ['comment'], message: 'comment is required when rejecting' })
  })
  .openapi('ReviewDecisionRequest')
export type ReviewDecisionRequest = z.infer<typeof ReviewDecisionRequest>

export const StaffRef = z.object({ id: z.string(), name: z.string().nullable() })
export type StaffRef = z.infer<typeof StaffRef>

export const ArticleReview = z
  .object({
    step: ReviewStep,
    decision: ReviewDecision,
    by: StaffRef,
    at: z.string().datetime(),
    comment: z.string().nullable(),
  })
  .openapi('ArticleReview')
export type ArticleReview = z.infer<typeof ArticleReview>

export const ArticleVersion = z
  .object({
    n: z.number().int(),
    title: z.string(),
    summary: z.string(),
    coverUrl: z.string().nullable(),
    bodyHtml: z.string(),
    disclaimer: z.string(),
    state: ArticleVersionState,
    /** The version this one was copied from (a rejected or approved one), if any. */
    basedOn: z.number().int().nullable(),
    createdBy: StaffRef,
    createdAt: z.string().datetime(),
    updatedAt: z.string().datetime(),
    submittedAt: z.string().datetime().nullable(),
    reviews: z.array(ArticleReview),
  })
  .openapi('ArticleVersion')
export type ArticleVersion = z.infer<typeof ArticleVersion>

export const ArticleSummaryRow = z
  .object({
    id: ObjectIdString,
    /** Of the working version. */
    title: z.string(),
    summary: z.string(),
    coverUrl: z.string().nullable(),
    category: z.string(),
    tags: z.array(z.string()),
    status: ArticleStatus,
    workingVersion: z.number().int(),
    /** The version patients see and campaigns send; null until one is approved. */
    approvedVersion: z.number().int().nullable(),
    approvedAt: z.string().datetime().nullable(),
    createdAt: z.string().datetime(),
    updatedAt: z.string().datetime(),
  })
  .openapi('ArticleSummary')
export type ArticleSummaryRow = z.infer<typeof ArticleSummaryRow>

export const ArticleDetail = ArticleSummaryRow.extend({
  /** Newest first, each with its review history. */
  versions: z.array(ArticleVersion),
}).openapi('ArticleDetail')
export type ArticleDetail = z.infer<typeof ArticleDetail>

export const ArticleListQuery = z
  .object({
    /** Title contains (working or approved title). */
    q: z.string().trim().max(40).optional(),
    status: ArticleStatus.optional(),
    category: z.string().trim().max(20).optional(),
    tag: z.string().trim().max(20).optional(),
    page: z.coerce.number().int().min(1).default(1),
    pageSize: z.coerce.number().int().min(1).max(100).default(20),
  })
  .strict()
export type ArticleListQuery = z.infer<typeof ArticleListQuery>

export const ArticleListResponse = z
  .object({
    articles: z.array(ArticleSummaryRow),
    total: z.number().int(),
    page: z.number().int(),
    pageSize: z.number().int(),
  })
  .openapi('ArticleListResponse')
export type ArticleListResponse = z.infer<typeof ArticleListResponse>

export const BlockedClaimsSettings = z
  .object({
    phrases: z.array(z.string()),
    defaultDisclaimer: z.string(),
    updatedAt: z.string().datetime().nullable(),
    updatedBy: StaffRef.nullable(),
  })
  .openapi('BlockedClaimsSettings')
export type BlockedClaimsSettings = z.infer<typeof BlockedClaimsSettings>

export const PutBlockedClaimsRequest = z
  .object({
    phrases: z
      .array(text('phrase', 30).min(1, 'phrase must not be empty'), {
        required_error: 'phrases is required',
      })
      .min(1, 'at least one phrase')
      .max(200, 'at most 200 phrases'),
    defaultDisclaimer: text('defaultDisclaimer', 500)
      .min(1, 'defaultDisclaimer must not be empty')
      .optional(),
  })
  .strict()
  .openapi('PutBlockedClaimsRequest')
export type PutBlockedClaimsRequest = z.infer<typeof PutBlockedClaimsRequest>

/** Details of 400 CONTENT_BLOCKED_CLAIM: the configured phrase, where it was found, and as written. */
export const BlockedClaimDetails = z.object({
  phrase: z.string(),
  field: z.enum(['title', 'summary', 'bodyHtml']),
  /** Position in the field's text (for bodyHtml: in its text with the tags stripped). */
  index: z.number().int(),
  match: z.string(),
})
export type BlockedClaimDetails = z.infer<typeof BlockedClaimDetails>

export const ArticleReadStats = z
  .object({
    articleId: ObjectIdString,
    /** Read sessions (each opening of the article page). */
    opens: z.number().int(),
    uniqueReaders: z.number().int(),
    avgReadSeconds: z.number(),
    /** Sessions read ≥ 30 s or to the end. */
    completed: z.number().int(),
    /** completed / opens (0 without opens). */
    completionRate: z.number(),
  })
  .openapi('ArticleReadStats')
export type ArticleReadStats = z.infer<typeof ArticleReadStats>

// --- patient side ---------------------------------------------------------------------------------

export const PatientArticleRow = z
  .object({
    id: ObjectIdString,
    version: z.number().int(),
    title: z.string(),
    summary: z.string(),
    coverUrl: z.string().nullable(),
    category: z.string(),
    publishedAt: z.string().datetime(),
  })
  .openapi('PatientArticleRow')
export type PatientArticleRow = z.infer<typeof PatientArticleRow>

export const PatientArticle = PatientArticleRow.extend({
  tags: z.array(z.string()),
  /** Sanitised HTML (safe for RichText). */
  bodyHtml: z.string(),
  disclaimer: z.string(),
}).openapi('PatientArticle')
export type PatientArticle = z.infer<typeof PatientArticle>

export const MyArticlesQuery = z
  .object({
    category: z.string().trim().max(20).optional(),
    limit: z.coerce.number().int().min(1).max(50).default(20),
  })
  .strict()
export type MyArticlesQuery = z.infer<typeof MyArticlesQuery>

export const MyArticlesResponse = z
  .object({ articles: z.array(PatientArticleRow) })
  .openapi('MyArticlesResponse')
export type MyArticlesResponse = z.infer<typeof MyArticlesResponse>

export const READ_EVENTS = ['open', 'progress', 'close'] as const
export const ReadEvent = z.enum(READ_EVENTS)
export type ReadEvent = z.infer<typeof ReadEvent>

export const RecordReadRequest = z
  .object({
    /** Client-generated per opening of the page (a uuid); every event of that opening carries it. */
    readId: z
      .string({ required_error: 'readId is required' })
      .trim()
      .min(8, 'readId must be 8–64 characters')
      .max(64, 'readId must be 8–64 characters')
      .regex(/^[\w-]+$/, 'readId may hold letters, digits, _ and - only'),
    event: ReadEvent,
    /** Seconds the page has been visible so far in this opening (capped by the server). */
    seconds: z
      .number({ invalid_type_error: 'seconds must be a number' })
      .int('seconds must be an integer')
      .min(0, 'seconds must not be negative')
      .max(86_400, 'seconds must be at most 86400')
      .default(0),
    /** The reader scrolled to the end. */
    completed: z.boolean({ invalid_type_error: 'completed must be true or false' }).optional(),
    /** The campaign run whose message opened the page (from the page's query). */
    campaignRunId: z
      .string()
      .trim()
      .min(1, 'campaignRunId must not be empty')
      .max(64, 'campaignRunId must be at most 64 characters')
      .regex(/^[\w.:-]+$/, 'campaignRunId may hold letters, digits and . _ : - only')
      .optional(),
  })
  .strict()
  .openapi('RecordReadRequest')
export type RecordReadRequest = z.infer<typeof RecordReadRequest>

export const RecordReadResponse = z
  .object({
    readId: z.string(),
    /** Seconds recorded for this opening (the largest reported, capped). */
    seconds: z.number().int(),
    completed: z.boolean(),
    /** Points credited by this call (0 when none, e.g. already earned for this article). */
    pointsAwarded: z.number().int(),
  })
  .openapi('RecordReadResponse')
export type RecordReadResponse = z.infer<typeof RecordReadResponse>

import { z } from '../zod'
import { ObjectIdString } from './auth'
import { LOCAL_DATETIME } from './communities'
import { SegmentExpression } from './segments'

/**
 * Marketing campaigns (F23) and their statistics (F24). A campaign is a segment (a tag expression
 * or a saved segment), approved content (a library article) or a message template, patient channels
 * in fallback order, and a schedule: now, at a time, or a cron expression (hospital zone, at most
 * hourly) until an end date. A marketer drafts; a head nurse or admin who did not write it approves
 * after seeing the audience count and a rendered preview per channel. Each run resolves the segment
 * at that moment and materialises one outbox row per patient (purpose `marketing`: consent, quiet
 * hours, the frequency cap and subscribe credits are applied at dispatch).
 */

export const CAMPAIGN_STATES = [
  'draft',
  'pending_approval',
  'approved',
  'running',
  'paused',
  'completed',
  'cancelled',
] as const
export const CampaignState = z.enum(CAMPAIGN_STATES)
export type CampaignState = z.infer<typeof CampaignState>

/** Patient channels only (WeCom app messages are for staff). */
export const CAMPAIGN_CHANNELS = ['subscribe', 'inbox'] as const
export const CampaignChannel = z.enum(CAMPAIGN_CHANNELS)

export const CAMPAIGN_GOAL_EVENTS = ['community_joined', 'membership_bought', 'article_read'] as const
export const CampaignGoalEvent = z.enum(CAMPAIGN_GOAL_EVENTS)

/** `2026-05-03T09:00` (hospital zone) or an ISO instant with offset. */
const CampaignDateTime = z
  .string()
  .trim()
  .refine(
    (v) => LOCAL_DATETIME.test(v) || z.string().datetime({ offset: true }).safeParse(v).success,
    'must be YYYY-MM-DDTHH:mm (hospital time) or an ISO date-time with offset',
  )

export const CampaignSegmentInput = z.union([
  z.object({ expression: SegmentExpression }).strict(),
  z.object({ segmentId: ObjectIdString }).strict(),
])

export const CampaignContentInput = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('article'),
      articleId: ObjectIdString,
    })
    .strict(),
  z
    .object({
      kind: z.literal('template'),
      title: z.string().trim().min(1, 'title must not be empty').max(40),
      body: z.string().trim().min(1, 'body must not be empty').max(500),
      /** Mini-program page with query, no leading slash. */
      page: z
        .string()
        .trim()
        .regex(/^[a-z][\w-]*(\/[\w-]+)*(\?[\w=&%.-]*)?$/, 'page must be a mini-program page path')
        .max(200)
        .optional(),
    })
    .strict(),
])
export type CampaignContentInput = z.infer<typeof CampaignContentInput>

export const CampaignScheduleInput = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('now') }).strict(),
  z.object({ kind: z.literal('at'), at: CampaignDateTime }).strict(),
  z
    .object({
      kind: z.literal('cron'),
      /** node-cron syntax (5 or 6 fields), in the hospital's zone; at most once an hour. */
      cron: z.string().trim().min(1, 'cron must not be empty').max(100),
      endAt: CampaignDateTime,
    })
    .strict(),
])
export type CampaignScheduleInput = z.infer<typeof CampaignScheduleInput>

export const CampaignGoal = z
  .object({ event: CampaignGoalEvent, withinDays: z.number().int().min(1).max(90) })
  .strict()
export type CampaignGoal = z.infer<typeof CampaignGoal>

export const CampaignInput = z
  .object({
    name: z.string({ required_error: 'name is required' }).trim().min(1, 'name must not be empty').max(40),
    segment: CampaignSegmentInput,
    content: CampaignContentInput,
    /** Fallback order: the first usable channel delivers. */
    channels: z
      .array(CampaignChannel)
      .min(1, 'at least one channel is required')
      .max(2)
      .refine((c) => new Set(c).size === c.length, 'channels must not repeat'),
    schedule: CampaignScheduleInput,
    goal: CampaignGoal.nullable().optional(),
    /** A message not sent within this many hours of its run (quiet hours, the cap) is skipped. */
    expiresAfterHours: z.number().int().min(1).max(72).default(24),
  })
  .strict()
  .openapi('CampaignInput')
export type CampaignInput = z.infer<typeof CampaignInput>

export const CampaignDecisionRequest = z
  .object({
    decision: z.enum(['approve', 'reject']),
    comment: z.string().trim().max(200).optional(),
  })
  .strict()
  .refine((d) => d.decision === 'approve' || !!d.comment, {
    message: 'a rejection needs a comment',
    path: ['comment'],
  })
  .openapi('CampaignDecisionRequest')
export type CampaignDecisionRequest = z.infer<typeof CampaignDecisionRequest>

export const CampaignApproval = z.object({
  by: z.string(),
  at: z.string().datetime(),
  decision: z.enum(['submit', 'approve', 'reject']),
  comment: z.string().nullable(),
})

export const RUN_STATES = ['materialising', 'paused', 'materialised', 'failed', 'cancelled'] as const
export const CampaignRunState = z.enum(RUN_STATES)

export const CampaignRun = z
  .object({
    id: ObjectIdString,
    campaignId: ObjectIdString,
    /** The scheduled instant this run is for (one run per campaign and slot). */
    slot: z.string().datetime(),
    slotLocal: z.string(),
    /** materialising → materialised (all rows in the outbox; sending goes on there), or failed/cancelled. */
    state: CampaignRunState,
    /** The live progress bar: patients materialised of the segment's count when the run started. */
    progress: z.object({ materialised: z.number().int(), total: z.number().int().nullable() }),
    startedAt: z.string().datetime().nullable(),
    finishedAt: z.string().datetime().nullable(),
    failure: z.object({ code: z.string(), reason: z.string() }).nullable(),
    /** The approved article version sent (article campaigns). */
    contentVersion: z.number().int().nullable(),
  })
  .openapi('CampaignRun')
export type CampaignRun = z.infer<typeof CampaignRun>

export const Campaign = z
  .object({
    id: ObjectIdString,
    name: z.string(),
    segment: z.object({ expression: z.string().nullable(), segmentId: ObjectIdString.nullable() }),
    content: CampaignContentInput,
    channels: z.array(CampaignChannel),
    /** The subscribe template kind used when the subscribe channel is listed. */
    subscribeKind: z.literal('health_notice').nullable(),
    schedule: z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('now') }),
      z.object({ kind: z.literal('at'), at: z.string().datetime() }),
      z.object({ kind: z.literal('cron'), cron: z.string(), endAt: z.string().datetime() }),
    ]),
    goal: CampaignGoal.nullable(),
    expiresAfterHours: z.number().int(),
    state: CampaignState,
    approvals: z.array(CampaignApproval),
    createdBy: z.string(),
    createdAt: z.string().datetime(),
    updatedAt: z.string().datetime(),
    /** The next scheduled run (approved / running campaigns), if any. */
    nextRunAt: z.string().datetime().nullable(),
    lastRun: CampaignRun.nullable(),
  })
  .openapi('Campaign')
export type Campaign = z.infer<typeof Campaign>

export const CampaignListQuery = z
  .object({ state: CampaignState.optional(), limit: z.coerce.number().int().min(1).max(200).default(50) })
  .strict()
export const CampaignsResponse = z.object({ campaigns: z.array(Campaign) }).openapi('CampaignsResponse')
export type CampaignsResponse = z.infer<typeof CampaignsResponse>

export const CampaignPreviewChannel = z.discriminatedUnion('channel', [
  z.object({
    channel: z.literal('subscribe'),
    kind: z.literal('health_notice'),
    templateId: z.string().nullable(),
    /** The template's keys as WeChat would receive them (fitted), or null with `problem`. */
    data: z.record(z.string(), z.string()).nullable(),
    problem: z.string().nullable(),
  }),
  z.object({
    channel: z.literal('inbox'),
    title: z.string(),
    body: z.string(),
    page: z.string().nullable(),
  }),
])

export const CampaignPreviewResponse = z
  .object({
    /** The segment's live count now (before consent and the other dispatch rules). */
    audienceCount: z.number().int().nonnegative(),
    expression: z.string(),
    /** What is sent; null with `contentProblem` when the article has no approved version. */
    content: z
      .object({ title: z.string(), body: z.string(), version: z.number().int().nullable() })
      .nullable(),
    contentProblem: z.string().nullable(),
    channels: z.array(CampaignPreviewChannel),
    nextRunAt: z.string().datetime().nullable(),
  })
  .openapi('CampaignPreviewResponse')
export type CampaignPreviewResponse = z.infer<typeof CampaignPreviewResponse>

const Counts = z.record(z.string(), z.number().int())

export const CAMPAIGN_FUNNEL_STEPS = ['targeted', 'delivered', 'opened', 'clicked', 'converted'] as const

export const CampaignStats = z
  .object({
    /** Outbox rows materialised (one per patient of the segment). */
    targeted: z.number().int(),
    /** Rows skipped on purpose, by reason (NO_CONSENT, FREQUENCY_CAP, EXPIRED, ERASED …). */
    skipped: Counts,
    /**
     * Channels passed over on the way to the one that delivered, by reason (NO_SUBSCRIBE_CREDIT …):
     * a row that fell back from subscribe to the inbox counts here and in `delivered`.
     */
    fallbacks: Counts,
    /** Rows that went out: the subscribe message was accepted by WeChat, or stored in the inbox. */
    sent: z.number().int(),
    /** Same as sent, by the channel that delivered (WeChat gives no receipt beyond accepting it). */
    delivered: z.number().int(),
    deliveredByChannel: Counts,
    /** Permanent failures and dead letters, by reason code. */
    failed: Counts,
    /** Not final yet: waiting (quiet hours, cap, retry) or being sent. */
    pending: z.number().int(),
    /** Cancelled (paused or cancelled campaign) and not sent. */
    cancelled: z.number().int(),
    /** Distinct patients who read the inbox message or opened the article of this run. */
    opened: z.number().int(),
    /** Distinct patients who opened the article from the message (article campaigns). */
    clicked: z.number().int(),
    /** Distinct patients with the goal event within the goal's days after their message was sent. */
    converted: z.number().int(),
    funnel: z.array(z.object({ step: z.enum(CAMPAIGN_FUNNEL_STEPS), count: z.number().int() })),
  })
  .openapi('CampaignStats')
export type CampaignStats = z.infer<typeof CampaignStats>

export const CampaignRunResponse = z
  .object({ run: CampaignRun, stats: CampaignStats })
  .openapi('CampaignRunResponse')
export type CampaignRunResponse = z.infer<typeof CampaignRunResponse>

export const CampaignStatsResponse = z
  .object({
    campaignId: ObjectIdString,
    goal: CampaignGoal.nullable(),
    /** Sums over the runs listed. */
    totals: CampaignStats,
    /** The latest runs, newest first (at most 50). */
    runs: z.array(CampaignRunResponse),
    runsTotal: z.number().int(),
  })
  .openapi('CampaignStatsResponse')
export type CampaignStatsResponse = z.infer<typeof CampaignStatsResponse>

export const CampaignResponse = z.object({ campaign: Campaign }).openapi('CampaignResponse')
export type CampaignResponse = z.infer<typeof CampaignResponse>

export const CampaignRunParams = z.object({ id: ObjectIdString, runId: ObjectIdString })

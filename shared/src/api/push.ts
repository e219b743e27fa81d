import { z } from '../zod'
import { ObjectIdString } from './auth'
import { defineRoute } from './route'
import { IdParams } from './staff'

/**
 * The push engine (F20/F21): a durable outbox of messages to patients and staff, delivered through
 * channels (WeChat subscribe message, WeCom app message, group robot, in-app inbox) under consent,
 * quiet hours, a per-patient frequency cap and per-recipient platform limits.
 *
 * Patients: the message centre (inbox with unread count), their quiet hours, and the subscribe
 * decisions `Taro.requestSubscribeMessage` returned (each accepted one-time template = one credit).
 * Staff (console): the outbox with each row's outcome and history, counts, and retrying dead letters.
 */

export const PUSH_CHANNELS = ['subscribe', 'wecom-app', 'robot', 'inbox'] as const
export const PushChannelName = z.enum(PUSH_CHANNELS)
export const PUSH_PURPOSES = ['care', 'marketing', 'staff'] as const
export const PushPurposeName = z.enum(PUSH_PURPOSES)
/**
 * `pending` waits for `nextAt`; `sending` is claimed by a worker (lease); `sent` delivered on one
 * channel; `failed` permanently (bad data, unknown recipient); `dead` gave up after the maximum
 * attempts; `cancelled` by its source (paused plan); `skipped` on purpose (no consent, expired, erased).
 */
export const PUSH_STATUSES = ['pending', 'sending', 'sent', 'failed', 'dead', 'cancelled', 'skipped'] as const
export const PushStatus = z.enum(PUSH_STATUSES)
export type PushStatus = z.infer<typeof PushStatus>

/** `HH:mm`, 24-hour. */
export const ClockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:mm (24-hour)')
/** Quiet hours `[start, end)` in the hospital's zone; `end` before `start` spans midnight; equal = none. */
export const QuietHours = z.object({ start: ClockTime, end: ClockTime }).strict().openapi('QuietHours')
export type QuietHours = z.infer<typeof QuietHours>

// ---- patient: push preferences ----

export const PushPreferences = z
  .object({
    /** The account's own quiet hours; null = the hospital's default. */
    quietHours: QuietHours.nullable(),
    /** The hospital's default quiet hours (null: none). */
    defaultQuietHours: QuietHours.nullable(),
  })
  .openapi('PushPreferences')
export type PushPreferences = z.infer<typeof PushPreferences>

export const SetPushPreferencesRequest = z
  .object({ quietHours: QuietHours.nullable() })
  .strict()
  .openapi('SetPushPreferencesRequest')
export type SetPushPreferencesRequest = z.infer<typeof SetPushPreferencesRequest>

// ---- patient: subscribe decisions (F21) ----

export const SUBSCRIBE_DECISIONS = ['accept', 'reject', 'ban', 'filter'] as const
export const SubscribeDecision = z.enum(SUBSCRIBE_DECISIONS)

export const RecordSubscriptionsRequest = z
  .object({
    /** What `Taro.requestSubscribeMessage` returned: template id → decision (≤3 ids per call). */
    results: z
      .record(z.string().min(1).max(64), SubscribeDecision)
      .refine((r) => Object.keys(r).length >= 1, 'results must name at least one template')
      .refine((r) => Object.keys(r).length <= 10, 'results may name at most 10 templates'),
    /** Where the user was asked (enrol, questionnaire, settings …), for statistics. */
    scene: z
      .string()
      .trim()
      .min(1)
      .max(32)
      .regex(/^[a-z][a-z0-9_-]*$/, 'scene must be a lower-case word'),
    /** Optional client-chosen id of this decision: a repeat with the same id changes nothing. */
    requestId: z.string().trim().min(8).max(64).optional(),
  })
  .strict()
  .openapi('RecordSubscriptionsRequest')
export type RecordSubscriptionsRequest = z.infer<typeof RecordSubscriptionsRequest>

export const SubscriptionState = z
  .object({
    kind: z.string(),
    templateId: z.string(),
    longTerm: z.boolean(),
    /** One-time templates: messages that may still be sent (one per accept). */
    credits: z.number().int().nonnegative(),
    /** Long-term templates: the user keeps accepting. */
    subscribed: z.boolean(),
  })
  .openapi('SubscriptionState')
export const SubscriptionsResponse = z
  .object({ subscriptions: z.array(SubscriptionState) })
  .openapi('SubscriptionsResponse')
export type SubscriptionsResponse = z.infer<typeof SubscriptionsResponse>

// ---- patient: inbox (message centre) ----

export const InboxMessage = z
  .object({
    id: ObjectIdString,
    /** The profile the message is about (the account's own or a family member's). */
    patientId: ObjectIdString,
    title: z.string(),
    body: z.string(),
    page: z.string().nullable(),
    purpose: z.enum(['care', 'marketing']),
    createdAt: z.string().datetime(),
    readAt: z.string().datetime().nullable(),
  })
  .openapi('InboxMessage')
export type InboxMessage = z.infer<typeof InboxMessage>

export const InboxQuery = z
  .object({
    /** Only messages about this profile (one the account manages). */
    patientId: ObjectIdString.optional(),
    /** The `nextCursor` of the previous page. */
    cursor: ObjectIdString.optional(),
    limit: z.coerce.number().int().min(1).max(50).default(20),
  })
  .strict()
export const InboxResponse = z
  .object({
    messages: z.array(InboxMessage),
    nextCursor: ObjectIdString.nullable(),
    unread: z.number().int(),
  })
  .openapi('InboxResponse')
export type InboxResponse = z.infer<typeof InboxResponse>
export const UnreadCountResponse = z.object({ unread: z.number().int().nonnegative() }).openapi('UnreadCount')
export type UnreadCountResponse = z.infer<typeof UnreadCountResponse>

// ---- staff: the outbox console ----

export const OutboxHistoryEntry = z.object({
  at: z.string().datetime(),
  channel: PushChannelName.nullable(),
  /** sent, failed, retry, backoff, fallback, delayed, skipped, dead, retry-requested … */
  result: z.string(),
  code: z.string().nullable(),
  reason: z.string().nullable(),
})
export const OutboxRow = z
  .object({
    id: ObjectIdString,
    dedupeKey: z.string(),
    purpose: PushPurposeName,
    status: PushStatus,
    channels: z.array(PushChannelName),
    patientId: ObjectIdString.nullable(),
    staffId: z.string().nullable(),
    urgent: z.boolean(),
    source: z.object({ kind: z.string(), id: z.string(), groupId: z.string().nullable() }),
    /** Title and body; null for marketers (they see delivery, not what patients were told). */
    content: z.object({ title: z.string(), body: z.string() }).nullable(),
    dueAt: z.string().datetime(),
    nextAt: z.string().datetime(),
    expiresAt: z.string().datetime().nullable(),
    attempts: z.number().int(),
    outcome: z
      .object({
        channel: PushChannelName.nullable(),
        at: z.string().datetime(),
        reason: z.string().nullable(),
        code: z.string().nullable(),
        /** The offending template key or request field of a permanent failure (thing1, page …). */
        field: z.string().nullable(),
      })
      .nullable(),
    history: z.array(OutboxHistoryEntry),
    createdAt: z.string().datetime(),
    updatedAt: z.string().datetime(),
  })
  .openapi('OutboxRow')
export type OutboxRow = z.infer<typeof OutboxRow>

export const OutboxQuery = z
  .object({
    status: PushStatus.optional(),
    /** The channel of the outcome (the one that delivered, or the last one tried). */
    channel: PushChannelName.optional(),
    purpose: PushPurposeName.optional(),
    sourceKind: z.string().trim().min(1).max(40).optional(),
    cursor: ObjectIdString.optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict()
export const OutboxListResponse = z
  .object({ rows: z.array(OutboxRow), nextCursor: ObjectIdString.nullable() })
  .openapi('OutboxListResponse')
export type OutboxListResponse = z.infer<typeof OutboxListResponse>

export const PushStatsResponse = z
  .object({
    /** Rows created in the window. */
    since: z.string().datetime(),
    byStatus: z.record(PushStatus, z.number().int()),
    /** Delivered rows per channel in the window. */
    sentByChannel: z.record(PushChannelName, z.number().int()),
    /** Dead letters of all time (they wait for a person). */
    deadTotal: z.number().int(),
    /** Due rows not sent yet (backlog) and the oldest one's due time. */
    backlog: z.number().int(),
    oldestDueAt: z.string().datetime().nullable(),
  })
  .openapi('PushStatsResponse')
export type PushStatsResponse = z.infer<typeof PushStatsResponse>

export const RetryOutboxResponse = z.object({ row: OutboxRow }).openapi('RetryOutboxResponse')

const CONSOLE_READERS = ['head_nurse', 'marketer', 'admin'] as const
const CONSOLE_OPERATORS = ['head_nurse', 'admin'] as const

export const pushRoutes = {
  getPushPreferences: defineRoute({
    id: 'getPushPreferences',
    method: 'get',
    path: '/api/v1/me/push-preferences',
    summary: "The account's quiet hours (null = the hospital's default) and the default",
    tag: 'push',
    auth: 'patient',
    response: PushPreferences,
  }),
  setPushPreferences: defineRoute({
    id: 'setPushPreferences',
    method: 'put',
    path: '/api/v1/me/push-preferences',
    summary: "Set the account's quiet hours (null: back to the hospital's default; start = end: none)",
    tag: 'push',
    auth: 'patient',
    body: SetPushPreferencesRequest,
    response: PushPreferences,
    errors: ['VALIDATION_FAILED'],
  }),
  recordSubscriptions: defineRoute({
    id: 'recordSubscriptions',
    method: 'post',
    path: '/api/v1/me/subscriptions',
    summary:
      'Record what requestSubscribeMessage returned: each accepted one-time template adds one credit; long-term templates record accept/reject',
    tag: 'push',
    auth: 'patient',
    body: RecordSubscriptionsRequest,
    response: SubscriptionsResponse,
    errors: ['VALIDATION_FAILED', 'SUBSCRIBE_TEMPLATE_UNKNOWN'],
  }),
  listSubscriptions: defineRoute({
    id: 'listSubscriptions',
    method: 'get',
    path: '/api/v1/me/subscriptions',
    summary: "The account's subscribe credits per template",
    tag: 'push',
    auth: 'patient',
    response: SubscriptionsResponse,
  }),
  listInbox: defineRoute({
    id: 'listInbox',
    method: 'get',
    path: '/api/v1/me/inbox',
    summary: "The account's message centre, newest first (optionally one profile's)",
    tag: 'push',
    auth: 'patient',
    query: InboxQuery,
    response: InboxResponse,
    errors: ['VALIDATION_FAILED'],
  }),
  inboxUnreadCount: defineRoute({
    id: 'inboxUnreadCount',
    method: 'get',
    path: '/api/v1/me/inbox/unread-count',
    summary: 'Unread messages of the account (the badge)',
    tag: 'push',
    auth: 'patient',
    response: UnreadCountResponse,
  }),
  readInboxMessage: defineRoute({
    id: 'readInboxMessage',
    method: 'post',
    path: '/api/v1/me/inbox/:id/read',
    summary: 'Mark one message read (idempotent)',
    tag: 'push',
    auth: 'patient',
    params: IdParams,
    response: UnreadCountResponse,
    errors: ['VALIDATION_FAILED', 'INBOX_MESSAGE_NOT_FOUND'],
  }),
  readAllInbox: defineRoute({
    id: 'readAllInbox',
    method: 'post',
    path: '/api/v1/me/inbox/read-all',
    summary: 'Mark every message of the account read',
    tag: 'push',
    auth: 'patient',
    response: UnreadCountResponse,
  }),
  listOutbox: defineRoute({
    id: 'listOutbox',
    method: 'get',
    path: '/api/v1/staff/push/outbox',
    summary:
      'Outbox rows with outcome and history, newest first (dead letters: ?status=dead); marketers see marketing rows without bodies',
    tag: 'push',
    auth: 'staff',
    roles: CONSOLE_READERS,
    query: OutboxQuery,
    response: OutboxListResponse,
    errors: ['VALIDATION_FAILED'],
  }),
  pushStats: defineRoute({
    id: 'pushStats',
    method: 'get',
    path: '/api/v1/staff/push/stats',
    summary: 'Outbox counts of the last 24 h by status and delivering channel, dead letters, backlog',
    tag: 'push',
    auth: 'staff',
    roles: CONSOLE_READERS,
    response: PushStatsResponse,
  }),
  retryOutbox: defineRoute({
    id: 'retryOutbox',
    method: 'post',
    path: '/api/v1/staff/push/outbox/:id/retry',
    summary: 'Send a dead or failed row again (from its first channel); a queued row is answered as it is',
    tag: 'push',
    auth: 'staff',
    roles: CONSOLE_OPERATORS,
    params: IdParams,
    response: RetryOutboxResponse,
    errors: ['VALIDATION_FAILED', 'PUSH_MESSAGE_NOT_FOUND', 'PUSH_NOT_RETRYABLE'],
  }),
}

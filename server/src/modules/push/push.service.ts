import {
  AppError,
  PUSH_CHANNELS,
  PUSH_PURPOSES,
  type OutboxListResponse,
  type OutboxRow,
  type PushStatsResponse,
  type z,
  type OutboxQuery,
} from '@careloop/shared'
import { Types } from 'mongoose'
import type { Clock } from '../../clock'
import type { StaffPrincipal } from '../../http/context'
import type { AuditLog } from '../audit/audit.repo'
import type { OutboxDoc } from './outbox.model'
import { toRowDoc, type OutboxRepo } from './outbox.repo'
import type { PushMessage, PushPort } from './push.port'

/** Channels a message of each purpose may use: patients get subscribe / inbox, staff WeCom. */
const CHANNELS_OF = {
  care: ['subscribe', 'inbox'],
  marketing: ['subscribe', 'inbox'],
  staff: ['wecom-app', 'robot'],
} as const

const invalid = (m: Partial<PushMessage>, field: string, message: string): AppError =>
  new AppError('PUSH_MESSAGE_INVALID', `push message ${m.dedupeKey ?? '(no key)'}: ${message}`, {
    dedupeKey: m.dedupeKey ?? null,
    field,
  })

const isDate = (d: unknown): d is Date => d instanceof Date && !Number.isNaN(d.getTime())

/** A domain module handed the engine a message it cannot ever send: a programming error. */
export const validatePushMessage = (m: PushMessage): void => {
  if (typeof m.dedupeKey !== 'string' || !m.dedupeKey || m.dedupeKey.length > 200)
    throw invalid(m, 'dedupeKey', 'dedupeKey must be a non-empty string of at most 200 characters')
  if (!(PUSH_PURPOSES as readonly string[]).includes(m.purpose))
    throw invalid(m, 'purpose', 'unknown purpose')
  if (!Array.isArray(m.channels) || m.channels.length === 0)
    throw invalid(m, 'channels', 'at least one channel is required')
  const allowed: readonly string[] = CHANNELS_OF[m.purpose]
  for (const c of m.channels) {
    if (!(PUSH_CHANNELS as readonly string[]).includes(c))
      throw invalid(m, 'channels', `unknown channel ${c}`)
    if (!allowed.includes(c)) throw invalid(m, 'channels', `a ${m.purpose} message cannot use ${c}`)
  }
  if (new Set(m.channels).size !== m.channels.length) throw invalid(m, 'channels', 'channels repeat')
  if (m.purpose !== 'staff' && !(m.patientId && Types.ObjectId.isValid(m.patientId)))
    throw invalid(m, 'patientId', 'a patient message needs a valid patientId')
  if (m.channels.includes('wecom-app') && !m.staffId)
    throw invalid(m, 'staffId', 'a wecom-app message needs staffId')
  if (m.channels.includes('robot') && !m.robotKey)
    throw invalid(m, 'robotKey', 'a robot message needs robotKey')
  if (!isDate(m.dueAt)) throw invalid(m, 'dueAt', 'dueAt must be a valid Date')
  if (m.expiresAt !== undefined && !isDate(m.expiresAt))
    throw invalid(m, 'expiresAt', 'expiresAt must be a valid Date')
  if (
    typeof m.content?.title !== 'string' ||
    typeof m.content.body !== 'string' ||
    !(m.content.title || m.content.body)
  )
    throw invalid(m, 'content', 'content needs a title or a body')
  if (!m.source?.kind || !m.source.id) throw invalid(m, 'source', 'source needs kind and id')
}

export const createPushPort = (deps: { outbox: OutboxRepo; clock: Clock; kick: () => void }): PushPort => ({
  async enqueue(messages) {
    for (const m of messages) validatePushMessage(m)
    const now = deps.clock.now()
    // one key twice in one call: the first one stands, like a repeat call
    const firsts = new Map<string, PushMessage>()
    for (const m of messages) if (!firsts.has(m.dedupeKey)) firsts.set(m.dedupeKey, m)
    const created = await deps.outbox.insertNew([...firsts.values()].map((m) => toRowDoc(m, now)))
    return { created }
  },
  cancelBySource: ({ kind, groupId }) => deps.outbox.cancelBySource(kind, groupId, deps.clock.now()),
  reviveBySource: ({ kind, groupId }) => deps.outbox.reviveBySource(kind, groupId, deps.clock.now()),
  kick: deps.kick,
})

const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null)

export const toOutboxRow = (d: OutboxDoc, withContent: boolean): OutboxRow => ({
  id: d._id.toHexString(),
  dedupeKey: d.dedupeKey,
  purpose: d.purpose,
  status: d.status,
  channels: d.channels,
  patientId: d.patientId?.toHexString() ?? null,
  staffId: d.staffId,
  urgent: d.urgent,
  source: { kind: d.source.kind, id: d.source.id, groupId: d.source.groupId ?? null },
  content: withContent ? { title: d.content.title, body: d.content.body } : null,
  dueAt: d.dueAt.toISOString(),
  nextAt: d.nextAt.toISOString(),
  expiresAt: iso(d.expiresAt),
  attempts: d.attempts,
  outcome: d.outcome
    ? {
        channel: d.outcome.channel,
        at: d.outcome.at.toISOString(),
        reason: d.outcome.reason,
        code: d.outcome.code,
        field: d.outcome.field,
      }
    : null,
  history: d.history.map((h) => ({
    at: h.at.toISOString(),
    channel: h.channel,
    result: h.result,
    code: h.code,
    reason: h.reason,
  })),
  createdAt: d.createdAt.toISOString(),
  updatedAt: d.updatedAt.toISOString(),
})

export interface PushConsole {
  list(
    staff: StaffPrincipal,
    q: z.infer<typeof OutboxQuery>,
    meta: { ip: string; requestId: string },
  ): Promise<OutboxListResponse>
  stats(): Promise<PushStatsResponse>
  retry(
    staff: StaffPrincipal,
    id: string,
    meta: { ip: string; requestId: string },
  ): Promise<{ row: OutboxRow }>
}

export const createPushConsole = (deps: {
  outbox: OutboxRepo
  audit: AuditLog
  clock: Clock
  /** Wakes the local worker after a retry. */
  kick: () => void
}): PushConsole => ({
  async list(staff, q, meta) {
    const marketer = staff.role === 'marketer'
    // Marketers see their own (marketing) rows and how they went, not what patients were told.
    const rows =
      marketer && q.purpose && q.purpose !== 'marketing'
        ? []
        : await deps.outbox.list({ ...q, purpose: marketer ? 'marketing' : q.purpose })
    await deps.audit.record({
      actor: { kind: 'staff', id: staff.staffId, role: staff.role },
      action: 'push.outbox.list',
      detail: { status: q.status ?? null, purpose: q.purpose ?? null, count: rows.length },
      ip: meta.ip,
      requestId: meta.requestId,
    })
    return {
      rows: rows.map((r) => toOutboxRow(r, !marketer)),
      nextCursor: rows.length === q.limit ? rows[rows.length - 1]!._id.toHexString() : null,
    }
  },
  async stats() {
    const now = deps.clock.now()
    const since = new Date(now.getTime() - 86_400_000)
    const s = await deps.outbox.stats(since, now)
    return {
      since: since.toISOString(),
      byStatus: s.byStatus,
      sentByChannel: s.sentByChannel,
      deadTotal: s.deadTotal,
      backlog: s.backlog,
      oldestDueAt: iso(s.oldestDueAt),
    }
  },
  async retry(staff, id, meta) {
    const now = deps.clock.now()
    const before = await deps.outbox.findById(id)
    if (!before) throw new AppError('PUSH_MESSAGE_NOT_FOUND', 'No such outbox row')
    if (['sent', 'skipped', 'cancelled'].includes(before.status))
      throw new AppError('PUSH_NOT_RETRYABLE', `A ${before.status} row cannot be sent again`, {
        status: before.status,
      })
    let row = before
    if (before.status === 'dead' || before.status === 'failed') {
      row =
        (await deps.outbox.requeue(id, now, {
          at: now,
          channel: null,
          result: 'retry-requested',
          code: null,
          reason: `by staff ${staff.staffId}`,
        })) ?? before
      await deps.audit.record({
        actor: { kind: 'staff', id: staff.staffId, role: staff.role },
        action: 'push.outbox.retry',
        patientId: before.patientId?.toHexString() ?? null,
        detail: { outboxId: id, dedupeKey: before.dedupeKey, was: before.status },
        ip: meta.ip,
        requestId: meta.requestId,
      })
      deps.kick()
    }
    return { row: toOutboxRow(row, true) }
  },
})

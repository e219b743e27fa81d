import { randomUUID } from 'node:crypto'
import { PUSH_CHANNELS, type PushStatus } from '@careloop/shared'
import { Types, type AnyBulkWriteOperation, type Connection } from 'mongoose'
import { isDuplicateKey } from '../../db/duplicate-key'
import {
  deliveryModel,
  HISTORY_MAX,
  type DeliveryDoc,
  outboxModel,
  type OutboxDoc,
  type OutboxHistory,
  type OutboxOutcome,
} from './outbox.model'
import type { PushChannel, PushMessage } from './push.port'

/** Statuses a row can still leave on its own (cancel / revive / erasure act on these). */
const UNSENT: PushStatus[] = ['pending']

/** What a worker decided for one claimed row, written back in the batch's one `bulkWrite`. */
export interface RowUpdate {
  id: Types.ObjectId
  claimId: string
  set: Partial<
    Pick<
      OutboxDoc,
      | 'status'
      | 'nextAt'
      | 'attempts'
      | 'lastCountedAt'
      | 'channelIndex'
      | 'capKey'
      | 'outcome'
      | 'content'
      | 'updatedAt'
    >
  >
  history: OutboxHistory[]
}

export interface OutboxListFilter {
  status?: PushStatus
  channel?: PushChannel
  purpose?: OutboxDoc['purpose']
  sourceKind?: string
  cursor?: string
  limit: number
}

export interface OutboxRepo {
  /** Inserts the rows whose dedupe key is new; returns how many were. */
  insertNew(rows: Omit<OutboxDoc, '_id'>[]): Promise<number>
  /**
   * Claims up to `limit` due rows for `owner` (pending with nextAt ≤ now, or sending with an expired
   * lease) and returns exactly the rows this claim took.
   */
  claim(o: { owner: string; now: Date; limit: number; leaseMs: number }): Promise<OutboxDoc[]>
  /** The earliest `nextAt` of a pending row (the worker wakes then instead of waiting for its tick). */
  nextPendingAt(): Promise<Date | null>
  /** Writes a batch's outcomes; each update only lands while `owner` still holds that claim. */
  settle(owner: string, updates: RowUpdate[]): Promise<number>
  cancelBySource(kind: string, groupId: string, now: Date): Promise<number>
  reviveBySource(kind: string, groupId: string, now: Date): Promise<number>
  findById(id: string): Promise<OutboxDoc | null>
  /** dead|failed → pending from the first channel; the row after the change (or as it is). */
  requeue(id: string, now: Date, entry: OutboxHistory): Promise<OutboxDoc | null>
  list(f: OutboxListFilter): Promise<OutboxDoc[]>
  stats(
    since: Date,
    now: Date,
  ): Promise<{
    byStatus: Record<string, number>
    sentByChannel: Record<string, number>
    deadTotal: number
    backlog: number
    oldestDueAt: Date | null
  }>
  /** Erasure: the profile's unsent rows are skipped and lose their content. */
  erasePatient(patientId: string, now: Date): Promise<void>
}

export const toRowDoc = (m: PushMessage, now: Date): Omit<OutboxDoc, '_id'> => ({
  dedupeKey: m.dedupeKey,
  purpose: m.purpose,
  patientId: m.patientId ? new Types.ObjectId(m.patientId) : null,
  staffId: m.staffId ?? null,
  robotKey: m.robotKey ?? null,
  channels: [...m.channels],
  content: {
    title: m.content.title,
    body: m.content.body,
    page: m.content.page ?? null,
    subscribe: m.content.subscribe
      ? { kind: m.content.subscribe.kind, fields: { ...m.content.subscribe.fields } }
      : null,
  },
  urgent: m.urgent === true,
  source: { kind: m.source.kind, id: m.source.id, groupId: m.source.groupId ?? null },
  dueAt: m.dueAt,
  expiresAt: m.expiresAt ?? null,
  status: 'pending',
  nextAt: m.dueAt,
  attempts: 0,
  lastCountedAt: null,
  channelIndex: 0,
  owner: null,
  leaseUntil: null,
  claimId: null,
  capKey: null,
  outcome: null,
  history: [],
  createdAt: now,
  updatedAt: now,
})

/** The claim guard: due pending rows, or rows whose worker's lease has expired. */
const claimable = (now: Date): Record<string, unknown> => ({
  $or: [
    { status: 'pending', nextAt: { $lte: now } },
    { status: 'sending', leaseUntil: { $lt: now } },
  ],
})

export const createOutboxRepo = (conn: Connection): OutboxRepo => {
  const M = outboxModel(conn)
  return {
    async insertNew(rows) {
      if (!rows.length) return 0
      try {
        const r = await M.collection.insertMany(rows as never[], { ordered: false })
        return r.insertedCount
      } catch (e) {
        // Keys already there are not an error: enqueueing is idempotent.
        // Unordered: every row is either inserted or one write error (engines disagree on insertedCount).
        const list = [(e as { writeErrors?: unknown }).writeErrors ?? []].flat()
        if (!list.length || !list.every(isDuplicateKey)) throw e
        return rows.length - list.length
      }
    },

    async claim({ owner, now, limit, leaseMs }) {
      // Another worker may take the same candidates between the find and the update (the guard makes
      // each row go to one of them); a claim that lost every candidate looks again.
      for (let round = 0; round < 5; round++) {
        const candidates = await M.find(claimable(now), { _id: 1 })
          .sort({ nextAt: 1 })
          .limit(limit)
          .lean<{ _id: Types.ObjectId }[]>()
        if (!candidates.length) return []
        const claimId = randomUUID()
        const r = await M.updateMany(
          { _id: { $in: candidates.map((c) => c._id) }, ...claimable(now) },
          { $set: { status: 'sending', owner, claimId, leaseUntil: new Date(now.getTime() + leaseMs) } },
        )
        if (r.modifiedCount > 0) {
          // By `_id` (indexed on every engine), keeping the rows this claim took.
          const rows = await M.find({ _id: { $in: candidates.map((c) => c._id) } }).lean<OutboxDoc[]>()
          return rows.filter((row) => row.claimId === claimId)
        }
      }
      return []
    },

    async nextPendingAt() {
      const d = await M.findOne({ status: 'pending' }, { nextAt: 1 })
        .sort({ nextAt: 1 })
        .lean<{ nextAt: Date }>()
      return d?.nextAt ?? null
    },

    async settle(owner, updates) {
      if (!updates.length) return 0
      // Writes go by `_id` alone (the only filter the local engine serves from an index; a guarded
      // filter scans the collection once per row). The claim is checked just before: a row another
      // worker reclaimed (this worker's lease expired) is left to that worker. Were it reclaimed
      // between the read and the write, the later writer wins, and the delivery records still keep
      // the message from being sent twice.
      const held = await M.find(
        { _id: { $in: updates.map((u) => u.id) } },
        { owner: 1, claimId: 1, status: 1 },
      ).lean<Pick<OutboxDoc, '_id' | 'owner' | 'claimId' | 'status'>[]>()
      const mine = new Set(
        held
          .filter((h) => h.owner === owner && h.status === 'sending')
          .map((h) => `${h._id.toHexString()}|${h.claimId ?? ''}`),
      )
      const ops: AnyBulkWriteOperation<OutboxDoc>[] = updates
        .filter((u) => mine.has(`${u.id.toHexString()}|${u.claimId}`))
        .map((u) => ({
          updateOne: {
            filter: { _id: u.id },
            update: {
              $set: { ...u.set, owner: null, claimId: null, leaseUntil: null },
              ...(u.history.length ? { $push: { history: { $each: u.history, $slice: -HISTORY_MAX } } } : {}),
            },
          },
        }))
      if (!ops.length) return 0
      const r = await M.bulkWrite(ops, { ordered: false })
      return r.matchedCount
    },

    async cancelBySource(kind, groupId, now) {
      const r = await M.updateMany(
        { 'source.kind': kind, 'source.groupId': groupId, status: { $in: UNSENT } },
        {
          $set: { status: 'cancelled', updatedAt: now },
          $push: {
            history: {
              $each: [
                { at: now, channel: null, result: 'cancelled', code: null, reason: 'cancelled by source' },
              ],
              $slice: -HISTORY_MAX,
            },
          },
        },
      )
      return r.modifiedCount
    },

    async reviveBySource(kind, groupId, now) {
      const r = await M.updateMany(
        { 'source.kind': kind, 'source.groupId': groupId, status: 'cancelled' },
        {
          $set: { status: 'pending', updatedAt: now },
          $push: {
            history: {
              $each: [{ at: now, channel: null, result: 'revived', code: null, reason: 'revived by source' }],
              $slice: -HISTORY_MAX,
            },
          },
        },
      )
      return r.modifiedCount
    },

    findById: (id) => (Types.ObjectId.isValid(id) ? M.findById(id).lean<OutboxDoc>() : Promise.resolve(null)),

    async requeue(id, now, entry) {
      const changed = await M.findOneAndUpdate(
        { _id: new Types.ObjectId(id), status: { $in: ['dead', 'failed'] } },
        {
          $set: {
            status: 'pending',
            nextAt: now,
            attempts: 0,
            lastCountedAt: null,
            channelIndex: 0,
            updatedAt: now,
          },
          $push: { history: { $each: [entry], $slice: -HISTORY_MAX } },
        },
        { new: true },
      ).lean<OutboxDoc>()
      return changed ?? M.findById(id).lean<OutboxDoc>()
    },

    list(f) {
      const q: Record<string, unknown> = {}
      if (f.status) q.status = f.status
      if (f.purpose) q.purpose = f.purpose
      if (f.channel) q['outcome.channel'] = f.channel
      if (f.sourceKind) q['source.kind'] = f.sourceKind
      if (f.cursor) q._id = { $lt: new Types.ObjectId(f.cursor) }
      return M.find(q).sort({ _id: -1 }).limit(f.limit).lean<OutboxDoc[]>()
    },

    async stats(since, now) {
      const groups = await M.aggregate<{ _id: { status: string; channel: string | null }; n: number }>([
        { $match: { createdAt: { $gte: since } } },
        { $group: { _id: { status: '$status', channel: '$outcome.channel' }, n: { $sum: 1 } } },
      ])
      const byStatus: Record<string, number> = {}
      const sentByChannel: Record<string, number> = {}
      for (const g of groups) {
        byStatus[g._id.status] = (byStatus[g._id.status] ?? 0) + g.n
        const ch = g._id.channel
        if (g._id.status === 'sent' && ch) sentByChannel[ch] = (sentByChannel[ch] ?? 0) + g.n
      }
      const due = { status: { $in: ['pending', 'sending'] }, nextAt: { $lte: now } }
      const [deadTotal, backlog, oldest] = await Promise.all([
        M.countDocuments({ status: 'dead' }),
        M.countDocuments(due),
        M.findOne(due, { nextAt: 1 }).sort({ nextAt: 1 }).lean<{ nextAt: Date }>(),
      ])
      return { byStatus, sentByChannel, deadTotal, backlog, oldestDueAt: oldest?.nextAt ?? null }
    },

    async erasePatient(patientId, now) {
      if (!Types.ObjectId.isValid(patientId)) return
      const outcome: OutboxOutcome = {
        channel: null,
        at: now,
        reason: 'patient erased',
        code: 'ERASED',
        field: null,
      }
      await M.updateMany(
        { patientId: new Types.ObjectId(patientId), status: { $in: ['pending', 'cancelled'] } },
        {
          $set: {
            status: 'skipped',
            outcome,
            content: { title: '', body: '', page: null, subscribe: null },
            updatedAt: now,
          },
        },
      )
    },
  }
}

/** The per-channel delivery records around each call (see outbox.model.ts). */
export interface DeliveryRepo {
  /** `dedupeKey|channel` of the deliveries of these messages (by dedupe key) that are `sent`. */
  sentOf(keys: string[]): Promise<Set<string>>
  /** Records an attempt about to be made; false when the channel already has the message. */
  attempting(dedupeKey: string, channel: PushChannel, owner: string, at: Date): Promise<boolean>
  sent(dedupeKey: string, channel: PushChannel, msgid: string | null, at: Date): Promise<void>
}

export const deliveryKey = (dedupeKey: string, channel: string): string => `${dedupeKey}|${channel}`

export const createDeliveryRepo = (conn: Connection): DeliveryRepo => {
  const M = deliveryModel(conn)
  return {
    async sentOf(dedupeKeys) {
      if (!dedupeKeys.length) return new Set()
      const ids = dedupeKeys.flatMap((k) => PUSH_CHANNELS.map((c) => deliveryKey(k, c)))
      const rows = await M.find({ _id: { $in: ids } }, { state: 1 }).lean<{ _id: string; state: string }[]>()
      return new Set(rows.filter((r) => r.state === 'sent').map((r) => r._id))
    },
    async attempting(dedupeKey, channel, owner, at) {
      const _id = deliveryKey(dedupeKey, channel)
      for (let attempt = 0; attempt < 2; attempt++) {
        try {
          // The state is written only on insert: a `sent` record stays `sent` and says so.
          const before = await M.findOneAndUpdate(
            { _id },
            {
              $set: { owner, at },
              $setOnInsert: { dedupeKey, channel, state: 'attempting', msgid: null },
            },
            { upsert: true, new: false },
          ).lean<DeliveryDoc>()
          return before?.state !== 'sent'
        } catch (e) {
          // two first attempts raced to insert the record: the second try reads the winner's
          if (!isDuplicateKey(e)) throw e
        }
      }
      return false
    },
    async sent(dedupeKey, channel, msgid, at) {
      await M.updateOne({ _id: deliveryKey(dedupeKey, channel) }, { $set: { state: 'sent', msgid, at } })
    },
  }
}

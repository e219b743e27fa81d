import { randomBytes } from 'node:crypto'
import { hostname } from 'node:os'
import type { Types, Connection } from 'mongoose'
import type { Logger } from '../../logger'
import { accountModel } from '../accounts/account.model'
import { patientModel } from '../patients/patient.model'
import type { PatientRow } from '../patients/patient.repo'
import type { StaffRepo } from '../staff/staff.repo'
import type { OutboxDoc } from './outbox.model'
import type { OutboxRepo, RowUpdate } from './outbox.repo'
import { dispatchRow, type BatchContext, type DispatchDeps } from './push-dispatcher'

/**
 * The outbox worker. node-cron (or `kick`) only starts `dispatchDue`, which claims due rows in
 * batches under a lease, dispatches each batch with bounded concurrency (rows of one recipient one
 * after another: WeChat refuses concurrent sends to one user, 43108) and writes the batch's outcomes
 * in one bulkWrite guarded by owner and claim. A worker that dies leaves its rows `sending`; once
 * the lease expires any worker reclaims them, and the delivery records keep them from being sent
 * twice. One dispatch loop runs per worker at a time (a kick during a run makes it loop again).
 */

export interface DispatchReport {
  batches: number
  claimed: number
  written: number
  /** When the next pending row falls due (null: none), read once nothing was due any more. */
  nextAt: Date | null
}

export interface PushWorker {
  readonly owner: string
  /** Claims and dispatches batches until nothing is due. */
  dispatchDue(): Promise<DispatchReport>
  /** Claims one batch without dispatching it (tests: a worker that dies after claiming). */
  claimBatch(limit?: number): Promise<OutboxDoc[]>
  /** Dispatches rows this worker has claimed and records the outcomes; returns rows written. */
  dispatchClaimed(rows: OutboxDoc[]): Promise<number>
}

export const newOwnerId = (): string => `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`

/** Runs `fn` over `items` with at most `limit` in flight. */
export const mapLimit = async <T, R>(
  items: readonly T[],
  limit: number,
  fn: (t: T) => Promise<R>,
): Promise<R[]> => {
  const out = new Array<R>(items.length)
  let next = 0
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++
      out[i] = await fn(items[i]!)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane))
  return out
}

const recipientOf = (r: OutboxDoc): string =>
  r.patientId ? `p:${r.patientId.toHexString()}` : r.staffId ? `s:${r.staffId}` : `r:${r.robotKey ?? ''}`

export const createPushWorker = (o: {
  db: Connection
  outbox: OutboxRepo
  staff: StaffRepo
  dispatch: Omit<DispatchDeps, 'owner'>
  logger: Logger
  owner?: string
  batchSize: number
  concurrency: number
  leaseMs?: number
}): PushWorker => {
  const owner = o.owner ?? newOwnerId()
  const leaseMs = o.leaseMs ?? 60_000
  const deps: DispatchDeps = { ...o.dispatch, owner }
  const Patients = patientModel(o.db)
  const Accounts = accountModel(o.db)

  /** Everything a batch needs besides the rows, in one query per collection. */
  const loadContext = async (rows: OutboxDoc[]): Promise<BatchContext> => {
    const patientIds = [
      ...new Map(
        rows.flatMap((r) => (r.patientId ? [[r.patientId.toHexString(), r.patientId]] : [])),
      ).values(),
    ]
    const staffIds = [...new Set(rows.flatMap((r) => (r.staffId ? [r.staffId] : [])))]
    const [patients, staff, sent] = await Promise.all([
      patientIds.length
        ? Patients.find({ _id: { $in: patientIds } }, { accountId: 1, consents: 1, erasedAt: 1 }).lean<
            Pick<PatientRow, '_id' | 'accountId' | 'consents' | 'erasedAt'>[]
          >()
        : [],
      o.staff.findByIds(staffIds),
      o.dispatch.deliveries.sentOf(rows.map((r) => r.dedupeKey)),
    ])
    const accountIds = [...new Map(patients.map((p) => [p.accountId.toHexString(), p.accountId])).values()]
    const [accounts, quietHours] = await Promise.all([
      accountIds.length
        ? Accounts.find({ _id: { $in: accountIds } }, { openid: 1, erasedAt: 1 })
            .lean<{ _id: Types.ObjectId; openid: string; erasedAt?: Date | null }[]>()
            .then((list) => list.filter((a) => !a.erasedAt)) // by `_id` alone: indexed on every engine
        : [],
      o.dispatch.prefs.quietHoursOf(accountIds),
    ])
    return {
      patients: new Map(patients.map((p) => [p._id.toHexString(), p])),
      accounts: new Map(accounts.map((a) => [a._id.toHexString(), a])),
      quietHours,
      staff: new Map(staff.map((s) => [s.id, s])),
      sent,
    }
  }

  const dispatchClaimed = async (rows: OutboxDoc[]): Promise<number> => {
    if (!rows.length) return 0
    const ctx = await loadContext(rows)
    const groups = new Map<string, OutboxDoc[]>()
    for (const r of rows) {
      const k = recipientOf(r)
      const g = groups.get(k)
      if (g) g.push(r)
      else groups.set(k, [r])
    }
    const updates: RowUpdate[] = []
    await mapLimit([...groups.values()], o.concurrency, async (group) => {
      for (const row of group) {
        try {
          updates.push(await dispatchRow(deps, row, ctx))
        } catch (err) {
          // A bug or a database error: leave the row to its lease (it will be reclaimed and retried).
          o.logger.error({ err, dedupeKey: row.dedupeKey }, 'push dispatch of a row failed')
        }
      }
    })
    return o.outbox.settle(owner, updates)
  }

  const claimBatch = (limit = o.batchSize): Promise<OutboxDoc[]> =>
    o.outbox.claim({ owner, now: o.dispatch.clock.now(), limit, leaseMs })

  let running: Promise<DispatchReport> | undefined
  let again = false
  const loop = async (): Promise<DispatchReport> => {
    const report: DispatchReport = { batches: 0, claimed: 0, written: 0, nextAt: null }
    do {
      again = false
      for (let i = 0; i < 10_000; i++) {
        const rows = await claimBatch()
        if (!rows.length) break
        report.batches++
        report.claimed += rows.length
        report.written += await dispatchClaimed(rows)
      }
    } while (again)
    report.nextAt = await o.outbox.nextPendingAt()
    return report
  }

  return {
    owner,
    dispatchDue() {
      if (running) {
        again = true
        return running
      }
      running = loop().finally(() => (running = undefined))
      return running
    },
    claimBatch,
    dispatchClaimed,
  }
}

import { AppError } from '@careloop/shared'
import { Types } from 'mongoose'
import type { Clock } from '../../clock'
import type { Logger } from '../../logger'
import { createAccountCache } from './points-account-cache'
import { journalKey, type PointsAccountRepo } from './points-account.repo'
import { oid, type PointsLedgerRepo } from './points-ledger.repo'
import type { EntryFields, JournalItem, PointsAccountDoc, PointsEntryDoc } from './points.model'
import type { EarnResult } from './points.port'
import { createRecordedItems } from './points-journal'

/**
 * How the ledger (F26) applies and records one change; points-ledger.service.ts builds the
 * operations (earn, spend, refund, adjust, expire, reconcile) on these steps.
 *
 * One change = two single-document writes, no transaction:
 *   1. the account: balance, counters and a journal item holding the entry (atomic, guarded:
 *      compare-and-set on `ver` against the last copy of the account this process saw — no read
 *      when it has one (points-account-cache.ts) —; a spend that loses that race falls back to the
 *      guarded `balance ≥ amount` and "no item for this refKey" debit);
 *   2. the ledger entry (unique refKey), with the id the journal item carries.
 * Balances, caps and "already in the journal" are checked in memory against the copy; the
 * compare-and-set makes that exact (a stale copy loses, is read again, and the change is retried),
 * also with several processes. An answer that writes nothing is never given from a cached copy.
 * A crash between 1 and 2 leaves the item in the journal: the next call with the same refKey, or the
 * reconciliation job after RECORD_AFTER_MS, inserts the entry from it (its id makes that idempotent).
 * A refKey seen in the journal or the ledger is a duplicate: nothing changes, the first outcome is
 * answered. A refKey recorded so long ago that its journal item is gone reaches step 2 again for a
 * spend (no read before the guarded write) and finds its entry taken: the write is undone at once.
 * Journal items leave when their entry is known recorded: this process removes its own in its next
 * write to that account (within DONE_FRESH_MS), the reconciliation job removes the rest after
 * TRIM_AFTER_MS; never both for one item, so an item re-added under the same key is never lost.
 * A refused spend (POINTS_INSUFFICIENT) writes nothing: the same refKey may be tried again later.
 * Throughput: the database work of concurrent changes is grouped (db/group-commit.ts) — their
 * compare-and-sets, ledger inserts and refKey look-ups go as one command per batch each, and every
 * change still gets its own answer; none of the guarantees above depends on what shares a batch.
 */

export const RECORD_AFTER_MS = 30_000
export const TRIM_AFTER_MS = 10 * 60_000
export const LOOKBACK_MS = 15 * 60_000
const MAX_ATTEMPTS = 200

/** Test hook: throwing here simulates a crash between the account write and the ledger insert. */
export interface PointsFaults {
  afterApply?(refKey: string): void | Promise<void>
}

export type Fields = Omit<EntryFields, 'refKey' | 'createdAt'>
export type Built =
  | { fields: Fields; inc?: Record<string, number>; unset?: string[] }
  | { nothing: EarnResult['limitedBy'] }
export type Outcome =
  | { kind: 'applied' | 'duplicate'; entry: PointsEntryDoc; balance: number }
  | { kind: 'nothing'; limitedBy: EarnResult['limitedBy']; balance: number }

export const toEntry = (
  profileId: Types.ObjectId,
  item: JournalItem,
  balanceAfter: number | null,
): PointsEntryDoc => {
  const { id, inc: _inc, ...fields } = item
  return { _id: id, profileId, ...fields, balanceAfter }
}

const sleep = (ms: number): Promise<void> => new Promise((ok) => setTimeout(ok, ms))

export interface LedgerCoreDeps {
  accounts: PointsAccountRepo
  ledger: PointsLedgerRepo
  clock: Clock
  logger: Logger
  faults?: PointsFaults
}

/** The steps every ledger operation shares: the account copy, compare-and-set, recording, duplicates. */
export const createLedgerCore = (deps: LedgerCoreDeps) => {
  const { accounts, ledger, clock } = deps

  const recordedItems = createRecordedItems(clock)
  const cache = createAccountCache()
  /** A fresh read of the account, kept as the process's copy. */
  const read = async (pid: Types.ObjectId): Promise<PointsAccountDoc | null> => {
    const a = await accounts.read(pid)
    if (a) cache.put(a)
    else cache.drop(pid.toHexString())
    return a
  }

  const profile = (profileId: string): Types.ObjectId => {
    const id = oid(profileId)
    if (!id) throw new AppError('PROFILE_NOT_FOUND', 'No such profile')
    return id
  }
  const balanceOf = async (pid: Types.ObjectId): Promise<number> => (await read(pid))?.balance ?? 0

  /** Step 2: the entry; a late duplicate (refKey recorded under another entry) is undone. */
  const record = async (
    pid: Types.ObjectId,
    h: string,
    item: JournalItem,
    balanceAfter: number | null,
  ): Promise<{ entry: PointsEntryDoc; late: boolean }> => {
    const entry = toEntry(pid, item, balanceAfter)
    const r = await ledger.insert(entry)
    if (r.kind !== 'duplicate') {
      recordedItems.note(pid.toHexString(), h, item.id)
      return { entry, late: false }
    }
    cache.drop(pid.toHexString())
    if (!(await accounts.undo(pid, h, item, clock.now())))
      deps.logger.error(
        { profileId: pid.toHexString(), refKey: item.refKey, amount: item.amount },
        'points: a late duplicate could not be undone yet; the reconciliation job retries',
      )
    return { entry: r.existing, late: true }
  }

  /** The entry of a journal item, inserting it when missing (a crashed or in-flight change). */
  const recorded = async (pid: Types.ObjectId, h: string, item: JournalItem): Promise<PointsEntryDoc> => {
    const [found] = await ledger.findByIds([item.id])
    return found ?? (await record(pid, h, item, null)).entry
  }

  const sameKind = (e: PointsEntryDoc, pid: Types.ObjectId, kind: EntryFields['kind']): PointsEntryDoc => {
    if (e.kind !== kind || !e.profileId.equals(pid))
      throw new AppError('POINTS_ADJUSTMENT_INVALID', `refKey ${e.refKey} already names another ledger entry`)
    return e
  }

  /**
   * (Cached copy or read) → build → compare-and-set → record; duplicates answered from the journal
   * or the ledger. Anything decided without a write (a duplicate, nothing to do, a refusal thrown by
   * `build`) is decided again on a fresh read when the copy came from the cache.
   */
  const casOp = async (
    pid: Types.ObjectId,
    refKey: string,
    kind: EntryFields['kind'],
    build: (snap: PointsAccountDoc | null) => Promise<Built>,
  ): Promise<Outcome> => {
    const h = journalKey(refKey)
    const key = pid.toHexString()
    let useCache = true
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      if (attempt >= 3) await sleep(Math.floor(Math.random() * Math.min(25, 2 + attempt)))
      const cached = useCache ? cache.get(key) : undefined
      useCache = false
      const snap = cached ?? (await read(pid))
      const inFlight = snap?.j?.[h]
      if (inFlight) {
        if (cached) continue
        const entry = sameKind(await recorded(pid, h, inFlight), pid, kind)
        return { kind: 'duplicate', entry, balance: snap.balance }
      }
      // looked up after the account was read: an item removed from the journal had its entry
      // recorded before (a cached copy was read earlier still)
      const existing = await ledger.findByRefKey(refKey)
      if (existing) {
        const balance = cached ? await balanceOf(pid) : (snap?.balance ?? 0)
        return { kind: 'duplicate', entry: sameKind(existing, pid, kind), balance }
      }
      let built: Built
      try {
        built = await build(snap)
      } catch (e) {
        if (cached) continue
        throw e
      }
      if ('nothing' in built) {
        if (cached) continue
        return { kind: 'nothing', limitedBy: built.nothing, balance: snap?.balance ?? 0 }
      }
      const now = clock.now()
      const item: JournalItem = {
        id: new Types.ObjectId(),
        refKey,
        ...built.fields,
        inc: built.inc ?? {},
        createdAt: now,
      }
      const trims = recordedItems.claim(key)
      const after = await accounts.cas(pid, snap ?? null, {
        amount: item.amount,
        h,
        item,
        inc: built.inc,
        unset: [...(built.unset ?? []), ...trims.map((t) => `j.${t.h}`)],
      })
      if (after === null) {
        recordedItems.release(key, trims)
        cache.drop(key)
        continue
      }
      cache.put(after)
      // `after` may already hold later changes: the balance right after this one is the copy's plus this
      const balance = (snap?.balance ?? 0) + item.amount
      await deps.faults?.afterApply?.(refKey)
      const r = await record(pid, h, item, balance)
      if (r.late)
        return { kind: 'duplicate', entry: sameKind(r.entry, pid, kind), balance: await balanceOf(pid) }
      return { kind: 'applied', entry: r.entry, balance }
    }
    throw new AppError('RATE_LIMITED', 'Too many simultaneous changes to this points account; try again')
  }

  return { recordedItems, cache, read, profile, balanceOf, record, recorded, sameKind, casOp }
}

export type LedgerCore = ReturnType<typeof createLedgerCore>

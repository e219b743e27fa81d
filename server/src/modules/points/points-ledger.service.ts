import { AppError } from '@careloop/shared'
import { Types } from 'mongoose'
import type { Clock } from '../../clock'
import type { Logger } from '../../logger'
import { createAccountCache } from './points-account-cache'
import { journalKey, type PointsAccountRepo } from './points-account.repo'
import { oid, type PointsLedgerRepo } from './points-ledger.repo'
import type { EntryFields, JournalItem, PointsAccountDoc, PointsEntryDoc } from './points.model'
import type { EarnResult, PointsPort, SpendResult } from './points.port'
import { capKeys, grantOf, isEarnRule, withMultiplier } from './points-rules'
import type { PointsSettingsRepo } from './points-settings.repo'
import type { PointsTiers } from './points-tiers.service'
import { createRecordedItems, staleCounters } from './points-journal'
import { expiryOf, localDateOf, monthOf } from './points-time'

/**
 * The ledger engine (F26): PointsPort, staff adjustments, expiry entries and the reconciliation.
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
 */

export const RECORD_AFTER_MS = 30_000
export const TRIM_AFTER_MS = 10 * 60_000
export const LOOKBACK_MS = 15 * 60_000
const MAX_ATTEMPTS = 200

/** Test hook: throwing here simulates a crash between the account write and the ledger insert. */
export interface PointsFaults {
  afterApply?(refKey: string): void | Promise<void>
}

type Fields = Omit<EntryFields, 'refKey' | 'createdAt'>
type Built =
  | { fields: Fields; inc?: Record<string, number>; unset?: string[] }
  | { nothing: EarnResult['limitedBy'] }
type Outcome =
  | { kind: 'applied' | 'duplicate'; entry: PointsEntryDoc; balance: number }
  | { kind: 'nothing'; limitedBy: EarnResult['limitedBy']; balance: number }

export interface AdjustInput {
  profileId: string
  amount: number
  reason: string
  requestId: string
  actor: { kind: 'staff' | 'system'; id: string | null; role: string | null }
}

export interface LedgerEngine extends PointsPort {
  adjust(input: AdjustInput): Promise<{ entry: PointsEntryDoc; balance: number; duplicate: boolean }>
  /** Expires what exceeds the lots still valid after `cutoff` (oldest first); points expired. */
  expire(profileId: string, cutoff: Date, day: string): Promise<number>
  /** Records entries left unrecorded, undoes late duplicates, trims journals. */
  reconcile(opts?: {
    full?: boolean
  }): Promise<{ recorded: number; undone: number; trimmed: number; failed: number }>
  account(profileId: string): Promise<PointsAccountDoc | null>
}

const nulls = {
  rule: null,
  base: null,
  multiplier: null,
  limitedBy: null,
  source: null,
  actor: null,
  reason: null,
}

export const toEntry = (
  profileId: Types.ObjectId,
  item: JournalItem,
  balanceAfter: number | null,
): PointsEntryDoc => {
  const { id, inc: _inc, ...fields } = item
  return { _id: id, profileId, ...fields, balanceAfter }
}

const isLot = (e: Pick<EntryFields, 'kind' | 'amount' | 'expiresAt'>): boolean =>
  (e.kind === 'earn' || e.kind === 'adjust') && e.amount > 0 && e.expiresAt !== null

const sleep = (ms: number): Promise<void> => new Promise((ok) => setTimeout(ok, ms))

export const createLedgerEngine = (deps: {
  accounts: PointsAccountRepo
  ledger: PointsLedgerRepo
  settings: Pick<PointsSettingsRepo, 'rule' | 'checkpoint' | 'setCheckpoint'>
  tiers: Pick<PointsTiers, 'fromEarned' | 'membershipTier'>
  clock: Clock
  logger: Logger
  timeZone: string
  expiryMonths: number
  faults?: PointsFaults
}): LedgerEngine => {
  const { accounts, ledger, clock, timeZone } = deps

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
      const after = await accounts.cas(pid, snap?.ver ?? 0, {
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
      const balance = after.balance
      await deps.faults?.afterApply?.(refKey)
      const r = await record(pid, h, item, balance)
      if (r.late)
        return { kind: 'duplicate', entry: sameKind(r.entry, pid, kind), balance: await balanceOf(pid) }
      return { kind: 'applied', entry: r.entry, balance }
    }
    throw new AppError('RATE_LIMITED', 'Too many simultaneous changes to this points account; try again')
  }

  const engine: LedgerEngine = {
    async earn({ profileId, rule, refKey, at }) {
      if (!isEarnRule(rule)) throw new AppError('POINTS_RULE_NOT_FOUND', `No earn rule ${String(rule)}`)
      const pid = profile(profileId)
      const cfg = await deps.settings.rule(rule)
      const when = at ?? clock.now()
      const month = monthOf(when, timeZone)
      const keys = capKeys(rule, localDateOf(when, timeZone), month)
      // asked while the account and the ledger are looked up (never rejects: a failure counts as none)
      const membershipTier = deps.tiers.membershipTier(profileId)
      const out = await casOp(pid, refKey, 'earn', async (snap) => {
        const cap = snap?.cap ?? {}
        const g = grantOf(cfg, { day: cap[keys.day] ?? 0, month: cap[keys.month] ?? 0 })
        if (g.base === 0) return { nothing: g.limitedBy ?? undefined }
        const { tier } = await deps.tiers.fromEarned(snap?.earned ?? {}, await membershipTier)
        const amount = withMultiplier(g.base, tier.multiplier)
        const inc = {
          [`cap.${keys.day}`]: g.base,
          [`cap.${keys.month}`]: g.base,
          [`earned.${month}`]: amount,
        }
        return {
          fields: {
            ...nulls,
            kind: 'earn',
            amount,
            rule,
            base: g.base,
            multiplier: tier.multiplier,
            limitedBy: g.limitedBy === 'rule_disabled' ? null : g.limitedBy,
            at: when,
            expiresAt: expiryOf(when, deps.expiryMonths, timeZone),
          },
          inc,
          unset: staleCounters(snap, clock.now(), timeZone, new Set(Object.keys(inc))),
        }
      })
      if (out.kind === 'nothing')
        return { awarded: 0, duplicate: false, limitedBy: out.limitedBy, balance: out.balance }
      return {
        awarded: out.entry.amount,
        duplicate: out.kind === 'duplicate',
        ...(out.entry.limitedBy ? { limitedBy: out.entry.limitedBy } : {}),
        balance: out.balance,
      }
    },

    async spend({ profileId, amount, refKey, reason, source }): Promise<SpendResult> {
      if (!Number.isInteger(amount) || amount <= 0)
        throw new AppError('VALIDATION_FAILED', 'amount must be a positive whole number', [
          { path: 'amount', message: 'amount must be a positive whole number' },
        ])
      const pid = profile(profileId)
      const h = journalKey(refKey)
      const key = pid.toHexString()
      const now = clock.now()
      const item: JournalItem = {
        id: new Types.ObjectId(),
        refKey,
        ...nulls,
        kind: 'spend',
        amount: -amount,
        source: { kind: source.kind, id: source.id },
        reason,
        at: now,
        expiresAt: null,
        inc: {},
        createdAt: now,
      }
      const trims = recordedItems.claim(key)
      const change = { amount: -amount, h, item, unset: trims.map((t) => `j.${t.h}`) }
      const fits = (a: PointsAccountDoc | null): a is PointsAccountDoc =>
        a !== null && !a.j?.[h] && a.balance >= amount
      const cached = cache.get(key)
      let snap = cached ?? (await read(pid))
      let after: PointsAccountDoc | null = null
      if (fits(snap)) {
        after = await accounts.cas(pid, snap.ver, change)
        if (!after) cache.drop(key)
      }
      // lost a race, or a cached copy said no: the guarded debit decides (no retry loop)
      const debited = !after && (cached !== undefined || fits(snap))
      if (debited) after = await accounts.debit(pid, change)
      if (after) {
        cache.put(after)
        const balance = after.balance
        await deps.faults?.afterApply?.(refKey)
        const r = await record(pid, h, item, balance)
        if (!r.late) return { entryId: item.id.toHexString(), duplicate: false, balance }
        return {
          entryId: sameKind(r.entry, pid, 'spend')._id.toHexString(),
          duplicate: true,
          balance: await balanceOf(pid),
        }
      }
      recordedItems.release(key, trims)
      if (debited) snap = await read(pid)
      const inFlight = snap?.j?.[h]
      const earlier = inFlight ? await recorded(pid, h, inFlight) : await ledger.findByRefKey(refKey)
      if (earlier)
        return {
          entryId: sameKind(earlier, pid, 'spend')._id.toHexString(),
          duplicate: true,
          balance: snap?.balance ?? 0,
        }
      const have = snap?.balance ?? 0
      throw new AppError('POINTS_INSUFFICIENT', `积分不足：需要 ${amount}，现有 ${have}`, {
        balance: have,
        required: amount,
      })
    },

    async refundSpend({ profileId, spendRefKey, reason }) {
      const pid = profile(profileId)
      const hs = journalKey(spendRefKey)
      const snap = await read(pid)
      const inFlight = snap?.j?.[hs]
      const spent = inFlight ? await recorded(pid, hs, inFlight) : await ledger.findByRefKey(spendRefKey)
      if (!spent || spent.kind !== 'spend' || !spent.profileId.equals(pid))
        throw new AppError('POINTS_ADJUSTMENT_INVALID', `No spend ${spendRefKey} of this profile to refund`)
      const out = await casOp(pid, `refund:${spendRefKey}`, 'refund', () =>
        Promise.resolve({
          fields: {
            ...nulls,
            kind: 'refund' as const,
            amount: -spent.amount,
            source: spent.source,
            reason,
            at: clock.now(),
            expiresAt: null,
          },
        }),
      )
      return { balance: out.balance }
    },

    balance: async (profileId) => balanceOf(profile(profileId)),

    async adjust({ profileId, amount, reason, requestId, actor }) {
      const pid = profile(profileId)
      const now = clock.now()
      const out = await casOp(pid, `adjust:${profileId}:${requestId}`, 'adjust', (snap) => {
        const have = snap?.balance ?? 0
        if (amount < 0 && have + amount < 0)
          throw new AppError('POINTS_INSUFFICIENT', `调整后积分不能为负：现有 ${have}`, {
            balance: have,
            required: -amount,
          })
        return Promise.resolve({
          fields: {
            ...nulls,
            kind: 'adjust' as const,
            amount,
            actor,
            reason,
            at: now,
            expiresAt: amount > 0 ? expiryOf(now, deps.expiryMonths, timeZone) : null,
          },
        })
      })
      if (out.kind === 'nothing') throw new Error('unreachable: an adjustment always applies')
      return { entry: out.entry, balance: out.balance, duplicate: out.kind === 'duplicate' }
    },

    async expire(profileId, cutoff, day) {
      const pid = profile(profileId)
      const out = await casOp(pid, `expire:${profileId}:${day}`, 'expire', async (snap) => {
        if (!snap || snap.balance <= 0) return { nothing: undefined }
        const lots = await ledger.lotsAfter(pid, cutoff)
        const seen = new Set(lots.map((l) => l._id.toHexString()))
        let valid = lots.reduce((s, l) => s + l.amount, 0)
        // changes applied but not recorded yet count too (their items are in the journal)
        for (const it of Object.values(snap.j ?? {}))
          if (isLot(it) && it.expiresAt! > cutoff && !seen.has(it.id.toHexString())) valid += it.amount
        const amount = snap.balance - valid
        if (amount <= 0) return { nothing: undefined }
        return { fields: { ...nulls, kind: 'expire', amount: -amount, at: clock.now(), expiresAt: null } }
      })
      return out.kind === 'applied' ? -out.entry.amount : 0
    },

    async reconcile(opts = {}) {
      const started = clock.now()
      const checkpoint = opts.full ? null : await deps.settings.checkpoint('reconcile')
      const since = checkpoint ? new Date(checkpoint.getTime() - LOOKBACK_MS) : null
      const stats = { recorded: 0, undone: 0, trimmed: 0, failed: 0 }
      for (const a of await accounts.withJournal(since)) {
        try {
          const items = Object.entries(a.j)
          const found = new Set(
            (await ledger.findByIds(items.map(([, i]) => i.id))).map((e) => e._id.toHexString()),
          )
          const trim: { h: string; id: Types.ObjectId }[] = []
          for (const [h, item] of items) {
            const age = started.getTime() - item.createdAt.getTime()
            if (found.has(item.id.toHexString())) {
              if (age >= TRIM_AFTER_MS) trim.push({ h, id: item.id })
            } else if (age >= RECORD_AFTER_MS) {
              const r = await record(a._id, h, item, null)
              stats[r.late ? 'undone' : 'recorded']++
            }
          }
          await accounts.trim(a._id, trim)
          stats.trimmed += trim.length
        } catch (err) {
          stats.failed++
          deps.logger.error(
            { err, profileId: a._id.toHexString() },
            'points reconciliation failed for an account',
          )
        }
      }
      if (!opts.full) await deps.settings.setCheckpoint('reconcile', started)
      return stats
    },

    account: (profileId) => {
      const id = oid(profileId)
      return id ? accounts.read(id) : Promise.resolve(null)
    },
  }
  return engine
}

import { AppError } from '@careloop/shared'
import { Types } from 'mongoose'
import type { Clock } from '../../clock'
import type { Logger } from '../../logger'
import { journalKey, type PointsAccountRepo } from './points-account.repo'
import {
  createLedgerCore,
  LOOKBACK_MS,
  RECORD_AFTER_MS,
  TRIM_AFTER_MS,
  type PointsFaults,
} from './points-ledger-core'
import { oid, type PointsLedgerRepo } from './points-ledger.repo'
import type { EntryFields, JournalItem, PointsAccountDoc, PointsEntryDoc } from './points.model'
import type { PointsPort, SpendResult } from './points.port'
import { capKeys, grantOf, isEarnRule, withMultiplier } from './points-rules'
import type { PointsSettingsRepo } from './points-settings.repo'
import type { PointsTiers } from './points-tiers.service'
import { staleCounters } from './points-journal'
import { expiryOf, localDateOf, monthOf } from './points-time'

export { toEntry, type PointsFaults } from './points-ledger-core'

/**
 * The ledger engine (F26): PointsPort, staff adjustments, expiry entries and the reconciliation,
 * built on the shared steps of points-ledger-core.ts (how one change is applied and recorded).
 */

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

const isLot = (e: Pick<EntryFields, 'kind' | 'amount' | 'expiresAt'>): boolean =>
  (e.kind === 'earn' || e.kind === 'adjust') && e.amount > 0 && e.expiresAt !== null

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
  const { recordedItems, cache, read, profile, balanceOf, record, recorded, sameKind, casOp } =
    createLedgerCore(deps)

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
      let balance = 0
      if (fits(snap)) {
        after = await accounts.cas(pid, snap, change)
        if (after) balance = snap.balance - amount
        else cache.drop(key)
      }
      // lost a race, or a cached copy said no: the guarded debit decides (no retry loop)
      const debited = !after && (cached !== undefined || fits(snap))
      if (debited) {
        after = await accounts.debit(pid, change)
        if (after) balance = after.balance
      }
      if (after) {
        cache.put(after)
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

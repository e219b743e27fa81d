import type { Clock } from '../../clock'
import type { Logger } from '../../logger'
import type { PushPort } from '../push/push.port'
import type { PointsAccountRepo } from './points-account.repo'
import type { LedgerEngine } from './points-ledger.service'
import { oid, type PointsLedgerRepo } from './points-ledger.repo'
import type { PointsSettingsRepo } from './points-settings.repo'
import { localDateOf, startOfDay } from './points-time'

/**
 * Expiry (F28). Earned points (and staff grants) expire N months after earning; spends use the
 * points that expire first. That makes what must expire at `t` simply the balance minus the lots
 * still valid after `t` (refunds give back points that may by then be expired, and they go next).
 * A daily job writes one `expire:<profileId>:<day>` entry per profile that has something to expire
 * (a rerun the same day is a no-op), then reminds patients whose points expire within the reminder
 * window.
 *
 * The reminder is an account notice, not an offer: it goes under the `care` purpose (every active
 * patient has it; marketing consent covers promotions, not the state of what they hold) and only to
 * the in-app message centre, so it neither spends a one-time subscribe credit nor uses the
 * long-term health-notice template for something that is not health care. One per profile and first
 * expiry day (dedupe key), at 10:00 hospital time, dropped if not sent before the points expire.
 */

/** The mini-program page the reminder links to. */
export const POINTS_PAGE = 'pkg-points/index/index'
const DAY_MS = 86_400_000

export interface PointsExpiry {
  /** Points of a profile that expire by `t` unless spent first. */
  expiringBy(profileId: string, t: Date): Promise<number>
  /** The first day (`YYYY-MM-DD`, the last valid day) in (now, t] on which some of a profile's points expire. */
  firstExpiryDay(profileId: string, t: Date): Promise<string | null>
  /** The daily job: expire, then remind. */
  run(): Promise<{ expired: number; profiles: number; reminded: number }>
}

export const createPointsExpiry = (deps: {
  engine: Pick<LedgerEngine, 'expire'>
  ledger: PointsLedgerRepo
  accounts: Pick<PointsAccountRepo, 'read'>
  settings: Pick<PointsSettingsRepo, 'checkpoint' | 'setCheckpoint'>
  push: PushPort
  clock: Clock
  logger: Logger
  timeZone: string
  reminderDays: number
}): PointsExpiry => {
  const { ledger, clock, timeZone } = deps
  /** The last day points expiring at `expiresAt` (00:00 of the next day) can be used. */
  const lastDay = (expiresAt: Date): string => localDateOf(new Date(expiresAt.getTime() - 1), timeZone)

  const expiringBy = async (profileId: string, t: Date): Promise<number> => {
    const pid = oid(profileId)
    const account = pid ? await deps.accounts.read(pid) : null
    if (!pid || !account || account.balance <= 0) return 0
    const lots = await ledger.lotsAfter(pid, t)
    const seen = new Set(lots.map((l) => l._id.toHexString()))
    let valid = lots.reduce((s, l) => s + l.amount, 0)
    for (const it of Object.values(account.j ?? {}))
      if (it.amount > 0 && it.expiresAt && it.expiresAt > t && !seen.has(it.id.toHexString()))
        valid += it.amount
    return Math.max(0, account.balance - valid)
  }

  const remind = async (now: Date): Promise<number> => {
    const last = await deps.settings.checkpoint('expiry-reminder')
    const to = new Date(now.getTime() + deps.reminderDays * DAY_MS)
    // lots that came within the window since the last run (the first run: all within it)
    const from = last ? new Date(Math.max(last.getTime() + deps.reminderDays * DAY_MS, now.getTime())) : now
    const soon = await ledger.expiringIn(from, to)
    const today = localDateOf(now, timeZone)
    const ten = new Date(startOfDay(today, timeZone).getTime() + 10 * 3_600_000)
    let reminded = 0
    for (const [profileId, first] of soon) {
      try {
        const points = await expiringBy(profileId, to)
        if (points <= 0) continue
        const day = lastDay(first)
        const r = await deps.push.enqueue([
          {
            dedupeKey: `points-expiry:${profileId}:${day}`,
            purpose: 'care',
            dueAt: ten > now ? ten : now,
            expiresAt: first,
            patientId: profileId,
            channels: ['inbox'],
            content: {
              title: '积分即将到期',
              body: `您有 ${points} 积分将在 ${deps.reminderDays} 天内到期（最早 ${day}），可在积分商城兑换礼品或服务。`,
              page: POINTS_PAGE,
            },
            source: { kind: 'points-expiry', id: profileId },
          },
        ])
        reminded += r.created
      } catch (err) {
        deps.logger.error({ err, profileId }, 'points expiry reminder failed')
      }
    }
    await deps.settings.setCheckpoint('expiry-reminder', now)
    return reminded
  }

  return {
    expiringBy,
    async firstExpiryDay(profileId, t) {
      const pid = oid(profileId)
      const first = pid ? await ledger.firstExpiry(pid, clock.now(), t) : null
      return first ? lastDay(first) : null
    },
    async run() {
      const now = clock.now()
      const day = localDateOf(now, timeZone)
      const last = await deps.settings.checkpoint('expiry')
      // lots that expired since the last run (a day of overlap), and profiles given refunds since
      const since = last ? new Date(last.getTime() - DAY_MS) : null
      const candidates = new Set((await ledger.expiringIn(since, now)).keys())
      if (since) for (const p of await ledger.refundedSince(since)) candidates.add(p)
      let expired = 0
      let profiles = 0
      let failed = 0
      for (const profileId of candidates) {
        try {
          const n = await deps.engine.expire(profileId, now, day)
          if (n > 0) {
            expired += n
            profiles++
          }
        } catch (err) {
          failed++
          deps.logger.error({ err, profileId }, 'points expiry failed for a profile; the next run retries')
        }
      }
      // a failure keeps the checkpoint, so the next run looks back far enough to retry it
      if (!failed) await deps.settings.setCheckpoint('expiry', now)
      const reminded = await remind(now)
      return { expired, profiles, reminded }
    },
  }
}

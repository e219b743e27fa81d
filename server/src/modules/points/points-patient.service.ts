import type {
  CheckinRequest,
  CheckinResponse,
  MyPointsLedgerQuery,
  MyPointsQuery,
  MyPointsResponse,
  PointsLedgerResponse,
  PointsWaysResponse,
} from '@careloop/shared'
import { EARN_RULE_LABELS } from '@careloop/shared'
import type { Clock } from '../../clock'
import type { PatientPrincipal } from '../../http/context'
import { resolveMyProfile } from '../patients/my-profile'
import type { PatientRepo } from '../patients/patient.repo'
import type { PointsExpiry } from './points-expiry.service'
import type { LedgerEngine } from './points-ledger.service'
import { oid, type PointsLedgerRepo } from './points-ledger.repo'
import { presentEntry } from './points-present'
import { capKeys, withMultiplier } from './points-rules'
import type { PointsSettingsRepo } from './points-settings.repo'
import { presentTier, type PointsTiers } from './points-tiers.service'
import { addDays, localDateOf, monthOf } from './points-time'

/** The mini-program's points pages: balance and tier, history, ways to earn, the daily check-in. */
export interface PointsPatientService {
  summary(p: PatientPrincipal, q: MyPointsQuery): Promise<MyPointsResponse>
  ledger(p: PatientPrincipal, q: MyPointsLedgerQuery): Promise<PointsLedgerResponse>
  ways(p: PatientPrincipal, q: MyPointsQuery): Promise<PointsWaysResponse>
  checkin(p: PatientPrincipal, body: CheckinRequest): Promise<CheckinResponse>
}

const DAY_MS = 86_400_000
const STREAK_LOOKBACK = 400

/** Consecutive days with a check-in ending today (or yesterday, while today's is still to come). */
export const streakOf = (days: Set<string>, today: string): number => {
  let d = days.has(today) ? today : addDays(today, -1)
  let n = 0
  while (days.has(d)) {
    n++
    d = addDays(d, -1)
  }
  return n
}

export const createPointsPatientService = (deps: {
  engine: LedgerEngine
  ledger: PointsLedgerRepo
  settings: Pick<PointsSettingsRepo, 'rules'>
  tiers: PointsTiers
  expiry: Pick<PointsExpiry, 'expiringBy' | 'firstExpiryDay'>
  patients: Pick<PatientRepo, 'findForAccount'>
  clock: Clock
  timeZone: string
  reminderDays: number
}): PointsPatientService => {
  const { clock, timeZone } = deps
  const checkinDays = async (profileId: string): Promise<Set<string>> =>
    new Set(
      (await deps.ledger.checkins(oid(profileId)!, STREAK_LOOKBACK)).map((at) => localDateOf(at, timeZone)),
    )
  const profileOf = async (p: PatientPrincipal, patientId: string | undefined): Promise<string> =>
    (await resolveMyProfile(deps.patients, p, patientId))._id.toHexString()

  return {
    async summary(p, q) {
      const profileId = await profileOf(p, q.patientId)
      const now = clock.now()
      const horizon = new Date(now.getTime() + deps.reminderDays * DAY_MS)
      const [account, membershipTier, expiring, days] = await Promise.all([
        deps.engine.account(profileId),
        deps.tiers.membershipTier(profileId),
        deps.expiry.expiringBy(profileId, horizon),
        checkinDays(profileId),
      ])
      const status = await deps.tiers.fromEarned(account?.earned ?? {}, membershipTier)
      const today = localDateOf(now, timeZone)
      return {
        patientId: profileId,
        balance: account?.balance ?? 0,
        earned12m: status.earned12m,
        tier: presentTier(status),
        nextTier: status.next
          ? {
              id: status.next.id,
              name: status.next.name,
              threshold: status.next.threshold,
              remaining: Math.max(0, status.next.threshold - status.earned12m),
            }
          : null,
        expiring: {
          points: expiring,
          withinDays: deps.reminderDays,
          firstDate: expiring > 0 ? await deps.expiry.firstExpiryDay(profileId, horizon) : null,
        },
        checkin: { today: days.has(today), streakDays: streakOf(days, today) },
      }
    },

    async ledger(p, q) {
      const profileId = await profileOf(p, q.patientId)
      const rows = await deps.ledger.list(oid(profileId)!, q.cursor ? oid(q.cursor) : null, q.limit + 1)
      const page = rows.slice(0, q.limit)
      return {
        entries: page.map(presentEntry),
        nextCursor: rows.length > q.limit ? page[page.length - 1]!._id.toHexString() : null,
      }
    },

    async ways(p, q) {
      const profileId = await profileOf(p, q.patientId)
      const now = clock.now()
      const [account, membershipTier, rules] = await Promise.all([
        deps.engine.account(profileId),
        deps.tiers.membershipTier(profileId),
        deps.settings.rules(),
      ])
      const { tier } = await deps.tiers.fromEarned(account?.earned ?? {}, membershipTier)
      const cap = account?.cap ?? {}
      const day = localDateOf(now, timeZone)
      const month = monthOf(now, timeZone)
      return {
        multiplier: tier.multiplier,
        ways: rules
          .filter((r) => r.enabled)
          .map((r) => {
            const keys = capKeys(r.rule, day, month)
            const today = cap[keys.day] ?? 0
            const thisMonth = cap[keys.month] ?? 0
            return {
              rule: r.rule,
              label: EARN_RULE_LABELS[r.rule],
              points: r.points,
              pointsWithTier: withMultiplier(r.points, tier.multiplier),
              dailyCap: r.dailyCap,
              monthlyCap: r.monthlyCap,
              today,
              thisMonth,
              capped:
                (r.dailyCap !== null && today >= r.dailyCap) ||
                (r.monthlyCap !== null && thisMonth >= r.monthlyCap),
            }
          }),
      }
    },

    async checkin(p, body) {
      const profileId = await profileOf(p, body.patientId)
      const now = clock.now()
      const today = localDateOf(now, timeZone)
      const r = await deps.engine.earn({
        profileId,
        rule: 'checkin',
        refKey: `checkin:${profileId}:${today}`,
        at: now,
      })
      const days = await checkinDays(profileId)
      return {
        already: r.duplicate,
        awarded: r.awarded,
        balance: r.balance,
        streakDays: days.has(today) ? streakOf(days, today) : 0,
        limitedBy: r.limitedBy ?? null,
      }
    },
  }
}

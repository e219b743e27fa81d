import type { MembershipPeriod } from '@careloop/shared'
import { daysInMonth, instantOf, wallTimeOf } from '../communities/zoned-time'
import type { GrantEntry } from './membership.model'

/**
 * Membership interval arithmetic (pure). Grants chain: a purchase starts when the membership in
 * force ends, or when it was paid if none is; a month is a calendar month in the hospital's zone
 * (Jan 31 + 1 month = Feb 28/29), a year twelve of them.
 */

const pad = (n: number): string => String(n).padStart(2, '0')

/** `from` plus one period, same wall-clock time in the zone, the day clamped to the month's length. */
export const addPeriod = (from: Date, period: MembershipPeriod, timeZone: string): Date => {
  const w = wallTimeOf(from, timeZone)
  let year = w.year
  let month = w.month
  if (period === 'year') year += 1
  else if (month === 12) {
    year += 1
    month = 1
  } else month += 1
  const day = Math.min(w.day, daysInMonth(`${year}-${pad(month)}`))
  return instantOf({ ...w, year, month, day }, timeZone)
}

/** Where the next purchase starts: the end of the membership in force, else the payment time. */
export const nextGrantStart = (currentUntil: Date | null, paidAt: Date): Date =>
  currentUntil && currentUntil > paidAt ? currentUntil : paidAt

/** A grant still in force at some point (not revoked down to nothing). */
const live = (g: GrantEntry): boolean => g.until > g.from

/** The grant in force at `at`, if any. */
export const activeGrant = (grants: readonly GrantEntry[], at: Date): GrantEntry | undefined =>
  grants.find((g) => live(g) && g.from <= at && at < g.until)

/**
 * When the membership that `g` belongs to ends: `g.until`, or later when further grants follow it
 * without a gap.
 */
export const chainEnd = (grants: readonly GrantEntry[], g: GrantEntry): Date => {
  let end = g.until
  for (;;) {
    const next = grants.find((x) => live(x) && x !== g && x.from.getTime() === end.getTime())
    if (!next) return end
    end = next.until
  }
}

/** The end of the last grant (null when there is none left). */
export const lastUntil = (grants: readonly GrantEntry[]): Date | null => {
  let end: Date | null = null
  for (const g of grants) if (live(g) && (!end || g.until > end)) end = g.until
  return end
}

/**
 * Ends the grant of a fully refunded order at `now` (or removes it entirely if it had not started)
 * and moves the grants chained after it earlier by the time removed, so later purchases keep their
 * full length (shifted by milliseconds: a later month keeps its length, not its calendar edges). Unknown or already revoked orders leave the grants as they are.
 */
export const revokeGrant = (grants: readonly GrantEntry[], orderId: string, now: Date): GrantEntry[] => {
  const target = grants.find((g) => g.orderId === orderId)
  if (!target || target.revokedAt) return [...grants]
  const cutAt = new Date(Math.min(Math.max(now.getTime(), target.from.getTime()), target.until.getTime()))
  const removedMs = target.until.getTime() - cutAt.getTime()
  // The grants chained after it (each starting where the previous ended) move up; a grant bought
  // after a lapse keeps its dates.
  const chained = new Set<GrantEntry>()
  for (let end = target.until; ; ) {
    const next = grants.find((x) => live(x) && x !== target && x.from.getTime() === end.getTime())
    if (!next || chained.has(next)) break
    chained.add(next)
    end = next.until
  }
  return grants.map((g) => {
    if (g === target) return { ...g, until: cutAt, revokedAt: now }
    if (removedMs > 0 && chained.has(g))
      return {
        ...g,
        from: new Date(g.from.getTime() - removedMs),
        until: new Date(g.until.getTime() - removedMs),
      }
    return g
  })
}

import { monthKeyOf } from '../communities/zoned-time'
import { addDays, localDateOf, localInstant } from '../followup/schedule'

/**
 * Calendar arithmetic of points in the hospital's zone: the day and month caps count in, when earned
 * points expire, the 12 months a tier is based on.
 */

const pad = (n: number): string => String(n).padStart(2, '0')

export { addDays, localDateOf }

/** `YYYY-MM` of an instant in the zone. */
export const monthOf = (at: Date, timeZone: string): string => monthKeyOf(at, timeZone)

/** `YYYY-MM` plus `n` months (n may be negative). */
export const addMonthsToMonth = (month: string, n: number): string => {
  const [y, m] = month.split('-').map(Number) as [number, number]
  const i = y * 12 + (m - 1) + n
  return `${Math.floor(i / 12)}-${pad((i % 12) + 1)}`
}

/** `YYYY-MM-DD` plus `n` calendar months; the day is clamped to the target month (Jan 31 + 1 → Feb 28). */
export const addMonthsToDay = (day: string, n: number): string => {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number]
  const month = addMonthsToMonth(`${y}-${pad(m)}`, n)
  const [ty, tm] = month.split('-').map(Number) as [number, number]
  const last = new Date(Date.UTC(ty, tm, 0)).getUTCDate()
  return `${month}-${pad(Math.min(d, last))}`
}

/** 00:00 of a `YYYY-MM-DD` day in the zone. */
export const startOfDay = (day: string, timeZone: string): Date => localInstant(day, '00:00', timeZone)

/**
 * When points earned at `at` expire: at the end of the same calendar day `months` months later in the
 * zone (the instant is 00:00 of the day after). Earned 2026-05-03 with 24 months → gone from
 * 2028-05-04 00:00.
 */
export const expiryOf = (at: Date, months: number, timeZone: string): Date =>
  startOfDay(addDays(addMonthsToDay(localDateOf(at, timeZone), months), 1), timeZone)

/** The 12 months a tier counts: the month of `at` and the 11 before it, newest first. */
export const last12Months = (at: Date, timeZone: string): string[] => {
  const now = monthOf(at, timeZone)
  return Array.from({ length: 12 }, (_, i) => addMonthsToMonth(now, -i))
}

/** Whole calendar days from day `a` to day `b` (`YYYY-MM-DD`). */
export const daysBetween = (a: string, b: string): number => {
  const t = (s: string): number => {
    const [y, m, d] = s.split('-').map(Number) as [number, number, number]
    return Date.UTC(y, m - 1, d)
  }
  return Math.round((t(b) - t(a)) / 86_400_000)
}

import { formatLocal, instantOf, wallTimeOf } from '../communities/zoned-time'

/**
 * Calendar arithmetic of follow-up steps, in the hospital's zone (architecture §5: "D+7 after
 * surgery" is computed there). Days are calendar days, not 24-hour periods, so a zone with daylight
 * saving still puts D+N at the same wall-clock time.
 */

const DAY_MS = 86_400_000
const pad = (n: number): string => String(n).padStart(2, '0')

/** `YYYY-MM-DD` plus `days` calendar days. */
export const addDays = (date: string, days: number): string => {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number]
  const t = new Date(Date.UTC(y, m - 1, d) + days * DAY_MS)
  return `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`
}

/** The instant of `HH:mm` (default 00:00) on a `YYYY-MM-DD` day in the zone. */
export const localInstant = (date: string, time: string, timeZone: string): Date => {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number]
  const [hour, minute] = time.split(':').map(Number) as [number, number]
  return instantOf({ year, month, day, hour, minute, second: 0 }, timeZone)
}

/** The `YYYY-MM-DD` day of an instant in the zone. */
export const localDateOf = (at: Date, timeZone: string): string => {
  const w = wallTimeOf(at, timeZone)
  return `${w.year}-${pad(w.month)}-${pad(w.day)}`
}

/** Start (inclusive) and end (exclusive) instants of a local day. */
export const dayBounds = (date: string, timeZone: string): { start: Date; end: Date } => ({
  start: localInstant(date, '00:00', timeZone),
  end: localInstant(addDays(date, 1), '00:00', timeZone),
})

export interface StepTiming {
  dueAt: Date
  /** Exclusive: the local midnight ending day anchorDate + offsetDays + windowDays. */
  windowEnd: Date
}

/**
 * When a step is due and when its window closes: due at `time` on day anchorDate + offsetDays; the
 * window closes at the end of day anchorDate + offsetDays + windowDays (windowDays 0: the due day).
 */
export const stepTiming = (
  anchorDate: string,
  step: { offsetDays: number; time: string; windowDays: number },
  timeZone: string,
): StepTiming => {
  const day = addDays(anchorDate, step.offsetDays)
  return {
    dueAt: localInstant(day, step.time, timeZone),
    windowEnd: localInstant(addDays(day, step.windowDays + 1), '00:00', timeZone),
  }
}

export { formatLocal }

import { instantOf, wallTimeOf } from '../communities/zoned-time'

/**
 * The time arithmetic of dispatch rules, pure: quiet hours (a `[start, end)` span of wall-clock
 * minutes in the hospital's zone, possibly across midnight), the local day the frequency cap counts
 * in, and the retry delays.
 */

export interface QuietSpan {
  start: string
  end: string
}

const minutesOf = (hhmm: string): number => {
  const [h, m] = hhmm.split(':').map(Number) as [number, number]
  return h * 60 + m
}

/**
 * When the quiet period that holds `at` ends, or null when `at` is not in quiet hours (or there are
 * none: null span, or start = end).
 */
export const quietEnd = (at: Date, span: QuietSpan | null, timeZone: string): Date | null => {
  if (!span) return null
  const s = minutesOf(span.start)
  const e = minutesOf(span.end)
  if (s === e) return null
  const w = wallTimeOf(at, timeZone)
  const m = w.hour * 60 + w.minute
  const quiet = s < e ? m >= s && m < e : m >= s || m < e
  if (!quiet) return null
  // across midnight and already past the start: the quiet period ends tomorrow
  const day = s > e && m >= s ? w.day + 1 : w.day
  return instantOf(
    { year: w.year, month: w.month, day, hour: Math.floor(e / 60), minute: e % 60, second: 0 },
    timeZone,
  )
}

/** The first instant at or after `at` that is not in quiet hours. */
export const firstSendable = (at: Date, span: QuietSpan | null, timeZone: string): Date =>
  quietEnd(at, span, timeZone) ?? at

/** `YYYY-MM-DD` of `at` in the zone: the day the frequency cap counts in. */
export const localDay = (at: Date, timeZone: string): string => {
  const w = wallTimeOf(at, timeZone)
  return `${w.year}-${String(w.month).padStart(2, '0')}-${String(w.day).padStart(2, '0')}`
}

/** 00:00 of the local day after `at`. */
export const nextLocalDay = (at: Date, timeZone: string): Date => {
  const w = wallTimeOf(at, timeZone)
  return instantOf({ year: w.year, month: w.month, day: w.day + 1, hour: 0, minute: 0, second: 0 }, timeZone)
}

export const RETRY_BASE_MS = 5_000
export const RETRY_CAP_MS = 3_600_000
export const BACKOFF_BASE_MS = 60_000

/**
 * Exponential backoff with full jitter: uniform in [1 s, min(cap, base · 2^attempt)], so retries of
 * many rows after an outage spread out instead of arriving together.
 */
export const retryDelay = (attempt: number, random: () => number = Math.random): number => {
  const ceiling = Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** Math.max(0, attempt))
  return Math.max(1_000, Math.floor(random() * ceiling))
}

/**
 * The platform said "too fast" (45009/45011): wait at least a minute (WeCom blocks for 60 s after a
 * hit), longer after repeated hits, plus up to 50 % jitter.
 */
export const backoffDelay = (hits: number, random: () => number = Math.random): number => {
  const base = Math.min(RETRY_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, hits))
  return base + Math.floor(random() * base * 0.5)
}

/**
 * Calendar arithmetic in the hospital's zone (architecture §5: store UTC, schedule in the zone) with
 * nothing but Intl: the wall-clock parts of an instant, the instant of a wall-clock time, and the
 * month (key and length) the monthly mass-send cap counts in.
 */

export interface WallTime {
  year: number
  /** 1–12 */
  month: number
  day: number
  hour: number
  minute: number
  second: number
}

const formats = new Map<string, Intl.DateTimeFormat>()

const formatOf = (timeZone: string): Intl.DateTimeFormat => {
  let f = formats.get(timeZone)
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
    formats.set(timeZone, f)
  }
  return f
}

/**
 * The zone's offset (wall-clock minus UTC, ms) per whole UTC minute, recently asked: Intl's
 * formatToParts is the expensive step, and a zone's offset changes only on a minute boundary
 * (tzdb transitions since 1970 all fall on whole minutes), so one answer serves the whole minute.
 */
const offsets = new Map<string, number>()
const OFFSETS_MAX = 4096
const MINUTE = 60_000

const offsetAt = (minuteStart: number, timeZone: string): number => {
  const key = `${timeZone}|${minuteStart}`
  let offset = offsets.get(key)
  if (offset === undefined) {
    const parts = Object.fromEntries(
      formatOf(timeZone)
        .formatToParts(new Date(minuteStart))
        .map((p) => [p.type, p.value]),
    )
    const wall = Date.UTC(
      Number(parts.year),
      Number(parts.month) - 1,
      Number(parts.day),
      Number(parts.hour) % 24,
      Number(parts.minute),
      Number(parts.second),
    )
    offset = wall - minuteStart
    if (offsets.size >= OFFSETS_MAX) offsets.delete(offsets.keys().next().value!)
    offsets.set(key, offset)
  }
  return offset
}

/** Throws RangeError for an unknown zone. */
export const wallTimeOf = (at: Date, timeZone: string): WallTime => {
  const t = at.getTime()
  if (Number.isNaN(t)) throw new RangeError('Invalid time value')
  const minuteStart = Math.floor(t / MINUTE) * MINUTE
  const w = new Date(t + offsetAt(minuteStart, timeZone))
  return {
    year: w.getUTCFullYear(),
    month: w.getUTCMonth() + 1,
    day: w.getUTCDate(),
    hour: w.getUTCHours(),
    minute: w.getUTCMinutes(),
    second: w.getUTCSeconds(),
  }
}

const asUtcMs = (w: WallTime): number => Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second)

/**
 * The instant whose wall-clock time in `timeZone` is `w`. In a DST gap the later offset applies; in
 * an overlap the earlier instant wins (Asia/Shanghai has neither).
 */
export const instantOf = (w: WallTime, timeZone: string): Date => {
  const target = asUtcMs(w)
  let t = target
  for (let i = 0; i < 3; i++) {
    const offset = asUtcMs(wallTimeOf(new Date(t), timeZone)) - t
    const next = target - offset
    if (next === t) break
    t = next
  }
  return new Date(t)
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0')

/** `YYYY-MM` of an instant in the zone. */
export const monthKeyOf = (at: Date, timeZone: string): string => {
  const w = wallTimeOf(at, timeZone)
  return `${w.year}-${pad(w.month)}`
}

/** Days in a `YYYY-MM` month: the monthly mass-send cap per group (platform §4.4). */
export const daysInMonth = (monthKey: string): number => {
  const [y, m] = monthKey.split('-').map(Number) as [number, number]
  return new Date(Date.UTC(y, m, 0)).getUTCDate()
}

/** The month after a `YYYY-MM` month. */
export const nextMonthKey = (monthKey: string): string => {
  const [y, m] = monthKey.split('-').map(Number) as [number, number]
  return m === 12 ? `${y + 1}-01` : `${y}-${pad(m + 1)}`
}

/** `YYYY-MM-DD HH:mm` of an instant in the zone (what staff read). */
export const formatLocal = (at: Date, timeZone: string): string => {
  const w = wallTimeOf(at, timeZone)
  return `${w.year}-${pad(w.month)}-${pad(w.day)} ${pad(w.hour)}:${pad(w.minute)}`
}

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/

/**
 * `2026-05-03T09:00` read as wall-clock time in the zone, or an ISO date-time with an offset as
 * given. Null when it is neither or names an impossible date (Feb 30, 25:00).
 */
export const parseSendAt = (v: string, timeZone: string): Date | null => {
  const m = LOCAL.exec(v.trim())
  if (m) {
    const w: WallTime = {
      year: Number(m[1]),
      month: Number(m[2]),
      day: Number(m[3]),
      hour: Number(m[4]),
      minute: Number(m[5]),
      second: Number(m[6] ?? 0),
    }
    const check = new Date(asUtcMs(w))
    if (
      check.getUTCFullYear() !== w.year ||
      check.getUTCMonth() !== w.month - 1 ||
      check.getUTCDate() !== w.day ||
      w.hour > 23 ||
      w.minute > 59 ||
      w.second > 59
    )
      return null
    return instantOf(w, timeZone)
  }
  const t = Date.parse(v)
  return Number.isNaN(t) ? null : new Date(t)
}

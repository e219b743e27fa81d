import type { CampaignScheduleInput } from '@careloop/shared'
import cron from 'node-cron'
import { instantOf, parseSendAt, wallTimeOf } from '../communities/zoned-time'

/**
 * When a campaign runs (F23), in the hospital's zone: once now (at approval), once at a time, or on a
 * cron expression (node-cron syntax) until an end date. Cron campaigns run at most once an hour: each
 * run messages the whole segment, and anything more frequent would only be throttled by the daily
 * frequency cap and drain patients' subscribe credits (it would also outpace the once-a-minute tick).
 *
 * Slots are instants: a run is keyed by its campaign and slot, so every instance computing the same
 * slot inserts the same run and only one insert wins.
 */

export type CampaignSchedule =
  | { kind: 'now' }
  | { kind: 'at'; at: Date }
  | { kind: 'cron'; cron: string; endAt: Date }

export type Checked<T> = { ok: true; value: T } | { ok: false; field: string; message: string }

/** How far ahead a cron campaign may run (its end date). */
export const MAX_CRON_SPAN_MS = 366 * 86_400_000
/**
 * A cron slot missed by more than this (every instance was down) is skipped rather than sent late;
 * a marketing message hours late is worse than none, and the next slot comes.
 */
export const CRON_CATCH_UP_MS = 6 * 3_600_000
/** How far `nextSlot` looks ahead for a cron campaign (a rarer schedule shows no next run yet). */
const NEXT_LOOKAHEAD_HOURS = 62 * 24
const HOUR_MS = 3_600_000

/** node-cron's validator, plus the at-most-hourly rule; the fixed minute and second of each run. */
export interface CronShape {
  minute: number
  second: number
  /** Hours and months it can fire in (a cheap pre-check before node-cron's matcher). */
  hours: Set<number>
  months: Set<number>
}

export const checkCron = (expr: string): Checked<CronShape> => {
  const field = 'schedule.cron'
  let v: ReturnType<typeof cron.validateDetailed>
  try {
    v = cron.validateDetailed(expr)
  } catch (e) {
    return { ok: false, field, message: `invalid cron expression: ${(e as Error).message}` }
  }
  if (!v.valid || !v.fields) {
    const first = v.errors[0]
    return {
      ok: false,
      field,
      message: `invalid cron expression: ${first ? `${first.field}: ${first.message}` : 'unreadable'}`,
    }
  }
  const { second, minute } = v.fields
  if (second.length !== 1 || minute.length !== 1)
    return {
      ok: false,
      field,
      message:
        'campaigns run at most once an hour: give one fixed minute (and second), e.g. "0 9 * * 1". ' +
        'Each run messages the whole segment; more often would only hit the daily frequency cap and ' +
        "drain patients' subscribe credits",
    }
  return {
    ok: true,
    value: {
      minute: minute[0]!,
      second: second[0]!,
      hours: new Set(v.fields.hour),
      months: new Set(v.fields.month),
    },
  }
}

const matchers = new Map<string, (d: Date) => boolean>()

/** node-cron's own matcher for an expression in a zone (the same semantics as its scheduler). */
const matcherOf = (expr: string, timeZone: string): ((d: Date) => boolean) => {
  const key = `${timeZone}|${expr}`
  let m = matchers.get(key)
  if (!m) {
    const task = cron.createTask(expr, () => undefined, { timezone: timeZone })
    // never started: destroying only takes it out of node-cron's registry; `match` stays usable
    void task.destroy()
    m = (d) => task.match(d)
    if (matchers.size > 500) matchers.clear()
    matchers.set(key, m)
  }
  return m
}

/** The schedule of a request, in instants; errors name the field. */
export const parseSchedule = (
  input: CampaignScheduleInput,
  now: Date,
  timeZone: string,
): Checked<CampaignSchedule> => {
  if (input.kind === 'now') return { ok: true, value: { kind: 'now' } }
  if (input.kind === 'at') {
    const at = parseSendAt(input.at, timeZone)
    if (!at) return { ok: false, field: 'schedule.at', message: 'schedule.at is not a valid date-time' }
    if (at.getTime() <= now.getTime())
      return { ok: false, field: 'schedule.at', message: 'schedule.at must be in the future' }
    return { ok: true, value: { kind: 'at', at } }
  }
  const c = checkCron(input.cron)
  if (!c.ok) return c
  const endAt = parseSendAt(input.endAt, timeZone)
  if (!endAt)
    return { ok: false, field: 'schedule.endAt', message: 'schedule.endAt is not a valid date-time' }
  if (endAt.getTime() <= now.getTime())
    return { ok: false, field: 'schedule.endAt', message: 'schedule.endAt must be in the future' }
  if (endAt.getTime() - now.getTime() > MAX_CRON_SPAN_MS)
    return { ok: false, field: 'schedule.endAt', message: 'schedule.endAt must be within a year' }
  return { ok: true, value: { kind: 'cron', cron: input.cron.trim(), endAt } }
}

/**
 * The slot of the local hour containing `t` (that hour at the expression's minute and second) when
 * the expression fires then; null when it does not (its hour cannot, or node-cron says no).
 */
const slotInHourOf = (t: Date, c: CronShape, match: (d: Date) => boolean, timeZone: string): Date | null => {
  const w = wallTimeOf(t, timeZone)
  if (!c.hours.has(w.hour) || !c.months.has(w.month)) return null
  const slot = instantOf({ ...w, minute: c.minute, second: c.second }, timeZone)
  return match(slot) ? slot : null
}

/** The latest cron slot in `(after, upTo]`, or null. */
export const latestCronSlot = (expr: string, after: Date, upTo: Date, timeZone: string): Date | null => {
  const c = checkCron(expr)
  if (!c.ok || upTo.getTime() <= after.getTime()) return null
  const match = matcherOf(expr, timeZone)
  const hours = Math.ceil((upTo.getTime() - after.getTime()) / HOUR_MS) + 1
  for (let i = 0, t = upTo.getTime(); i <= hours; i++, t -= HOUR_MS) {
    const slot = slotInHourOf(new Date(t), c.value, match, timeZone)
    if (slot && slot.getTime() > after.getTime() && slot.getTime() <= upTo.getTime()) return slot
    if (t < after.getTime()) break // the hour of `after` has been looked at
  }
  return null
}

/** The first cron slot after `after` and not after `until`, looking ahead about two months. */
export const nextCronSlot = (expr: string, after: Date, until: Date, timeZone: string): Date | null => {
  const c = checkCron(expr)
  if (!c.ok) return null
  const match = matcherOf(expr, timeZone)
  for (
    let i = 0, t = after.getTime();
    i <= NEXT_LOOKAHEAD_HOURS && t <= until.getTime() + HOUR_MS;
    i++, t += HOUR_MS
  ) {
    const slot = slotInHourOf(new Date(t), c.value, match, timeZone)
    if (slot && slot.getTime() > until.getTime()) return null
    if (slot && slot.getTime() > after.getTime()) return slot
  }
  return null
}

/** What the tick knows of a campaign to decide its due slot. */
export interface SlotState {
  schedule: CampaignSchedule
  /** When it was approved (the slot of a `now` campaign). */
  approvedAt: Date | null
  /** Slots at or before this are not run (approval, resume: slots missed while paused are skipped). */
  anchor: Date | null
  /** The latest slot a run was created for. */
  lastSlotAt: Date | null
}

/** The slot due now (a run should exist for it), or null. */
export const dueSlot = (s: SlotState, now: Date, timeZone: string): Date | null => {
  const sch = s.schedule
  if (sch.kind === 'now') return s.lastSlotAt || !s.approvedAt ? null : s.approvedAt
  if (sch.kind === 'at') return s.lastSlotAt || sch.at.getTime() > now.getTime() ? null : sch.at
  const floor = Math.max(
    s.anchor?.getTime() ?? 0,
    s.lastSlotAt?.getTime() ?? 0,
    now.getTime() - CRON_CATCH_UP_MS,
  )
  const upTo = Math.min(now.getTime(), sch.endAt.getTime())
  return latestCronSlot(sch.cron, new Date(floor), new Date(upTo), timeZone)
}

/** The next slot still to come (for the console), or null. */
export const nextSlot = (s: SlotState, now: Date, timeZone: string): Date | null => {
  const sch = s.schedule
  if (s.lastSlotAt && sch.kind !== 'cron') return null
  if (sch.kind === 'now') return s.approvedAt ?? null
  if (sch.kind === 'at') return sch.at
  const from = Math.max(now.getTime(), s.lastSlotAt?.getTime() ?? 0, s.anchor?.getTime() ?? 0)
  return nextCronSlot(sch.cron, new Date(from), sch.endAt, timeZone)
}

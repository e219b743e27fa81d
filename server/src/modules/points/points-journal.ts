import type { Types } from 'mongoose'
import type { Clock } from '../../clock'
import type { PointsAccountDoc } from './points.model'
import { addDays, addMonthsToMonth, localDateOf, monthOf } from './points-time'

/**
 * Housekeeping of an account document: which journal items this process may remove in its next
 * write to the account, and which counters an earn no longer needs.
 */

/** This process removes its own recorded items only this soon after recording them. */
export const DONE_FRESH_MS = 60_000
const DONE_MAX_PROFILES = 10_000

export interface RecordedItem {
  h: string
  id: Types.ObjectId
  at: number
}

/**
 * Journal items this process recorded, per profile. A write to the account takes (claims) them and
 * removes them in the same update; a write that does not happen gives them back. Items not removed
 * within DONE_FRESH_MS are left to the reconciliation job (which waits far longer), so one item is
 * never removed by both, and an item re-added under the same key later is never removed by mistake.
 */
export interface RecordedItems {
  claim(profileKey: string): RecordedItem[]
  release(profileKey: string, items: RecordedItem[]): void
  note(profileKey: string, h: string, id: Types.ObjectId): void
}

export const createRecordedItems = (clock: Clock): RecordedItems => {
  const done = new Map<string, RecordedItem[]>()
  return {
    claim(key) {
      const list = done.get(key)
      if (!list) return []
      done.delete(key)
      const now = clock.now().getTime()
      return list.filter((d) => now >= d.at && now - d.at < DONE_FRESH_MS)
    },
    release(key, items) {
      if (items.length) done.set(key, [...items, ...(done.get(key) ?? [])])
    },
    note(key, h, id) {
      const list = done.get(key) ?? []
      list.push({ h, id, at: clock.now().getTime() })
      done.delete(key)
      done.set(key, list)
      if (done.size > DONE_MAX_PROFILES) done.delete(done.keys().next().value!)
    },
  }
}

/** Counters an earn no longer needs (cap days before yesterday, cap months before last, months > 12), except `keep`. */
export const staleCounters = (
  snap: PointsAccountDoc | null,
  now: Date,
  timeZone: string,
  keep: Set<string>,
): string[] => {
  const oldDay = addDays(localDateOf(now, timeZone), -2)
  const thisMonth = monthOf(now, timeZone)
  const out: string[] = []
  for (const k of Object.keys(snap?.cap ?? {})) {
    const [, p, d] = k.split('|') as [string, string, string]
    if ((p === 'd' && d < oldDay) || (p === 'm' && d < addMonthsToMonth(thisMonth, -1))) out.push(`cap.${k}`)
  }
  for (const m of Object.keys(snap?.earned ?? {}))
    if (m < addMonthsToMonth(thisMonth, -12)) out.push(`earned.${m}`)
  return out.filter((p) => !keep.has(p))
}

import { Schema, type Connection, type Model } from 'mongoose'
import type { Clock } from '../clock'
import { isDuplicateKey } from '../db/duplicate-key'

/**
 * Platform quotas as data (architecture §5): a limiter shared by every server process through the
 * database, so three workers together still keep each nurse under WeCom's per-member limits.
 *
 * Fixed windows are cheap (one atomic `$inc` per window) but a sliding window over them can see up
 * to `ceil(span / window) + 1` windows' worth of sends. The rules are therefore sized so that even
 * the worst alignment stays under the platform's sliding limit (see `worstInSpan`, unit-tested):
 * - WeCom app message to one member, 30/min and 1000/h, dropped silently above (platform §4.8):
 *   ≤4 per 10 s (≤28 in any 60 s) and ≤76 per 5 min (≤988 in any hour).
 * - Group robot, 20/min (§4.6): ≤2 per 10 s (≤14 in any 60 s).
 *
 * Over a limit the caller gets the end of the full window and delays its work to then (not a
 * failure). A take that passes one rule and fails a later one gives the earlier counts back.
 * Keys are per platform quota (`wecom-app:<userid>`, `robot:<key>`).
 */

export interface RateRule {
  windowMs: number
  max: number
}

export const WECOM_APP_MEMBER_RULES: readonly RateRule[] = [
  { windowMs: 10_000, max: 4 },
  { windowMs: 300_000, max: 76 },
]
export const WECOM_ROBOT_RULES: readonly RateRule[] = [{ windowMs: 10_000, max: 2 }]

/**
 * The most a rule lets through in any sliding span of `spanMs`, open or closed, at the worst
 * alignment: such a span touches at most `ceil(span / window) + 1` fixed windows.
 */
export const worstInSpan = (rule: RateRule, spanMs: number): number =>
  rule.max * (Math.ceil(spanMs / rule.windowMs) + 1)

/** The start of the fixed window of `windowMs` that holds `t` (ms since the epoch). */
export const windowStart = (t: number, windowMs: number): number => Math.floor(t / windowMs) * windowMs

export type RateTake = { ok: true } | { ok: false; retryAt: Date }

export interface RateLimiter {
  /** Counts one call under `key` if every rule has room; else the earliest instant to try again. */
  take(key: string, rules: readonly RateRule[]): Promise<RateTake>
}

interface WindowDoc {
  _id: string
  count: number
  expiresAt: Date
}

const windowSchema = new Schema<WindowDoc>(
  {
    _id: { type: String, required: true },
    count: { type: Number, required: true },
    expiresAt: { type: Date, required: true },
  },
  { collection: 'rate_windows', versionKey: false },
)
// Housekeeping: MongoDB drops windows a while after they end (the limiter never reads old ones).
windowSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 })

export const rateWindowModel = (conn: Connection): Model<WindowDoc> =>
  (conn.models.RateWindow as Model<WindowDoc> | undefined) ??
  conn.model<WindowDoc>('RateWindow', windowSchema)

export const createRateLimiter = (conn: Connection, clock: Clock): RateLimiter => {
  const M = rateWindowModel(conn)

  /**
   * One more in the window if it has room. The write is by `_id` alone (the local engine scans the
   * collection for any other filter): `$inc`, then give the count back when it went over `max`. A
   * concurrent take may briefly see such an over-count and refuse too; the limit errs on the side of
   * sending less, never more.
   */
  const takeOne = async (id: string, max: number, expiresAt: Date): Promise<boolean> => {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const after = await M.findOneAndUpdate(
          { _id: id },
          { $inc: { count: 1 }, $setOnInsert: { expiresAt } },
          { upsert: true, new: true },
        ).lean<WindowDoc>()
        if (after && after.count <= max) return true
        await M.updateOne({ _id: id }, { $inc: { count: -1 } })
        return false
      } catch (e) {
        // two first takes raced to insert the window: the second try counts in the winner's
        if (!isDuplicateKey(e)) throw e
      }
    }
    return false
  }

  /**
   * Windows this process has seen full, until they end: a full window only fills further, so the
   * answer stands without asking the database (a batch of 100 rows to one nurse costs one miss).
   */
  const fullUntil = new Map<string, number>()

  return {
    async take(key, rules) {
      const now = clock.now().getTime()
      const known = fullUntil.get(key)
      if (known !== undefined) {
        if (now < known) return { ok: false, retryAt: new Date(known) }
        fullUntil.delete(key)
      }
      const taken: string[] = []
      for (const rule of rules) {
        const start = windowStart(now, rule.windowMs)
        const end = start + rule.windowMs
        const id = `${key}|${rule.windowMs}|${start}`
        if (await takeOne(id, rule.max, new Date(end + 3_600_000))) {
          taken.push(id)
          continue
        }
        if (taken.length) await M.updateMany({ _id: { $in: taken } }, { $inc: { count: -1 } })
        if (fullUntil.size > 10_000) fullUntil.clear()
        fullUntil.set(key, end)
        return { ok: false, retryAt: new Date(end) }
      }
      return { ok: true }
    },
  }
}

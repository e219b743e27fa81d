import type { PointsAccountDoc } from './points.model'

/**
 * The last account document this process saw per profile (its own writes' results and its reads),
 * so a steady stream of changes needs no read before its compare-and-set. Never trusted for more
 * than a guess: every write it leads to is a compare-and-set on `{_id, ver}` (or a guarded debit),
 * so a stale entry (another process wrote since) only costs a failed write, a fresh read and a retry.
 * Bounded (least recently stored go first).
 */
export const ACCOUNT_CACHE_MAX = 10_000

export interface AccountCache {
  get(key: string): PointsAccountDoc | undefined
  /** Stores `doc` unless a later version of the account is already held. */
  put(doc: PointsAccountDoc): void
  drop(key: string): void
}

export const createAccountCache = (max = ACCOUNT_CACHE_MAX): AccountCache => {
  const docs = new Map<string, PointsAccountDoc>()
  return {
    get: (key) => docs.get(key),
    put(doc) {
      const key = doc._id.toHexString()
      const held = docs.get(key)
      if (held && held.ver > doc.ver) return
      docs.delete(key)
      docs.set(key, doc)
      if (docs.size > max) docs.delete(docs.keys().next().value!)
    },
    drop: (key) => void docs.delete(key),
  }
}

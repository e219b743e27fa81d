// Bounded in-memory TTL cache that makes a callback's work run once per key. Per process only: the
// server will own durable dedupe (an inbound event key) once the bot forwards to it.

export interface DedupeCacheOptions {
  ttlMs: number
  maxEntries: number
  /** Milliseconds; injected for tests. */
  now: () => number
}

export interface DedupeRun<T> {
  result: Promise<T>
  duplicate: boolean
}

interface Entry<T> {
  result: Promise<T>
  expiresAt: number
}

export class DedupeCache<T> {
  private readonly entries = new Map<string, Entry<T>>()

  constructor(private readonly options: DedupeCacheOptions) {}

  get size(): number {
    return this.entries.size
  }

  /**
   * Runs `work` unless `key` was seen within the TTL; a duplicate (even one arriving while the first
   * run is still in flight) gets the first run's result. A failed run is forgotten so a retry runs again.
   */
  run(key: string, work: () => Promise<T>): DedupeRun<T> {
    const now = this.options.now()
    this.evict(now)
    const existing = this.entries.get(key)
    if (existing && existing.expiresAt > now) return { result: existing.result, duplicate: true }

    const result = work()
    this.entries.delete(key)
    this.entries.set(key, { result, expiresAt: now + this.options.ttlMs })
    while (this.entries.size > this.options.maxEntries) {
      const oldest = this.entries.keys().next()
      if (oldest.done === true) break
      this.entries.delete(oldest.value)
    }
    result.catch(() => {
      if (this.entries.get(key)?.result === result) this.entries.delete(key)
    })
    return { result, duplicate: false }
  }

  /** Entries are kept in insertion order with one TTL, so expired ones sit at the front. */
  private evict(now: number): void {
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt > now) break
      this.entries.delete(key)
    }
  }
}

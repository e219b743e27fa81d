import { AppError } from '@careloop/shared'
import type { Clock } from '../../clock'

/**
 * Per-IP limit on failed staff logins (password and WeCom): at most `max` failures in a sliding
 * `windowMs`; past that, every login attempt from the address is refused with RATE_LIMITED until
 * the oldest failure leaves the window. Successful logins are not counted, so a ward behind one NAT
 * address is not locked out by its own colleagues.
 *
 * The window lives in this process's memory: with several server instances each keeps its own
 * (the per-account lock-out, kept in the database, is the limit every instance shares).
 */
export interface LoginRateLimiter {
  /** Throws RATE_LIMITED (details.retryAfterSeconds) when the address has used up its failures. */
  check(ip: string): void
  /** Counts one failed attempt from the address. */
  fail(ip: string): void
}

export const createLoginRateLimiter = (o: {
  clock: Clock
  max?: number
  windowMs?: number
  /** Addresses tracked at most (oldest dropped first), bounding memory under a spray of addresses. */
  maxAddresses?: number
}): LoginRateLimiter => {
  const max = o.max ?? 20
  const windowMs = o.windowMs ?? 60_000
  const maxAddresses = o.maxAddresses ?? 50_000
  const failures = new Map<string, number[]>()

  const recent = (ip: string, now: number): number[] => {
    const kept = (failures.get(ip) ?? []).filter((t) => t > now - windowMs)
    if (kept.length) failures.set(ip, kept)
    else failures.delete(ip)
    return kept
  }

  return {
    check(ip) {
      const now = o.clock.now().getTime()
      const times = recent(ip, now)
      if (times.length >= max) {
        const retryAfterSeconds = Math.max(1, Math.ceil((times[times.length - max]! + windowMs - now) / 1000))
        throw new AppError('RATE_LIMITED', 'Too many failed logins from this address; try again later', {
          retryAfterSeconds,
        })
      }
    },
    fail(ip) {
      const now = o.clock.now().getTime()
      const times = recent(ip, now)
      times.push(now)
      failures.delete(ip)
      failures.set(ip, times.slice(-max))
      while (failures.size > maxAddresses) {
        const oldest = failures.keys().next().value
        if (oldest === undefined) break
        failures.delete(oldest)
      }
    },
  }
}

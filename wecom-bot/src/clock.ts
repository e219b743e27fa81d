/** Injected time source, so tests control reply timestamps and dedupe expiry. */
export interface Clock {
  now(): Date
}

export const systemClock: Clock = { now: () => new Date() }

/** The source of "now". Injected everywhere so tests control time. */
export interface Clock {
  now(): Date
}

export const systemClock: Clock = { now: () => new Date() }

/** A clock tests can set and advance. */
export class ManualClock implements Clock {
  constructor(private t: Date = new Date()) {}
  now(): Date {
    return new Date(this.t)
  }
  set(t: Date): void {
    this.t = new Date(t)
  }
  advance(ms: number): void {
    this.t = new Date(this.t.getTime() + ms)
  }
}

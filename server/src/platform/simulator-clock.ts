import { z } from '@careloop/shared'
import type { Clock } from '../clock'

/**
 * The server's clock in simulated mode (the local demo): real time shifted by the simulators' clock
 * offset, so `POST <simulator>/_sim/clock {advanceMs}` moves the whole stack forward — D+3 follow-up
 * steps fall due, quiet hours end, the nightly jobs' "today" changes — without waiting days. The
 * offset is read from `GET /_sim/clock` every second; until the first answer the clock is real time.
 * Never used against real platforms (main.ts builds it only when every platform base URL is local).
 */
export interface FollowingClock extends Clock {
  /** Reads the simulator's time once now. */
  sync(): Promise<void>
  stop(): void
}

const SimNow = z.object({ now: z.string() })

export const followSimulatorClock = (o: {
  simBase: string
  intervalMs?: number
  fetchImpl?: typeof fetch
  onError?: (err: unknown) => void
}): FollowingClock => {
  const f = o.fetchImpl ?? fetch
  let offsetMs = 0
  const sync = async (): Promise<void> => {
    const sent = Date.now()
    const res = await f(`${o.simBase}/_sim/clock`, { signal: AbortSignal.timeout(2000) })
    const parsed = SimNow.safeParse(await res.json())
    if (!parsed.success) throw new Error('simulator clock: unexpected answer')
    const simNow = Date.parse(parsed.data.now)
    if (Number.isNaN(simNow)) throw new Error('simulator clock: bad date')
    const received = Date.now()
    offsetMs = simNow - (sent + received) / 2
  }
  const timer = setInterval(() => void sync().catch((e: unknown) => o.onError?.(e)), o.intervalMs ?? 1000)
  timer.unref()
  return {
    now: () => new Date(Date.now() + offsetMs),
    sync,
    stop: () => clearInterval(timer),
  }
}

import { followSimulatorClock } from './simulator-clock'

const answering = (iso: string): typeof fetch =>
  (() =>
    Promise.resolve(new Response(JSON.stringify({ now: iso }), { status: 200 }))) as unknown as typeof fetch

describe('followSimulatorClock', () => {
  it('is real time until synced, then real time shifted by the simulator offset', async () => {
    const threeDays = 3 * 86_400_000
    const simNow = new Date(Date.now() + threeDays).toISOString()
    const clock = followSimulatorClock({
      simBase: 'http://sim',
      fetchImpl: answering(simNow),
      intervalMs: 60_000,
    })
    try {
      expect(Math.abs(clock.now().getTime() - Date.now())).toBeLessThan(1000)
      await clock.sync()
      const drift = clock.now().getTime() - Date.now()
      expect(drift).toBeGreaterThan(threeDays - 1000)
      expect(drift).toBeLessThan(threeDays + 1000)
    } finally {
      clock.stop()
    }
  })

  it('rejects an answer that is not a simulator clock and keeps the previous offset', async () => {
    const bad = (() =>
      Promise.resolve(new Response('{"nope":1}', { status: 200 }))) as unknown as typeof fetch
    const clock = followSimulatorClock({ simBase: 'http://sim', fetchImpl: bad, intervalMs: 60_000 })
    try {
      await expect(clock.sync()).rejects.toThrow('unexpected answer')
      expect(Math.abs(clock.now().getTime() - Date.now())).toBeLessThan(1000)
    } finally {
      clock.stop()
    }
  })
})

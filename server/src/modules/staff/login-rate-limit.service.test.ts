import { ManualClock } from '../../clock'
import { createLoginRateLimiter } from './login-rate-limit.service'

describe('login rate limiter', () => {
  it('allows max failures per address per sliding window, then refuses until the oldest leaves it', () => {
    const clock = new ManualClock(new Date('2026-01-01T00:00:00Z'))
    const l = createLoginRateLimiter({ clock, max: 3, windowMs: 60_000 })
    for (let i = 0; i < 3; i++) {
      l.check('1.1.1.1')
      l.fail('1.1.1.1')
      clock.advance(10_000)
    }
    let err: unknown
    try {
      l.check('1.1.1.1')
    } catch (e) {
      err = e
    }
    expect(err).toMatchObject({ code: 'RATE_LIMITED', details: { retryAfterSeconds: 30 } })
    expect(() => l.check('2.2.2.2')).not.toThrow()
    clock.advance(30_000)
    expect(() => l.check('1.1.1.1')).not.toThrow()
  })

  it('forgets the oldest addresses beyond its bound', () => {
    const clock = new ManualClock()
    const l = createLoginRateLimiter({ clock, max: 1, maxAddresses: 2 })
    l.fail('a')
    l.fail('b')
    l.fail('c')
    expect(() => l.check('a')).not.toThrow()
    expect(() => l.check('c')).toThrow()
  })
})

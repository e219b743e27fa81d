import {
  backoffDelay,
  firstSendable,
  localDay,
  nextLocalDay,
  quietEnd,
  retryDelay,
  RETRY_CAP_MS,
} from './push-rules'

const TZ = 'Asia/Shanghai'
/** A wall-clock time in Shanghai (UTC+8, no DST). */
const sh = (s: string): Date => new Date(`${s}+08:00`)
const NIGHT = { start: '22:00', end: '07:00' }

describe('quiet hours', () => {
  it('late evening: quiet until 07:00 the next morning', () => {
    expect(quietEnd(sh('2025-03-10T23:30:00'), NIGHT, TZ)).toEqual(sh('2025-03-11T07:00:00'))
    expect(quietEnd(sh('2025-03-10T22:00:00'), NIGHT, TZ)).toEqual(sh('2025-03-11T07:00:00'))
  })

  it('after midnight: quiet until 07:00 the same day; across a month end too', () => {
    expect(quietEnd(sh('2025-03-11T06:59:00'), NIGHT, TZ)).toEqual(sh('2025-03-11T07:00:00'))
    expect(quietEnd(sh('2025-03-31T23:00:00'), NIGHT, TZ)).toEqual(sh('2025-04-01T07:00:00'))
  })

  it('outside quiet hours, with none, and with start = end: not quiet', () => {
    expect(quietEnd(sh('2025-03-11T07:00:00'), NIGHT, TZ)).toBeNull()
    expect(quietEnd(sh('2025-03-11T21:59:00'), NIGHT, TZ)).toBeNull()
    expect(quietEnd(sh('2025-03-11T23:00:00'), null, TZ)).toBeNull()
    expect(quietEnd(sh('2025-03-11T23:00:00'), { start: '00:00', end: '00:00' }, TZ)).toBeNull()
  })

  it('a span within one day (a nap: 12:00–14:00)', () => {
    const nap = { start: '12:00', end: '14:00' }
    expect(quietEnd(sh('2025-03-11T13:15:00'), nap, TZ)).toEqual(sh('2025-03-11T14:00:00'))
    expect(quietEnd(sh('2025-03-11T14:00:00'), nap, TZ)).toBeNull()
    expect(quietEnd(sh('2025-03-11T11:59:00'), nap, TZ)).toBeNull()
  })

  it('firstSendable is the instant itself outside quiet hours, else the end', () => {
    expect(firstSendable(sh('2025-03-11T10:00:00'), NIGHT, TZ)).toEqual(sh('2025-03-11T10:00:00'))
    expect(firstSendable(sh('2025-03-12T00:00:00'), NIGHT, TZ)).toEqual(sh('2025-03-12T07:00:00'))
  })
})

describe('local days (the frequency cap counts in the hospital zone)', () => {
  it('an instant after 16:00 UTC is already the next day in Shanghai', () => {
    expect(localDay(new Date('2025-03-10T15:59:00Z'), TZ)).toBe('2025-03-10')
    expect(localDay(new Date('2025-03-10T16:00:00Z'), TZ)).toBe('2025-03-11')
  })

  it('nextLocalDay is the next local midnight', () => {
    expect(nextLocalDay(sh('2025-12-31T08:00:00'), TZ)).toEqual(sh('2026-01-01T00:00:00'))
  })
})

describe('retry delays', () => {
  it('full jitter between 1 s and base·2^attempt, capped at an hour', () => {
    expect(retryDelay(1, () => 0)).toBe(1_000)
    expect(retryDelay(1, () => 0.999)).toBeLessThan(10_000)
    expect(retryDelay(3, () => 0.999)).toBeGreaterThan(39_000)
    expect(retryDelay(30, () => 0.999)).toBeLessThan(RETRY_CAP_MS)
  })

  it('back-off waits at least a minute, doubling, plus up to half again', () => {
    expect(backoffDelay(0, () => 0)).toBe(60_000)
    expect(backoffDelay(0, () => 0.999)).toBeLessThan(90_000)
    expect(backoffDelay(2, () => 0)).toBe(240_000)
    expect(backoffDelay(20, () => 0)).toBe(RETRY_CAP_MS)
  })
})

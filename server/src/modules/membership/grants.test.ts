import { activeGrant, addPeriod, chainEnd, lastUntil, nextGrantStart, revokeGrant } from './grants'
import type { GrantEntry } from './membership.model'

const TZ = 'Asia/Shanghai'
const at = (s: string): Date => new Date(s)

const grant = (orderId: string, from: string, until: string): GrantEntry => ({
  orderId,
  planCode: 'monthly',
  planName: '月度会员',
  period: 'month',
  tier: 'gold',
  quotas: [],
  from: at(from),
  until: at(until),
  grantedAt: at(from),
  revokedAt: null,
})

describe('addPeriod (calendar months in the hospital zone)', () => {
  it('adds a month at the same wall-clock time', () => {
    expect(addPeriod(at('2026-03-10T01:30:00Z'), 'month', TZ).toISOString()).toBe('2026-04-10T01:30:00.000Z')
  })

  it('clamps the day to the next month’s length (Jan 31 → Feb 28, leap year Feb 29)', () => {
    // 2026-01-31 10:00 in Shanghai
    expect(addPeriod(at('2026-01-31T02:00:00Z'), 'month', TZ).toISOString()).toBe('2026-02-28T02:00:00.000Z')
    expect(addPeriod(at('2028-01-31T02:00:00Z'), 'month', TZ).toISOString()).toBe('2028-02-29T02:00:00.000Z')
  })

  it('counts the month in the zone, not in UTC (Dec 31 23:30 local rolls the local year)', () => {
    // 2026-12-31T23:30 in Shanghai is 15:30Z; one month later is 2027-01-31 23:30 local
    expect(addPeriod(at('2026-12-31T15:30:00Z'), 'month', TZ).toISOString()).toBe('2027-01-31T15:30:00.000Z')
  })

  it('adds a year (Feb 29 → Feb 28)', () => {
    expect(addPeriod(at('2028-02-29T04:00:00Z'), 'year', TZ).toISOString()).toBe('2029-02-28T04:00:00.000Z')
    expect(addPeriod(at('2026-06-01T00:00:00Z'), 'year', TZ).toISOString()).toBe('2027-06-01T00:00:00.000Z')
  })
})

describe('grant chains', () => {
  const a = grant('a', '2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z')
  const b = grant('b', '2026-02-01T00:00:00Z', '2026-03-01T00:00:00Z')
  const c = grant('c', '2026-06-01T00:00:00Z', '2026-07-01T00:00:00Z')

  it('starts a purchase when the membership in force ends, else when paid', () => {
    expect(nextGrantStart(at('2026-02-01T00:00:00Z'), at('2026-01-15T00:00:00Z'))).toEqual(
      at('2026-02-01T00:00:00Z'),
    )
    expect(nextGrantStart(at('2026-01-01T00:00:00Z'), at('2026-01-15T00:00:00Z'))).toEqual(
      at('2026-01-15T00:00:00Z'),
    )
    expect(nextGrantStart(null, at('2026-01-15T00:00:00Z'))).toEqual(at('2026-01-15T00:00:00Z'))
  })

  it('finds the grant in force and the end of its chain', () => {
    expect(activeGrant([a, b, c], at('2026-01-20T00:00:00Z'))).toBe(a)
    expect(activeGrant([a, b, c], at('2026-02-01T00:00:00Z'))).toBe(b)
    expect(activeGrant([a, b, c], at('2026-04-01T00:00:00Z'))).toBeUndefined()
    expect(chainEnd([a, b, c], a)).toEqual(b.until)
    expect(chainEnd([a, b, c], c)).toEqual(c.until)
    expect(lastUntil([a, b, c])).toEqual(c.until)
    expect(lastUntil([])).toBeNull()
  })

  it('revoking a running grant cuts it now and moves the chained grants up, not the later ones', () => {
    const now = at('2026-01-11T00:00:00Z') // 21 days before a ends
    const out = revokeGrant([a, b, c], 'a', now)
    expect(out[0]).toMatchObject({ orderId: 'a', until: now, revokedAt: now })
    expect(out[1]!.from).toEqual(now)
    expect(out[1]!.until.getTime()).toBe(b.until.getTime() - 21 * 86_400_000)
    expect(out[2]).toEqual(c)
    expect(activeGrant(out, at('2026-01-12T00:00:00Z'))?.orderId).toBe('b')
    expect(lastUntil(out)).toEqual(c.until)
  })

  it('revoking a grant not started yet removes it whole; revoking twice changes nothing', () => {
    const now = at('2026-01-11T00:00:00Z')
    const out = revokeGrant([a, b], 'b', now)
    expect(out[1]).toMatchObject({ from: b.from, until: b.from, revokedAt: now })
    expect(lastUntil(out)).toEqual(a.until)
    expect(revokeGrant(out, 'b', at('2026-01-20T00:00:00Z'))).toEqual(out)
    expect(revokeGrant(out, 'nope', now)).toEqual(out)
  })
})

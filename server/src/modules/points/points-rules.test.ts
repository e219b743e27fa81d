import { DEFAULT_TIERS, effectiveTier, grantOf, tierByPoints, withMultiplier } from './points-rules'
import { addMonthsToDay, expiryOf, last12Months } from './points-time'
import { streakOf } from './points-patient.service'

describe('earn rules', () => {
  const rule = { points: 20, dailyCap: 40, monthlyCap: 200, enabled: true }
  it('grants the rule points within the caps, partly when a cap cuts in', () => {
    expect(grantOf(rule, { day: 0, month: 0 })).toEqual({ base: 20, limitedBy: null })
    expect(grantOf(rule, { day: 30, month: 30 })).toEqual({ base: 10, limitedBy: 'daily_cap' })
    expect(grantOf(rule, { day: 40, month: 40 })).toEqual({ base: 0, limitedBy: 'daily_cap' })
    expect(grantOf(rule, { day: 0, month: 195 })).toEqual({ base: 5, limitedBy: 'monthly_cap' })
    expect(grantOf({ ...rule, dailyCap: null, monthlyCap: null }, { day: 999, month: 9999 })).toEqual({
      base: 20,
      limitedBy: null,
    })
    expect(grantOf({ ...rule, enabled: false }, { day: 0, month: 0 })).toEqual({
      base: 0,
      limitedBy: 'rule_disabled',
    })
  })
  it('multiplies and rounds down without floating-point surprises', () => {
    expect(withMultiplier(5, 1.1)).toBe(5)
    expect(withMultiplier(20, 1.1)).toBe(22)
    expect(withMultiplier(10, 1.2)).toBe(12)
    expect(withMultiplier(3, 1.5)).toBe(4)
  })
})

describe('tiers', () => {
  it('picks the highest tier the 12-month points reach, or a higher membership tier', () => {
    expect(tierByPoints(DEFAULT_TIERS, 0).id).toBe('standard')
    expect(tierByPoints(DEFAULT_TIERS, 1000).id).toBe('silver')
    expect(tierByPoints(DEFAULT_TIERS, 7999).id).toBe('gold')
    expect(effectiveTier(DEFAULT_TIERS, 3500, 'silver')).toMatchObject({
      tier: { id: 'gold' },
      source: 'points',
      next: { id: 'platinum' },
    })
    expect(effectiveTier(DEFAULT_TIERS, 10, 'platinum')).toMatchObject({
      tier: { id: 'platinum' },
      source: 'membership',
      next: null,
    })
  })
})

describe('points calendar', () => {
  it('expires at the end of the same day N months later, in the hospital zone', () => {
    // 2026-05-03 01:00 in Shanghai (previous day in UTC)
    expect(expiryOf(new Date('2026-05-02T17:00:00Z'), 24, 'Asia/Shanghai').toISOString()).toBe(
      '2028-05-03T16:00:00.000Z',
    )
    expect(addMonthsToDay('2026-01-31', 1)).toBe('2026-02-28')
    expect(addMonthsToDay('2026-11-15', 3)).toBe('2027-02-15')
  })
  it('counts this month and the 11 before for tiers', () => {
    const months = last12Months(new Date('2026-02-10T00:00:00Z'), 'Asia/Shanghai')
    expect(months[0]).toBe('2026-02')
    expect(months[11]).toBe('2025-03')
  })
  it('counts a check-in streak ending today or yesterday', () => {
    const days = new Set(['2026-05-01', '2026-05-02', '2026-05-03'])
    expect(streakOf(days, '2026-05-03')).toBe(3)
    expect(streakOf(days, '2026-05-04')).toBe(3)
    expect(streakOf(days, '2026-05-05')).toBe(0)
  })
})

import { addDays, dayBounds, localDateOf, stepTiming } from './schedule'

describe('follow-up step timing', () => {
  it('puts D+N at the local time of day in Asia/Shanghai and closes the window at local midnight', () => {
    const t = stepTiming('2026-03-02', { offsetDays: 3, time: '10:30', windowDays: 2 }, 'Asia/Shanghai')
    expect(t.dueAt.toISOString()).toBe('2026-03-05T02:30:00.000Z')
    expect(t.windowEnd.toISOString()).toBe('2026-03-07T16:00:00.000Z')
    // windowDays 0: the due day only
    const same = stepTiming('2026-03-02', { offsetDays: 0, time: '23:59', windowDays: 0 }, 'Asia/Shanghai')
    expect(same.dueAt.toISOString()).toBe('2026-03-02T15:59:00.000Z')
    expect(same.windowEnd.toISOString()).toBe('2026-03-02T16:00:00.000Z')
  })

  it('reads the anchor day of an instant in the zone (local midnight edges)', () => {
    expect(localDateOf(new Date('2026-03-01T15:59:59Z'), 'Asia/Shanghai')).toBe('2026-03-01')
    expect(localDateOf(new Date('2026-03-01T16:00:00Z'), 'Asia/Shanghai')).toBe('2026-03-02')
    expect(dayBounds('2026-03-02', 'Asia/Shanghai')).toEqual({
      start: new Date('2026-03-01T16:00:00Z'),
      end: new Date('2026-03-02T16:00:00Z'),
    })
  })

  it('counts calendar days across month and year ends and leap days', () => {
    expect(addDays('2026-02-27', 2)).toBe('2026-03-01')
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29')
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01')
    expect(addDays('2026-03-02', 3650)).toBe('2036-02-28')
  })

  it('keeps the wall-clock time across a daylight-saving change (a zone that has one)', () => {
    // New York springs forward on 2026-03-08: D+7 from 03-02 is still 09:00 local, one hour earlier in UTC.
    const before = stepTiming(
      '2026-03-02',
      { offsetDays: 0, time: '09:00', windowDays: 0 },
      'America/New_York',
    )
    const after = stepTiming(
      '2026-03-02',
      { offsetDays: 7, time: '09:00', windowDays: 0 },
      'America/New_York',
    )
    expect(before.dueAt.toISOString()).toBe('2026-03-02T14:00:00.000Z')
    expect(after.dueAt.toISOString()).toBe('2026-03-09T13:00:00.000Z')
    // the day the clocks change is 23 hours long
    const { start, end } = dayBounds('2026-03-08', 'America/New_York')
    expect((end.getTime() - start.getTime()) / 3_600_000).toBe(23)
  })
})

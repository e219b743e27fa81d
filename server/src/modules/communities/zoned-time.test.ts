import { daysInMonth, formatLocal, monthKeyOf, nextMonthKey, parseSendAt, wallTimeOf } from './zoned-time'

const SH = 'Asia/Shanghai'

describe('zoned time', () => {
  it('reads wall-clock time and months in the zone, not in UTC', () => {
    const lateUtc = new Date('2026-01-31T17:30:00Z') // 2026-02-01 01:30 in Shanghai
    expect(wallTimeOf(lateUtc, SH)).toEqual({ year: 2026, month: 2, day: 1, hour: 1, minute: 30, second: 0 })
    expect(monthKeyOf(lateUtc, SH)).toBe('2026-02')
    expect(monthKeyOf(lateUtc, 'UTC')).toBe('2026-01')
    expect(formatLocal(lateUtc, SH)).toBe('2026-02-01 01:30')
  })

  it('counts the days of a month (the monthly mass-send cap)', () => {
    expect([
      daysInMonth('2026-02'),
      daysInMonth('2028-02'),
      daysInMonth('2026-04'),
      daysInMonth('2026-12'),
    ]).toEqual([28, 29, 30, 31])
    expect([nextMonthKey('2026-05'), nextMonthKey('2026-12')]).toEqual(['2026-06', '2027-01'])
  })

  it('parses local times in the zone and ISO instants as given; impossible dates are null', () => {
    expect(parseSendAt('2026-05-03T09:00', SH)!.toISOString()).toBe('2026-05-03T01:00:00.000Z')
    expect(parseSendAt('2026-05-03 09:00:30', SH)!.toISOString()).toBe('2026-05-03T01:00:30.000Z')
    expect(parseSendAt('2026-05-03T09:00:00+02:00', SH)!.toISOString()).toBe('2026-05-03T07:00:00.000Z')
    expect(parseSendAt('2026-05-03T09:00', 'UTC')!.toISOString()).toBe('2026-05-03T09:00:00.000Z')
    // a zone with daylight saving time: July is UTC-4 in New York, January UTC-5
    expect(parseSendAt('2026-07-01T09:00', 'America/New_York')!.toISOString()).toBe(
      '2026-07-01T13:00:00.000Z',
    )
    expect(parseSendAt('2026-01-01T09:00', 'America/New_York')!.toISOString()).toBe(
      '2026-01-01T14:00:00.000Z',
    )
    for (const bad of ['2026-02-30T09:00', '2026-05-03T24:00', '2026-13-01T09:00', 'tomorrow'])
      expect([bad, parseSendAt(bad, SH)]).toEqual([bad, null])
  })
})

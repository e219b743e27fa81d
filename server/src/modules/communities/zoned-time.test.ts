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

  it('answers what Intl answers, across DST changes and odd offsets, at any second (the per-minute offset cache)', () => {
    const intl = (at: Date, timeZone: string) => {
      const p = Object.fromEntries(
        new Intl.DateTimeFormat('en-US', {
          timeZone,
          hourCycle: 'h23',
          year: 'numeric',
          month: '2-digit',
          day: '2-digit',
          hour: '2-digit',
          minute: '2-digit',
          second: '2-digit',
        })
          .formatToParts(at)
          .map((x) => [x.type, Number(x.value)]),
      )
      return {
        year: p.year,
        month: p.month,
        day: p.day,
        hour: p.hour! % 24,
        minute: p.minute,
        second: p.second,
      }
    }
    // around New York's spring-forward and fall-back, Kathmandu (+05:45), Lord Howe (30-minute DST)
    const cases: [string, string][] = [
      ['America/New_York', '2026-03-08T06:58:00Z'],
      ['America/New_York', '2026-11-01T05:58:00Z'],
      ['Asia/Kathmandu', '2026-05-03T18:13:00Z'],
      ['Australia/Lord_Howe', '2026-04-04T14:58:00Z'],
      [SH, '2026-12-31T15:59:00Z'],
    ]
    for (const [zone, start] of cases)
      for (let s = 0; s < 5 * 60; s += 7) {
        const at = new Date(Date.parse(start) + s * 1000 + (s % 1000))
        expect(wallTimeOf(at, zone)).toEqual(intl(at, zone))
      }
    expect(() => wallTimeOf(new Date(Number.NaN), SH)).toThrow(RangeError)
    expect(() => wallTimeOf(new Date(), 'Mars/Olympus')).toThrow(RangeError)
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

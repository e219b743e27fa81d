import {
  checkCron,
  CRON_CATCH_UP_MS,
  dueSlot,
  latestCronSlot,
  nextCronSlot,
  nextSlot,
  parseSchedule,
  type SlotState,
} from './campaign-schedule'

const TZ = 'Asia/Shanghai'
/** `YYYY-MM-DDTHH:mm` read in Asia/Shanghai (UTC+8). */
const sh = (local: string): Date => new Date(`${local}:00+08:00`)

describe('cron validation (node-cron, at most hourly)', () => {
  it.each([
    '0 9 * * 1',
    '30 8 * * MON-FRI',
    '0 */2 * * *',
    '0 0 9 1 * *',
    '15 10 L * *',
    '@daily',
    '@hourly',
  ])('accepts %s', (expr) => {
    expect(checkCron(expr).ok).toBe(true)
  })

  it.each([
    ['*/30 * * * *', 'at most once an hour'],
    ['* 9 * * *', 'at most once an hour'],
    ['*/10 0 9 * * *', 'at most once an hour'],
    ['0 25 * * *', 'hour'],
    ['61 9 * * *', 'minute'],
    ['0 9 31 2 *', 'impossible'],
    ['every monday', 'invalid cron expression'],
    ['0 9 * *', 'invalid cron expression'],
  ])('refuses %s naming why', (expr, why) => {
    const r = checkCron(expr)
    expect(r.ok).toBe(false)
    if (!r.ok) {
      expect(r.field).toBe('schedule.cron')
      expect(r.message).toContain(why)
    }
  })
})

describe('parseSchedule', () => {
  const now = sh('2030-03-04T10:00')
  it('reads local times in the hospital zone and ISO instants as given', () => {
    expect(parseSchedule({ kind: 'at', at: '2030-03-05T09:00' }, now, TZ)).toEqual({
      ok: true,
      value: { kind: 'at', at: new Date('2030-03-05T01:00:00Z') },
    })
    expect(parseSchedule({ kind: 'at', at: '2030-03-05T01:00:00Z' }, now, TZ)).toEqual({
      ok: true,
      value: { kind: 'at', at: new Date('2030-03-05T01:00:00Z') },
    })
  })

  it('refuses a time in the past, an impossible date, an end date behind or beyond a year', () => {
    expect(parseSchedule({ kind: 'at', at: '2030-03-04T09:59' }, now, TZ)).toMatchObject({
      ok: false,
      field: 'schedule.at',
    })
    expect(parseSchedule({ kind: 'at', at: '2030-02-30T09:00' }, now, TZ)).toMatchObject({
      ok: false,
      field: 'schedule.at',
    })
    expect(
      parseSchedule({ kind: 'cron', cron: '0 9 * * 1', endAt: '2030-03-01T00:00' }, now, TZ),
    ).toMatchObject({ ok: false, field: 'schedule.endAt' })
    expect(
      parseSchedule({ kind: 'cron', cron: '0 9 * * 1', endAt: '2031-06-01T00:00' }, now, TZ),
    ).toMatchObject({ ok: false, field: 'schedule.endAt' })
    expect(
      parseSchedule({ kind: 'cron', cron: '*/5 * * * *', endAt: '2030-06-01T00:00' }, now, TZ),
    ).toMatchObject({ ok: false, field: 'schedule.cron' })
  })
})

describe('due slots in the hospital zone', () => {
  const weekly = (o: Partial<SlotState> = {}): SlotState => ({
    schedule: { kind: 'cron', cron: '0 9 * * 1', endAt: sh('2030-06-01T00:00') },
    approvedAt: sh('2030-03-01T12:00'),
    anchor: sh('2030-03-01T12:00'),
    lastSlotAt: null,
    ...o,
  })

  it('a Monday 09:00 cron is due from 09:00 Shanghai (01:00 UTC), once', () => {
    // 2030-03-04 is a Monday
    expect(dueSlot(weekly(), sh('2030-03-04T08:59'), TZ)).toBeNull()
    expect(dueSlot(weekly(), sh('2030-03-04T09:00'), TZ)).toEqual(new Date('2030-03-04T01:00:00Z'))
    expect(dueSlot(weekly(), sh('2030-03-04T09:40'), TZ)).toEqual(sh('2030-03-04T09:00'))
    // once its run exists, nothing until next Monday
    const ran = weekly({ lastSlotAt: sh('2030-03-04T09:00') })
    expect(dueSlot(ran, sh('2030-03-04T09:41'), TZ)).toBeNull()
    expect(dueSlot(ran, sh('2030-03-10T23:00'), TZ)).toBeNull()
    expect(dueSlot(ran, sh('2030-03-11T09:00'), TZ)).toEqual(sh('2030-03-11T09:00'))
    expect(nextSlot(ran, sh('2030-03-04T09:41'), TZ)).toEqual(sh('2030-03-11T09:00'))
  })

  it('a slot missed by more than the catch-up window is skipped, not sent late', () => {
    const late = new Date(sh('2030-03-04T09:00').getTime() + CRON_CATCH_UP_MS + 60_000)
    expect(dueSlot(weekly(), late, TZ)).toBeNull()
    const inTime = new Date(sh('2030-03-04T09:00').getTime() + CRON_CATCH_UP_MS - 60_000)
    expect(dueSlot(weekly(), inTime, TZ)).toEqual(sh('2030-03-04T09:00'))
  })

  it('slots before the anchor (approval, resume) and after the end date are not run', () => {
    expect(dueSlot(weekly({ anchor: sh('2030-03-04T09:30') }), sh('2030-03-04T09:40'), TZ)).toBeNull()
    const ended = weekly({
      schedule: { kind: 'cron', cron: '0 9 * * 1', endAt: sh('2030-03-04T08:00') },
    })
    expect(dueSlot(ended, sh('2030-03-04T09:40'), TZ)).toBeNull()
    expect(nextSlot(ended, sh('2030-03-01T13:00'), TZ)).toBeNull()
  })

  it('every two hours at :15 picks the latest due slot', () => {
    expect(latestCronSlot('15 */2 * * *', sh('2030-03-04T05:00'), sh('2030-03-04T11:20'), TZ)).toEqual(
      sh('2030-03-04T10:15'),
    )
    expect(latestCronSlot('15 */2 * * *', sh('2030-03-04T10:15'), sh('2030-03-04T12:14'), TZ)).toBeNull()
    expect(nextCronSlot('15 */2 * * *', sh('2030-03-04T10:15'), sh('2030-04-01T00:00'), TZ)).toEqual(
      sh('2030-03-04T12:15'),
    )
  })

  it('once schedules: now is due at approval, at is due from its time; each once', () => {
    const now: SlotState = {
      schedule: { kind: 'now' },
      approvedAt: sh('2030-03-04T10:00'),
      anchor: null,
      lastSlotAt: null,
    }
    expect(dueSlot(now, sh('2030-03-04T10:00'), TZ)).toEqual(sh('2030-03-04T10:00'))
    expect(dueSlot({ ...now, lastSlotAt: sh('2030-03-04T10:00') }, sh('2030-03-04T10:01'), TZ)).toBeNull()
    expect(dueSlot({ ...now, approvedAt: null }, sh('2030-03-04T10:00'), TZ)).toBeNull()
    const at: SlotState = { ...now, schedule: { kind: 'at', at: sh('2030-03-05T09:00') } }
    expect(dueSlot(at, sh('2030-03-05T08:59'), TZ)).toBeNull()
    expect(dueSlot(at, sh('2030-03-05T09:30'), TZ)).toEqual(sh('2030-03-05T09:00'))
    expect(nextSlot(at, sh('2030-03-04T10:00'), TZ)).toEqual(sh('2030-03-05T09:00'))
  })
})

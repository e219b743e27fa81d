import { Types } from 'mongoose'
import { FakePush } from '../../../../tests/src/harness/fake-push'
import { useTestDatabase } from '../../../../tests/src/jest/test-database'
import { ManualClock } from '../../clock'
import { parseConfig } from '../../config'
import { syncIndexes } from '../../db/connection'
import { createLogger } from '../../logger'
import { pointsEntryModel } from './points.model'
import { createPointsModule, type PointsModule } from './points.module'

/** Expiry (F28) with a manual clock: oldest first, a reminder before, reruns change nothing. */
const database = useTestDatabase()
const config = parseConfig({
  WECHAT_APPID: 'wxtest',
  WECHAT_SECRET: 'test',
  LOG_LEVEL: 'silent',
  POINTS_EXPIRY_MONTHS: '6',
  POINTS_EXPIRY_REMINDER_DAYS: '30',
})
/** `YYYY-MM-DD HH:mm` in Asia/Shanghai (UTC+8, no DST). */
const local = (s: string): Date => new Date(`${s.replace(' ', 'T')}:00+08:00`)
const clock = new ManualClock(local('2026-01-10 10:00'))
const push = new FakePush()
let mod: PointsModule

const p = new Types.ObjectId().toHexString()
const q = new Types.ObjectId().toHexString()
const entries = (profileId: string) =>
  pointsEntryModel(database.connection)
    .find({ profileId: new Types.ObjectId(profileId) })
    .sort({ _id: 1 })
    .lean()
const sumOf = async (profileId: string): Promise<number> =>
  (await entries(profileId)).reduce((s, e) => s + e.amount, 0)

beforeAll(async () => {
  mod = createPointsModule({ config, clock, db: database.connection, logger: createLogger('silent'), push })
  await syncIndexes(database.connection)
})

it('earned points carry their expiry: the end of the same day N months later', async () => {
  await mod.port.earn({ profileId: p, rule: 'lecture', refKey: 'lecture:jan' }) // lot A: 50, until 2026-07-10
  await mod.port.earn({ profileId: q, rule: 'lecture', refKey: 'lecture:jan:q' })
  clock.set(local('2026-03-10 10:00'))
  await mod.port.earn({ profileId: p, rule: 'lecture', refKey: 'lecture:mar' }) // lot B: 50, until 2026-09-10
  // spends use the points that expire first: 30 of lot A
  await mod.port.spend({
    profileId: p,
    amount: 30,
    refKey: 'redeem:1',
    reason: '兑换',
    source: { kind: 'redemption', id: '1' },
  })
  clock.set(local('2026-05-01 10:00'))
  await mod.port.spend({
    profileId: q,
    amount: 50,
    refKey: 'redeem:q',
    reason: '兑换',
    source: { kind: 'redemption', id: 'q' },
  })
  const [a] = await entries(p)
  expect(a!.expiresAt!.toISOString()).toBe(local('2026-07-11 00:00').toISOString())
  expect(await mod.expiry.expiringBy(p, local('2026-07-11 00:00'))).toBe(20)
  expect(await mod.expiry.expiringBy(p, local('2026-07-10 23:59'))).toBe(0)
})

it('reminds through the push engine before points expire, once', async () => {
  clock.set(local('2026-06-15 00:10'))
  expect(await mod.expiry.run()).toEqual({ expired: 0, profiles: 0, reminded: 1 })
  const [m] = push.messages(`points-expiry:${p}:`)
  expect(m).toMatchObject({
    dedupeKey: `points-expiry:${p}:2026-07-10`,
    purpose: 'care',
    channels: ['inbox'],
    patientId: p,
    dueAt: local('2026-06-15 10:00'),
    expiresAt: local('2026-07-11 00:00'),
  })
  expect(m!.content.body).toContain('20 积分')
  // q spent everything: nothing to remind of
  expect(push.messages(`points-expiry:${q}:`)).toHaveLength(0)
  expect((await mod.expiry.run()).reminded).toBe(0)
})

it('expires oldest first at the end of the day, once; the balance stays the ledger sum', async () => {
  clock.set(local('2026-07-10 23:50'))
  expect((await mod.expiry.run()).expired).toBe(0)
  clock.set(local('2026-07-11 00:10'))
  expect(await mod.expiry.run()).toMatchObject({ expired: 20, profiles: 1 })
  expect(await mod.port.balance(p)).toBe(50)
  expect(await mod.expiry.run()).toMatchObject({ expired: 0 })
  const expire = (await entries(p)).filter((e) => e.kind === 'expire')
  expect(expire.map((e) => [e.refKey, e.amount])).toEqual([[`expire:${p}:2026-07-11`, -20]])
  expect(await sumOf(p)).toBe(50)
  expect(await mod.port.balance(q)).toBe(0)
})

it('points refunded after their lot expired expire at the next run', async () => {
  clock.set(local('2026-07-20 15:00'))
  await mod.port.refundSpend({ profileId: q, spendRefKey: 'redeem:q', reason: '取消兑换' })
  expect(await mod.port.balance(q)).toBe(50)
  clock.set(local('2026-07-21 00:10'))
  expect(await mod.expiry.run()).toMatchObject({ expired: 50, profiles: 1 })
  expect(await mod.port.balance(q)).toBe(0)
  expect(await mod.port.balance(p)).toBe(50)
  expect(await sumOf(q)).toBe(0)
})

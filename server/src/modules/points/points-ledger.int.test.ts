import { AppError } from '@careloop/shared'
import { Types } from 'mongoose'
import { FakePush } from '../../../../tests/src/harness/fake-push'
import { useTestDatabase } from '../../../../tests/src/jest/test-database'
import { ManualClock } from '../../clock'
import { parseConfig } from '../../config'
import { syncIndexes } from '../../db/connection'
import { createLogger } from '../../logger'
import { createPointsSettingsRepo } from './points-settings.repo'
import { pointsAccountModel, pointsEntryModel } from './points.model'
import { createPointsModule, type PointsModule } from './points.module'
import type { MembershipLookup, TierId } from './points.port'

/** The ledger engine on the real engine: idempotency, never negative, caps, crashes, tiers (F26, F27, F30). */
const database = useTestDatabase()
const config = parseConfig({ WECHAT_APPID: 'wxtest', WECHAT_SECRET: 'test', LOG_LEVEL: 'silent' })
const clock = new ManualClock(new Date('2026-05-03T02:00:00Z')) // 10:00 in Asia/Shanghai
const push = new FakePush()
let crashNext = 0
let mod: PointsModule
let membershipTier: TierId | undefined
const membership: MembershipLookup = {
  activeMembership: () =>
    Promise.resolve(
      membershipTier ? { planId: 'p', tier: membershipTier, until: new Date('2099-01-01') } : undefined,
    ),
}

const newProfile = (): string => new Types.ObjectId().toHexString()
const sumOf = async (profileId: string): Promise<number> => {
  const rows = await pointsEntryModel(database.connection)
    .find({ profileId: new Types.ObjectId(profileId) })
    .lean()
  return rows.reduce((s, r) => s + r.amount, 0)
}
const codeOf = async (p: Promise<unknown>): Promise<string> => {
  try {
    await p
    return 'ok'
  } catch (e) {
    if (e instanceof AppError) return e.code
    throw e
  }
}
/** Gives a profile `points` through a staff grant. */
const grant = (profileId: string, amount: number) =>
  mod.engine.adjust({
    profileId,
    amount,
    reason: '测试发放',
    requestId: `grant-${new Types.ObjectId().toHexString()}`,
    actor: { kind: 'staff', id: 'admin', role: 'admin' },
  })

beforeAll(async () => {
  mod = createPointsModule({
    config,
    clock,
    db: database.connection,
    logger: createLogger('silent'),
    push,
    faults: {
      afterApply() {
        if (crashNext > 0) {
          crashNext--
          throw new Error('simulated crash between the account write and the ledger insert')
        }
      },
    },
  })
  mod.setMembership(membership)
  await syncIndexes(database.connection)
})

describe('earning (F27)', () => {
  it('credits the rule points once per refKey; a retry answers the first outcome', async () => {
    const p = newProfile()
    const first = await mod.port.earn({ profileId: p, rule: 'questionnaire', refKey: 'questionnaire:a1' })
    expect(first).toEqual({ awarded: 20, duplicate: false, balance: 20 })
    const again = await mod.port.earn({ profileId: p, rule: 'questionnaire', refKey: 'questionnaire:a1' })
    expect(again).toEqual({ awarded: 20, duplicate: true, balance: 20 })
    expect(await mod.port.balance(p)).toBe(20)
    expect(await sumOf(p)).toBe(20)
  })

  it('caps a rule per hospital day and per month, in rule points, partly when the cap cuts in', async () => {
    const p = newProfile()
    const earn = (refKey: string) => mod.port.earn({ profileId: p, rule: 'questionnaire', refKey })
    expect((await earn('q:1')).awarded).toBe(20)
    expect((await earn('q:2')).awarded).toBe(20)
    expect(await earn('q:3')).toEqual({ awarded: 0, duplicate: false, limitedBy: 'daily_cap', balance: 40 })
    // a capped event writes nothing (no entry under its key)
    expect(await pointsEntryModel(database.connection).countDocuments({ refKey: 'q:3' })).toBe(0)
    expect(await sumOf(p)).toBe(40)
  })

  it('cuts an event to what is left of the cap and reports why', async () => {
    const p = newProfile()
    // reading: 2 points, 6 a day, 60 a month; at 23:59 local and 00:01 the next day
    clock.set(new Date('2026-05-10T15:59:00Z'))
    const earnAt = (refKey: string) => mod.port.earn({ profileId: p, rule: 'reading', refKey })
    for (let i = 0; i < 3; i++) expect((await earnAt(`r:${i}`)).awarded).toBe(2)
    expect(await earnAt('r:3')).toMatchObject({ awarded: 0, limitedBy: 'daily_cap' })
    clock.set(new Date('2026-05-10T16:01:00Z')) // 00:01 on 05-11 in Shanghai: a new day
    expect((await earnAt('r:4')).awarded).toBe(2)
    // the monthly cap: 60 rule points; fill May
    for (let d = 12; d <= 31; d++) {
      clock.set(new Date(`2026-05-${d}T02:00:00Z`))
      for (let i = 0; i < 3; i++) await earnAt(`r:${d}:${i}`)
    }
    expect(await earnAt('r:late')).toMatchObject({ awarded: 0, limitedBy: 'monthly_cap' })
    expect(await mod.port.balance(p)).toBe(60)
    clock.set(new Date('2026-06-01T02:00:00Z'))
    expect((await earnAt('r:june')).awarded).toBe(2)
    expect(await sumOf(p)).toBe(62)
    clock.set(new Date('2026-05-03T02:00:00Z'))
  })

  it('never exceeds a cap under concurrent earns (each rule point counted once)', async () => {
    const p = newProfile()
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        mod.port.earn({ profileId: p, rule: 'reading', refKey: `cc:${i}` }),
      ),
    )
    expect(results.reduce((s, r) => s + r.awarded, 0)).toBe(6)
    expect(results.filter((r) => r.awarded > 0)).toHaveLength(3)
    expect(await mod.port.balance(p)).toBe(6)
    expect(await sumOf(p)).toBe(6)
  })

  it('earns nothing from a disabled rule, and has no rule for drug purchases', async () => {
    const p = newProfile()
    const settings = createPointsSettingsRepo(database.connection, clock)
    await settings.updateRule('lecture', { enabled: false }, 'test')
    // the module's cache is per process and short; a fresh module reads the change at once
    const fresh = createPointsModule({
      config,
      clock,
      db: database.connection,
      logger: createLogger('silent'),
      push,
    })
    expect(await fresh.port.earn({ profileId: p, rule: 'lecture', refKey: 'lecture:1' })).toEqual({
      awarded: 0,
      duplicate: false,
      limitedBy: 'rule_disabled',
      balance: 0,
    })
    await settings.updateRule('lecture', { enabled: true }, 'test')
    expect(
      await codeOf(fresh.port.earn({ profileId: p, rule: 'drug_purchase' as never, refKey: 'drug:1' })),
    ).toBe('POINTS_RULE_NOT_FOUND')
  })
})

describe('spending and refunds (F26)', () => {
  it('refuses a spend above the balance and writes nothing; the same refKey may succeed later', async () => {
    const p = newProfile()
    await grant(p, 30)
    const spend = () =>
      mod.port.spend({
        profileId: p,
        amount: 50,
        refKey: 'redeem:r1',
        reason: '兑换',
        source: { kind: 'redemption', id: 'r1' },
      })
    expect(await codeOf(spend())).toBe('POINTS_INSUFFICIENT')
    expect(await pointsEntryModel(database.connection).countDocuments({ refKey: 'redeem:r1' })).toBe(0)
    await grant(p, 30)
    const ok = await spend()
    expect(ok).toMatchObject({ duplicate: false, balance: 10 })
    expect(await spend()).toEqual({ ...ok, duplicate: true })
    expect(await sumOf(p)).toBe(10)
  })

  it('never goes negative with 50 concurrent spends: the balance equals the ledger sum', async () => {
    const p = newProfile()
    await grant(p, 200)
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        codeOf(
          mod.port.spend({
            profileId: p,
            amount: 10,
            refKey: `c50:${i}`,
            reason: '兑换',
            source: { kind: 'test', id: `${i}` },
          }),
        ),
      ),
    )
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(20)
    expect(outcomes.filter((o) => o === 'POINTS_INSUFFICIENT')).toHaveLength(30)
    expect(await mod.port.balance(p)).toBe(0)
    expect(await sumOf(p)).toBe(0)
  })

  it('keeps the balance equal to the ledger sum under concurrent earns, spends and retries', async () => {
    const p = newProfile()
    await grant(p, 50)
    const ops: Promise<unknown>[] = []
    for (let i = 0; i < 40; i++) {
      const refKey = `mix:${i % 20}` // every spend is sent twice
      ops.push(
        codeOf(
          mod.port.spend({ profileId: p, amount: 7, refKey, reason: 'x', source: { kind: 't', id: refKey } }),
        ),
      )
      ops.push(mod.port.earn({ profileId: p, rule: 'lecture', refKey: `mix-earn:${i % 10}` }))
    }
    await Promise.all(ops)
    const balance = await mod.port.balance(p)
    expect(balance).toBeGreaterThanOrEqual(0)
    expect(await sumOf(p)).toBe(balance)
    expect(await pointsEntryModel(database.connection).countDocuments({ refKey: /^mix-earn:/ })).toBe(10)
  })

  it('never decides on a copy cached before another process wrote (compare-and-set on ver)', async () => {
    const other = createPointsModule({
      config,
      clock,
      db: database.connection,
      logger: createLogger('silent'),
      push,
    })
    const p = newProfile()
    const spend = (m: PointsModule, amount: number, refKey: string) =>
      m.port.spend({ profileId: p, amount, refKey, reason: 'x', source: { kind: 't', id: refKey } })
    await grant(p, 100) // this process now holds a copy: balance 100
    await spend(other, 80, 'stale:1') // the other process takes 80: 20 left
    // the copy says 100: a spend of 50 is refused all the same, and writes nothing
    expect(await codeOf(spend(mod, 50, 'stale:2'))).toBe('POINTS_INSUFFICIENT')
    // a correction below zero is refused on a fresh read, not on the copy
    await other.engine.adjust({
      profileId: p,
      amount: 30,
      reason: '测试',
      requestId: 'stale-grant',
      actor: { kind: 'system', id: null, role: null },
    })
    await expect(
      mod.engine.adjust({
        profileId: p,
        amount: -60,
        reason: '测试',
        requestId: 'stale-take',
        actor: { kind: 'system', id: null, role: null },
      }),
    ).rejects.toMatchObject({ code: 'POINTS_INSUFFICIENT' })
    expect((await other.port.earn({ profileId: p, rule: 'lecture', refKey: 'stale:e0' })).balance).toBe(100)
    // a write on a stale copy (50) loses the compare-and-set and is applied to the account as it is
    expect((await spend(mod, 40, 'stale:3')).balance).toBe(60)
    expect((await mod.port.earn({ profileId: p, rule: 'lecture', refKey: 'stale:e1' })).balance).toBe(110)
    expect((await spend(other, 110, 'stale:4')).balance).toBe(0)
    // the other process's spend is seen as a duplicate through the stale copy too
    expect(await spend(mod, 110, 'stale:4')).toMatchObject({ duplicate: true, balance: 0 })
    expect(await sumOf(p)).toBe(0)
    expect((await pointsAccountModel(database.connection).findById(p).lean())!.balance).toBe(0)
  })

  it('answers concurrent duplicates of one spend with the same entry, applied once', async () => {
    const p = newProfile()
    await grant(p, 100)
    const rs = await Promise.all(
      Array.from({ length: 20 }, () =>
        mod.port.spend({
          profileId: p,
          amount: 30,
          refKey: 'dup:1',
          reason: 'x',
          source: { kind: 't', id: '1' },
        }),
      ),
    )
    expect(new Set(rs.map((r) => r.entryId)).size).toBe(1)
    expect(rs.filter((r) => !r.duplicate)).toHaveLength(1)
    expect(await mod.port.balance(p)).toBe(70)
    expect(await sumOf(p)).toBe(70)
  })

  it('refunds a spend once; a refKey that names no spend is POINTS_ADJUSTMENT_INVALID', async () => {
    const p = newProfile()
    await grant(p, 100)
    await mod.port.spend({
      profileId: p,
      amount: 60,
      refKey: 'redeem:x',
      reason: '兑换',
      source: { kind: 'redemption', id: 'x' },
    })
    expect(await mod.port.refundSpend({ profileId: p, spendRefKey: 'redeem:x', reason: '取消兑换' })).toEqual(
      { balance: 100 },
    )
    expect(await mod.port.refundSpend({ profileId: p, spendRefKey: 'redeem:x', reason: '取消兑换' })).toEqual(
      { balance: 100 },
    )
    expect(
      await codeOf(mod.port.refundSpend({ profileId: p, spendRefKey: 'redeem:none', reason: 'x' })),
    ).toBe('POINTS_ADJUSTMENT_INVALID')
    // another profile's spend is not this profile's to refund
    expect(
      await codeOf(mod.port.refundSpend({ profileId: newProfile(), spendRefKey: 'redeem:x', reason: 'x' })),
    ).toBe('POINTS_ADJUSTMENT_INVALID')
    expect(await sumOf(p)).toBe(100)
  })

  it('a refKey reused for another kind of entry is refused', async () => {
    const p = newProfile()
    await mod.port.earn({ profileId: p, rule: 'lecture', refKey: 'shared:1' })
    expect(
      await codeOf(
        mod.port.spend({
          profileId: p,
          amount: 10,
          refKey: 'shared:1',
          reason: 'x',
          source: { kind: 't', id: '1' },
        }),
      ),
    ).toBe('POINTS_ADJUSTMENT_INVALID')
    expect(await mod.port.balance(p)).toBe(50)
  })
})

describe('crashes between the two writes (no transactions)', () => {
  it('a crash after the account write leaves the entry to the reconciliation job', async () => {
    const p = newProfile()
    await grant(p, 100)
    crashNext = 1
    await expect(
      mod.port.spend({
        profileId: p,
        amount: 40,
        refKey: 'crash:s1',
        reason: 'x',
        source: { kind: 't', id: '1' },
      }),
    ).rejects.toThrow('simulated crash')
    expect(await mod.port.balance(p)).toBe(60)
    expect(await sumOf(p)).toBe(100) // the entry is missing
    expect((await mod.engine.reconcile()).recorded).toBe(0) // too young: maybe still in flight
    clock.advance(31_000)
    expect(await mod.engine.reconcile({ full: true })).toMatchObject({ recorded: 1, failed: 0 })
    expect(await sumOf(p)).toBe(60)
    // the caller's retry is a duplicate: nothing more is taken
    const retry = await mod.port.spend({
      profileId: p,
      amount: 40,
      refKey: 'crash:s1',
      reason: 'x',
      source: { kind: 't', id: '1' },
    })
    expect(retry).toMatchObject({ duplicate: true, balance: 60 })
    expect(await sumOf(p)).toBe(60)
  })

  it('a retry right after a crashed earn records the first change and does not earn twice', async () => {
    const p = newProfile()
    crashNext = 1
    await expect(mod.port.earn({ profileId: p, rule: 'lecture', refKey: 'crash:e1' })).rejects.toThrow(
      'simulated crash',
    )
    expect(await mod.port.earn({ profileId: p, rule: 'lecture', refKey: 'crash:e1' })).toEqual({
      awarded: 50,
      duplicate: true,
      balance: 50,
    })
    expect(await sumOf(p)).toBe(50)
  })

  it('a spend retried after its journal item was trimmed is undone at once (late duplicate)', async () => {
    const p = newProfile()
    await grant(p, 100)
    const first = await mod.port.spend({
      profileId: p,
      amount: 30,
      refKey: 'late:1',
      reason: 'x',
      source: { kind: 't', id: '1' },
    })
    clock.advance(11 * 60_000)
    expect((await mod.engine.reconcile({ full: true })).trimmed).toBeGreaterThan(0)
    const account = await pointsAccountModel(database.connection).findById(p).lean()
    expect(Object.keys(account!.j)).toHaveLength(0)
    const again = await mod.port.spend({
      profileId: p,
      amount: 30,
      refKey: 'late:1',
      reason: 'x',
      source: { kind: 't', id: '1' },
    })
    expect(again).toEqual({ entryId: first.entryId, duplicate: true, balance: 70 })
    expect(await sumOf(p)).toBe(70)
  })
})

describe('tiers (F30)', () => {
  it('multiplies earns by the tier of the points earned in 12 months, rounding down', async () => {
    const p = newProfile()
    const settings = createPointsSettingsRepo(database.connection, clock)
    await settings.setTiers(
      [
        { id: 'standard', name: '普通', threshold: 0, multiplier: 1, benefits: [] },
        { id: 'silver', name: '银卡', threshold: 100, multiplier: 1.1, benefits: [] },
        { id: 'gold', name: '金卡', threshold: 200, multiplier: 1.2, benefits: [] },
        { id: 'platinum', name: '白金', threshold: 10_000, multiplier: 1.5, benefits: [] },
      ],
      'test',
    )
    const m = createPointsModule({
      config,
      clock,
      db: database.connection,
      logger: createLogger('silent'),
      push,
    })
    m.setMembership(membership)
    await m.port.earn({ profileId: p, rule: 'lecture', refKey: 't:1' })
    await m.port.earn({ profileId: p, rule: 'lecture', refKey: 't:2' }) // 100 earned → silver
    expect((await m.port.earn({ profileId: p, rule: 'checkin', refKey: 't:3' })).awarded).toBe(5) // 5 × 1.1 = 5.5 → 5
    expect((await m.port.earn({ profileId: p, rule: 'lecture', refKey: 't:4' })).awarded).toBe(55)
    expect(await m.tiers.tierOf(p)).toBe('silver')
    // a paid membership's tier wins when higher
    membershipTier = 'platinum'
    expect((await m.tiers.status(p)).source).toBe('membership')
    expect((await m.port.earn({ profileId: p, rule: 'lecture', refKey: 't:5' })).awarded).toBe(75)
    membershipTier = undefined
    // 12 months later those earns no longer count
    clock.set(new Date('2027-05-03T02:00:00Z'))
    expect(await m.tiers.tierOf(p)).toBe('standard')
    clock.set(new Date('2026-05-03T02:00:00Z'))
    await settings.setTiers([], 'test') // back to the defaults
  })
})

describe('staff adjustments', () => {
  it('are idempotent by requestId and never take the balance below zero', async () => {
    const p = newProfile()
    const actor = { kind: 'staff' as const, id: 'hn', role: 'head_nurse' }
    const a = await mod.engine.adjust({
      profileId: p,
      amount: 20,
      reason: '补发',
      requestId: 'adj-000001',
      actor,
    })
    const b = await mod.engine.adjust({
      profileId: p,
      amount: 20,
      reason: '补发',
      requestId: 'adj-000001',
      actor,
    })
    expect([a.duplicate, b.duplicate, b.balance, b.entry._id.equals(a.entry._id)]).toEqual([
      false,
      true,
      20,
      true,
    ])
    expect(a.entry.actor).toEqual(actor)
    expect(
      await codeOf(
        mod.engine.adjust({ profileId: p, amount: -21, reason: '扣回', requestId: 'adj-000002', actor }),
      ),
    ).toBe('POINTS_INSUFFICIENT')
    expect(
      (await mod.engine.adjust({ profileId: p, amount: -20, reason: '扣回', requestId: 'adj-000003', actor }))
        .balance,
    ).toBe(0)
    expect(await sumOf(p)).toBe(0)
  })
})

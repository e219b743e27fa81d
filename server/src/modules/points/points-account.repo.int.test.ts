import { Types } from 'mongoose'
import { useTestDatabase } from '../../../../tests/src/jest/test-database'
import { syncIndexes } from '../../db/connection'
import {
  afterChange,
  createPointsAccountRepo,
  journalKey,
  type AccountChange,
  type PointsAccountRepo,
} from './points-account.repo'
import type { JournalItem, PointsAccountDoc } from './points.model'

/**
 * The account's compare-and-set on the real engine: grouped writes apply each change at most once,
 * exactly when the account is still at the copy's version, and the copy computed without a read
 * (`afterChange`) is what the database holds.
 */
const database = useTestDatabase()
let repo: PointsAccountRepo

beforeAll(async () => {
  repo = createPointsAccountRepo(database.connection)
  await syncIndexes(database.connection)
})

const at = new Date('2026-05-03T02:00:00Z')
const change = (refKey: string, amount: number, extra: Partial<AccountChange> = {}): AccountChange => {
  const item: JournalItem = {
    id: new Types.ObjectId(),
    refKey,
    kind: amount > 0 ? 'earn' : 'spend',
    amount,
    rule: null,
    base: null,
    multiplier: null,
    limitedBy: null,
    source: null,
    actor: null,
    reason: null,
    at,
    expiresAt: null,
    inc: extra.inc ?? {},
    createdAt: at,
  }
  return { amount, h: journalKey(refKey), item, ...extra }
}
/** The fields every decision reads (what the cache must get exactly right). */
const decided = (a: PointsAccountDoc | null) =>
  a && {
    ver: a.ver,
    balance: a.balance,
    cap: a.cap ?? {},
    earned: a.earned ?? {},
    j: Object.fromEntries(Object.entries(a.j ?? {}).map(([h, i]) => [h, i.id.toHexString()])),
    jAt: a.jAt,
  }

describe('points account compare-and-set', () => {
  it('computes without a read the account the database holds: create, counters, removals', async () => {
    const pid = new Types.ObjectId()
    const first = change('t:1', 10, { inc: { 'cap.lecture|d|2026-05-03': 10, 'earned.2026-05': 10 } })
    const a1 = await repo.cas(pid, null, first)
    expect(decided(a1)).toEqual(decided(afterChange(pid, null, first)))
    expect(decided(await repo.read(pid))).toEqual(decided(a1))

    const second = change('t:2', 5, {
      inc: { 'cap.lecture|d|2026-05-03': 5, 'cap.lecture|m|2026-05': 5, 'earned.2026-05': 5 },
      unset: [`j.${first.h}`, 'earned.2025-01'],
    })
    const a2 = await repo.cas(pid, a1, second)
    expect(decided(a2)).toEqual(decided(afterChange(pid, a1, second)))
    expect(decided(await repo.read(pid))).toEqual(decided(a2))
    expect(a2).toMatchObject({ ver: 2, balance: 15, cap: { 'lecture|d|2026-05-03': 15 } })
    expect(Object.keys(a2!.j)).toEqual([second.h])

    const spend = change('t:3', -7, { unset: ['cap.lecture|d|2026-05-03'] })
    const a3 = await repo.cas(pid, a2, spend)
    expect(decided(a3)).toEqual(decided(afterChange(pid, a2, spend)))
    expect(decided(await repo.read(pid))).toEqual(decided(a3))
  })

  it('applies exactly one of several concurrent changes made from the same copy', async () => {
    const pid = new Types.ObjectId()
    const base = await repo.cas(pid, null, change('c:0', 100))
    const changes = Array.from({ length: 12 }, (_, i) => change(`c:${i + 1}`, -(i + 1)))
    const out = await Promise.all(changes.map((c) => repo.cas(pid, base, c)))
    const won = out.flatMap((a, i) => (a ? [i] : []))
    expect(won).toHaveLength(1)
    const now = await repo.read(pid)
    expect(now).toMatchObject({ ver: 2, balance: 100 - (won[0]! + 1) })
    expect(Object.keys(now!.j).sort()).toEqual([journalKey('c:0'), changes[won[0]!]!.h].sort())
  })

  it('creates a new account once when several changes race to create it', async () => {
    const pid = new Types.ObjectId()
    const out = await Promise.all([1, 2, 3, 4].map((n) => repo.cas(pid, null, change(`n:${n}`, n))))
    expect(out.filter(Boolean)).toHaveLength(1)
    const winner = [1, 2, 3, 4][out.findIndex(Boolean)]!
    expect(await repo.read(pid)).toMatchObject({ ver: 1, balance: winner })
  })

  it('answers each account of a grouped write on its own: a stale copy loses, the others apply', async () => {
    const [p1, p2] = [new Types.ObjectId(), new Types.ObjectId()]
    const a1 = await repo.cas(p1, null, change('g:1', 50))
    const a2 = await repo.cas(p2, null, change('g:2', 50))
    await repo.cas(p2, a2, change('g:3', -10)) // p2 moves on: a2 is stale now
    const [r1, r2] = await Promise.all([
      repo.cas(p1, a1, change('g:4', -20)),
      repo.cas(p2, a2, change('g:5', -20)),
    ])
    expect(r1).toMatchObject({ ver: 2, balance: 30 })
    expect(r2).toBeNull()
    expect(await repo.read(p2)).toMatchObject({ ver: 2, balance: 40 })
  })
})

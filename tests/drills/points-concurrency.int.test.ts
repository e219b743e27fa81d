import { AdjustPointsResponse, AppError, ErrorBody, MyPointsResponse } from '@careloop/shared'
import { Types } from 'mongoose'
import { createLogger } from '../../server/src/logger'
import { pointsAccountModel, pointsEntryModel } from '../../server/src/modules/points/points.model'
import { createPointsModule, type PointsModule } from '../../server/src/modules/points/points.module'
import { FakePush } from '../src/harness/fake-push'
import { consentingPatient } from '../src/harness/module-app'
import { useStaffHarness } from '../src/harness/server-harness'

/**
 * Drill (issue 6): "concurrent earns and spends on one patient → final balance equals the ledger
 * sum, never negative". One patient holding 1,000 points (an admin's grant), 200 operations started at once from two processes sharing the
 * database: a worker's points module (PointsPort: earns with distinct refKeys, earns sent three times
 * under one refKey, spends — some of them sent twice, some larger than anything the patient can
 * have) and the HTTP app (an admin's adjustments through the staff route). While they run, the
 * account and the patient's own view (`GET /me/points`) are polled: never negative. Afterwards:
 * every refKey has at most one ledger entry, each duplicate answered the first outcome, spends
 * above the balance were refused with POINTS_INSUFFICIENT and wrote nothing, and the balance (the
 * account's, the patient's view) equals the sum of the ledger and the sum of what the calls say
 * they applied.
 * Overlaps `server/src/modules/points/points-ledger.int.test.ts` ("keeps the balance equal to the
 * ledger sum under concurrent earns, spends and retries"), which drives one module directly.
 */
const h = useStaffHarness()
const START = 1000

let worker: PointsModule
let me: { token: string; patientId: string }
let admin = ''

beforeAll(async () => {
  await h.seedStaff()
  admin = (await h.staffLogin('admin')).accessToken
  me = await consentingPatient(h, 'points-concurrency')
  // a starting balance: some ordinary spends can go through before the earns land, others not
  const r = await h.request('POST', `/api/v1/staff/points/patients/${me.patientId}/adjust`, {
    token: admin,
    body: { amount: START, reason: '演练起始积分', requestId: 'drill-adjust-start' },
  })
  expect(r.status).toBe(200)
  worker = createPointsModule({
    config: h.config,
    clock: h.clock,
    db: h.db,
    logger: createLogger('silent'),
    push: new FakePush(),
  })
})

type Result =
  | { op: 'earn'; refKey: string; awarded: number; duplicate: boolean }
  | { op: 'spend'; refKey: string; amount: number; duplicate: boolean }
  | { op: 'adjust'; refKey: string; amount: number; duplicate: boolean }
  | { op: 'refused'; refKey: string; code: string }

const codeOf = (e: unknown): string => {
  if (e instanceof AppError) return e.code
  throw e
}

it('200 concurrent earns, spends and duplicates: never negative, balance = ledger sum, duplicates once', async () => {
  const profileId = me.patientId
  const ops: (() => Promise<Result>)[] = []
  const earn = (refKey: string) => async (): Promise<Result> => {
    const r = await worker.port.earn({ profileId, rule: 'lecture', refKey })
    return { op: 'earn', refKey, awarded: r.awarded, duplicate: r.duplicate }
  }
  const spend = (refKey: string, amount: number) => async (): Promise<Result> => {
    try {
      const r = await worker.port.spend({
        profileId,
        amount,
        refKey,
        reason: '演练兑换',
        source: { kind: 'drill', id: refKey },
      })
      return { op: 'spend', refKey, amount, duplicate: r.duplicate }
    } catch (e) {
      return { op: 'refused', refKey, code: codeOf(e) }
    }
  }
  const adjust = (requestId: string, amount: number) => async (): Promise<Result> => {
    const r = await h.request('POST', `/api/v1/staff/points/patients/${profileId}/adjust`, {
      token: admin,
      body: { amount, reason: '演练调整', requestId },
    })
    if (r.status !== 200)
      return { op: 'refused', refKey: requestId, code: ErrorBody.parse(r.body).error.code }
    return {
      op: 'adjust',
      refKey: requestId,
      amount,
      duplicate: AdjustPointsResponse.parse(r.body).duplicate,
    }
  }
  for (let i = 0; i < 80; i++) ops.push(earn(`drill:earn:${i}`))
  for (let i = 0; i < 10; i++) for (let k = 0; k < 3; k++) ops.push(earn(`drill:earn-dup:${i}`))
  for (let i = 0; i < 70; i++) ops.push(spend(`drill:spend:${i}`, 40))
  for (let i = 0; i < 5; i++) for (let k = 0; k < 2; k++) ops.push(spend(`drill:spend-dup:${i}`, 60))
  for (let i = 0; i < 5; i++) ops.push(spend(`drill:spend-huge:${i}`, 1_000_000))
  for (let i = 0; i < 5; i++) ops.push(adjust(`drill-adjust-${i}`, 100))
  expect(ops).toHaveLength(200)
  // shuffle deterministically so earns, spends and duplicates interleave
  for (let i = ops.length - 1; i > 0; i--) {
    const j = (i * 7919 + 13) % (i + 1)
    ;[ops[i], ops[j]] = [ops[j]!, ops[i]!]
  }

  // poll the account and the patient's view while the operations run
  const seen: number[] = []
  let running = true
  const poll = (async () => {
    while (running) {
      const a = await pointsAccountModel(h.db).findById(new Types.ObjectId(profileId)).lean()
      seen.push(a?.balance ?? 0)
      const r = await h.request('GET', '/api/v1/me/points', { token: me.token })
      seen.push(MyPointsResponse.parse(r.body).balance)
    }
  })()
  const results = await Promise.all(ops.map((op) => op()))
  running = false
  await poll

  expect(seen.length).toBeGreaterThan(0)
  expect(seen.filter((b) => b < 0)).toEqual([])

  // what the calls say they applied (first outcomes only) is what the ledger holds
  const applied = results.filter((r) => r.op !== 'refused' && !r.duplicate)
  const appliedSum = applied.reduce(
    (s, r) =>
      s + (r.op === 'earn' ? r.awarded : r.op === 'spend' ? -r.amount : r.op === 'adjust' ? r.amount : 0),
    START,
  )
  const entries = await pointsEntryModel(h.db)
    .find({ profileId: new Types.ObjectId(profileId) })
    .lean()
  const ledgerSum = entries.reduce((s, e) => s + e.amount, 0)
  const account = (await pointsAccountModel(h.db).findById(new Types.ObjectId(profileId)).lean())!
  const view = MyPointsResponse.parse((await h.request('GET', '/api/v1/me/points', { token: me.token })).body)
  expect({ account: account.balance, view: view.balance, ledger: ledgerSum }).toEqual({
    account: appliedSum,
    view: appliedSum,
    ledger: appliedSum,
  })
  expect(account.balance).toBeGreaterThanOrEqual(0)

  // one entry per refKey; the entries are exactly the applied operations
  const byRef = new Map<string, number>()
  for (const e of entries) byRef.set(e.refKey, (byRef.get(e.refKey) ?? 0) + 1)
  expect([...byRef.values()].filter((n) => n > 1)).toEqual([])
  expect(entries).toHaveLength(applied.length + 1)

  // duplicates: each earn refKey sent three times applied once, the others answered the same amount
  for (let i = 0; i < 10; i++) {
    const rs = results.filter((r) => r.refKey === `drill:earn-dup:${i}`) as Extract<Result, { op: 'earn' }>[]
    expect(rs.filter((r) => !r.duplicate)).toHaveLength(1)
    expect(new Set(rs.map((r) => r.awarded)).size).toBe(1)
  }
  for (let i = 0; i < 5; i++) {
    const rs = results.filter((r) => r.refKey === `drill:spend-dup:${i}`)
    expect(rs.filter((r) => r.op === 'spend' && !r.duplicate).length).toBeLessThanOrEqual(1)
    expect(byRef.get(`drill:spend-dup:${i}`) ?? 0).toBe(rs.some((r) => r.op === 'spend') ? 1 : 0)
  }
  // every earn applied (lecture has no caps); spends above any balance refused and not recorded
  expect(results.filter((r) => r.op === 'earn' && !r.duplicate)).toHaveLength(90)
  const refused = results.filter((r) => r.op === 'refused')
  expect(new Set(refused.map((r) => (r as { code: string }).code))).toEqual(new Set(['POINTS_INSUFFICIENT']))
  expect(refused.filter((r) => r.refKey.startsWith('drill:spend-huge:'))).toHaveLength(5)
  expect(entries.filter((e) => e.refKey.startsWith('drill:spend-huge:'))).toEqual([])
  // the race really mixed outcomes: some ordinary spends went through
  expect(results.filter((r) => r.op === 'spend' && !r.duplicate).length).toBeGreaterThan(0)
}, 60_000)

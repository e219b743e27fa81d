import { ErrorBody, RedeemRewardResponse } from '@careloop/shared'
import { Types } from 'mongoose'
import { useStaffHarness } from '../../../../tests/src/harness/server-harness'
import { consentingPatient } from '../../../../tests/src/harness/module-app'
import { FlakyPoints } from '../../../../tests/src/harness/flaky-points'
import { RecordingPush } from '../../../../tests/src/harness/module-app'
import type { PatientPrincipal } from '../../http/context'
import { createLogger } from '../../logger'
import { patientModel } from '../patients/patient.model'
import { createPointsModule, type PointsModule } from '../points/points.module'
import { redemptionModel } from './redemption.model'
import type { RedeemStep, RedemptionFaults, UndoStep } from './redemption.saga'
import { rewardClaimModel, rewardModel } from './reward.model'
import { createRewardRepo } from './reward.repo'
import { createRewardsModule, type RewardsModule } from './rewards.module'

/**
 * Money and stock drills (F29) through the real app and the real points ledger: concurrent
 * redemptions never oversell or overspend, per-patient limits hold under concurrency, and a crash
 * between any two steps (of a redemption, a refusal or a cancel) is repaired by the job with
 * points, stock and counters exact.
 */
const REPAIR_AFTER_S = 60
const h = useStaffHarness({
  env: { REWARD_REPAIR_AFTER_SECONDS: String(REPAIR_AFTER_S), REWARD_CODE_TTL_DAYS: '0' },
})

/** Crashes (throws) right after the named step, once. */
class Crash implements RedemptionFaults {
  at: RedeemStep | UndoStep | null = null
  after(step: RedeemStep | UndoStep): void {
    if (step !== this.at) return
    this.at = null
    throw new Error(`simulated crash after ${step}`)
  }
}
const crash = new Crash()
/** The real ledger on the app's database, behind a port that can refuse a spend. */
let ledger: PointsModule
const points = new FlakyPoints()
/** A worker's rewards module (the repair job), and one in a process that crashes between steps. */
let mod: RewardsModule
let crashy: RewardsModule

const grant = async (profileId: string, amount: number): Promise<void> => {
  await ledger.engine.adjust({
    profileId,
    amount,
    reason: '演练发放',
    requestId: `drill-grant-${profileId}-${++seq}`,
    actor: { kind: 'system', id: null, role: null },
  })
}
const balance = (profileId: string): Promise<number> => ledger.port.balance(profileId)

interface Patient {
  token: string
  patientId: string
  principal: PatientPrincipal
}
let seq = 0

const patients = async (prefix: string, n: number): Promise<Patient[]> => {
  const out: Patient[] = []
  for (let i = 0; i < n; i += 10)
    out.push(
      ...(await Promise.all(
        Array.from({ length: Math.min(10, n - i) }, async (_, j) => {
          const p = await consentingPatient(h, `${prefix}-${i + j}`)
          const doc = (await patientModel(h.db).findById(p.patientId).lean())!
          return {
            token: p.token,
            patientId: p.patientId,
            principal: {
              kind: 'patient',
              accountId: doc.accountId.toHexString(),
              profileId: p.patientId,
            } as const,
          }
        }),
      )),
    )
  return out
}
const createReward = async (over: Record<string, unknown>): Promise<string> => {
  // the clock moves between tests (leases): a fresh staff token each time
  const marketer = (await h.staffLogin('marketing.zhao')).accessToken
  const r = await h.request('POST', '/api/v1/staff/rewards', {
    token: marketer,
    body: {
      name: `演练${++seq}`,
      category: 'coupon',
      pointsCost: 100,
      stock: 5,
      perPatientLimit: 1,
      ...over,
    },
  })
  if (r.status !== 201) throw new Error(JSON.stringify(r.body))
  return (r.body as { id: string }).id
}
const redeem = (rewardId: string, p: Patient, requestId = `drill-req-${++seq}`) =>
  h.request('POST', `/api/v1/me/rewards/${rewardId}/redeem`, { token: p.token, body: { requestId } })
const reward = async (id: string) => (await rewardModel(h.db).findById(id).lean())!
const claim = async (p: Patient, rewardId: string) =>
  (
    await rewardClaimModel(h.db)
      .findOne({ profileId: new Types.ObjectId(p.patientId), rewardId: new Types.ObjectId(rewardId) })
      .lean()
  )?.count ?? 0
const row = async (requestId: string) => (await redemptionModel(h.db).findOne({ requestId }).lean())!
const pastLease = (): void => {
  h.clock.advance((REPAIR_AFTER_S + 1) * 1000)
}

let crowd: Patient[] = []
beforeAll(async () => {
  const logger = createLogger('silent')
  const push = new RecordingPush()
  ledger = createPointsModule({ config: h.config, clock: h.clock, db: h.db, logger, push })
  points.inner = ledger.port
  const deps = { config: h.config, clock: h.clock, db: h.db, logger, points }
  mod = createRewardsModule(deps)
  crashy = createRewardsModule({ ...deps, faults: crash })
  await h.seedStaff()
  crowd = await patients('crowd', 100)
}, 120_000)

describe('concurrency', () => {
  it('100 concurrent redemptions of a stock-10 reward from 100 patients: exactly 10 win, balances exact', async () => {
    await Promise.all(crowd.map((p) => grant(p.patientId, 300)))
    const id = await createReward({ stock: 10, pointsCost: 100 })
    const results = await Promise.all(crowd.map((p) => redeem(id, p)))
    const won = results.filter((r) => r.status === 201).map((r) => RedeemRewardResponse.parse(r.body))
    const lost = results.filter((r) => r.status !== 201)
    expect(won).toHaveLength(10)
    expect(won.every((r) => r.status === 'issued' && r.code)).toBe(true)
    expect(new Set(won.map((r) => r.code)).size).toBe(10)
    expect(lost.map((r) => [r.status, ErrorBody.parse(r.body).error.code])).toEqual(
      Array.from({ length: 90 }, () => [409, 'REWARD_OUT_OF_STOCK']),
    )
    const after = await reward(id)
    expect([after.stock, after.holds.length]).toEqual([0, 10])
    const winners = new Set(
      (
        await redemptionModel(h.db)
          .find({ rewardId: new Types.ObjectId(id), status: 'issued' })
          .lean()
      ).map((r) => r.profileId.toHexString()),
    )
    expect(winners.size).toBe(10)
    for (const p of crowd) {
      expect([p.patientId, await balance(p.patientId)]).toEqual([
        p.patientId,
        winners.has(p.patientId) ? 200 : 300,
      ])
      expect(await claim(p, id)).toBe(winners.has(p.patientId) ? 1 : 0)
    }
    expect(
      await redemptionModel(h.db).countDocuments({
        rewardId: new Types.ObjectId(id),
        status: { $in: ['pending', 'failing'] },
      }),
    ).toBe(0)
  }, 30_000)

  it('20 concurrent redemptions by one patient with a limit of 3: exactly 3 issued', async () => {
    const [p] = await patients('greedy', 1)
    await grant(p!.patientId, 1000)
    const id = await createReward({ stock: 100, pointsCost: 50, perPatientLimit: 3 })
    const results = await Promise.all(Array.from({ length: 20 }, () => redeem(id, p!)))
    expect(results.filter((r) => r.status === 201)).toHaveLength(3)
    expect(
      results.filter(
        (r) => r.status === 409 && ErrorBody.parse(r.body).error.code === 'REWARD_LIMIT_REACHED',
      ),
    ).toHaveLength(17)
    expect((await reward(id)).stock).toBe(97)
    expect(await claim(p!, id)).toBe(3)
    expect(await balance(p!.patientId)).toBe(850)
  })

  it('the same requestId sent 10 times at once makes one redemption and one spend', async () => {
    const [p] = await patients('twice', 1)
    await grant(p!.patientId, 500)
    const id = await createReward({ stock: 5, pointsCost: 100, perPatientLimit: 5 })
    const requestId = `same-${++seq}-request`
    const results = await Promise.all(Array.from({ length: 10 }, () => redeem(id, p!, requestId)))
    const ids = new Set(results.map((r) => RedeemRewardResponse.parse(r.body).id))
    expect([results.every((r) => r.status === 201), ids.size]).toEqual([true, 1])
    expect((await row(requestId)).status).toBe('issued')
    expect(await balance(p!.patientId)).toBe(400)
    expect((await reward(id)).stock).toBe(4)
    expect(await claim(p!, id)).toBe(1)
  })
})

describe('a crash between two steps of a redemption is repaired by the job', () => {
  for (const step of ['created', 'claimed', 'stock-taken', 'points-spent'] as const)
    it(`after "${step}": the job completes it (points, stock, counter exact)`, async () => {
      const [p] = await patients(`crash-${step}`, 1)
      await grant(p!.patientId, 500)
      const id = await createReward({ stock: 5, pointsCost: 100 })
      const requestId = `crash-${step}-${++seq}`
      crash.at = step
      await expect(crashy.redemptions.redeem(p!.principal, id, { requestId })).rejects.toThrow(
        'simulated crash',
      )
      expect((await row(requestId)).status).toBe('pending')
      // within the lease the job leaves it to its owner
      expect((await mod.saga.repair()).resumed).toBe(0)
      pastLease()
      expect((await mod.saga.repair()).resumed).toBe(1)
      const done = await row(requestId)
      expect(done.status).toBe('issued')
      expect(done.code).toMatch(/^[23456789A-Z]{10}$/)
      const r = await reward(id)
      expect([r.stock, r.holds]).toEqual([4, [done._id.toHexString()]])
      expect(await claim(p!, id)).toBe(1)
      expect(await balance(p!.patientId)).toBe(400)
      // a later run changes nothing
      pastLease()
      await mod.saga.repair()
      expect([(await reward(id)).stock, await balance(p!.patientId), await claim(p!, id)]).toEqual([
        4, 400, 1,
      ])
    })

  it('a client retry with the same requestId after the crash resumes it (no second spend)', async () => {
    const [p] = await patients('crash-retry', 1)
    await grant(p!.patientId, 300)
    const id = await createReward({ stock: 5, pointsCost: 100 })
    const requestId = `crash-retry-${++seq}`
    crash.at = 'points-spent'
    await expect(crashy.redemptions.redeem(p!.principal, id, { requestId })).rejects.toThrow(
      'simulated crash',
    )
    pastLease()
    p!.token = (await h.login('crash-retry-0')).accessToken
    const r = await redeem(id, p!, requestId)
    expect(r.status).toBe(201)
    expect(RedeemRewardResponse.parse(r.body)).toMatchObject({
      status: 'issued',
      duplicate: true,
      balance: 200,
    })
    expect((await reward(id)).stock).toBe(4)
  })

  it('when the rest cannot be done any more, the job undoes what was done', async () => {
    const [p] = await patients('crash-undo', 1)
    await grant(p!.patientId, 100)
    const id = await createReward({ stock: 5, pointsCost: 100 })
    const requestId = `crash-undo-${++seq}`
    crash.at = 'stock-taken'
    await expect(crashy.redemptions.redeem(p!.principal, id, { requestId })).rejects.toThrow(
      'simulated crash',
    )
    // meanwhile the patient's points went elsewhere
    await ledger.port.spend({
      profileId: p!.patientId,
      amount: 50,
      refKey: `elsewhere-${seq}`,
      reason: 'x',
      source: { kind: 't', id: '1' },
    })
    pastLease()
    expect((await mod.saga.repair()).resumed).toBe(1)
    expect((await row(requestId)).status).toBe('failed')
    expect((await row(requestId)).failCode).toBe('POINTS_INSUFFICIENT')
    const r = await reward(id)
    expect([r.stock, r.holds, await claim(p!, id), await balance(p!.patientId)]).toEqual([5, [], 0, 50])
  })

  for (const step of ['stock-returned', 'claim-returned', 'points-refunded'] as const)
    it(`a refusal that crashes after "${step}" of its undo ends failed with everything returned`, async () => {
      const [p] = await patients(`refuse-${step}`, 1)
      await grant(p!.patientId, 300)
      const id = await createReward({ stock: 5, pointsCost: 100 })
      const requestId = `refuse-${step}-${++seq}`
      points.refuseSpends = 1
      crash.at = step
      await expect(crashy.redemptions.redeem(p!.principal, id, { requestId })).rejects.toThrow(
        'simulated crash',
      )
      expect((await row(requestId)).status).toBe('failing')
      pastLease()
      expect((await mod.saga.repair()).undone).toBe(1)
      expect((await row(requestId)).status).toBe('failed')
      const r = await reward(id)
      expect([r.stock, r.holds, await claim(p!, id), await balance(p!.patientId)]).toEqual([5, [], 0, 300])
    })
})

describe('a crash in the middle of a cancel is repaired by the job', () => {
  for (const step of ['cancelling', 'stock-returned', 'claim-returned', 'points-refunded'] as const)
    it(`after "${step}": points, stock and counter come back exactly once`, async () => {
      const [p] = await patients(`cancel-${step}`, 1)
      await grant(p!.patientId, 300)
      const id = await createReward({ stock: 5, pointsCost: 100 })
      const got = await mod.redemptions.redeem(p!.principal, id, { requestId: `cancel-${step}-${++seq}` })
      expect(await balance(p!.patientId)).toBe(200)
      crash.at = step
      await expect(crashy.redemptions.cancelMine(p!.principal, got.id)).rejects.toThrow('simulated crash')
      expect((await redemptionModel(h.db).findById(got.id).lean())!.status).toBe('cancelling')
      pastLease()
      expect((await mod.saga.repair()).undone).toBe(1)
      // and the patient retrying the cancel afterwards changes nothing
      expect((await mod.redemptions.cancelMine(p!.principal, got.id)).status).toBe('cancelled')
      const r = await reward(id)
      expect([r.stock, r.holds, await claim(p!, id), await balance(p!.patientId)]).toEqual([5, [], 0, 300])
    })
})

describe('the settle pass', () => {
  it('returns what a stalled process took for a redemption after it had failed, and drops a fulfilled hold', async () => {
    const [p] = await patients('settle', 1)
    await grant(p!.patientId, 300)
    const id = await createReward({ stock: 5, pointsCost: 100, perPatientLimit: 3 })
    points.refuseSpends = 1
    const requestId = `settle-${++seq}`
    await expect(mod.redemptions.redeem(p!.principal, id, { requestId })).rejects.toThrow()
    const failed = await row(requestId)
    // a process that stalled past its lease now takes the stock and the claim for it
    const repo = createRewardRepo(h.db)
    const rid = failed._id.toHexString()
    expect(await repo.takeStock(id, rid, h.clock.now())).toBe('taken')
    expect(await repo.takeClaim(p!.patientId, id, rid, 3)).toBe(true)
    // a fulfilled redemption whose hold was not dropped (crash after the check-off)
    const ok = await mod.redemptions.redeem(p!.principal, id, { requestId: `settle-ok-${++seq}` })
    await redemptionModel(h.db).updateOne(
      { _id: new Types.ObjectId(ok.id) },
      { $set: { status: 'fulfilled', settleAt: h.clock.now() } },
    )
    h.clock.advance(2 * (REPAIR_AFTER_S + 1) * 1000)
    expect((await mod.saga.repair()).settled).toBeGreaterThanOrEqual(2)
    const r = await reward(id)
    expect([r.stock, r.holds, await claim(p!, id), await balance(p!.patientId)]).toEqual([4, [], 1, 200])
    expect((await row(requestId)).settledAt).not.toBeNull()
  })
})

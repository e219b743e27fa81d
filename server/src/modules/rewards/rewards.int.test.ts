import {
  ErrorBody,
  MyRewardResponse,
  MyRewardsResponse,
  MyRedemptionsResponse,
  RedeemRewardResponse,
  Redemption,
  StaffRedemption,
  StaffRedemptionsResponse,
  StaffReward,
  StaffRewardsResponse,
} from '@careloop/shared'
import { Types } from 'mongoose'
import { useStaffHarness } from '../../../../tests/src/harness/server-harness'
import { consentingPatient, RecordingPush } from '../../../../tests/src/harness/module-app'
import { FlakyPoints } from '../../../../tests/src/harness/flaky-points'
import { createLogger } from '../../logger'
import { auditModel } from '../audit/audit.model'
import { patientModel } from '../patients/patient.model'
import { createPointsModule, type PointsModule } from '../points/points.module'
import { staffModel } from '../staff/staff.model'
import { redemptionModel } from './redemption.model'
import { rewardClaimModel, rewardModel } from './reward.model'
import { createRewardsModule, type RewardsModule } from './rewards.module'

/**
 * The rewards mall through the real app (F29): catalogue, redeem, my redemptions, check-off, cancel,
 * expiry. Points go through the real ledger (behind FlakyPoints, which can refuse a spend).
 */
const points = new FlakyPoints()
const push = new RecordingPush()
const h = useStaffHarness({ points, pushPort: push, env: { REWARD_CODE_TTL_DAYS: '30' } })
/** The ledger (grants, balances) and the worker's rewards module (its repair job), on the app's database. */
let ledger: PointsModule
let worker: RewardsModule

const grant = async (profileId: string, amount: number): Promise<void> => {
  await ledger.engine.adjust({
    profileId,
    amount,
    reason: '测试发放',
    requestId: `grant-${profileId}-${++seq}`,
    actor: { kind: 'system', id: null, role: null },
  })
}
const balance = (profileId: string): Promise<number> => ledger.port.balance(profileId)

const staff = {} as Record<'admin' | 'nurse' | 'marketer' | 'nurse2', string>
let a = { token: '', patientId: '' }
let b = { token: '', patientId: '' }
let seq = 0

const codeOf = (body: unknown): string => ErrorBody.parse(body).error.code
const pathsOf = (body: unknown): string[] =>
  (ErrorBody.parse(body).error.details as { path: string }[]).map((d) => d.path)
const call = async (method: string, path: string, token: string, body?: unknown) =>
  h.request(method, path, { token, body })
const expectOk = <T>(r: { status: number; body: unknown }, status: number, parse: (b: unknown) => T): T => {
  if (r.status !== status) throw new Error(`expected ${status}, got ${r.status} ${JSON.stringify(r.body)}`)
  return parse(r.body)
}

const createReward = async (over: Record<string, unknown> = {}): Promise<StaffReward> =>
  expectOk(
    await call('POST', '/api/v1/staff/rewards', staff.marketer, {
      name: `礼品${++seq}`,
      description: '血压计一台',
      category: 'physical',
      pointsCost: 100,
      stock: 5,
      perPatientLimit: 2,
      ...over,
    }),
    201,
    (x) => StaffReward.parse(x),
  )
const redeem = (rewardId: string, who = a, requestId = `redeem-req-${++seq}`) =>
  call('POST', `/api/v1/me/rewards/${rewardId}/redeem`, who.token, { requestId })
const redeemOk = async (rewardId: string, who = a): Promise<RedeemRewardResponse> =>
  expectOk(await redeem(rewardId, who), 201, (x) => RedeemRewardResponse.parse(x))
const stockOf = async (rewardId: string) => (await rewardModel(h.db).findById(rewardId).lean())!
const claimOf = async (patientId: string, rewardId: string) =>
  (
    await rewardClaimModel(h.db)
      .findOne({ profileId: new Types.ObjectId(patientId), rewardId: new Types.ObjectId(rewardId) })
      .lean()
  )?.count ?? 0

beforeAll(async () => {
  const logger = createLogger('silent')
  ledger = createPointsModule({ config: h.config, clock: h.clock, db: h.db, logger, push })
  points.inner = ledger.port
  worker = createRewardsModule({ config: h.config, clock: h.clock, db: h.db, logger, points, push })
  await h.seedStaff()
  staff.admin = (await h.staffLogin('admin')).accessToken
  staff.nurse = (await h.staffLogin('nurse.li')).accessToken
  staff.marketer = (await h.staffLogin('marketing.zhao')).accessToken
  await h.request('POST', '/api/v1/admin/staff', {
    token: staff.admin,
    body: { username: 'nurse.reward', name: '周护士', role: 'nurse', password: 'nurse-reward-123' },
  })
  staff.nurse2 = (await h.staffLogin('nurse.reward', 'nurse-reward-123')).accessToken
  a = await consentingPatient(h, 'reward-a')
  b = await consentingPatient(h, 'reward-b')
  const nurseLi = (await staffModel(h.db).findOne({ username: 'nurse.li' }).lean())!._id
  await patientModel(h.db).updateOne(
    { _id: new Types.ObjectId(a.patientId) },
    { $set: { name: '王秀英', assignedNurseId: nurseLi } },
  )
  await grant(a.patientId, 1000)
  await grant(b.patientId, 150)
})

describe('the catalogue', () => {
  it('lets marketers create, edit, restock (idempotently) and deactivate rewards, audited', async () => {
    const r = await createReward({ stock: 3, validUntil: '2099-01-01T00:00:00+08:00' })
    expect(r).toMatchObject({ stock: 3, totalStock: 3, active: true, perPatientLimit: 2, tierRequired: null })
    expect(r.counts).toEqual({ pending: 0, issued: 0, fulfilled: 0, cancelled: 0, expired: 0 })

    const edited = expectOk(
      await call('PUT', `/api/v1/staff/rewards/${r.id}`, staff.admin, {
        pointsCost: 120,
        imageUrl: 'https://img.example/x.png',
      }),
      200,
      (x) => StaffReward.parse(x),
    )
    expect(edited).toMatchObject({ pointsCost: 120, imageUrl: 'https://img.example/x.png', stock: 3 })

    const restock = { requestId: 'restock-0001', delta: 7 }
    for (let i = 0; i < 3; i++) {
      const again = expectOk(
        await call('POST', `/api/v1/staff/rewards/${r.id}/restock`, staff.marketer, restock),
        200,
        (x) => StaffReward.parse(x),
      )
      expect([again.stock, again.totalStock]).toEqual([10, 10])
    }
    const tooMany = await call('POST', `/api/v1/staff/rewards/${r.id}/restock`, staff.marketer, {
      requestId: 'restock-0002',
      delta: -11,
    })
    expect([tooMany.status, codeOf(tooMany.body)]).toEqual([409, 'REWARD_OUT_OF_STOCK'])
    const withdrawn = expectOk(
      await call('POST', `/api/v1/staff/rewards/${r.id}/restock`, staff.marketer, {
        requestId: 'restock-0003',
        delta: -4,
      }),
      200,
      (x) => StaffReward.parse(x),
    )
    expect([withdrawn.stock, withdrawn.totalStock]).toEqual([6, 6])

    for (let i = 0; i < 2; i++) {
      const off = expectOk(
        await call('POST', `/api/v1/staff/rewards/${r.id}/deactivate`, staff.marketer),
        200,
        (x) => StaffReward.parse(x),
      )
      expect(off.active).toBe(false)
    }
    const actions = (await auditModel(h.db).find({ 'detail.rewardId': r.id }).lean())
      .map((x) => x.action)
      .sort()
    expect(actions).toEqual([
      'reward.create',
      'reward.deactivate',
      'reward.restock',
      'reward.restock',
      'reward.update',
    ])

    const list = expectOk(await call('GET', '/api/v1/staff/rewards?status=inactive', staff.nurse), 200, (x) =>
      StaffRewardsResponse.parse(x),
    )
    expect(list.rewards.map((x) => x.id)).toContain(r.id)
  })

  it('refuses a window that ends before it starts, also across an edit (400 naming validUntil)', async () => {
    const bad = await call('POST', '/api/v1/staff/rewards', staff.marketer, {
      name: '坏窗口',
      category: 'coupon',
      pointsCost: 10,
      stock: 1,
      validFrom: '2030-01-02T00:00:00Z',
      validUntil: '2030-01-01T00:00:00Z',
    })
    expect([bad.status, codeOf(bad.body), pathsOf(bad.body)]).toEqual([
      400,
      'VALIDATION_FAILED',
      ['validUntil'],
    ])
    const r = await createReward({ validFrom: '2030-01-02T00:00:00Z' })
    const edit = await call('PUT', `/api/v1/staff/rewards/${r.id}`, staff.admin, {
      validUntil: '2030-01-01T00:00:00Z',
    })
    expect([edit.status, codeOf(edit.body), pathsOf(edit.body)]).toEqual([
      400,
      'VALIDATION_FAILED',
      ['validUntil'],
    ])
    const missing = await call(
      'PUT',
      `/api/v1/staff/rewards/${new Types.ObjectId().toHexString()}`,
      staff.admin,
      {
        name: 'x',
      },
    )
    expect([missing.status, codeOf(missing.body)]).toEqual([404, 'REWARD_NOT_FOUND'])
  })
})

describe('the mall as a patient sees it', () => {
  it('lists active rewards in their window with "n more", affordability and the first blocker', async () => {
    const cheap = await createReward({ pointsCost: 100, perPatientLimit: 3 })
    const dear = await createReward({ pointsCost: 5000 })
    const soon = await createReward({
      validFrom: new Date(h.clock.now().getTime() + 86_400_000).toISOString(),
    })
    const over = await createReward({
      validUntil: new Date(h.clock.now().getTime() - 1000).toISOString(),
      validFrom: null,
    })
    const empty = await createReward({ stock: 0 })
    const gold = await createReward({ tierRequired: 'gold' })
    const off = await createReward({ active: false })
    await redeemOk(cheap.id)

    const mine = expectOk(await call('GET', '/api/v1/me/rewards', a.token), 200, (x) =>
      MyRewardsResponse.parse(x),
    )
    expect(mine.balance).toBe(await balance(a.patientId))
    const byId = new Map(mine.rewards.map((r) => [r.id, r]))
    expect(byId.get(cheap.id)).toMatchObject({
      redeemedByMe: 1,
      remainingForMe: 2,
      affordable: true,
      canRedeem: true,
      blocker: null,
    })
    expect(byId.get(dear.id)).toMatchObject({
      affordable: false,
      canRedeem: false,
      blocker: 'insufficient_points',
    })
    expect(byId.get(soon.id)?.blocker).toBe('not_started')
    expect(byId.get(empty.id)?.blocker).toBe('out_of_stock')
    expect(byId.get(gold.id)?.blocker).toBe('tier_required')
    expect(byId.has(over.id)).toBe(false)
    expect(byId.has(off.id)).toBe(false)

    const one = expectOk(await call('GET', `/api/v1/me/rewards/${cheap.id}`, a.token), 200, (x) =>
      MyRewardResponse.parse(x),
    )
    expect(one).toMatchObject({ id: cheap.id, remainingForMe: 2, balance: mine.balance })
    const hidden = await call('GET', `/api/v1/me/rewards/${off.id}`, a.token)
    expect([hidden.status, codeOf(hidden.body)]).toEqual([404, 'REWARD_NOT_FOUND'])
  })
})

describe('redeeming', () => {
  it('issues a code once per requestId: a retry answers the same redemption and spends nothing more', async () => {
    const r = await createReward({ pointsCost: 100, stock: 5 })
    const before = await balance(a.patientId)
    const requestId = `retry-${++seq}-abc`
    const first = expectOk(await redeem(r.id, a, requestId), 201, (x) => RedeemRewardResponse.parse(x))
    expect(first).toMatchObject({
      status: 'issued',
      duplicate: false,
      pointsCost: 100,
      balance: before - 100,
    })
    expect(first.code).toMatch(/^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{10}$/)
    expect(new Date(first.expiresAt!).getTime() - new Date(first.issuedAt!).getTime()).toBe(30 * 86_400_000)
    for (let i = 0; i < 3; i++) {
      const again = expectOk(await redeem(r.id, a, requestId), 201, (x) => RedeemRewardResponse.parse(x))
      expect(again).toMatchObject({ id: first.id, code: first.code, duplicate: true, balance: before - 100 })
    }
    expect(await balance(a.patientId)).toBe(before - 100)
    expect((await stockOf(r.id)).stock).toBe(4)
    expect(await claimOf(a.patientId, r.id)).toBe(1)
    expect(await redemptionModel(h.db).countDocuments({ rewardId: new Types.ObjectId(r.id) })).toBe(1)
  })

  it('refuses with a stable code and writes nothing: unknown, inactive, out of stock, points, limit, tier', async () => {
    const count = () => redemptionModel(h.db).countDocuments()
    const before = await count()
    const unknown = await redeem(new Types.ObjectId().toHexString())
    expect([unknown.status, codeOf(unknown.body)]).toEqual([404, 'REWARD_NOT_FOUND'])
    const off = await createReward({ active: false })
    expect(codeOf((await redeem(off.id)).body)).toBe('REWARD_NOT_AVAILABLE')
    const gold = await createReward({ tierRequired: 'silver' })
    expect(codeOf((await redeem(gold.id)).body)).toBe('REWARD_NOT_AVAILABLE')
    const empty = await createReward({ stock: 0 })
    const r = await redeem(empty.id)
    expect([r.status, codeOf(r.body)]).toEqual([409, 'REWARD_OUT_OF_STOCK'])
    const dear = await createReward({ pointsCost: 10_000 })
    const poor = await redeem(dear.id)
    expect([poor.status, codeOf(poor.body)]).toEqual([409, 'POINTS_INSUFFICIENT'])
    expect(await count()).toBe(before)

    const once = await createReward({ perPatientLimit: 1, pointsCost: 10 })
    await redeemOk(once.id)
    const limit = await redeem(once.id)
    expect([limit.status, codeOf(limit.body)]).toEqual([409, 'REWARD_LIMIT_REACHED'])
    expect(await claimOf(a.patientId, once.id)).toBe(1)
    expect((await stockOf(once.id)).stock).toBe(4)
  })

  it('answers a retry of a refused redemption with the same refusal', async () => {
    const r = await createReward({ pointsCost: 100, stock: 1 })
    const requestId = `refused-${++seq}-x`
    const before = await balance(b.patientId)
    // the pre-check passes; the ledger then refuses (the patient spent elsewhere meanwhile)
    points.refuseSpends = 1
    const first = await redeem(r.id, b, requestId)
    expect([first.status, codeOf(first.body)]).toEqual([409, 'POINTS_INSUFFICIENT'])
    const row = (await redemptionModel(h.db).findOne({ requestId }).lean())!
    expect(row.status).toBe('failed')
    const again = await redeem(r.id, b, requestId)
    expect([again.status, codeOf(again.body)]).toEqual([409, 'POINTS_INSUFFICIENT'])
    // everything was given back
    expect((await stockOf(r.id)).stock).toBe(1)
    expect(await claimOf(b.patientId, r.id)).toBe(0)
    expect(await balance(b.patientId)).toBe(before)
  })
})

describe('my redemptions', () => {
  it("shows mine with their code; another patient's look like they do not exist", async () => {
    const r = await createReward()
    const mine = await redeemOk(r.id)
    const list = expectOk(await call('GET', '/api/v1/me/redemptions', a.token), 200, (x) =>
      MyRedemptionsResponse.parse(x),
    )
    expect(list.redemptions[0]).toMatchObject({
      id: mine.id,
      code: mine.code,
      status: 'issued',
      rewardName: r.name,
    })
    const one = expectOk(await call('GET', `/api/v1/me/redemptions/${mine.id}`, a.token), 200, (x) =>
      Redemption.parse(x),
    )
    expect(one.code).toBe(mine.code)

    const theirs = expectOk(await call('GET', '/api/v1/me/redemptions', b.token), 200, (x) =>
      MyRedemptionsResponse.parse(x),
    )
    expect(theirs.redemptions.map((x) => x.id)).not.toContain(mine.id)
    for (const [method, path] of [
      ['GET', `/api/v1/me/redemptions/${mine.id}`],
      ['POST', `/api/v1/me/redemptions/${mine.id}/cancel`],
    ] as const) {
      const r2 = await call(method, path, b.token)
      expect([r2.status, codeOf(r2.body)]).toEqual([404, 'REDEMPTION_NOT_FOUND'])
    }
    expect((await redemptionModel(h.db).findById(mine.id).lean())!.status).toBe('issued')
  })

  it('cancelling returns the points, the stock and the limit exactly once, however often it is repeated', async () => {
    const r = await createReward({ pointsCost: 100, stock: 2, perPatientLimit: 1 })
    const before = await balance(a.patientId)
    const got = await redeemOk(r.id)
    const results = await Promise.all(
      Array.from({ length: 5 }, () => call('POST', `/api/v1/me/redemptions/${got.id}/cancel`, a.token)),
    )
    for (const x of results)
      expect(expectOk(x, 200, (y) => Redemption.parse(y))).toMatchObject({ status: 'cancelled', code: null })
    expect(await balance(a.patientId)).toBe(before)
    expect((await stockOf(r.id)).stock).toBe(2)
    expect((await stockOf(r.id)).holds).toEqual([])
    expect(await claimOf(a.patientId, r.id)).toBe(0)
    // the limit is free again
    await redeemOk(r.id)
    expect(push.withPrefix(`redemption:${got.id}`)).toEqual([])
  })
})

describe('check-off and staff cancel', () => {
  it('finds a code (typed in lower case) for any staff, fulfils it once against its code, audited', async () => {
    const r = await createReward({ stock: 3 })
    const got = await redeemOk(r.id)
    const found = expectOk(
      await call('GET', `/api/v1/staff/redemptions?code=${got.code!.toLowerCase()}`, staff.nurse2),
      200,
      (x) => StaffRedemptionsResponse.parse(x),
    )
    expect(found.total).toBe(1)
    expect(found.redemptions[0]).toMatchObject({
      id: got.id,
      status: 'issued',
      patient: { id: a.patientId, name: '王*英' },
    })

    const wrong = await call('POST', `/api/v1/staff/redemptions/${got.id}/fulfil`, staff.nurse2, {
      code: 'ABCDEFGHJK',
    })
    expect([wrong.status, codeOf(wrong.body)]).toEqual([404, 'REDEMPTION_NOT_FOUND'])
    const done = await Promise.all(
      [0, 1, 2].map(() =>
        call('POST', `/api/v1/staff/redemptions/${got.id}/fulfil`, staff.nurse2, { code: got.code }),
      ),
    )
    for (const x of done)
      expect(expectOk(x, 200, (y) => StaffRedemption.parse(y))).toMatchObject({
        status: 'fulfilled',
        fulfilledBy: { name: '周护士' },
      })
    const audits = await auditModel(h.db)
      .find({ action: 'redemption.fulfil', 'detail.redemptionId': got.id })
      .lean()
    expect(audits).toHaveLength(1)
    expect(audits[0]!.patientId?.toHexString()).toBe(a.patientId)
    expect(await auditModel(h.db).countDocuments({ action: 'redemption.lookup' })).toBeGreaterThan(0)
    const reward = await stockOf(r.id)
    expect([reward.stock, reward.holds]).toEqual([2, []])
    // still counts against the limit; cannot be cancelled any more
    expect(await claimOf(a.patientId, r.id)).toBe(1)
    const late = await call('POST', `/api/v1/me/redemptions/${got.id}/cancel`, a.token)
    expect([late.status, codeOf(late.body)]).toEqual([409, 'REDEMPTION_STATE'])
    const staffLate = await call('POST', `/api/v1/staff/redemptions/${got.id}/cancel`, staff.admin, {
      reason: '测试',
    })
    expect([staffLate.status, codeOf(staffLate.body)]).toEqual([409, 'REDEMPTION_STATE'])
  })

  it('lets staff cancel with a reason (a nurse only for her patients); the patient is told', async () => {
    const r = await createReward({ pointsCost: 100 })
    const before = await balance(a.patientId)
    const got = await redeemOk(r.id)
    const outOfScope = await call('POST', `/api/v1/staff/redemptions/${got.id}/cancel`, staff.nurse2, {
      reason: '缺货',
    })
    expect([outOfScope.status, codeOf(outOfScope.body)]).toEqual([404, 'REDEMPTION_NOT_FOUND'])
    const done = expectOk(
      await call('POST', `/api/v1/staff/redemptions/${got.id}/cancel`, staff.nurse, { reason: '礼品缺货' }),
      200,
      (x) => StaffRedemption.parse(x),
    )
    expect(done).toMatchObject({
      status: 'cancelled',
      cancelReason: '礼品缺货',
      cancelledBy: { kind: 'staff', name: '李娜' },
    })
    expect(await balance(a.patientId)).toBe(before)
    const [notice] = push.withPrefix(`redemption:${got.id}`)
    expect(notice).toMatchObject({ patientId: a.patientId, channels: ['inbox'] })
    expect(notice!.content.body).toContain('礼品缺货')
    expect(
      await auditModel(h.db).countDocuments({ action: 'redemption.cancel', 'detail.redemptionId': got.id }),
    ).toBe(1)
  })

  it('lists redemptions by status, reward and date; a nurse sees only her patients', async () => {
    const r = await createReward({ stock: 5 })
    const ofA = await redeemOk(r.id)
    const ofB = await redeemOk(r.id, b)
    const q = `/api/v1/staff/redemptions?rewardId=${r.id}&status=issued`
    const all = expectOk(await call('GET', q, staff.marketer), 200, (x) => StaffRedemptionsResponse.parse(x))
    expect(all.redemptions.map((x) => x.id).sort()).toEqual([ofA.id, ofB.id].sort())
    const nurse = expectOk(await call('GET', q, staff.nurse), 200, (x) => StaffRedemptionsResponse.parse(x))
    expect(nurse.redemptions.map((x) => x.id)).toEqual([ofA.id])
    const other = expectOk(await call('GET', q, staff.nurse2), 200, (x) => StaffRedemptionsResponse.parse(x))
    expect(other.total).toBe(0)
    const future = new Date(h.clock.now().getTime() + 60_000).toISOString()
    const none = expectOk(
      await call('GET', `${q}&from=${encodeURIComponent(future)}`, staff.admin),
      200,
      (x) => StaffRedemptionsResponse.parse(x),
    )
    expect(none.total).toBe(0)
    const counts = expectOk(await call('GET', '/api/v1/staff/rewards', staff.nurse), 200, (x) =>
      StaffRewardsResponse.parse(x),
    ).rewards.find((x) => x.id === r.id)!
    expect(counts).toMatchObject({ stock: 3, counts: { issued: 2, fulfilled: 0 } })
  })
})

describe('expiry', () => {
  it('cancels codes not fulfilled in time: points and stock come back, the patient is told', async () => {
    const r = await createReward({ pointsCost: 100, stock: 1 })
    const got = await redeemOk(r.id)
    // every issued code of the patient expires: all their points come back
    const issued = await redemptionModel(h.db)
      .find({ profileId: new Types.ObjectId(a.patientId), status: 'issued' })
      .lean()
    const expected = (await balance(a.patientId)) + issued.reduce((n, x) => n + x.pointsCost, 0)
    const allIssued = await redemptionModel(h.db).countDocuments({ status: 'issued' })
    h.clock.advance(30 * 86_400_000 + 1000)
    // tokens expire with the clock: log in again
    staff.admin = (await h.staffLogin('admin')).accessToken
    a.token = (await h.login('reward-a')).accessToken
    const late = await call('POST', `/api/v1/staff/redemptions/${got.id}/fulfil`, staff.admin, {
      code: got.code,
    })
    expect([late.status, codeOf(late.body)]).toEqual([409, 'REDEMPTION_STATE'])
    const report = await worker.saga.repair()
    const row = expectOk(await call('GET', `/api/v1/me/redemptions/${got.id}`, a.token), 200, (x) =>
      Redemption.parse(x),
    )
    expect(row).toMatchObject({ status: 'expired', code: null })
    expect(await balance(a.patientId)).toBe(expected)
    expect(report.expired).toBe(allIssued)
    expect((await stockOf(r.id)).stock).toBe(1)
    expect(push.withPrefix(`redemption:${got.id}`)[0]?.content.title).toBe('兑换已过期')
  })
})

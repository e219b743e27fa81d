import { AdjustPointsResponse, ErrorBody, MyPointsResponse, RedeemRewardResponse } from '@careloop/shared'
import { Types } from 'mongoose'
import { pointsAccountModel, pointsEntryModel } from '../../server/src/modules/points/points.model'
import { redemptionModel } from '../../server/src/modules/rewards/redemption.model'
import { rewardModel } from '../../server/src/modules/rewards/reward.model'
import { consentingPatient } from '../src/harness/module-app'
import { useStaffHarness } from '../src/harness/server-harness'

/**
 * Drill (issue 6): "100 concurrent redemptions of a reward with stock 10 → exactly 10 succeed,
 * balances exact", end to end through the real HTTP app and its real points ledger (nothing
 * replaced): 100 consented patients, each given 300 points by an admin through the adjust route,
 * all redeem one stock-10 reward costing 100 at once. Then: exactly 10 issued (10 distinct codes),
 * 90 × 409 REWARD_OUT_OF_STOCK, stock 0; each winner's balance is 200, every other one's 300 (as
 * the patient sees it and in the account); every account equals the sum of its ledger entries.
 * Overlaps `server/src/modules/rewards/redemption-drill.int.test.ts` ("100 concurrent redemptions …"),
 * which runs the same race with a second rewards module and a points port it can make fail (for its
 * crash drills); this one uses only the app's own HTTP routes.
 */
const PATIENTS = 100
const STOCK = 10
const COST = 100
const GIVEN = 300

const h = useStaffHarness()

interface Patient {
  token: string
  patientId: string
}

const profileOid = (p: Patient) => new Types.ObjectId(p.patientId)
const myBalance = async (p: Patient): Promise<number> => {
  const r = await h.request('GET', '/api/v1/me/points', { token: p.token })
  expect(r.status).toBe(200)
  return MyPointsResponse.parse(r.body).balance
}
const ledgerSum = async (p: Patient): Promise<number> =>
  (
    await pointsEntryModel(h.db)
      .find({ profileId: profileOid(p) })
      .lean()
  ).reduce((s, e) => s + e.amount, 0)
const accountBalance = async (p: Patient): Promise<number> =>
  (await pointsAccountModel(h.db).findById(profileOid(p)).lean())?.balance ?? 0

const crowd: Patient[] = []
let admin = ''
let marketer = ''

beforeAll(async () => {
  await h.seedStaff()
  admin = (await h.staffLogin('admin')).accessToken
  marketer = (await h.staffLogin('marketing.zhao')).accessToken
  for (let i = 0; i < PATIENTS; i += 10)
    crowd.push(
      ...(await Promise.all(
        Array.from({ length: 10 }, (_, j) => consentingPatient(h, `redeem-drill-${i + j}`)),
      )),
    )
  // points through the staff route (audited, idempotent by requestId)
  for (let i = 0; i < PATIENTS; i += 20)
    await Promise.all(
      crowd.slice(i, i + 20).map(async (p) => {
        const r = await h.request('POST', `/api/v1/staff/points/patients/${p.patientId}/adjust`, {
          token: admin,
          body: { amount: GIVEN, reason: '演练发放积分', requestId: `drill-grant-${p.patientId}` },
        })
        expect(r.status).toBe(200)
        expect(AdjustPointsResponse.parse(r.body).balance).toBe(GIVEN)
      }),
    )
}, 120_000)

it('100 patients redeem a stock-10 reward at once: exactly 10 issued, balances and ledgers exact', async () => {
  const created = await h.request('POST', '/api/v1/staff/rewards', {
    token: marketer,
    body: { name: '演练礼品', category: 'coupon', pointsCost: COST, stock: STOCK, perPatientLimit: 1 },
  })
  expect(created.status).toBe(201)
  const rewardId = (created.body as { id: string }).id

  const results = await Promise.all(
    crowd.map((p, i) =>
      h.request('POST', `/api/v1/me/rewards/${rewardId}/redeem`, {
        token: p.token,
        body: { requestId: `drill-redeem-${i}-${p.patientId}` },
      }),
    ),
  )

  const winners = new Set<string>()
  const codes = new Set<string>()
  const refusals: string[] = []
  results.forEach((r, i) => {
    if (r.status === 201) {
      const body = RedeemRewardResponse.parse(r.body)
      expect(body.status).toBe('issued')
      codes.add(body.code!)
      winners.add(crowd[i]!.patientId)
    } else refusals.push(`${r.status} ${ErrorBody.parse(r.body).error.code}`)
  })
  expect(winners.size).toBe(STOCK)
  expect(codes.size).toBe(STOCK)
  expect(refusals).toEqual(Array.from({ length: PATIENTS - STOCK }, () => '409 REWARD_OUT_OF_STOCK'))

  const reward = (await rewardModel(h.db).findById(rewardId).lean())!
  expect(reward.stock).toBe(0)
  // nothing left half-done (a refusal is either not stored or stored as failed)
  const stored = await redemptionModel(h.db)
    .find({ rewardId: new Types.ObjectId(rewardId) })
    .lean()
  const issued = stored.filter((r) => r.status === 'issued')
  expect(new Set(issued.map((r) => r.profileId.toHexString()))).toEqual(winners)
  expect(issued).toHaveLength(STOCK)
  expect(stored.filter((r) => r.status !== 'issued' && r.status !== 'failed')).toEqual([])

  // every balance exact, as the patient sees it, in the account, and as the sum of the ledger
  const rows = await Promise.all(
    crowd.map(async (p) => ({
      id: p.patientId,
      seen: await myBalance(p),
      account: await accountBalance(p),
      ledger: await ledgerSum(p),
    })),
  )
  const expected = crowd.map((p) => {
    const b = winners.has(p.patientId) ? GIVEN - COST : GIVEN
    return { id: p.patientId, seen: b, account: b, ledger: b }
  })
  expect(rows).toEqual(expected)
  // one spend per winner, none for the others
  const spends = await pointsEntryModel(h.db)
    .find({ kind: 'spend', profileId: { $in: crowd.map(profileOid) } })
    .lean()
  expect(new Set(spends.map((s) => s.profileId.toHexString()))).toEqual(winners)
  expect(spends.map((s) => s.amount)).toEqual(Array.from({ length: STOCK }, () => -COST))
}, 60_000)

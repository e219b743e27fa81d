import { Types } from 'mongoose'
import type { Connection } from '../../../server/src/db/connection'
import { redemptionModel, type RedemptionDoc } from '../../../server/src/modules/rewards/redemption.model'
import { rewardModel } from '../../../server/src/modules/rewards/reward.model'

export interface RewardFixture {
  /** An active reward (edited and restocked by the matrix). */
  rewardId: string
  /** An active reward the matrix deactivates (then again: idempotent). */
  toDeactivate: string
  /** Issued redemptions of the patient: one to fulfil with `fulfilCode`, one to cancel. */
  toFulfil: string
  fulfilCode: string
  toCancel: string
}

let n = 0

/**
 * Rewards and issued redemptions for `patientId`, written straight to the database (no points are
 * spent, so cancelling one refunds nothing): enough for every staff rewards route to succeed.
 */
export const seedRewardFixture = async (
  db: Connection,
  patientId: string,
  now: Date,
): Promise<RewardFixture> => {
  const reward = async (name: string) =>
    (
      await rewardModel(db).create({
        name,
        description: '',
        imageUrl: null,
        category: 'coupon',
        pointsCost: 10,
        stock: 10,
        totalStock: 10,
        perPatientLimit: 5,
        validFrom: null,
        validUntil: null,
        active: true,
        tierRequired: null,
        holds: [],
        restocks: [],
        createdBy: 'fixture',
        createdAt: now,
        updatedAt: now,
      })
    )._id
  const rewardId = await reward(`夹具礼品${++n}`)
  const toDeactivate = await reward(`夹具下架${++n}`)
  const redemption = async (code: string) => {
    const doc: Omit<RedemptionDoc, '_id'> = {
      profileId: new Types.ObjectId(patientId),
      accountId: new Types.ObjectId(),
      requestId: `fixture-${code}`,
      rewardId,
      rewardName: '夹具礼品',
      category: 'coupon',
      pointsCost: 10,
      perPatientLimit: 5,
      status: 'issued',
      code,
      failCode: null,
      failReason: null,
      leaseOwner: null,
      leaseUntil: null,
      createdAt: now,
      updatedAt: now,
      issuedAt: now,
      expiresAt: null,
      fulfilledAt: null,
      fulfilledBy: null,
      cancel: null,
      cancelledAt: null,
      settleAt: null,
      settledAt: null,
    }
    return (await redemptionModel(db).create(doc))._id.toHexString()
  }
  // codes of the redemption alphabet (no 0/1/I/L/O)
  const suffix = String(2 + (n % 8)).repeat(2)
  const fulfilCode = `FXFAKEFF${suffix}`
  return {
    rewardId: rewardId.toHexString(),
    toDeactivate: toDeactivate.toHexString(),
    toFulfil: await redemption(fulfilCode),
    fulfilCode,
    toCancel: await redemption(`FXFAKECC${suffix}`),
  }
}

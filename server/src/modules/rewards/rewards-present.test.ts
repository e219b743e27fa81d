import { Types } from 'mongoose'
import type { RedemptionDoc } from './redemption.model'
import type { RewardRow } from './reward.repo'
import { addCount, blockerOf, emptyCounts, presentPatientReward, presentRedemption } from './rewards-present'

const NOW = new Date('2026-03-01T08:00:00Z')
const reward = (over: Partial<RewardRow> = {}): RewardRow => ({
  _id: new Types.ObjectId(),
  name: '体脂秤',
  description: '',
  imageUrl: null,
  category: 'physical',
  pointsCost: 500,
  stock: 3,
  totalStock: 3,
  perPatientLimit: 2,
  validFrom: null,
  validUntil: null,
  active: true,
  tierRequired: null,
  createdBy: 'staff-1',
  createdAt: NOW,
  updatedAt: NOW,
  ...over,
})
const me = { now: NOW, tier: 'standard' as const, held: 0, balance: 1000 }

describe('why a patient cannot redeem', () => {
  it('answers null when everything allows it', () => {
    expect(blockerOf(reward(), me)).toBeNull()
  })

  it('names the first blocker in a fixed order', () => {
    const later = new Date(NOW.getTime() + 1000)
    expect(blockerOf(reward({ validFrom: later, stock: 0 }), me)).toBe('not_started')
    expect(blockerOf(reward({ validUntil: NOW }), me)).toBe('ended')
    expect(blockerOf(reward({ active: false }), me)).toBe('ended')
    expect(blockerOf(reward({ tierRequired: 'silver', stock: 0 }), me)).toBe('tier_required')
    expect(blockerOf(reward({ tierRequired: 'silver' }), { ...me, tier: 'gold' })).toBeNull()
    expect(blockerOf(reward({ stock: 0 }), { ...me, held: 2 })).toBe('out_of_stock')
    expect(blockerOf(reward(), { ...me, held: 2, balance: 0 })).toBe('limit_reached')
    expect(blockerOf(reward(), { ...me, balance: 499 })).toBe('insufficient_points')
    expect(blockerOf(reward(), { ...me, balance: 500 })).toBeNull()
  })

  it('says how many more the patient may redeem and whether they can afford it', () => {
    expect(presentPatientReward(reward(), { ...me, held: 1, balance: 100 })).toMatchObject({
      redeemedByMe: 1,
      remainingForMe: 1,
      affordable: false,
      canRedeem: false,
      blocker: 'insufficient_points',
    })
    // a limit lowered below what is held never shows a negative remainder
    expect(presentPatientReward(reward({ perPatientLimit: 1 }), { ...me, held: 2 }).remainingForMe).toBe(0)
  })
})

describe('presenting redemptions', () => {
  const doc = (over: Partial<RedemptionDoc>): RedemptionDoc => ({
    _id: new Types.ObjectId(),
    profileId: new Types.ObjectId(),
    accountId: new Types.ObjectId(),
    requestId: 'req-00000001',
    rewardId: new Types.ObjectId(),
    rewardName: '体脂秤',
    category: 'physical',
    pointsCost: 500,
    perPatientLimit: 1,
    status: 'issued',
    code: 'ABCDEFGHJK',
    failCode: null,
    failReason: null,
    leaseOwner: null,
    leaseUntil: null,
    createdAt: NOW,
    updatedAt: NOW,
    issuedAt: NOW,
    expiresAt: null,
    fulfilledAt: null,
    fulfilledBy: null,
    cancel: null,
    cancelledAt: null,
    settleAt: null,
    settledAt: null,
    ...over,
  })

  it('shows the code only while it is good for something; failing reads as failed', () => {
    expect(presentRedemption(doc({})).code).toBe('ABCDEFGHJK')
    expect(presentRedemption(doc({ status: 'fulfilled' })).code).toBe('ABCDEFGHJK')
    expect(presentRedemption(doc({ status: 'cancelled' })).code).toBeNull()
    expect(presentRedemption(doc({ status: 'cancelled' }), { alwaysCode: true }).code).toBe('ABCDEFGHJK')
    expect(presentRedemption(doc({ status: 'failing', code: undefined })).status).toBe('failed')
  })

  it('counts cancelling as cancelled and leaves failed attempts out of the catalogue counts', () => {
    const c = emptyCounts()
    addCount(c, 'issued', 2)
    addCount(c, 'cancelling', 1)
    addCount(c, 'cancelled', 3)
    addCount(c, 'failed', 9)
    addCount(c, 'failing', 1)
    expect(c).toEqual({ pending: 0, issued: 2, fulfilled: 0, cancelled: 4, expired: 0 })
  })
})

// Canned answers of the points, rewards and membership API (shared contracts) for the page tests.
import type {
  MembershipOrder,
  MembershipPlan,
  MembershipStatus,
  MyPointsResponse,
  MyRewardResponse,
  PatientReward,
  PointsEntry,
  PointsWaysResponse,
  Redemption,
} from '@careloop/shared'

import { SELF_ID } from './fake-api'

export const REWARD_ID = '65f0c0ffee00000000c00001'
export const REDEMPTION_ID = '65f0c0ffee00000000d00001'
export const ORDER_ID = '65f0c0ffee00000000e00001'

export function myPoints(extra: Partial<MyPointsResponse> = {}): MyPointsResponse {
  return {
    patientId: SELF_ID,
    balance: 120,
    earned12m: 400,
    tier: { id: 'standard', name: '普通会员', multiplier: 1, benefits: [], source: 'points' },
    nextTier: { id: 'silver', name: '银卡会员', threshold: 1000, remaining: 600 },
    expiring: { points: 0, withinDays: 30, firstDate: null },
    checkin: { today: false, streakDays: 2 },
    ...extra,
  }
}

let n = 0
export function entry(extra: Partial<PointsEntry> = {}): PointsEntry {
  n += 1
  return {
    id: `65f0c0ffee00000000f${String(n).padStart(5, '0')}`,
    kind: 'earn',
    amount: 5,
    rule: 'checkin',
    title: '每日签到',
    at: '2026-05-02T01:00:00.000Z',
    expiresAt: null,
    balanceAfter: null,
    ...extra,
  }
}

export function ways(extra: Partial<PointsWaysResponse> = {}): PointsWaysResponse {
  return {
    multiplier: 1,
    ways: [
      {
        rule: 'checkin',
        label: '每日签到',
        points: 5,
        pointsWithTier: 5,
        dailyCap: 5,
        monthlyCap: null,
        today: 0,
        thisMonth: 10,
        capped: false,
      },
      {
        rule: 'questionnaire',
        label: '完成问卷',
        points: 20,
        pointsWithTier: 20,
        dailyCap: 40,
        monthlyCap: 200,
        today: 40,
        thisMonth: 60,
        capped: true,
      },
    ],
    ...extra,
  }
}

export function reward(extra: Partial<PatientReward> = {}): PatientReward {
  return {
    id: REWARD_ID,
    name: '电子血压计',
    description: '上臂式，家用',
    imageUrl: null,
    category: 'physical',
    pointsCost: 100,
    stock: 8,
    perPatientLimit: 1,
    validFrom: null,
    validUntil: null,
    tierRequired: null,
    redeemedByMe: 0,
    remainingForMe: 1,
    affordable: true,
    canRedeem: true,
    blocker: null,
    ...extra,
  }
}

export const rewardDetail = (extra: Partial<MyRewardResponse> = {}): MyRewardResponse => ({
  ...reward(),
  balance: 120,
  ...extra,
})

export function redemption(extra: Partial<Redemption> = {}): Redemption {
  return {
    id: REDEMPTION_ID,
    rewardId: REWARD_ID,
    rewardName: '电子血压计',
    category: 'physical',
    pointsCost: 100,
    status: 'issued',
    code: 'AB3K7XY9PQ',
    createdAt: '2026-05-02T02:00:00.000Z',
    issuedAt: '2026-05-02T02:00:00.000Z',
    expiresAt: null,
    fulfilledAt: null,
    cancelledAt: null,
    cancelReason: null,
    ...extra,
  }
}

export const monthly: MembershipPlan = {
  code: 'monthly',
  name: '月度会员',
  period: 'month',
  priceFen: 2990,
  tier: 'gold',
  quotas: [{ kind: 'nurse_consult', perMonth: 2 }],
  benefits: '金卡会员：积分加速、消息优先回复；每月护士咨询 2 次',
  active: true,
  sort: 10,
}

export const noMembership: MembershipStatus = {
  active: false,
  plan: null,
  tier: null,
  until: null,
  quotas: [],
}

export const goldMembership: MembershipStatus = {
  active: true,
  plan: { code: 'monthly', name: '月度会员', period: 'month' },
  tier: 'gold',
  until: '2026-06-02T02:00:00.000Z',
  quotas: [{ kind: 'nurse_consult', month: '2026-05', perMonth: 2, used: 0, left: 2 }],
}

export function order(extra: Partial<MembershipOrder> = {}): MembershipOrder {
  return {
    id: ORDER_ID,
    outTradeNo: 'CL20260502ABCDEF',
    plan: { code: 'monthly', name: '月度会员', period: 'month', tier: 'gold' },
    amountFen: 2990,
    status: 'PENDING',
    createdAt: '2026-05-02T02:00:00.000Z',
    expiresAt: '2026-05-02T02:30:00.000Z',
    paidAt: null,
    transactionId: null,
    refundedFen: 0,
    refunds: [],
    grant: null,
    ...extra,
  }
}

export const paid = (extra: Partial<MembershipOrder> = {}): MembershipOrder =>
  order({
    status: 'PAID',
    paidAt: '2026-05-02T02:01:00.000Z',
    transactionId: '4200001234202605021234567890',
    grant: { from: '2026-05-02T02:01:00.000Z', until: '2026-06-02T02:01:00.000Z' },
    ...extra,
  })

export const payParams = {
  appId: 'wxsimappid0000001',
  timeStamp: '1777777777',
  nonceStr: 'nonce123',
  package: 'prepay_id=wx2026050200001',
  signType: 'RSA' as const,
  paySign: 'c2lnbg==',
}

import {
  membershipRoutes,
  pointsRoutes,
  rewardRoutes,
  type AdjustPointsRequest,
  type CreateRewardRequest,
  type EarnRuleId,
  type OrderStatus,
  type RedemptionStatus,
  type RefundRequest,
  type RestockRewardRequest,
  type RewardCategory,
  type SaveMembershipPlanRequest,
  type UpdatePointsRuleRequest,
  type UpdatePointsTiersRequest,
  type UpdateRewardRequest,
  type z,
} from '@careloop/shared'
import { call } from './api'

export interface RedemptionFilter {
  code?: string
  status?: RedemptionStatus
  rewardId?: string
  patientId?: string
  from?: string
  to?: string
  page: number
  pageSize: number
}

export interface OrderFilter {
  status?: OrderStatus
  patientId?: string
  outTradeNo?: string
  from?: string
  to?: string
  page: number
  pageSize: number
}

const p = pointsRoutes
const r = rewardRoutes
const m = membershipRoutes

/** The console client of 积分, 奖品与核销, 会员与订单 (the staff routes of the shared contract). */
export const loyaltyApi = {
  pointsRules: () => call(p.listPointsRules),
  updatePointsRule: (rule: EarnRuleId, body: UpdatePointsRuleRequest) =>
    call(p.updatePointsRule, { params: { rule }, body }),
  pointsTiers: () => call(p.getPointsTiers),
  updatePointsTiers: (body: UpdatePointsTiersRequest) => call(p.updatePointsTiers, { body }),
  patientPoints: (id: string, limit = 10) => call(p.patientPoints, { params: { id }, query: { limit } }),
  adjustPoints: (id: string, body: AdjustPointsRequest) => call(p.adjustPoints, { params: { id }, body }),
  pointsLiability: (month?: string) => call(p.pointsLiability, { query: { month } }),

  listRewards: (query: { status: 'active' | 'inactive' | 'all'; category?: RewardCategory }) =>
    call(r.listRewards, { query }),
  createReward: (body: z.input<typeof CreateRewardRequest>) => call(r.createReward, { body }),
  updateReward: (id: string, body: z.input<typeof UpdateRewardRequest>) =>
    call(r.updateReward, { params: { id }, body }),
  restockReward: (id: string, body: RestockRewardRequest) => call(r.restockReward, { params: { id }, body }),
  deactivateReward: (id: string) => call(r.deactivateReward, { params: { id } }),
  listRedemptions: (query: RedemptionFilter) => call(r.listRedemptions, { query: { ...query } }),
  fulfilRedemption: (id: string, code: string) =>
    call(r.fulfilRedemption, { params: { id }, body: { code } }),
  cancelRedemption: (id: string, reason: string) =>
    call(r.cancelRedemption, { params: { id }, body: { reason } }),

  membershipPlans: () => call(m.staffMembershipPlans),
  saveMembershipPlan: (code: string, body: z.input<typeof SaveMembershipPlanRequest>) =>
    call(m.saveMembershipPlan, { params: { code }, body }),
  listOrders: (query: OrderFilter) => call(m.listMembershipOrders, { query: { ...query } }),
  getOrder: (id: string) => call(m.getMembershipOrder, { params: { id } }),
  refundOrder: (id: string, body: RefundRequest) => call(m.refundMembershipOrder, { params: { id }, body }),
  patientMembership: (id: string) => call(m.patientMembership, { params: { id } }),
}

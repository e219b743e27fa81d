import type {
  PatientReward,
  Redemption,
  RedemptionStatus,
  RewardBlocker,
  RewardCategory,
  RewardTier,
} from '@careloop/shared'

import { ApiError } from '../api/http'

/**
 * 积分商城 and 我的兑换 (F29): how rewards and redemptions read to a patient. Redeeming is idempotent
 * by a client request id: a retry (or a double tap) with the same id answers the first redemption.
 */

export type Tone = 'teal' | 'blue' | 'grey' | 'orange' | 'red'

export const CATEGORY_LABELS: Record<RewardCategory, string> = {
  physical: '实物礼品',
  service: '健康服务',
  coupon: '优惠券',
}

/** One character for the image placeholder of a reward without a picture. */
export const CATEGORY_ICONS: Record<RewardCategory, string> = { physical: '礼', service: '护', coupon: '券' }

export const TIER_LABELS: Record<RewardTier, string> = {
  standard: '普通会员',
  silver: '银卡会员',
  gold: '金卡会员',
  platinum: '白金会员',
}

export const REDEMPTION_STATUS: Record<RedemptionStatus, { label: string; tone: Tone }> = {
  pending: { label: '处理中', tone: 'blue' },
  issued: { label: '待核销', tone: 'teal' },
  fulfilled: { label: '已核销', tone: 'grey' },
  cancelling: { label: '取消中', tone: 'orange' },
  cancelled: { label: '已取消', tone: 'grey' },
  expired: { label: '已过期', tone: 'grey' },
  failed: { label: '未成功', tone: 'red' },
}

/** The short state a reward card shows when it cannot be redeemed now. */
export function blockerLabel(blocker: RewardBlocker, tier: RewardTier | null = null): string {
  switch (blocker) {
    case 'out_of_stock':
      return '已兑完'
    case 'limit_reached':
      return '已达兑换上限'
    case 'insufficient_points':
      return '积分不足'
    case 'tier_required':
      return tier ? `${TIER_LABELS[tier]}专享` : '会员专享'
    case 'not_started':
      return '尚未开始'
    case 'ended':
      return '已结束'
  }
}

/** 兑换 is offered only for what can be redeemed now. */
export const canRedeem = (r: Pick<PatientReward, 'canRedeem'>): boolean => r.canRedeem

/** 取消兑换 is possible before the nurse checks it off. */
export const canCancel = (r: Pick<Redemption, 'status'>): boolean => r.status === 'issued'

/** A code split for reading aloud: `AB3K7 XY9PQ`. */
export const spacedCode = (code: string): string =>
  code.length > 5 ? `${code.slice(0, 5)} ${code.slice(5)}` : code

/** What happened to a cancelled or expired redemption's points. */
export function redemptionNote(r: Redemption): string | null {
  if (r.status === 'issued') return '请在护士站或服务台出示兑换码，由工作人员核销'
  if (r.status === 'fulfilled') return '已核销，感谢您的参与'
  if (r.status === 'cancelled' || r.status === 'cancelling')
    return `已取消，${r.pointsCost} 积分${r.status === 'cancelling' ? '正在' : '已'}退回`
  if (r.status === 'expired') return `兑换码已过期，${r.pointsCost} 积分已退回`
  if (r.status === 'pending') return '正在为您处理，请稍候刷新'
  return '兑换未成功，积分未扣除'
}

/**
 * True when a failed redeem may be retried with the same request id (the request may not have
 * reached the server, or it failed on the way): a network error or a 5xx. A refusal (409: out of
 * stock, limit, points) is final for that id: the next attempt takes a new one.
 */
export const retryableWithSameId = (e: unknown): boolean =>
  e instanceof ApiError && (e.status === 0 || e.status >= 500)

import type {
  CheckinResponse,
  EarnRuleId,
  MyPointsResponse,
  PointsEntry,
  PointsEntryKind,
  PointsWay,
} from '@careloop/shared'

import { PAGES, type PagePath } from '../routes'

/**
 * 我的积分 (F26–F28, F30): how the balance, the tier, the history and the ways to earn read to a
 * patient. The server writes entry titles in Chinese (每日签到, 兑换「体脂秤」); these are fallbacks.
 */

export const RULE_LABELS: Record<EarnRuleId, string> = {
  checkin: '每日签到',
  questionnaire: '完成问卷',
  content_read: '阅读健康宣教',
  lecture: '参加健康讲堂',
  reading: '记录健康数据',
  membership: '开通付费会员',
}

export const ENTRY_KIND_LABELS: Record<PointsEntryKind, string> = {
  earn: '获得积分',
  spend: '积分兑换',
  refund: '积分退回',
  adjust: '积分调整',
  expire: '积分过期',
}

const HAS_CHINESE = /[\u4e00-\u9fff]/

/** What the patient reads for an entry: the server's title, else the rule's or the kind's label. */
export function entryTitle(e: Pick<PointsEntry, 'title' | 'rule' | 'kind'>): string {
  if (e.title && HAS_CHINESE.test(e.title)) return e.title
  return e.rule ? RULE_LABELS[e.rule] : ENTRY_KIND_LABELS[e.kind]
}

/** `+5` / `-300` (a proper minus sign). */
export const signedPoints = (n: number): string => (n > 0 ? `+${n}` : n < 0 ? `−${Math.abs(n)}` : '0')

/** `1.2 倍` (the multiplier without trailing zeros). */
export const multiplierText = (m: number): string => `${Number(m.toFixed(2))} 倍`

/**
 * What the tier gives, in one line: its benefits (the hospital writes them, e.g. 积分 1.2 倍 ·
 * 健康讲堂优先报名), with the multiplier named first unless a benefit already says it.
 */
export function tierPerks(tier: Pick<MyPointsResponse['tier'], 'multiplier' | 'benefits'>): string {
  const perks = [...tier.benefits]
  if (tier.multiplier > 1 && !perks.some((b) => b.includes('倍')))
    perks.unshift(`积分 ${multiplierText(tier.multiplier)}`)
  return perks.length > 0 ? perks.join(' · ') : '升级会员等级可享积分加速等权益'
}

/** Progress to the next tier by points earned in 12 months: percent (0–100) and the sentence. */
export function tierProgress(p: Pick<MyPointsResponse, 'earned12m' | 'nextTier'>): {
  percent: number
  text: string
} {
  if (!p.nextTier) return { percent: 100, text: '您已是最高等级' }
  const { threshold, remaining, name } = p.nextTier
  const percent =
    threshold <= 0 ? 100 : Math.max(0, Math.min(100, Math.round((p.earned12m / threshold) * 100)))
  return { percent, text: `再获得 ${remaining} 积分可升级为${name}` }
}

/** `30 积分将在 14 天内到期（最早 2026-05-01）`, or null when nothing expires soon. */
export function expiringText(p: Pick<MyPointsResponse, 'expiring'>): string | null {
  const { points, withinDays, firstDate } = p.expiring
  if (points <= 0) return null
  return `${points} 积分将在 ${withinDays} 天内到期${firstDate ? `（最早 ${firstDate}）` : ''}，请及时兑换`
}

/** The line under 签到: streak and what today's check-in did. */
export function checkinText(c: MyPointsResponse['checkin']): string {
  if (c.today) return c.streakDays > 1 ? `已连续签到 ${c.streakDays} 天` : '今日已签到，明天继续'
  return c.streakDays > 0 ? `已连续签到 ${c.streakDays} 天，今天别断签` : '每天签到领积分'
}

/** The toast after 签到. */
export function checkinToast(r: CheckinResponse): string {
  if (r.already) return '今日已签到'
  if (r.awarded > 0) return `签到成功 +${r.awarded}`
  return '签到成功'
}

/** Today's (or this month's) progress of a way to earn against its cap. */
export function wayProgress(w: PointsWay): { text: string; percent: number | null } {
  if (w.dailyCap !== null)
    return {
      text: `今日 ${w.today}/${w.dailyCap}`,
      percent: Math.min(100, Math.round((w.today / Math.max(1, w.dailyCap)) * 100)),
    }
  if (w.monthlyCap !== null)
    return {
      text: `本月 ${w.thisMonth}/${w.monthlyCap}`,
      percent: Math.min(100, Math.round((w.thisMonth / Math.max(1, w.monthlyCap)) * 100)),
    }
  return { text: w.today > 0 ? `今日已得 ${w.today}` : '不限次数', percent: null }
}

/** Where a way to earn is done (去完成); check-in is on the points page itself. */
export const WAY_PAGES: Partial<Record<EarnRuleId, PagePath>> = {
  questionnaire: PAGES.followupPlan,
  content_read: PAGES.contentList,
  reading: PAGES.readings,
  membership: PAGES.member,
}

/** The summary after a check-in (balance and streak from the answer; today is done either way). */
export const withCheckin = (p: MyPointsResponse, r: CheckinResponse): MyPointsResponse => ({
  ...p,
  balance: r.balance,
  checkin: { today: true, streakDays: r.streakDays },
})

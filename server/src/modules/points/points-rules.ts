import { EARN_RULES, POINTS_TIER_IDS, type EarnRuleId, type PointsTierId } from '@careloop/shared'
import type { TierDoc } from './points.model'

/**
 * Pure rules of earning (F27) and tiers (F30): caps, the multiplier, which tier a profile is in.
 * Caps count rule points (before the tier multiplier), so a multiplier is never eaten by a cap that
 * was sized for the rule's own points.
 */

export interface RuleConfig {
  rule: EarnRuleId
  points: number
  dailyCap: number | null
  monthlyCap: number | null
  enabled: boolean
  updatedAt: Date | null
  updatedBy: string | null
}

type RuleDefaults = Pick<RuleConfig, 'points' | 'dailyCap' | 'monthlyCap' | 'enabled'>

/** The hospital's starting rules; marketers and admins change them in the console. */
export const DEFAULT_RULES: Record<EarnRuleId, RuleDefaults> = {
  checkin: { points: 5, dailyCap: 5, monthlyCap: null, enabled: true },
  questionnaire: { points: 20, dailyCap: 40, monthlyCap: 200, enabled: true },
  content_read: { points: 2, dailyCap: 10, monthlyCap: null, enabled: true },
  lecture: { points: 50, dailyCap: null, monthlyCap: null, enabled: true },
  reading: { points: 2, dailyCap: 6, monthlyCap: 60, enabled: true },
  membership: { points: 200, dailyCap: null, monthlyCap: null, enabled: true },
}

export const defaultRule = (rule: EarnRuleId): RuleConfig => ({
  rule,
  ...DEFAULT_RULES[rule],
  updatedAt: null,
  updatedBy: null,
})

export const isEarnRule = (v: string): v is EarnRuleId => (EARN_RULES as readonly string[]).includes(v)

/** Account counter keys of a rule's caps. */
export const capKeys = (rule: EarnRuleId, day: string, month: string): { day: string; month: string } => ({
  day: `${rule}|d|${day}`,
  month: `${rule}|m|${month}`,
})

export type LimitedBy = 'daily_cap' | 'monthly_cap' | 'rule_disabled'

/** Rule points one event earns given what was counted today and this month. */
export const grantOf = (
  rule: Pick<RuleConfig, 'points' | 'dailyCap' | 'monthlyCap' | 'enabled'>,
  used: { day: number; month: number },
): { base: number; limitedBy: LimitedBy | null } => {
  if (!rule.enabled) return { base: 0, limitedBy: 'rule_disabled' }
  let base = rule.points
  let limitedBy: LimitedBy | null = null
  if (rule.dailyCap !== null && rule.dailyCap - used.day < base) {
    base = Math.max(0, rule.dailyCap - used.day)
    limitedBy = 'daily_cap'
  }
  if (rule.monthlyCap !== null && rule.monthlyCap - used.month < base) {
    base = Math.max(0, rule.monthlyCap - used.month)
    limitedBy = 'monthly_cap'
  }
  return { base, limitedBy }
}

/** Points after the tier multiplier, rounded down (multipliers have at most 2 decimals). */
export const withMultiplier = (base: number, multiplier: number): number =>
  Math.floor((base * Math.round(multiplier * 100)) / 100)

// ---- tiers ------------------------------------------------------------------------------------

export const DEFAULT_TIERS: TierDoc[] = [
  { id: 'standard', name: '普通会员', threshold: 0, multiplier: 1, benefits: [] },
  { id: 'silver', name: '银卡会员', threshold: 1000, multiplier: 1.1, benefits: ['积分 1.1 倍'] },
  {
    id: 'gold',
    name: '金卡会员',
    threshold: 3000,
    multiplier: 1.2,
    benefits: ['积分 1.2 倍', '健康讲堂优先报名'],
  },
  {
    id: 'platinum',
    name: '白金会员',
    threshold: 8000,
    multiplier: 1.5,
    benefits: ['积分 1.5 倍', '健康讲堂优先报名', '护士优先回复'],
  },
]

export const tierRank = (id: PointsTierId): number => POINTS_TIER_IDS.indexOf(id)

/** The highest tier whose threshold the points earned in 12 months reach. */
export const tierByPoints = (tiers: TierDoc[], earned12m: number): TierDoc =>
  tiers.reduce(
    (best, t) => (t.threshold <= earned12m && tierRank(t.id) > tierRank(best.id) ? t : best),
    tiers[0]!,
  )

/** Points earned in the given months (`earned` buckets of the account). */
export const earnedIn = (earned: Record<string, number>, months: string[]): number =>
  months.reduce((sum, m) => sum + (earned[m] ?? 0), 0)

export interface TierResult {
  tier: TierDoc
  source: 'points' | 'membership'
  /** The next tier above the current one and the points earned in 12 months that reach it. */
  next: TierDoc | null
}

/** The tier in force: by points, or a paid membership's when that is higher. */
export const effectiveTier = (
  tiers: TierDoc[],
  earned12m: number,
  membershipTier: PointsTierId | undefined,
): TierResult => {
  const byPoints = tierByPoints(tiers, earned12m)
  const byMembership = membershipTier ? tiers.find((t) => t.id === membershipTier) : undefined
  const membershipWins = byMembership !== undefined && tierRank(byMembership.id) > tierRank(byPoints.id)
  const tier = membershipWins ? byMembership : byPoints
  const next = tiers.find((t) => tierRank(t.id) > tierRank(tier.id)) ?? null
  return { tier, source: membershipWins ? 'membership' : 'points', next }
}

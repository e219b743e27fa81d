import { EARN_RULES, type EarnRuleId } from '@careloop/shared'
import type { Connection } from 'mongoose'
import type { Clock } from '../../clock'
import { pointsRuleModel, pointsSettingsModel, type PointsRuleDoc, type TierDoc } from './points.model'
import { DEFAULT_TIERS, defaultRule, type RuleConfig } from './points-rules'

/**
 * Earn rules (`points_rules`), tier definitions and job checkpoints (`points_settings`). Rules and
 * tiers are read on every earn, so they are cached in the process for a few seconds; a change made
 * through this process clears the cache at once, other processes see it within CACHE_MS.
 */

export const CACHE_MS = 5_000

export interface RuleChange {
  points?: number
  dailyCap?: number | null
  monthlyCap?: number | null
  enabled?: boolean
}

export interface PointsSettingsRepo {
  rule(rule: EarnRuleId): Promise<RuleConfig>
  rules(): Promise<RuleConfig[]>
  updateRule(rule: EarnRuleId, change: RuleChange, by: string): Promise<RuleConfig>
  tiers(): Promise<{ tiers: TierDoc[]; updatedAt: Date | null }>
  setTiers(tiers: TierDoc[], by: string): Promise<{ tiers: TierDoc[]; updatedAt: Date | null }>
  /** A job's checkpoint (the start of its last complete run). */
  checkpoint(job: string): Promise<Date | null>
  setCheckpoint(job: string, through: Date): Promise<void>
}

const fromDoc = (d: PointsRuleDoc): RuleConfig => ({
  rule: d._id,
  points: d.points,
  dailyCap: d.dailyCap ?? null,
  monthlyCap: d.monthlyCap ?? null,
  enabled: d.enabled,
  updatedAt: d.updatedAt ?? null,
  updatedBy: d.updatedBy ?? null,
})

export const createPointsSettingsRepo = (conn: Connection, clock: Clock): PointsSettingsRepo => {
  const R = pointsRuleModel(conn)
  const S = pointsSettingsModel(conn)
  let rulesCache: { at: number; rules: Map<EarnRuleId, RuleConfig> } | null = null
  let tiersCache: { at: number; value: { tiers: TierDoc[]; updatedAt: Date | null } } | null = null
  // Cache age is process time (not the domain clock, which tests and the demo move at will).
  const fresh = (at: number): boolean => performance.now() - at < CACHE_MS

  const loadRules = async (): Promise<Map<EarnRuleId, RuleConfig>> => {
    if (rulesCache && fresh(rulesCache.at)) return rulesCache.rules
    const docs = await R.find({}).lean<PointsRuleDoc[]>()
    const stored = new Map(docs.map((d) => [d._id, fromDoc(d)]))
    const rules = new Map(EARN_RULES.map((r) => [r, stored.get(r) ?? defaultRule(r)]))
    rulesCache = { at: performance.now(), rules }
    return rules
  }

  return {
    async rule(rule) {
      return (await loadRules()).get(rule) ?? defaultRule(rule)
    },
    async rules() {
      return [...(await loadRules()).values()]
    },
    async updateRule(rule, change, by) {
      const base = (await loadRules()).get(rule) ?? defaultRule(rule)
      const next = { ...base, ...change, updatedAt: clock.now(), updatedBy: by }
      await R.updateOne(
        { _id: rule },
        {
          $set: {
            points: next.points,
            dailyCap: next.dailyCap,
            monthlyCap: next.monthlyCap,
            enabled: next.enabled,
            updatedAt: next.updatedAt,
            updatedBy: by,
          },
        },
        { upsert: true },
      )
      rulesCache = null
      return next
    },
    async tiers() {
      if (tiersCache && fresh(tiersCache.at)) return tiersCache.value
      const d = await S.findById('tiers').lean()
      const value = d?.tiers?.length
        ? { tiers: d.tiers, updatedAt: d.updatedAt }
        : { tiers: DEFAULT_TIERS, updatedAt: null }
      tiersCache = { at: performance.now(), value }
      return value
    },
    async setTiers(tiers, by) {
      const updatedAt = clock.now()
      await S.updateOne({ _id: 'tiers' }, { $set: { tiers, updatedAt, updatedBy: by } }, { upsert: true })
      tiersCache = null
      return { tiers, updatedAt }
    },
    async checkpoint(job) {
      const d = await S.findById(`job:${job}`).lean()
      return d?.through ?? null
    },
    async setCheckpoint(job, through) {
      await S.updateOne(
        { _id: `job:${job}` },
        { $set: { through, updatedAt: clock.now() } },
        { upsert: true },
      )
    },
  }
}

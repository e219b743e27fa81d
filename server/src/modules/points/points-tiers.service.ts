import type { PointsTierStatus } from '@careloop/shared'
import type { Clock } from '../../clock'
import type { Logger } from '../../logger'
import type { PointsAccountRepo } from './points-account.repo'
import type { MembershipLookup, TierId } from './points.port'
import { earnedIn, effectiveTier, type TierResult } from './points-rules'
import type { PointsSettingsRepo } from './points-settings.repo'
import { last12Months } from './points-time'
import { oid } from './points-ledger.repo'

/**
 * Tiers (F30): by points earned in the last 12 months (this month and the 11 before, in the
 * hospital's zone), or the tier of a paid membership in force when that is higher. The tier's
 * multiplier applies to every earn.
 */
export interface TierStatus extends TierResult {
  earned12m: number
}

export interface PointsTiers {
  /** The tier in force (what the rewards mall checks). */
  tierOf(profileId: string): Promise<TierId>
  status(profileId: string): Promise<TierStatus>
  /** The tier for an account's earned buckets (already read) and a membership tier (already looked up). */
  fromEarned(earned: Record<string, number>, membershipTier: TierId | undefined): Promise<TierStatus>
  /** The paid membership's tier now, if any (a lookup failure counts as none, logged). */
  membershipTier(profileId: string): Promise<TierId | undefined>
  /** Plugs in the membership module (built after this one). */
  setMembership(lookup: MembershipLookup): void
}

export const presentTier = (s: TierStatus): PointsTierStatus => ({
  id: s.tier.id,
  name: s.tier.name,
  multiplier: s.tier.multiplier,
  benefits: s.tier.benefits,
  source: s.source,
})

export const createPointsTiers = (deps: {
  accounts: Pick<PointsAccountRepo, 'read'>
  settings: Pick<PointsSettingsRepo, 'tiers'>
  clock: Clock
  timeZone: string
  logger: Logger
  membership?: MembershipLookup
}): PointsTiers => {
  let membership = deps.membership
  const membershipTier = async (profileId: string): Promise<TierId | undefined> => {
    if (!membership) return undefined
    try {
      return (await membership.activeMembership(profileId, deps.clock.now()))?.tier
    } catch (err) {
      deps.logger.warn({ err, profileId }, 'membership lookup failed; tier by points only')
      return undefined
    }
  }
  const fromEarned = async (
    earned: Record<string, number>,
    mTier: TierId | undefined,
  ): Promise<TierStatus> => {
    const { tiers } = await deps.settings.tiers()
    const earned12m = earnedIn(earned, last12Months(deps.clock.now(), deps.timeZone))
    return { ...effectiveTier(tiers, earned12m, mTier), earned12m }
  }
  const status = async (profileId: string): Promise<TierStatus> => {
    const id = oid(profileId)
    const [account, mTier] = await Promise.all([
      id ? deps.accounts.read(id) : Promise.resolve(null),
      membershipTier(profileId),
    ])
    return fromEarned(account?.earned ?? {}, mTier)
  }
  return {
    tierOf: async (profileId) => (await status(profileId)).tier.id,
    status,
    fromEarned,
    membershipTier,
    setMembership(lookup) {
      membership = lookup
    },
  }
}

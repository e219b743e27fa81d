import type { Connection } from 'mongoose'
import type { MembershipLookup } from '../points/points.port'
import { activeGrant, chainEnd } from './grants'
import { createMembershipRepo } from './membership.repo'

/**
 * The tier service's view of paid membership (F30): the grant in force at `at` (its plan and tier)
 * and when the membership it belongs to ends. Needs only the database, so app.ts can build it
 * before the points module and hand the points port to the membership module afterwards.
 */
export const createMembershipLookup = (db: Connection, timeZone: string): MembershipLookup => {
  const memberships = createMembershipRepo(db, timeZone)
  return {
    async activeMembership(profileId, at) {
      const m = await memberships.find(profileId)
      const g = m ? activeGrant(m.grants, at) : undefined
      if (!m || !g) return undefined
      return { planId: g.planCode, tier: g.tier, until: chainEnd(m.grants, g) }
    },
  }
}

import type { Connection, Types } from 'mongoose'
import { createGroupCommit } from '../../db/group-commit'
import { oid } from '../points/points-ledger.repo'
import type { MembershipLookup } from '../points/points.port'
import { activeGrant, chainEnd } from './grants'
import { createMembershipRepo, type GrantEntry } from './membership.repo'

/**
 * The tier service's view of paid membership (F30): the grant in force at `at` (its plan and tier)
 * and when the membership it belongs to ends. Needs only the database, so app.ts can build it
 * before the points module and hand the points port to the membership module afterwards.
 * Every earn asks it, so the lookups of concurrent earns go as one `$in` query (group commit; the
 * unique `profileId` index answers it, also on the local engine).
 */
export const createMembershipLookup = (db: Connection, timeZone: string): MembershipLookup => {
  const memberships = createMembershipRepo(db, timeZone)
  const grantsOf = createGroupCommit<Types.ObjectId, GrantEntry[]>(async (ids) => {
    const found = await memberships.grantsOf(ids)
    return ids.map((id) => found.get(id.toHexString()) ?? [])
  })
  return {
    async activeMembership(profileId, at) {
      const id = oid(profileId)
      if (!id) return undefined
      const grants = await grantsOf(id)
      const g = activeGrant(grants, at)
      if (!g) return undefined
      return { planId: g.planCode, tier: g.tier, until: chainEnd(grants, g) }
    },
  }
}

import type { Connection, Types } from 'mongoose'
import { membershipModel } from '../communities/community.model'
import type { CampaignReadStats } from '../content/content.port'
import { orderModel } from '../membership/order.model'
import type { GoalEvent } from './campaign.model'

/**
 * Conversion goals (F24): the events a patient's conversion is counted from, each a read-only query
 * on the module that owns it. One entry per goal event: adding a goal is adding an entry here (and
 * to CAMPAIGN_GOAL_EVENTS in shared).
 * - community_joined: a stay opened in a disease group (`community_memberships.joinedAt`);
 * - membership_bought: a paid membership order (`membership_orders.paidAt`, refunded ones included:
 *   the purchase happened);
 * - article_read: a completed read of the campaign's article under this run (content module).
 */

/** One goal event of a patient profile. */
export interface GoalHit {
  patientId: string
  at: Date
}

export type GoalSource = (q: {
  patientIds: Types.ObjectId[]
  from: Date
  to: Date
  reads: () => Promise<CampaignReadStats>
}) => Promise<GoalHit[]>

/** `$in` lists are chunked so a 100,000-patient run stays within the engines' limits. */
const CHUNK = 5_000

const chunked = async <T>(
  ids: Types.ObjectId[],
  q: (chunk: Types.ObjectId[]) => Promise<T[]>,
): Promise<T[]> => {
  const out: T[] = []
  for (let i = 0; i < ids.length; i += CHUNK) out.push(...(await q(ids.slice(i, i + CHUNK))))
  return out
}

export const goalSources = (db: Connection): Record<GoalEvent, GoalSource> => {
  const Memberships = membershipModel(db)
  const Orders = orderModel(db)
  return {
    async community_joined({ patientIds, from, to }) {
      const rows = await chunked(patientIds, (chunk) =>
        Memberships.find(
          { patientId: { $in: chunk }, joinedAt: { $gte: from, $lte: to } },
          { patientId: 1, joinedAt: 1 },
        ).lean<{ patientId: Types.ObjectId; joinedAt: Date }[]>(),
      )
      return rows.map((r) => ({ patientId: r.patientId.toHexString(), at: r.joinedAt }))
    },
    async membership_bought({ patientIds, from, to }) {
      const rows = await chunked(patientIds, (chunk) =>
        Orders.find(
          { profileId: { $in: chunk }, paidAt: { $gte: from, $lte: to } },
          { profileId: 1, paidAt: 1 },
        ).lean<{ profileId: Types.ObjectId; paidAt: Date }[]>(),
      )
      return rows.map((r) => ({ patientId: r.profileId.toHexString(), at: r.paidAt }))
    },
    async article_read({ reads }) {
      const r = await reads()
      return r.readers.filter((x) => x.completed).map((x) => ({ patientId: x.profileId, at: x.firstOpenAt }))
    },
  }
}

/**
 * Distinct patients with a goal event within `withinDays` after their message was sent
 * (`sentAt`: patient id → when the message went out).
 */
export const countConversions = (sentAt: Map<string, Date>, hits: GoalHit[], withinDays: number): number => {
  const windowMs = withinDays * 86_400_000
  const converted = new Set<string>()
  for (const h of hits) {
    const sent = sentAt.get(h.patientId)
    if (!sent) continue
    const d = h.at.getTime() - sent.getTime()
    if (d >= 0 && d <= windowMs) converted.add(h.patientId)
  }
  return converted.size
}

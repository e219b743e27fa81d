import type { MyCommunity } from '@careloop/shared'

import { api } from '../api/endpoints'

/** What the patient can do with a community now. */
export type CommunityStatus = 'joined' | 'joinable' | 'full' | 'closed'

export function statusOf(c: MyCommunity): CommunityStatus {
  if (c.joined) return 'joined'
  if (c.joinable) return 'joinable'
  if (c.full) return 'full'
  return 'closed'
}

/** The communities matching the active profile's tags (为您推荐), then the others (更多社群), in server order. */
export function groupCommunities(list: readonly MyCommunity[]): {
  recommended: MyCommunity[]
  others: MyCommunity[]
} {
  return {
    recommended: list.filter((c) => c.matchesMyTags),
    others: list.filter((c) => !c.matchesMyTags),
  }
}

/** Why the community is shown to this patient. */
export function reasonOf(c: MyCommunity): string {
  if (c.matchesMyTags && c.diseaseTagName) return `与您的健康标签「${c.diseaseTagName}」匹配`
  if (c.matchesMyTags) return '与您的健康标签匹配'
  return '医院开设的病友社群，欢迎加入交流'
}

export const membersText = (c: Pick<MyCommunity, 'memberCount' | 'capacity'>) =>
  `${c.memberCount}/${c.capacity} 人`

/** Member use of the capacity, 0–100, for the bar. */
export const fillPercent = (c: Pick<MyCommunity, 'memberCount' | 'capacity'>) =>
  Math.max(0, Math.min(100, Math.round((c.memberCount / c.capacity) * 100)))

/** The active profile's community `id` as the server sees it now, or null when it is no longer offered. */
export async function findMyCommunity(id: string): Promise<MyCommunity | null> {
  const { communities } = await api.myCommunities()
  return communities.find((c) => c.id === id) ?? null
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/**
 * After a (simulated) scan: WeCom tells the server a moment later, so read the membership a few
 * times until the profile is in the group. Answers the joined community, or null when it has not
 * shown up yet.
 */
export async function waitUntilJoined(
  id: string,
  opts: { tries?: number; intervalMs?: number } = {},
): Promise<MyCommunity | null> {
  const { tries = 6, intervalMs = 800 } = opts
  for (let i = 0; i < tries; i++) {
    if (i > 0) await pause(intervalMs)
    const c = await findMyCommunity(id)
    if (c?.joined) return c
  }
  return null
}

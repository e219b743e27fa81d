import { useRef, useState } from 'react'
import type { MyFollowupResponse, MyPointsResponse } from '@careloop/shared'

import { api } from '../api/endpoints'

export interface HomeExtras {
  /** The active profile's follow-up, null until loaded (or when it failed: 首页 then shows the empty state). */
  followup: MyFollowupResponse | null
  /** Unread messages of the account (the 消息中心 badge). */
  unread: number
  /** The active profile's points (the 我的积分 card with 签到), null until loaded or when it failed. */
  points: MyPointsResponse | null
}

/**
 * What 首页 shows besides the profile: 今日随访 and the 我的随访 card (the active profile's next steps),
 * the 消息中心 badge and the 我的积分 card. Each part is loaded on its own and a failure only leaves it empty: the page
 * itself stays usable. `refresh` runs on every show, so a message read elsewhere clears the badge.
 */
export function useHomeExtras() {
  const [extras, setExtras] = useState<HomeExtras>({ followup: null, unread: 0, points: null })
  const latest = useRef(0)

  const refresh = async () => {
    const run = ++latest.current
    const [followup, unread, points] = await Promise.all([
      api.myFollowup().catch(() => null),
      api
        .inboxUnreadCount()
        .then((r) => r.unread)
        .catch(() => null),
      api.myPoints().catch(() => null),
    ])
    // A newer refresh (page shown again meanwhile) wins.
    if (run !== latest.current) return
    setExtras((prev) => ({
      followup: followup ?? prev.followup,
      unread: unread ?? prev.unread,
      points: points ?? prev.points,
    }))
  }

  /** After 签到 on 首页: the card shows the new balance and streak at once. */
  const setPoints = (points: MyPointsResponse) => setExtras((prev) => ({ ...prev, points }))

  return { extras, refresh, setPoints }
}

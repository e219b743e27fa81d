import { useRef, useState } from 'react'
import type { CheckinResponse } from '@careloop/shared'

import { api } from '../api/endpoints'
import { messageOf } from '../services/auth'
import { leaveOnSessionError } from '../services/guard'
import { checkinToast } from '../services/points'
import { toast } from '../utils/ui'

/**
 * 签到 (F27), on 首页 and 我的积分: one call at a time (a double tap checks in once; the server also
 * answers a second check-in of the day with `already: true`), a toast with the points, `onDone` with
 * the answer so the page shows the new balance and streak.
 */
export function useCheckin(onDone: (r: CheckinResponse) => void) {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const inFlight = useRef(false)

  const checkin = async () => {
    if (inFlight.current) return
    inFlight.current = true
    setBusy(true)
    setError(null)
    try {
      const r = await api.pointsCheckin()
      toast(checkinToast(r))
      onDone(r)
    } catch (e) {
      if (await leaveOnSessionError(e)) return
      setError(messageOf(e, '签到失败，请稍后重试'))
    } finally {
      inFlight.current = false
      setBusy(false)
    }
  }

  return { busy, error, checkin }
}

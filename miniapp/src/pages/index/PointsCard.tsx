import { Button, Text, View } from '@tarojs/components'
import type { MyPointsResponse } from '@careloop/shared'

import { useCheckin } from '../../hooks/useCheckin'
import { PAGES } from '../../routes'
import { checkinText, withCheckin } from '../../services/points'

/**
 * 我的积分 on 首页: the active profile's balance and tier, 签到 (disabled as 今日已签到 once done), and
 * the way to 我的积分 and 积分商城. Hidden until the points have loaded.
 */
export function PointsCard(props: {
  points: MyPointsResponse | null
  go: (url: string) => void
  onChange: (points: MyPointsResponse) => void
}) {
  const { points, go, onChange } = props
  const { busy, error, checkin } = useCheckin((r) => points && onChange(withCheckin(points, r)))
  if (!points) return null
  const done = points.checkin.today
  return (
    <View className="card points-card">
      <View className="points-card-main" onClick={() => go(PAGES.points)}>
        <View className="points-card-head">
          <Text className="points-card-label">我的积分</Text>
          <Text className="points-card-tier">{points.tier.name}</Text>
        </View>
        <Text className="home-points-balance">{points.balance}</Text>
        <Text className="points-card-streak">{checkinText(points.checkin)}</Text>
      </View>
      <View className="points-card-side">
        <Button
          className={`btn btn-small btn-primary home-checkin${done ? ' is-done' : ''}`}
          disabled={done || busy}
          loading={busy}
          onClick={() => void checkin()}
        >
          {done ? '今日已签到' : '签到'}
        </Button>
        <Text className="points-card-mall" onClick={() => go(PAGES.mall)}>
          积分商城 ›
        </Text>
      </View>
      {error && <Text className="form-error points-card-error">{error}</Text>}
    </View>
  )
}

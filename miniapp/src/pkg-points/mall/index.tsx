import { useState } from 'react'
import Taro, { useDidShow } from '@tarojs/taro'
import { Text, View } from '@tarojs/components'
import type { MyRewardsResponse, PatientReward, RewardCategory } from '@careloop/shared'

import { api } from '../../api/endpoints'
import { hasSession } from '../../api/session'
import { Chips } from '../../components/Controls'
import { Page, PageStatus } from '../../components/Page'
import { usePageData } from '../../hooks/usePageData'
import { PAGES } from '../../routes'
import { blockerLabel, CATEGORY_LABELS } from '../../services/rewards'
import { RewardThumb } from '../RewardThumb'
import '../points.css'
import './index.css'

type Filter = RewardCategory | 'all'

const FILTERS: readonly { value: Filter; label: string }[] = [
  { value: 'all', label: '全部' },
  ...(['physical', 'service', 'coupon'] as const).map((c) => ({ value: c, label: CATEGORY_LABELS[c] })),
]

/**
 * 积分商城 (F29): the rewards the active profile can see, as a grid — picture (or a placeholder),
 * cost, stock left, and why one cannot be redeemed now (已兑完, 已达兑换上限, 积分不足, 会员专享…).
 * A card opens the reward, where 兑换 is.
 */
export default function MallPage() {
  const [filter, setFilter] = useState<Filter>('all')

  const { state, load, reload } = usePageData(async (): Promise<MyRewardsResponse | null> => {
    if (hasSession()) return api.myRewards()
    await Taro.reLaunch({ url: PAGES.login })
    return null
  })

  // Back from a redemption: balance, stock and limits have changed.
  useDidShow(() => {
    void load()
  })

  if (state.kind !== 'ready') return <PageStatus className="mall-page" state={state} onRetry={reload} />
  const { balance, rewards } = state.data
  const shown = filter === 'all' ? rewards : rewards.filter((r) => r.category === filter)
  const go = (url: string) => void Taro.navigateTo({ url })

  return (
    <Page className="mall-page">
      <View className="card mall-head">
        <View className="mall-head-main" onClick={() => go(PAGES.points)}>
          <Text className="mall-head-label">可用积分</Text>
          <Text className="mall-balance">{balance}</Text>
        </View>
        <Text className="mall-head-link go-redemptions" onClick={() => go(PAGES.redemptions)}>
          我的兑换 ›
        </Text>
      </View>

      <Chips className="mall-filters" options={FILTERS} value={filter} onChange={(v) => v && setFilter(v)} />

      {shown.length === 0 ? (
        <View className="card empty-card mall-empty">
          <Text className="empty-card-text">暂无可兑换的礼品</Text>
          <Text className="empty-card-hint">医院上架新礼品后会显示在这里，先攒积分吧。</Text>
        </View>
      ) : (
        <View className="reward-grid">
          {shown.map((r) => (
            <RewardCard key={r.id} reward={r} onOpen={() => go(`${PAGES.reward}?id=${r.id}`)} />
          ))}
        </View>
      )}
    </Page>
  )
}

function RewardCard(props: { reward: PatientReward; onOpen: () => void }) {
  const { reward: r, onOpen } = props
  const state = r.blocker ? blockerLabel(r.blocker, r.tierRequired) : null
  const soldOut = r.blocker === 'out_of_stock'
  return (
    <View className="reward-cell">
      <View
        className={`reward-card${r.canRedeem ? ' can-redeem' : ' is-blocked'}${soldOut ? ' is-sold-out' : ''}`}
        onClick={onOpen}
      >
        <RewardThumb reward={r} className="reward-card-thumb" />
        <View className="reward-card-body">
          <Text className="reward-name">{r.name}</Text>
          <View className="reward-card-line">
            <Text className="points-cost reward-cost">{r.pointsCost}</Text>
            <Text className="reward-cost-unit">积分</Text>
          </View>
          <View className="reward-card-line">
            <Text className="reward-stock">{soldOut ? '库存 0' : `剩余 ${r.stock}`}</Text>
            {state && (
              <Text className={`tag ${soldOut ? 'tag-grey' : 'tag-orange'} reward-state`}>{state}</Text>
            )}
          </View>
        </View>
      </View>
    </View>
  )
}

import { useRef, useState } from 'react'
import Taro, { useDidShow, useRouter } from '@tarojs/taro'
import { Button, Text, View } from '@tarojs/components'
import type { MyRewardResponse } from '@careloop/shared'

import { api } from '../../api/endpoints'
import { hasSession } from '../../api/session'
import { Page, PageStatus } from '../../components/Page'
import { usePageData } from '../../hooks/usePageData'
import { PAGES } from '../../routes'
import { messageOf } from '../../services/auth'
import { newRequestId } from '../../services/followup'
import { leaveOnSessionError } from '../../services/guard'
import { blockerLabel, CATEGORY_LABELS, retryableWithSameId, TIER_LABELS } from '../../services/rewards'
import { formatDate } from '../../utils/date'
import { RewardThumb } from '../RewardThumb'
import '../points.css'
import './index.css'

/**
 * One reward (F29): picture, cost, stock, the per-patient limit and what is left of it, the window,
 * and 兑换 → a confirm sheet (cost, balance after) → `POST …/redeem` with a request id. The id is
 * made once per attempt and kept for retries, so a double tap or a retried request makes one
 * redemption; a refusal (out of stock, limit, points) ends the attempt. Success opens the code.
 */
export default function RewardPage() {
  const id = useRouter().params.id ?? ''
  const [confirming, setConfirming] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const requestId = useRef(newRequestId('rw'))
  const inFlight = useRef(false)

  const { state, load, reload, setData } = usePageData(async (): Promise<MyRewardResponse | null> => {
    if (hasSession()) return api.myReward(id)
    await Taro.reLaunch({ url: PAGES.login })
    return null
  })

  useDidShow(() => {
    void load()
  })

  if (state.kind !== 'ready') return <PageStatus className="reward-page" state={state} onRetry={reload} />
  const r = state.data

  const onRedeem = async () => {
    // A second tap while the first is on its way is the same redemption: ignore it.
    if (inFlight.current) return
    inFlight.current = true
    setBusy(true)
    setError(null)
    try {
      const res = await api.redeemReward(r.id, { requestId: requestId.current })
      requestId.current = newRequestId('rw')
      setConfirming(false)
      await Taro.redirectTo({ url: `${PAGES.redemption}?id=${res.id}&new=1` })
    } catch (e) {
      if (await leaveOnSessionError(e)) return
      // Unsure whether it arrived: keep the id, so trying again cannot redeem twice.
      if (!retryableWithSameId(e)) requestId.current = newRequestId('rw')
      setConfirming(false)
      setError(messageOf(e, '兑换失败，请稍后重试'))
      if (!retryableWithSameId(e)) {
        // Stock, limit or balance changed under us: show what is true now.
        api
          .myReward(r.id)
          .then(setData)
          .catch(() => undefined)
      }
    } finally {
      inFlight.current = false
      setBusy(false)
    }
  }

  const blocked = r.blocker ? blockerLabel(r.blocker, r.tierRequired) : null
  const validity =
    r.validFrom || r.validUntil
      ? `${r.validFrom ? formatDate(r.validFrom) : '即日'} 至 ${r.validUntil ? formatDate(r.validUntil) : '长期'}`
      : '长期有效'

  return (
    <Page className="reward-page">
      <View className="card reward-hero">
        <RewardThumb reward={r} className="reward-hero-thumb" />
        <Text className="reward-title">{r.name}</Text>
        <View className="reward-price">
          <Text className="points-cost reward-price-value">{r.pointsCost}</Text>
          <Text className="reward-price-unit">积分</Text>
          <Text className="tag tag-grey reward-category">{CATEGORY_LABELS[r.category]}</Text>
        </View>
        {r.description && <Text className="reward-desc">{r.description}</Text>}
      </View>

      <View className="card reward-facts">
        <Fact label="剩余库存" value={r.stock > 0 ? `${r.stock} 件` : '已兑完'} className="fact-stock" />
        <Fact label="每人限兑" value={`${r.perPatientLimit} 次`} />
        <Fact
          label="您还可兑"
          value={r.remainingForMe > 0 ? `${r.remainingForMe} 次` : '已达上限'}
          className="fact-remaining"
        />
        {r.tierRequired && <Fact label="兑换资格" value={`${TIER_LABELS[r.tierRequired]}及以上`} />}
        <Fact label="兑换时间" value={validity} />
        <Fact label="我的积分" value={`${r.balance}`} className="fact-balance" />
      </View>

      {error && <Text className="form-error redeem-error">{error}</Text>}

      <View className="reward-action">
        {blocked ? (
          <Button className="btn btn-primary is-disabled redeem-button" disabled>
            {blocked}
          </Button>
        ) : (
          <Button className="btn btn-primary redeem-button" onClick={() => setConfirming(true)}>
            立即兑换
          </Button>
        )}
      </View>

      {confirming && (
        <View className="sheet-mask">
          <View className="sheet redeem-sheet">
            <Text className="sheet-title">确认兑换</Text>
            <View className="sheet-row">
              <Text className="sheet-row-label">礼品</Text>
              <Text>{r.name}</Text>
            </View>
            <View className="sheet-row">
              <Text className="sheet-row-label">消耗积分</Text>
              <Text className="points-cost">{r.pointsCost}</Text>
            </View>
            <View className="sheet-row">
              <Text className="sheet-row-label">兑换后剩余</Text>
              <Text className="redeem-after">{r.balance - r.pointsCost}</Text>
            </View>
            <Text className="redeem-sheet-hint">
              兑换后生成兑换码，请到护士站出示核销；核销前可取消，积分退回。
            </Text>
            <View className="sheet-actions">
              <Button
                className="btn btn-plain redeem-cancel"
                disabled={busy}
                onClick={() => !busy && setConfirming(false)}
              >
                取消
              </Button>
              <Button
                className={`btn btn-primary redeem-confirm${busy ? ' btn-busy' : ''}`}
                loading={busy}
                onClick={() => void onRedeem()}
              >
                确认兑换
              </Button>
            </View>
          </View>
        </View>
      )}
    </Page>
  )
}

function Fact(props: { label: string; value: string; className?: string }) {
  return (
    <View className={`fact-row${props.className ? ` ${props.className}` : ''}`}>
      <Text className="fact-label">{props.label}</Text>
      <Text className="fact-value">{props.value}</Text>
    </View>
  )
}

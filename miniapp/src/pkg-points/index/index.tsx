import { useState } from 'react'
import Taro, { useDidShow, useReachBottom } from '@tarojs/taro'
import { Button, Text, View } from '@tarojs/components'
import type { MyPointsResponse, PointsEntry, PointsWaysResponse } from '@careloop/shared'

import { api } from '../../api/endpoints'
import { hasSession } from '../../api/session'
import { Page, PageStatus } from '../../components/Page'
import { useCheckin } from '../../hooks/useCheckin'
import { usePageData } from '../../hooks/usePageData'
import { PAGES } from '../../routes'
import { messageOf } from '../../services/auth'
import { leaveOnSessionError } from '../../services/guard'
import {
  checkinText,
  entryTitle,
  expiringText,
  multiplierText,
  signedPoints,
  tierPerks,
  tierProgress,
  WAY_PAGES,
  wayProgress,
  withCheckin,
} from '../../services/points'
import { formatDateTime } from '../../utils/date'
import '../points.css'
import './index.css'

interface PointsData {
  points: MyPointsResponse
  ways: PointsWaysResponse | null
  entries: PointsEntry[]
  nextCursor: string | null
}

/**
 * 我的积分 (F26–F28, F30): the active profile's balance, tier with the progress to the next and the
 * multiplier, points expiring soon, 签到 (once a day, with the streak), 赚积分 (each way with today's
 * progress against its cap) and 积分明细 (newest first, paged). The expiry reminder links here.
 */
export default function PointsPage() {
  const [more, setMore] = useState(false)
  const [error, setError] = useState<string | null>(null)

  const { state, load, reload, setData } = usePageData(async (): Promise<PointsData | null> => {
    if (!hasSession()) {
      await Taro.reLaunch({ url: PAGES.login })
      return null
    }
    const [points, ways, ledger] = await Promise.all([
      api.myPoints(),
      // The ways are a help, not the page: without them the rest still shows.
      api.myPointsWays().catch(() => null),
      api.myPointsLedger(),
    ])
    return { points, ways, entries: ledger.entries, nextCursor: ledger.nextCursor }
  })

  const data = state.kind === 'ready' ? state.data : null

  const {
    busy,
    error: checkinError,
    checkin,
  } = useCheckin((r) => {
    if (!data) return
    const shown = { ...data, points: withCheckin(data.points, r) }
    setData(shown)
    // The new history entry and today's progress come from the server (quietly: the check-in shows).
    Promise.all([api.myPoints(), api.myPointsWays(), api.myPointsLedger()])
      .then(([points, ways, ledger]) =>
        setData({ points, ways, entries: ledger.entries, nextCursor: ledger.nextCursor }),
      )
      .catch(() => undefined)
  })

  useDidShow(() => {
    void load()
  })

  const loadMore = async () => {
    if (!data?.nextCursor || more) return
    setMore(true)
    setError(null)
    try {
      const next = await api.myPointsLedger(data.nextCursor)
      const seen = new Set(data.entries.map((e) => e.id))
      setData({
        ...data,
        entries: [...data.entries, ...next.entries.filter((e) => !seen.has(e.id))],
        nextCursor: next.nextCursor,
      })
    } catch (e) {
      if (await leaveOnSessionError(e)) return
      setError(messageOf(e, '加载失败，请稍后重试'))
    } finally {
      setMore(false)
    }
  }

  useReachBottom(() => {
    void loadMore()
  })

  if (state.kind !== 'ready') return <PageStatus className="points-page" state={state} onRetry={reload} />
  const { points, ways, entries, nextCursor } = state.data
  const progress = tierProgress(points)
  const expiring = expiringText(points)
  const go = (url: string) => void Taro.navigateTo({ url })

  return (
    <Page className="points-page">
      <View className="card points-hero">
        <View className="points-hero-top">
          <View>
            <Text className="points-hero-label">可用积分</Text>
            <Text className="points-balance">{points.balance}</Text>
          </View>
          <View className={`tier-badge tier-${points.tier.id}`}>
            <Text className="tier-name">{points.tier.name}</Text>
            {points.tier.source === 'membership' && <Text className="tier-source">付费会员</Text>}
          </View>
        </View>
        <Text className="tier-multiplier">{tierPerks(points.tier)}</Text>
        <View className="tier-progress">
          <View className="tier-progress-head">
            <Text className="tier-progress-text">{progress.text}</Text>
            <Text className="tier-progress-earned">近 12 个月 {points.earned12m}</Text>
          </View>
          <View className="tier-progress-bar">
            <View className="tier-progress-fill" style={{ width: `${progress.percent}%` }} />
          </View>
        </View>
        {expiring && <Text className="points-expiring">{expiring}</Text>}
      </View>

      <View className="card checkin-card">
        <View className="checkin-main">
          <Text className="checkin-title">每日签到</Text>
          <Text className="checkin-streak">{checkinText(points.checkin)}</Text>
        </View>
        <Button
          className={`btn btn-small btn-primary checkin-button${points.checkin.today ? ' is-done' : ''}`}
          disabled={points.checkin.today || busy}
          loading={busy}
          onClick={() => void checkin()}
        >
          {points.checkin.today ? '今日已签到' : '签到'}
        </Button>
      </View>
      {checkinError && <Text className="form-error checkin-error">{checkinError}</Text>}

      <View className="points-shortcuts">
        <View className="card points-shortcut go-mall" onClick={() => go(PAGES.mall)}>
          <Text className="points-shortcut-title">积分商城</Text>
          <Text className="points-shortcut-desc">用积分兑换礼品和服务</Text>
        </View>
        <View className="card points-shortcut go-redemptions" onClick={() => go(PAGES.redemptions)}>
          <Text className="points-shortcut-title">我的兑换</Text>
          <Text className="points-shortcut-desc">兑换码与核销状态</Text>
        </View>
      </View>

      {ways && ways.ways.length > 0 && (
        <>
          <Text className="section-title">赚积分</Text>
          <View className="card ways-card">
            {ways.ways.map((w) => {
              const p = wayProgress(w)
              const url = WAY_PAGES[w.rule]
              return (
                <View key={w.rule} className={`way-row way-${w.rule}${w.capped ? ' is-capped' : ''}`}>
                  <View className="way-main">
                    <View className="way-head">
                      <Text className="way-label">{w.label}</Text>
                      <Text className="way-points">+{w.pointsWithTier}</Text>
                    </View>
                    <Text className="way-progress">{p.text}</Text>
                    {p.percent !== null && (
                      <View className="way-bar">
                        <View className="way-bar-fill" style={{ width: `${p.percent}%` }} />
                      </View>
                    )}
                  </View>
                  {w.rule === 'checkin' ? (
                    <Text className={`tag ${points.checkin.today ? 'tag-grey' : 'tag-orange'} way-state`}>
                      {points.checkin.today ? '已完成' : '待签到'}
                    </Text>
                  ) : w.capped ? (
                    <Text className="tag tag-grey way-state">已达上限</Text>
                  ) : url ? (
                    <Text className="way-go" onClick={() => go(url)}>
                      去完成 ›
                    </Text>
                  ) : null}
                </View>
              )
            })}
            {ways.multiplier > 1 && (
              <Text className="ways-note">已按当前等级 {multiplierText(ways.multiplier)}计算</Text>
            )}
          </View>
        </>
      )}

      <Text className="section-title">积分明细</Text>
      <View className="card ledger-card">
        {entries.length === 0 && <Text className="muted ledger-empty">暂无积分记录，签到即可获得积分。</Text>}
        {entries.map((e) => (
          <View key={e.id} className={`ledger-row${e.amount >= 0 ? ' is-plus' : ' is-minus'}`}>
            <View className="ledger-main">
              <Text className="ledger-title">{entryTitle(e)}</Text>
              <Text className="ledger-time">{formatDateTime(e.at)}</Text>
            </View>
            <Text className="ledger-amount">{signedPoints(e.amount)}</Text>
          </View>
        ))}
      </View>
      {error && <Text className="form-error ledger-error">{error}</Text>}
      {nextCursor && (
        <Button className="btn btn-plain ledger-more" disabled={more} onClick={() => void loadMore()}>
          {more ? '正在加载…' : '加载更多'}
        </Button>
      )}
    </Page>
  )
}

import { useRef, useState } from 'react'
import Taro, { useDidShow } from '@tarojs/taro'
import { Button, Text, View } from '@tarojs/components'
import type { MembershipOrder, MembershipPlan, MembershipStatus, MyPointsResponse } from '@careloop/shared'

import { api } from '../../api/endpoints'
import { hasSession } from '../../api/session'
import { Page, PageStatus } from '../../components/Page'
import { PaySheet } from '../../components/PaySheet'
import { usePageData } from '../../hooks/usePageData'
import { PAGES } from '../../routes'
import { messageOf } from '../../services/auth'
import { newRequestId } from '../../services/followup'
import { leaveOnSessionError } from '../../services/guard'
import {
  benefitLines,
  PER_PERIOD,
  PERIOD_LABELS,
  QUOTA_LABELS,
  quotaLines,
  startPurchase,
  yuan,
} from '../../services/membership'
import { TIER_LABELS } from '../../services/rewards'
import { formatDate, formatDateTime } from '../../utils/date'
import '../member.css'
import './index.css'

interface MemberData {
  plans: MembershipPlan[]
  status: MembershipStatus
  /** The tier in force (points or membership); null when it could not be loaded. */
  points: MyPointsResponse | null
}

/** An order the patient did not pay (closed the payment sheet): 继续支付 pays the same order. */
interface Unpaid {
  plan: MembershipPlan
  order: MembershipOrder
}

/**
 * 会员中心 (F31, F32): the active profile's paid membership (plan, valid until, tier, quotas used and
 * left this month) and the plans on sale. 立即开通 creates the order (a request id per plan, kept
 * until the order is paid or closed, so a retry or a double tap pays one order) and asks the
 * platform to pay; after 'ok' the receipt page confirms with the server. Closing the payment sheet
 * keeps the order unpaid, with 继续支付.
 */
export default function MemberPage() {
  const [busy, setBusy] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [unpaid, setUnpaid] = useState<Unpaid | null>(null)
  const requestIds = useRef<Record<string, string>>({})
  const inFlight = useRef(false)

  const { state, load, reload } = usePageData(async (): Promise<MemberData | null> => {
    if (!hasSession()) {
      await Taro.reLaunch({ url: PAGES.login })
      return null
    }
    const [plans, status, points] = await Promise.all([
      api.membershipPlans(),
      api.myMembership(),
      api.myPoints().catch(() => null),
    ])
    return { plans: [...plans.plans].sort((a, b) => a.sort - b.sort), status, points }
  })

  useDidShow(() => {
    void load()
  })

  if (state.kind !== 'ready') return <PageStatus className="member-page" state={state} onRetry={reload} />
  const { plans, status, points } = state.data

  const onBuy = async (plan: MembershipPlan) => {
    if (inFlight.current) return
    inFlight.current = true
    setBusy(plan.code)
    setError(null)
    const requestId = (requestIds.current[plan.code] ??= newRequestId('mo'))
    try {
      const res = await startPurchase(plan, requestId)
      if (res.kind === 'cancelled') {
        setUnpaid({ plan, order: res.order })
        return
      }
      delete requestIds.current[plan.code]
      setUnpaid(null)
      if (res.kind === 'paid' || res.order.status === 'PAID') {
        await Taro.navigateTo({ url: `${PAGES.order}?id=${res.order.id}&confirm=1` })
        return
      }
      setError('上一笔订单已超时关闭，请重新点击开通')
    } catch (e) {
      if (await leaveOnSessionError(e)) return
      setError(messageOf(e, '支付未完成，请稍后重试'))
    } finally {
      inFlight.current = false
      setBusy(null)
    }
  }

  const tierName = points?.tier.name ?? (status.tier ? TIER_LABELS[status.tier] : '普通会员')

  return (
    <Page className="member-page">
      <View className={`card member-status${status.active ? ' is-active' : ''}`}>
        <View className="member-status-head">
          <View className="member-status-main">
            <Text className="member-status-label">{status.active ? '付费会员' : '当前等级'}</Text>
            <Text className="member-status-plan">
              {status.active && status.plan ? status.plan.name : tierName}
            </Text>
          </View>
          <Text className="member-tier-badge">{tierName}</Text>
        </View>
        {status.active && status.until ? (
          <Text className="member-until">有效期至 {formatDate(status.until)}</Text>
        ) : (
          <Text className="member-until">开通付费会员，立享积分加速和护士咨询等专属权益</Text>
        )}
        {status.quotas.length > 0 && (
          <View className="member-quotas">
            {status.quotas.map((q) => (
              <View key={q.kind} className={`member-quota quota-${q.kind}`}>
                <Text className="member-quota-name">{QUOTA_LABELS[q.kind]}（本月）</Text>
                <Text className="member-quota-value">
                  已用 {q.used} 次 · 剩余 <Text className="member-quota-left">{q.left}</Text> 次
                </Text>
              </View>
            ))}
          </View>
        )}
      </View>

      {unpaid && (
        <View className="card unpaid-card">
          <Text className="unpaid-title">订单待支付</Text>
          <Text className="unpaid-desc">
            {unpaid.plan.name} · {yuan(unpaid.order.amountFen)}，请在 {formatDateTime(unpaid.order.expiresAt)}{' '}
            前完成支付，超时订单自动关闭。
          </Text>
          <View className="unpaid-actions">
            <Button
              className="btn btn-small btn-secondary unpaid-view"
              onClick={() => void Taro.navigateTo({ url: `${PAGES.order}?id=${unpaid.order.id}` })}
            >
              查看订单
            </Button>
            <Button
              className="btn btn-small btn-primary pay-retry"
              disabled={busy !== null}
              onClick={() => void onBuy(unpaid.plan)}
            >
              继续支付
            </Button>
          </View>
        </View>
      )}

      {error && <Text className="form-error member-error">{error}</Text>}

      <Text className="section-title">会员方案</Text>
      {plans.length === 0 && (
        <View className="card">
          <Text className="muted">暂无可开通的会员方案</Text>
        </View>
      )}
      {plans.map((plan) => {
        const current = status.active && status.plan?.code === plan.code
        return (
          <View key={plan.code} className={`card plan-card plan-${plan.code} plan-${plan.period}`}>
            <View className="plan-head">
              <View className="plan-head-main">
                <Text className="plan-name">{plan.name}</Text>
                <Text className="plan-tier">{TIER_LABELS[plan.tier]}</Text>
              </View>
              <View className="plan-price">
                <Text className="plan-price-value">{yuan(plan.priceFen)}</Text>
                <Text className="plan-price-unit">{PER_PERIOD[plan.period]}</Text>
              </View>
            </View>
            <View className="plan-benefits">
              {[...new Set([...benefitLines(plan.benefits), ...quotaLines(plan)])].map((line) => (
                <View key={line} className="plan-benefit">
                  <View className="plan-benefit-dot" />
                  <Text className="plan-benefit-text">{line}</Text>
                </View>
              ))}
            </View>
            <Button
              className={`btn btn-primary plan-buy${busy === plan.code ? ' btn-busy' : ''}`}
              loading={busy === plan.code}
              disabled={busy !== null}
              onClick={() => void onBuy(plan)}
            >
              {current ? `续费${PERIOD_LABELS[plan.period]}会员` : '立即开通'}
            </Button>
          </View>
        )
      })}

      <View className="card link-rows">
        <View className="member-link go-orders" onClick={() => void Taro.navigateTo({ url: PAGES.orders })}>
          <Text className="member-link-title">我的订单</Text>
          <Text className="member-link-meta">支付记录与收据 ›</Text>
        </View>
        <View className="member-link go-points" onClick={() => void Taro.navigateTo({ url: PAGES.points })}>
          <Text className="member-link-title">我的积分</Text>
          <Text className="member-link-meta">{points ? `${points.balance} 积分 ›` : '›'}</Text>
        </View>
      </View>
      <Text className="member-footnote">
        会员有效期自支付成功起计算，续费自动顺延；支付通过微信支付完成，如需退款请联系医院工作人员。
      </Text>

      <PaySheet />
    </Page>
  )
}

import { useRef, useState } from 'react'
import Taro, { useDidShow, useRouter } from '@tarojs/taro'
import { Button, Text, View } from '@tarojs/components'
import type { MembershipOrder, MembershipStatus, MyPointsResponse } from '@careloop/shared'

import { api } from '../../api/endpoints'
import { hasSession } from '../../api/session'
import { Page, PageStatus } from '../../components/Page'
import { usePageData } from '../../hooks/usePageData'
import { PAGES } from '../../routes'
import { messageOf } from '../../services/auth'
import { leaveOnSessionError } from '../../services/guard'
import { confirmPayment, ORDER_STATUS, REFUND_STATUS, yuan } from '../../services/membership'
import { multiplierText } from '../../services/points'
import { TIER_LABELS } from '../../services/rewards'
import { formatDate, formatDateTime } from '../../utils/date'
import '../member.css'
import './index.css'

const PERIOD_TEXT = { month: '1 个月', year: '1 年' } as const

interface OrderData {
  order: MembershipOrder
  /** After payment: the membership and the tier in force now (null when not paid or not loaded). */
  membership: MembershipStatus | null
  points: MyPointsResponse | null
}

async function withTier(order: MembershipOrder): Promise<OrderData> {
  if (order.status !== 'PAID') return { order, membership: null, points: null }
  const [membership, points] = await Promise.all([
    api.myMembership().catch(() => null),
    api.myPoints().catch(() => null),
  ])
  return { order, membership, points }
}

/**
 * 订单详情 / 收据 (F31). `?confirm=1` comes right after the payment sheet said ok: that proves nothing,
 * so the server is asked to sync the order with WeChat Pay and the order is polled until PAID; then
 * 支付成功 with the new tier. Still unpaid after that: 「支付确认中」 with 刷新. The receipt: plan,
 * amount, paid at, 交易单号, the membership period it granted, refunds.
 */
export default function OrderPage() {
  const params = useRouter().params
  const id = params.id ?? ''
  const confirm = params.confirm === '1'
  const confirmedOnce = useRef(false)
  const [refreshing, setRefreshing] = useState(false)
  const [error, setError] = useState<string | null>(null)

  const { state, load, reload, setData } = usePageData(async (): Promise<OrderData | null> => {
    if (!hasSession()) {
      await Taro.reLaunch({ url: PAGES.login })
      return null
    }
    if (confirm && !confirmedOnce.current) {
      confirmedOnce.current = true
      return withTier(await confirmPayment(id))
    }
    return withTier(await api.myOrder(id))
  })

  useDidShow(() => {
    void load()
  })

  if (state.kind !== 'ready')
    return (
      <PageStatus
        className="order-page"
        state={state}
        loadingText={confirm ? '正在确认支付结果…' : '正在加载…'}
        onRetry={reload}
      />
    )
  const { order, membership, points } = state.data
  const status = ORDER_STATUS[order.status]

  const onRefresh = async () => {
    if (refreshing) return
    setRefreshing(true)
    setError(null)
    try {
      setData(await withTier(await confirmPayment(order.id, { attempts: 2 })))
    } catch (e) {
      if (await leaveOnSessionError(e)) return
      setError(messageOf(e, '刷新失败，请稍后重试'))
    } finally {
      setRefreshing(false)
    }
  }

  const tierName = points?.tier.name ?? (membership?.tier ? TIER_LABELS[membership.tier] : null)

  return (
    <Page className="order-page">
      {order.status === 'PAID' && confirm && (
        <View className="pay-success">
          <View className="pay-success-icon">
            <View className="pay-success-check" />
          </View>
          <Text className="pay-success-title">支付成功</Text>
          <Text className="pay-success-sub">
            您已开通{order.plan.name}
            {tierName ? `，当前等级：${tierName}` : ''}
          </Text>
        </View>
      )}

      {order.status === 'PENDING' && (
        <View className="card pay-confirming">
          <Text className="pay-confirming-title">{confirm ? '支付确认中' : '订单待支付'}</Text>
          <Text className="pay-confirming-desc">
            {confirm
              ? '微信支付结果正在同步，通常几秒内完成。若您已付款，请稍后点击刷新，无需重复支付。'
              : `请在 ${formatDateTime(order.expiresAt)} 前到会员中心完成支付，超时订单自动关闭。`}
          </Text>
          <Button
            className={`btn btn-secondary pay-refresh${refreshing ? ' btn-busy' : ''}`}
            loading={refreshing}
            disabled={refreshing}
            onClick={() => void onRefresh()}
          >
            刷新支付状态
          </Button>
        </View>
      )}

      {order.status === 'PAID' && membership?.active && (
        <View className="card tier-card">
          <View className="tier-card-main">
            <Text className="tier-card-label">当前会员等级</Text>
            <Text className="tier-card-name new-tier">{tierName ?? '付费会员'}</Text>
          </View>
          <View className="tier-card-side">
            {membership.until && (
              <Text className="tier-card-until">有效期至 {formatDate(membership.until)}</Text>
            )}
            {points && (
              <Text className="tier-card-multiplier">积分 {multiplierText(points.tier.multiplier)}</Text>
            )}
          </View>
        </View>
      )}

      {error && <Text className="form-error order-error">{error}</Text>}

      <View className="card receipt">
        <View className="receipt-head">
          <Text className="receipt-title">收据</Text>
          <Text className={`tag tag-${status.tone} receipt-status`}>{status.label}</Text>
        </View>
        <Text className="amount receipt-amount">{yuan(order.amountFen)}</Text>
        <Row label="会员方案" value={order.plan.name} />
        <Row label="会员时长" value={PERIOD_TEXT[order.plan.period]} />
        <Row label="会员等级" value={TIER_LABELS[order.plan.tier]} />
        <Row label="下单时间" value={formatDateTime(order.createdAt)} />
        {order.paidAt && (
          <Row label="支付时间" value={formatDateTime(order.paidAt)} className="receipt-paid-at" />
        )}
        <Row label="支付方式" value="微信支付" />
        {order.transactionId && (
          <Row label="交易单号" value={order.transactionId} className="receipt-transaction" />
        )}
        <Row label="商户订单号" value={order.outTradeNo} className="receipt-trade-no" />
        {order.grant && (
          <Row
            label="会员有效期"
            value={`${formatDate(order.grant.from)} 至 ${formatDate(order.grant.until)}`}
            className="receipt-grant"
          />
        )}
        {order.refundedFen > 0 && (
          <Row label="已退款" value={yuan(order.refundedFen)} className="receipt-refunded" />
        )}
      </View>

      {order.refunds.length > 0 && (
        <>
          <Text className="section-title">退款记录</Text>
          <View className="card refunds">
            {order.refunds.map((r) => (
              <View key={r.outRefundNo} className="refund-row">
                <View className="refund-main">
                  <Text className="refund-status">{REFUND_STATUS[r.status]}</Text>
                  <Text className="refund-time">
                    {formatDateTime(r.successAt ?? r.createdAt)} · 退款单号 {r.outRefundNo}
                  </Text>
                </View>
                <Text className="amount refund-amount">{yuan(r.amountFen)}</Text>
              </View>
            ))}
          </View>
        </>
      )}

      <View className="order-actions">
        <Button
          className="btn btn-secondary go-member"
          onClick={() => void Taro.redirectTo({ url: PAGES.member })}
        >
          返回会员中心
        </Button>
      </View>
    </Page>
  )
}

function Row(props: { label: string; value: string; className?: string }) {
  return (
    <View className={`receipt-row${props.className ? ` ${props.className}` : ''}`}>
      <Text className="receipt-label">{props.label}</Text>
      <Text className="receipt-value">{props.value}</Text>
    </View>
  )
}

import Taro, { useDidShow } from '@tarojs/taro'
import { Button, Text, View } from '@tarojs/components'
import type { MembershipOrder } from '@careloop/shared'

import { api } from '../../api/endpoints'
import { hasSession } from '../../api/session'
import { Page, PageStatus } from '../../components/Page'
import { usePageData } from '../../hooks/usePageData'
import { PAGES } from '../../routes'
import { ORDER_STATUS, yuan } from '../../services/membership'
import { formatDateTime } from '../../utils/date'
import '../member.css'
import './index.css'

/** 我的订单 (F31): the account's membership orders, newest first; a row opens its receipt. */
export default function OrdersPage() {
  const { state, load, reload } = usePageData(async (): Promise<MembershipOrder[] | null> => {
    if (hasSession()) return (await api.myOrders()).orders
    await Taro.reLaunch({ url: PAGES.login })
    return null
  })

  useDidShow(() => {
    void load()
  })

  if (state.kind !== 'ready') return <PageStatus className="orders-page" state={state} onRetry={reload} />
  const orders = state.data
  const go = (url: string) => void Taro.navigateTo({ url })

  return (
    <Page className="orders-page">
      {orders.length === 0 ? (
        <View className="card orders-empty">
          <Text className="orders-empty-text">暂无订单</Text>
          <Text className="orders-empty-hint">开通付费会员后，订单和收据会显示在这里。</Text>
          <Button className="btn btn-primary go-member" onClick={() => go(PAGES.member)}>
            了解会员权益
          </Button>
        </View>
      ) : (
        <View className="card order-list">
          {orders.map((o) => {
            const status = ORDER_STATUS[o.status]
            return (
              <View
                key={o.id}
                className={`order-row order-${o.status.toLowerCase()}`}
                onClick={() => go(`${PAGES.order}?id=${o.id}`)}
              >
                <View className="order-main">
                  <Text className="order-plan">{o.plan.name}</Text>
                  <Text className="order-time">{formatDateTime(o.createdAt)}</Text>
                </View>
                <View className="order-side">
                  <Text className="amount order-amount">{yuan(o.amountFen)}</Text>
                  <Text className={`tag tag-${status.tone} order-status`}>{status.label}</Text>
                </View>
              </View>
            )
          })}
        </View>
      )}
    </Page>
  )
}

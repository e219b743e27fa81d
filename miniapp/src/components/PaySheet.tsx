import { useEffect, useState } from 'react'
import { Button, Text, View } from '@tarojs/components'

import { hostPaySheet, yuan, type PaySheetRequest } from '../platform/pay-sheet'
import './PaySheet.css'

/**
 * The simulator's 「微信支付」 sheet (h5 build): what WeChat shows on `requestPayment` — the merchant,
 * what is bought, the amount, 确认支付 and 取消. Renders nothing until the platform adapter asks; the
 * weapp build never asks it (WeChat draws its own).
 */
export function PaySheet() {
  const [request, setRequest] = useState<PaySheetRequest | null>(null)

  useEffect(() => hostPaySheet(setRequest), [])

  if (!request) return null

  return (
    <View className="pay-mask">
      <View className="pay-sheet">
        <View className="pay-head">
          <Text className="pay-close pay-cancel" onClick={() => request.answer(false)}>
            取消
          </Text>
          <Text className="pay-title">微信支付</Text>
          <Text className="sim-badge pay-badge">测试</Text>
        </View>
        <Text className="pay-desc">{request.description}</Text>
        {request.amountFen !== null && <Text className="pay-amount">{yuan(request.amountFen)}</Text>}
        <View className="pay-row">
          <Text className="pay-row-label">收款方</Text>
          <Text className="pay-row-value">CareLoop 患者服务</Text>
        </View>
        <View className="pay-row">
          <Text className="pay-row-label">付款方式</Text>
          <Text className="pay-row-value">零钱（模拟）</Text>
        </View>
        <View className="pay-row">
          <Text className="pay-row-label">订单号</Text>
          <Text className="pay-row-value pay-trade-no">{request.outTradeNo}</Text>
        </View>
        <Button className="btn pay-confirm" onClick={() => request.answer(true)}>
          确认支付
        </Button>
        <Text className="pay-hint">模拟微信支付：确认后由支付模拟器完成付款并通知医院服务器。</Text>
      </View>
    </View>
  )
}

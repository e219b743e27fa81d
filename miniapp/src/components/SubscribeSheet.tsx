import { useEffect, useState } from 'react'
import { Button, Text, View } from '@tarojs/components'

import { hostSubscribeSheet, type SheetChoice, type SheetRequest } from '../platform/subscribe-sheet'
import { Toggle } from './Controls'
import './SubscribeSheet.css'

/**
 * The simulator's subscribe popup (h5 build): what WeChat shows on `requestSubscribeMessage` — the
 * templates with a switch each, 允许 and 取消. Renders nothing until the platform adapter asks; the
 * weapp build never asks it (WeChat draws its own).
 */
export function SubscribeSheet() {
  const [request, setRequest] = useState<SheetRequest | null>(null)
  const [choices, setChoices] = useState<Record<string, SheetChoice>>({})

  useEffect(
    () =>
      hostSubscribeSheet((r) => {
        setRequest(r)
        setChoices(Object.fromEntries((r?.templates ?? []).map((t) => [t.id, 'accept' as const])))
      }),
    [],
  )

  if (!request) return null
  const allReject = Object.fromEntries(request.templates.map((t) => [t.id, 'reject' as const]))

  return (
    <View className="subscribe-mask">
      <View className="subscribe-sheet">
        <View className="subscribe-head">
          <Text className="sim-badge">测试</Text>
          <Text className="subscribe-app">CareLoop 患者服务 申请</Text>
        </View>
        <Text className="subscribe-title">向您发送以下通知</Text>
        {request.templates.map((t) => (
          <View key={t.id} className={`subscribe-row subscribe-row-${t.id}`}>
            <Text className="subscribe-row-title">{t.title}</Text>
            <Toggle
              className="subscribe-toggle"
              on={choices[t.id] === 'accept'}
              onChange={(on) => setChoices({ ...choices, [t.id]: on ? 'accept' : 'reject' })}
            />
          </View>
        ))}
        <Text className="subscribe-hint">模拟微信订阅消息弹窗：您的选择会同步给微信模拟器。</Text>
        <View className="subscribe-actions">
          <Button className="btn btn-plain subscribe-cancel" onClick={() => request.answer(allReject)}>
            取消
          </Button>
          <Button className="btn btn-primary subscribe-allow" onClick={() => request.answer(choices)}>
            允许
          </Button>
        </View>
      </View>
    </View>
  )
}

import { useState } from 'react'
import Taro, { useDidShow } from '@tarojs/taro'
import { Button, Text, View } from '@tarojs/components'
import type { Patient } from '@careloop/shared'

import { BrandBar } from '../../components/BrandBar'
import { PAGES } from '../../routes'
import { loadMe, logout, messageOf } from '../../services/auth'
import { formatDate, formatToday } from '../../utils/date'
import './index.css'

type State = { kind: 'loading' } | { kind: 'ready'; patient: Patient } | { kind: 'error'; message: string }

export default function HomePage() {
  const [state, setState] = useState<State>({ kind: 'loading' })

  const load = async () => {
    try {
      const me = await loadMe()
      if (me.kind === 'logged-out') {
        await Taro.reLaunch({ url: PAGES.login })
        return
      }
      if (!me.patient.name) {
        await Taro.reLaunch({ url: PAGES.profileSetup })
        return
      }
      setState({ kind: 'ready', patient: me.patient })
    } catch (e) {
      setState({ kind: 'error', message: messageOf(e, '加载失败，请稍后重试') })
    }
  }

  useDidShow(() => {
    void load()
  })

  const onLogout = async () => {
    logout()
    await Taro.reLaunch({ url: PAGES.login })
  }

  return (
    <View className="page home-page">
      <BrandBar />
      <View className="page-body">
        {state.kind === 'loading' && <Text className="home-status muted">正在加载…</Text>}

        {state.kind === 'error' && (
          <View className="card">
            <Text className="form-error home-error">{state.message}</Text>
            <Button
              className="btn btn-primary retry-button"
              onClick={() => {
                setState({ kind: 'loading' })
                void load()
              }}
            >
              重新加载
            </Button>
          </View>
        )}

        {state.kind === 'ready' && (
          <>
            <View className="card greeting-card">
              <Text className="greeting">{state.patient.name}，您好</Text>
              <Text className="greeting-sub">按时完成随访，帮助医生和护士更好地了解您的恢复情况。</Text>
            </View>

            <View className="card">
              <View className="card-head">
                <Text className="card-title">今日随访</Text>
                <Text className="card-meta">{formatToday()}</Text>
              </View>
              <View className="empty">
                <View className="empty-icon">
                  <View className="empty-check" />
                </View>
                <Text className="empty-text">暂无待完成的随访任务</Text>
                <Text className="empty-hint">医生或护士为您安排随访后，任务会显示在这里。</Text>
              </View>
            </View>

            <View className="card">
              <Text className="card-title">我的档案</Text>
              <View className="info-row">
                <Text className="info-label">姓名</Text>
                <Text className="info-value profile-name">{state.patient.name}</Text>
              </View>
              <View className="info-row">
                <Text className="info-label">建档日期</Text>
                <Text className="info-value">{formatDate(state.patient.createdAt)}</Text>
              </View>
            </View>

            <View className="logout-row">
              <Text className="logout-link" onClick={onLogout}>
                退出登录
              </Text>
            </View>
          </>
        )}
      </View>
    </View>
  )
}

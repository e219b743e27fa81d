import { useState } from 'react'
import Taro, { useDidShow } from '@tarojs/taro'
import { Button, Text, View } from '@tarojs/components'
import type { MeResponse } from '@careloop/shared'

import { BrandBar } from '../../components/BrandBar'
import { PAGES, type PagePath } from '../../routes'
import { loadMe, logout, messageOf, pageFor } from '../../services/auth'
import { leaveOnSessionError } from '../../services/guard'
import { formatDate, formatToday } from '../../utils/date'
import { GENDER_LABELS, RELATION_LABELS } from '../../utils/labels'
import './index.css'

type State = { kind: 'loading' } | { kind: 'ready'; me: MeResponse } | { kind: 'error'; message: string }

const ENTRIES: readonly { key: string; url: PagePath; icon: string; title: string; desc: string }[] = [
  { key: 'profile', url: PAGES.profile, icon: '资', title: '个人资料', desc: '资料与手机号' },
  { key: 'family', url: PAGES.family, icon: '家', title: '家庭成员', desc: '为家人管理随访' },
  { key: 'settings', url: PAGES.settings, icon: '设', title: '设置', desc: '隐私授权与退出' },
  { key: 'my-data', url: PAGES.myData, icon: '数', title: '我的数据', desc: '导出与注销' },
]

export default function HomePage() {
  const [state, setState] = useState<State>({ kind: 'loading' })

  const load = async () => {
    try {
      const res = await loadMe()
      if (res.kind === 'logged-out') {
        await Taro.reLaunch({ url: PAGES.login })
        return
      }
      const next = pageFor(res.me)
      if (next !== PAGES.home) {
        await Taro.reLaunch({ url: next })
        return
      }
      setState({ kind: 'ready', me: res.me })
    } catch (e) {
      if (await leaveOnSessionError(e)) return
      setState({ kind: 'error', message: messageOf(e, '加载失败，请稍后重试') })
    }
  }

  useDidShow(() => {
    void load()
  })

  const onLogout = async () => {
    await logout()
    await Taro.reLaunch({ url: PAGES.login })
  }

  const go = (url: PagePath) => {
    void Taro.navigateTo({ url })
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

        {state.kind === 'ready' && <Home me={state.me} go={go} onLogout={onLogout} />}
      </View>
    </View>
  )
}

function Home({ me, go, onLogout }: { me: MeResponse; go: (url: PagePath) => void; onLogout: () => void }) {
  const { patient, account, profiles } = me
  const proxy = patient.relation !== 'self'
  return (
    <>
      <View className="card greeting-card">
        <Text className="greeting">{patient.name}，您好</Text>
        <Text className="greeting-sub">
          {proxy
            ? `您正在为家人${patient.name ?? ''}管理随访，提醒和任务都将以其身份进行。`
            : '按时完成随访，帮助医生和护士更好地了解您的恢复情况。'}
        </Text>
        {profiles.length > 1 && (
          <View className="active-profile">
            <Text className="active-profile-label">当前就诊人</Text>
            <Text className="active-profile-name">{patient.name}</Text>
            <Text className="tag tag-teal">{RELATION_LABELS[patient.relation]}</Text>
            <Text className="switch-profile" onClick={() => go(PAGES.family)}>
              切换 ›
            </Text>
          </View>
        )}
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

      <View className="card entries-card">
        <Text className="card-title">我的服务</Text>
        <View className="entries">
          {ENTRIES.map((e) => (
            <View key={e.key} className={`entry entry-${e.key}`} onClick={() => go(e.url)}>
              <View className="entry-inner">
                <View className={`entry-icon entry-icon-${e.key}`}>
                  <Text className="entry-icon-text">{e.icon}</Text>
                </View>
                <View className="entry-text">
                  <Text className="entry-title">{e.title}</Text>
                  <Text className="entry-desc">{e.desc}</Text>
                </View>
              </View>
            </View>
          ))}
        </View>
      </View>

      <View className="card">
        <View className="card-head">
          <Text className="card-title">{proxy ? '就诊人档案' : '我的档案'}</Text>
          <Text className="card-link" onClick={() => go(PAGES.profile)}>
            编辑 ›
          </Text>
        </View>
        <View className="info-row">
          <Text className="info-label">姓名</Text>
          <Text className="info-value profile-name">{patient.name}</Text>
        </View>
        <View className="info-row">
          <Text className="info-label">性别</Text>
          <Text className="info-value">{patient.gender ? GENDER_LABELS[patient.gender] : '未填写'}</Text>
        </View>
        <View className="info-row">
          <Text className="info-label">出生年份</Text>
          <Text className="info-value">{patient.birthYear ? `${patient.birthYear}年` : '未填写'}</Text>
        </View>
        {!proxy && (
          <View className="info-row">
            <Text className="info-label">手机号</Text>
            <Text className="info-value home-phone">{account.phone ?? '未绑定'}</Text>
          </View>
        )}
        <View className="info-row">
          <Text className="info-label">建档日期</Text>
          <Text className="info-value">{formatDate(patient.createdAt)}</Text>
        </View>
      </View>

      <View className="logout-row">
        <Text className="logout-link" onClick={onLogout}>
          退出登录
        </Text>
      </View>
    </>
  )
}

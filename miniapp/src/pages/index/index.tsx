import Taro, { useDidShow } from '@tarojs/taro'
import { Text, View } from '@tarojs/components'
import type { MeResponse, MyPointsResponse } from '@careloop/shared'

import { Page, RetryCard } from '../../components/Page'
import { type HomeExtras, useHomeExtras } from '../../hooks/useHomeExtras'
import { usePageData } from '../../hooks/usePageData'
import { PAGES, type PagePath } from '../../routes'
import { loadMe, pageFor } from '../../services/auth'
import { logoutToLogin, meOrLogin } from '../../services/guard'
import { badgeText } from '../../services/inbox'
import { PointsCard } from './PointsCard'
import { TodayFollowup } from './TodayFollowup'
import { formatDate, formatToday } from '../../utils/date'
import { GENDER_LABELS, RELATION_LABELS } from '../../utils/labels'
import './index.css'

const ENTRIES: readonly { key: string; url: PagePath; icon: string; title: string; desc: string }[] = [
  { key: 'profile', url: PAGES.profile, icon: '资', title: '个人资料', desc: '资料与手机号' },
  { key: 'family', url: PAGES.family, icon: '家', title: '家庭成员', desc: '为家人管理随访' },
  { key: 'settings', url: PAGES.settings, icon: '设', title: '设置', desc: '隐私授权与退出' },
  { key: 'my-data', url: PAGES.myData, icon: '数', title: '我的数据', desc: '导出与注销' },
  { key: 'readings', url: PAGES.readings, icon: '测', title: '健康指标', desc: '血压 血糖 体重' },
  { key: 'messages', url: PAGES.messages, icon: '信', title: '消息中心', desc: '随访提醒与通知' },
  { key: 'content', url: PAGES.contentList, icon: '科', title: '健康科普', desc: '审核过的健康知识' },
  { key: 'mall', url: PAGES.mall, icon: '兑', title: '积分商城', desc: '积分兑换礼品服务' },
  { key: 'member', url: PAGES.member, icon: '会', title: '会员中心', desc: '开通会员 专属权益' },
]

export default function HomePage() {
  const { extras, refresh, setPoints } = useHomeExtras()
  const { state, load, reload } = usePageData(async () => {
    const me = await meOrLogin(await loadMe())
    if (!me) return null
    const next = pageFor(me)
    if (next === PAGES.home) {
      void refresh()
      return me
    }
    await Taro.reLaunch({ url: next })
    return null
  })

  useDidShow(() => {
    void load()
  })

  const go = (url: string) => {
    void Taro.navigateTo({ url })
  }

  return (
    <Page className="home-page">
      {state.kind === 'loading' && <Text className="home-status muted">正在加载…</Text>}

      {state.kind === 'error' && (
        <RetryCard message={state.message} className="home-error" onRetry={reload} />
      )}

      {state.kind === 'ready' && (
        <Home
          me={state.data}
          extras={extras}
          go={go}
          onPoints={setPoints}
          onLogout={() => void logoutToLogin()}
        />
      )}
    </Page>
  )
}

function Home(props: {
  me: MeResponse
  extras: HomeExtras
  go: (url: string) => void
  onPoints: (points: MyPointsResponse) => void
  onLogout: () => void
}) {
  const { me, extras, go, onPoints, onLogout } = props
  const { patient, account, profiles } = me
  const badge = badgeText(extras.unread)
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

      <PointsCard points={extras.points} go={go} onChange={onPoints} />

      <View className="card">
        <View className="card-head">
          <Text className="card-title">今日随访</Text>
          <Text className="card-meta">{formatToday()}</Text>
        </View>
        <TodayFollowup followup={extras.followup} go={go} />
      </View>

      <View
        className="card community-entry followup-entry entry-followup"
        onClick={() => go(PAGES.followupPlan)}
      >
        <View className="community-entry-icon followup-entry-icon">
          <Text className="community-entry-icon-text">访</Text>
        </View>
        <View className="community-entry-text">
          <Text className="community-entry-title">我的随访</Text>
          <Text className="community-entry-desc">随访计划、任务进度与责任护士</Text>
        </View>
        <Text className="community-entry-go followup-entry-go">查看 ›</Text>
      </View>

      <View className="card community-entry entry-communities" onClick={() => go(PAGES.communities)}>
        <View className="community-entry-icon">
          <Text className="community-entry-icon-text">群</Text>
        </View>
        <View className="community-entry-text">
          <Text className="community-entry-title">病友社群</Text>
          <Text className="community-entry-desc">与同病种病友交流，护士在群内答疑</Text>
        </View>
        <Text className="community-entry-go">去看看 ›</Text>
      </View>

      <View className="card entries-card">
        <Text className="card-title">我的服务</Text>
        <View className="entries">
          {ENTRIES.map((e) => (
            <View key={e.key} className={`entry entry-${e.key}`} onClick={() => go(e.url)}>
              <View className="entry-inner">
                <View className={`entry-icon entry-icon-${e.key}`}>
                  <Text className="entry-icon-text">{e.icon}</Text>
                  {e.key === 'messages' && badge && <Text className="entry-badge unread-badge">{badge}</Text>}
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

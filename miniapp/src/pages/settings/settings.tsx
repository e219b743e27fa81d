import { useState } from 'react'
import Taro, { useDidShow } from '@tarojs/taro'
import { Button, Text, View } from '@tarojs/components'
import type { ConsentPurpose } from '@careloop/shared'

import { api } from '../../api/endpoints'
import { ApiError } from '../../api/http'
import { Toggle } from '../../components/Controls'
import { Page, PageStatus } from '../../components/Page'
import { usePageData } from '../../hooks/usePageData'
import { PAGES } from '../../routes'
import { loadMe, messageOf } from '../../services/auth'
import { setConsent } from '../../services/consent'
import { leaveOnSessionError, logoutToLogin, meOrLogin } from '../../services/guard'
import { formatDateTime } from '../../utils/date'
import { PURPOSE_LABELS, RELATION_LABELS } from '../../utils/labels'
import { confirmDialog, toast } from '../../utils/ui'
import { QuietHoursCard } from './QuietHours'
import './settings.css'

/** 我的 → 积分与会员 (F26–F32). */
const LOYALTY_LINKS = [
  { key: 'points', url: PAGES.points, title: '我的积分', meta: '签到 · 明细' },
  { key: 'mall', url: PAGES.mall, title: '积分商城', meta: '兑换礼品' },
  { key: 'redemptions', url: PAGES.redemptions, title: '我的兑换', meta: '兑换码' },
  { key: 'member', url: PAGES.member, title: '会员中心', meta: '开通 · 权益' },
  { key: 'orders', url: PAGES.orders, title: '我的订单', meta: '支付记录' },
] as const

/**
 * 设置: the active profile's consents (F3). Care is required and can be withdrawn (the service then
 * stops until consent is given again); marketing and research are switches. Every change is kept
 * with version and time, shown as 授权记录.
 */
export default function SettingsPage() {
  const [busy, setBusy] = useState<ConsentPurpose | null>(null)
  const [error, setError] = useState<string | null>(null)

  const { state, load, setData } = usePageData(async () => {
    const me = await meOrLogin(await loadMe())
    if (!me) return null
    const [policy, consents] = await Promise.all([api.privacyPolicy(), api.getConsents()])
    return { policy, consents, me }
  })

  useDidShow(() => {
    void load()
  })

  if (state.kind !== 'ready') return <PageStatus className="settings-page" state={state} />

  const { policy, consents, me } = state.data
  const proxy = me.patient.relation !== 'self'
  const granted = (p: ConsentPurpose) => consents.current[p]?.granted ?? false
  const titleOf = (p: ConsentPurpose) =>
    policy.purposes.find((x) => x.purpose === p)?.title ?? PURPOSE_LABELS[p]

  const change = async (purpose: ConsentPurpose, on: boolean) => {
    if (busy) return
    setBusy(purpose)
    setError(null)
    try {
      const next = await setConsent(policy, purpose, on)
      setData({ ...state.data, consents: next })
      toast(on ? '已开启' : '已撤回')
      return true
    } catch (e) {
      if (await leaveOnSessionError(e)) return false
      setError(messageOf(e, '操作失败，请稍后重试'))
      if (e instanceof ApiError && e.code === 'POLICY_VERSION_STALE') void load()
      return false
    } finally {
      setBusy(null)
    }
  }

  const onWithdrawCare = async () => {
    const ok = await confirmDialog({
      title: '撤回诊疗服务授权',
      content:
        '撤回后，随访任务、复诊与用药提醒将停止，护士也无法通过本服务联系您。重新同意隐私政策前将无法使用本服务。确定撤回吗？',
      confirmText: '撤回',
      danger: true,
    })
    if (!ok) return
    if (await change('care', false)) await Taro.reLaunch({ url: PAGES.consent })
  }

  const optional = policy.purposes.filter((p) => !p.required)
  const history = [...consents.history].sort((a, b) => b.at.localeCompare(a.at))

  return (
    <Page className="settings-page">
      <View className="card subject-card">
        <Text className="subject-label">以下授权适用于当前就诊人</Text>
        <View className="subject-line">
          <Text className="subject-name">{me.patient.name ?? '未填写姓名'}</Text>
          <Text className={`tag ${proxy ? 'tag-blue' : 'tag-teal'}`}>
            {RELATION_LABELS[me.patient.relation]}
          </Text>
        </View>
      </View>

      <Text className="section-title">隐私授权</Text>
      <View className="card consent-list">
        {policy.purposes
          .filter((p) => p.required)
          .map((p) => (
            <View key={p.purpose} className={`consent-item consent-${p.purpose}`}>
              <View className="consent-main">
                <View className="consent-head">
                  <Text className="consent-title">{p.title}</Text>
                  <Text className="tag tag-teal">必需</Text>
                </View>
                <Text className="consent-desc">{p.description}</Text>
                <Text className={`consent-state${granted(p.purpose) ? '' : ' is-off'}`}>
                  {granted(p.purpose)
                    ? `已同意 · 版本 ${consents.current[p.purpose]?.policyVersion ?? policy.version}`
                    : '未同意'}
                </Text>
              </View>
              {granted(p.purpose) && (
                <Text className="withdraw-link withdraw-care" onClick={() => void onWithdrawCare()}>
                  撤回
                </Text>
              )}
            </View>
          ))}
        {optional.map((p) => (
          <View key={p.purpose} className={`consent-item consent-${p.purpose}`}>
            <View className="consent-main">
              <Text className="consent-title">{p.title}</Text>
              <Text className="consent-desc">{p.description}</Text>
              <Text className={`consent-state${granted(p.purpose) ? '' : ' is-off'}`}>
                {granted(p.purpose) ? '已同意' : '未同意'}
              </Text>
            </View>
            <Toggle
              className={`toggle-${p.purpose}`}
              on={granted(p.purpose)}
              disabled={busy !== null}
              onChange={(on) => void change(p.purpose, on)}
            />
          </View>
        ))}
      </View>
      {error && <Text className="form-error settings-error">{error}</Text>}

      <Text className="section-title">授权记录</Text>
      <View className="card history-card">
        {history.length === 0 && <Text className="muted">暂无记录</Text>}
        {history.map((h, i) => (
          <View key={`${h.at}-${h.purpose}-${i}`} className="history-row">
            <View className="history-main">
              <Text className="history-title">{titleOf(h.purpose)}</Text>
              <Text className="history-meta">
                {formatDateTime(h.at)} · 版本 {h.policyVersion} · {h.by === 'proxy' ? '家属代办' : '本人'}
              </Text>
            </View>
            <Text className={`tag ${h.granted ? 'tag-teal' : 'tag-orange'} history-action`}>
              {h.granted ? '同意' : '撤回'}
            </Text>
          </View>
        ))}
      </View>

      <Text className="section-title">消息提醒（本账号）</Text>
      <QuietHoursCard />

      <Text className="section-title">积分与会员</Text>
      <View className="card link-card loyalty-links">
        {LOYALTY_LINKS.map((l) => (
          <View
            key={l.key}
            className={`link-row link-${l.key}`}
            onClick={() => void Taro.navigateTo({ url: l.url })}
          >
            <Text className="link-row-title">{l.title}</Text>
            <Text className="link-row-meta">{l.meta} ›</Text>
          </View>
        ))}
      </View>

      <View className="card link-card">
        <View className="link-row policy-link" onClick={() => void Taro.navigateTo({ url: PAGES.policy })}>
          <Text className="link-row-title">隐私政策</Text>
          <Text className="link-row-meta">版本 {policy.version} ›</Text>
        </View>
        <View className="link-row my-data-link" onClick={() => void Taro.navigateTo({ url: PAGES.myData })}>
          <Text className="link-row-title">我的数据</Text>
          <Text className="link-row-meta">导出 · 注销 ›</Text>
        </View>
      </View>

      <Button className="btn btn-plain settings-logout" onClick={() => void logoutToLogin()}>
        退出登录
      </Button>
    </Page>
  )
}

import { useState } from 'react'
import Taro, { useLoad } from '@tarojs/taro'
import { Button, Text, View } from '@tarojs/components'
import type { ConsentPurpose } from '@careloop/shared'

import { api } from '../../api/endpoints'
import { ApiError } from '../../api/http'
import { BusyButton, CheckRow } from '../../components/Controls'
import { Page, PageStatus } from '../../components/Page'
import { PolicyView } from '../../components/PolicyView'
import { usePageData } from '../../hooks/usePageData'
import { loadMe, messageOf, pageFor } from '../../services/auth'
import { acceptPolicy } from '../../services/consent'
import { leaveOnSessionError, logoutToLogin, meOrLogin } from '../../services/guard'
import { switchProfile } from '../../services/profile'
import { RELATION_LABELS } from '../../utils/labels'
import './consent.css'

/**
 * First launch (F3): the privacy policy and its purposes. Care consent is required to use the
 * service; marketing and research are separate, unticked choices. For a family member's profile the
 * managing account consents on their behalf (recorded as `proxy`).
 */
export default function ConsentPage() {
  const [optIn, setOptIn] = useState<ConsentPurpose[]>([])
  const [declined, setDeclined] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)

  const { state, load, reload } = usePageData(async () => {
    const [policy, res] = await Promise.all([api.privacyPolicy(), loadMe()])
    const me = await meOrLogin(res)
    return me && { policy, me }
  })

  useLoad(() => {
    void load()
  })

  if (state.kind !== 'ready') {
    return (
      <PageStatus className="consent-page" state={state} loadingText="正在加载隐私政策…" onRetry={reload} />
    )
  }

  const { policy, me } = state.data
  const subject = me.patient
  const proxy = subject.relation !== 'self'
  const self = me.profiles.find((p) => p.relation === 'self')

  const toggle = (purpose: ConsentPurpose, on: boolean) =>
    setOptIn((cur) =>
      on ? [...cur.filter((p) => p !== purpose), purpose] : cur.filter((p) => p !== purpose),
    )

  const onAccept = async () => {
    if (busy) return
    setBusy(true)
    setError(null)
    try {
      await acceptPolicy(policy, optIn)
      await Taro.reLaunch({ url: pageFor({ careConsent: true, patient: subject }) })
    } catch (e) {
      if (await leaveOnSessionError(e)) return
      setError(messageOf(e, '提交失败，请稍后重试'))
      setBusy(false)
      if (e instanceof ApiError && e.code === 'POLICY_VERSION_STALE') {
        // The policy changed while it was open: show the new one and ask again.
        reload()
      }
    }
  }

  const onSwitchToSelf = async () => {
    if (!self || busy) return
    setBusy(true)
    try {
      await switchProfile(self.id)
    } catch (e) {
      if (await leaveOnSessionError(e)) return
      setError(messageOf(e, '切换失败，请稍后重试'))
      setBusy(false)
    }
  }

  if (declined) {
    return (
      <Page className="consent-page">
        <View className="card declined-card">
          <View className="declined-icon">
            <Text className="declined-icon-text">!</Text>
          </View>
          <Text className="declined-title">暂时无法使用随访服务</Text>
          <Text className="declined-text">
            {proxy
              ? `未同意隐私政策，我们无法为${subject.name ?? '该家庭成员'}提供随访任务、复诊与用药提醒和护士服务。`
              : '未同意隐私政策，我们无法为您提供随访任务、复诊与用药提醒和护士服务。'}
            您可以随时重新阅读并同意后继续使用。
          </Text>
          <Button className="btn btn-primary consent-reread" onClick={() => setDeclined(false)}>
            重新阅读政策
          </Button>
          {proxy && self && (
            <Button className="btn btn-secondary consent-switch-self" onClick={onSwitchToSelf}>
              切换回本人
            </Button>
          )}
          <Button className="btn btn-plain consent-logout" onClick={() => void logoutToLogin()}>
            退出
          </Button>
          {error && <Text className="form-error">{error}</Text>}
        </View>
      </Page>
    )
  }

  return (
    <Page className="consent-page">
      <View className="card consent-intro">
        <Text className="card-title">{proxy ? '为家庭成员确认隐私政策' : '欢迎使用随访服务'}</Text>
        <Text className="card-desc">
          {proxy
            ? '该家庭成员的信息将由您代为管理。使用前，请与本人（或其监护人）一起阅读以下隐私政策，并代为确认同意。'
            : '为了向您提供随访提醒和护士服务，我们需要处理您的个人信息。请仔细阅读以下隐私政策。'}
        </Text>
        {proxy && (
          <View className="proxy-banner">
            <Text className="proxy-label">当前就诊人</Text>
            <Text className="proxy-name">{subject.name ?? '家庭成员'}</Text>
            <Text className="tag tag-blue">{RELATION_LABELS[subject.relation]}</Text>
          </View>
        )}
      </View>

      <View className="card policy-card">
        <PolicyView policy={policy} />
      </View>

      <View className="card purposes-card">
        <Text className="card-title">授权用途</Text>
        <Text className="card-desc">每项用途单独授权，可在「设置」中随时撤回营销和科研授权。</Text>
        {policy.purposes.map((p) => (
          // Required purposes are shown ticked and cannot be unticked; the others are opt-in.
          <View key={p.purpose} className={`purpose-row purpose-${p.purpose}`}>
            <CheckRow
              className={p.required ? undefined : `consent-opt consent-opt-${p.purpose}`}
              checked={p.required || optIn.includes(p.purpose)}
              disabled={p.required}
              onChange={(on) => toggle(p.purpose, on)}
            >
              <View className="purpose-head">
                <Text className="purpose-title">{p.title}</Text>
                <Text className={`tag ${p.required ? 'tag-teal' : 'tag-grey'}`}>
                  {p.required ? '必需' : '可选'}
                </Text>
              </View>
              <Text className="purpose-desc">{p.description}</Text>
            </CheckRow>
          </View>
        ))}
      </View>

      {error && <Text className="form-error consent-error">{error}</Text>}

      <View className="consent-actions">
        <BusyButton className="consent-accept" busy={busy} onClick={onAccept}>
          同意并继续
        </BusyButton>
        <Button className="btn btn-plain consent-decline" disabled={busy} onClick={() => setDeclined(true)}>
          不同意
        </Button>
      </View>
    </Page>
  )
}

import { useState } from 'react'
import Taro, { useDidShow } from '@tarojs/taro'
import { Text, View } from '@tarojs/components'
import type { FollowupStep } from '@careloop/shared'

import { api } from '../../api/endpoints'
import { hasSession } from '../../api/session'
import { BusyButton } from '../../components/Controls'
import { Page, PageStatus } from '../../components/Page'
import { SubscribeSheet } from '../../components/SubscribeSheet'
import { useClientConfig } from '../../hooks/useClientConfig'
import { usePageData } from '../../hooks/usePageData'
import { PAGES } from '../../routes'
import { messageOf } from '../../services/auth'
import {
  ANCHOR_LABELS,
  dueCount,
  ENROLMENT_STATUS_LABELS,
  formatLocalDate,
  formatLocalDue,
  type MyEnrolment,
  STEP_KIND_LABELS,
  STEP_STATUS,
  stepPage,
  visibleSteps,
} from '../../services/followup'
import { leaveOnSessionError } from '../../services/guard'
import { askReminders, oneTimeTemplateIds, outcomeText, SCENE_KINDS } from '../../services/subscribe'
import { toast } from '../../utils/ui'
import '../followup.css'
import './index.css'

/** Enrolments the patient has been asked about reminders on this device (so each plan asks once). */
const ASKED_KEY = 'careloop.remindersAsked'

function askedIds(): string[] {
  const v: unknown = Taro.getStorageSync(ASKED_KEY)
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []
}

/**
 * 我的随访 (F15–F16): the active profile's follow-up plans — plan, anchor date, nurse — and each
 * plan's steps with their date and status (未开始 / 待完成 / 已完成 / 已错过). A step opens its page
 * (reminder, article, questionnaire). A plan the patient has not been asked about yet offers
 * 开启随访提醒: the subscribe popup for the follow-up reminders (F21).
 */
export default function FollowupPlanPage() {
  const config = useClientConfig()
  const [asked, setAsked] = useState<string[]>(askedIds)
  const [asking, setAsking] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)

  const { state, load, reload } = usePageData(async () => {
    if (hasSession()) return api.myFollowup()
    await Taro.reLaunch({ url: PAGES.login })
    return null
  })

  useDidShow(() => {
    void load()
  })

  if (state.kind !== 'ready')
    return <PageStatus className="followup-plan-page" state={state} onRetry={reload} />

  const { enrolments } = state.data
  const canAsk = oneTimeTemplateIds(config, SCENE_KINDS.enrol).length > 0
  const due = dueCount(enrolments)

  // Synchronous up to the popup: WeChat only shows it from inside the tap.
  const onEnable = (e: MyEnrolment) => {
    if (asking) return
    setAsking(e.id)
    setError(null)
    askReminders(config, 'enrol')
      .then((outcome) => {
        const next = [...asked.filter((id) => id !== e.id), e.id]
        Taro.setStorageSync(ASKED_KEY, next)
        setAsked(next)
        if (outcome) toast(outcomeText(outcome))
      })
      .catch(async (err: unknown) => {
        if (await leaveOnSessionError(err)) return
        setError(messageOf(err, '开启提醒失败，请稍后重试'))
      })
      .finally(() => setAsking(null))
  }

  const open = (s: FollowupStep) => {
    const url = stepPage(s)
    if (url) void Taro.navigateTo({ url })
  }

  return (
    <Page className="followup-plan-page">
      <View className="card fu-intro">
        <Text className="fu-intro-title">我的随访</Text>
        <Text className="fu-intro-desc">
          {enrolments.length === 0
            ? '医生或护士为您安排随访后，计划和任务会显示在这里。'
            : due > 0
              ? `您有 ${due} 项随访任务待完成，请在截止前完成。`
              : '按时完成随访任务，帮助医生和护士了解您的恢复情况。'}
        </Text>
      </View>

      {enrolments.length === 0 && (
        <View className="card fu-empty followup-empty">
          <View className="fu-empty-icon">
            <Text className="fu-empty-icon-text">访</Text>
          </View>
          <Text className="fu-empty-text">暂无随访计划</Text>
          <Text className="fu-empty-hint">出院或就诊后，护士会为您制定随访计划。</Text>
        </View>
      )}

      {enrolments.map((e) => (
        <View key={e.id} className={`card enrolment-card enrolment-${e.status}`}>
          <View className="enrolment-head">
            <Text className="enrolment-name">{e.planName}</Text>
            <Text className={`tag ${e.status === 'active' ? 'tag-teal' : 'tag-grey'} enrolment-status`}>
              {ENROLMENT_STATUS_LABELS[e.status]}
            </Text>
          </View>
          <View className="fu-meta-row">
            <Text className="fu-meta-label">{ANCHOR_LABELS[e.anchor]}</Text>
            <Text className="fu-meta-value enrolment-anchor">{formatLocalDate(e.anchorDate)}</Text>
          </View>
          <View className="fu-meta-row">
            <Text className="fu-meta-label">责任护士</Text>
            <Text className="fu-meta-value enrolment-nurse">{e.nurseName ?? '待分配'}</Text>
          </View>

          {canAsk && e.status === 'active' && !asked.includes(e.id) && (
            <View className="fu-remind-card enrolment-remind">
              <Text className="fu-remind-title">开启随访提醒</Text>
              <Text className="fu-remind-desc">
                随访任务到期时，通过微信服务通知提醒您，不错过每一次随访。
              </Text>
              <BusyButton className="enable-reminders" busy={asking === e.id} onClick={() => onEnable(e)}>
                开启随访提醒
              </BusyButton>
            </View>
          )}

          <View className="step-list">
            {visibleSteps(e).map((s) => (
              <StepRow key={s.id} s={s} onOpen={open} />
            ))}
          </View>
        </View>
      ))}

      {error && <Text className="form-error followup-error">{error}</Text>}

      <View className="card readings-link" onClick={() => void Taro.navigateTo({ url: PAGES.readings })}>
        <Text className="readings-link-title">健康指标</Text>
        <Text className="readings-link-desc">记录血压、血糖、体重 ›</Text>
      </View>

      <SubscribeSheet />
    </Page>
  )
}

function StepRow({ s, onOpen }: { s: FollowupStep; onOpen: (s: FollowupStep) => void }) {
  const status = STEP_STATUS[s.status]
  const tappable = stepPage(s) !== null
  return (
    <View
      className={`step-row step-${s.status}${tappable ? ' is-tappable' : ''}`}
      onClick={() => tappable && onOpen(s)}
    >
      <View className="step-date">
        <Text className="step-date-text">{formatLocalDue(s.dueAtLocal)}</Text>
      </View>
      <View className="step-main">
        <Text className="step-title">{s.title}</Text>
        <Text className="step-kind">{STEP_KIND_LABELS[s.kind]}</Text>
      </View>
      <Text className={`tag tag-${status.tone} step-status`}>{status.label}</Text>
      {tappable && <Text className="step-go">›</Text>}
    </View>
  )
}

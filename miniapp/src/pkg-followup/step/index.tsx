import { useState } from 'react'
import Taro, { useDidShow, useRouter } from '@tarojs/taro'
import { Button, Text, View } from '@tarojs/components'

import { ApiError } from '../../api/http'
import { api } from '../../api/endpoints'
import { hasSession } from '../../api/session'
import { BusyButton } from '../../components/Controls'
import { Page, PageStatus } from '../../components/Page'
import { usePageData } from '../../hooks/usePageData'
import { platform } from '../../platform'
import { PAGES } from '../../routes'
import { messageOf } from '../../services/auth'
import {
  findMyStep,
  formatLocalDue,
  STEP_KIND_LABELS,
  STEP_STATUS,
  type StepContext,
} from '../../services/followup'
import { leaveOnSessionError } from '../../services/guard'
import { formatDateTime } from '../../utils/date'
import { toast } from '../../utils/ui'
import '../followup.css'
import './index.css'

const NOT_FOUND = new ApiError('FOLLOWUP_STEP_NOT_FOUND', '该随访任务不存在或已取消', 404)

/**
 * A reminder or health-education step (`pkg-followup/step/index?id=`, the page the server's messages
 * link): what to do, its text and link, and 我已完成 (reminder) / 已阅读 (article), which marks it done.
 * A questionnaire step goes on to the questionnaire page.
 */
export default function FollowupStepPage() {
  const id = useRouter().params.id ?? ''
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)

  const { state, load, reload, setData } = usePageData(async (): Promise<StepContext | null> => {
    if (!hasSession()) {
      await Taro.reLaunch({ url: PAGES.login })
      return null
    }
    const found = await findMyStep(id)
    if (!found) throw NOT_FOUND
    if (found.step.kind === 'questionnaire') {
      await Taro.redirectTo({ url: `${PAGES.followupQuestionnaire}?step=${encodeURIComponent(id)}` })
      return null
    }
    return found
  })

  useDidShow(() => {
    void load()
  })

  if (state.kind !== 'ready')
    return <PageStatus className="followup-step-page" state={state} onRetry={reload} />

  const ctx = state.data
  const { step, enrolment, profile, otherProfile } = ctx
  const status = STEP_STATUS[step.status]
  const article = step.kind === 'content'

  const onDone = async () => {
    if (busy) return
    setBusy(true)
    setError(null)
    try {
      const res = await api.stepDone(step.id)
      setData({ ...ctx, step: res.step })
      toast(article ? '已阅读' : '已完成')
    } catch (e) {
      if (await leaveOnSessionError(e)) return
      setError(messageOf(e, '提交失败，请稍后重试'))
      // The step changed meanwhile (window closed, done elsewhere): show it as it is now.
      if (e instanceof ApiError && e.code === 'FOLLOWUP_STEP_STATE') void load()
    } finally {
      setBusy(false)
    }
  }

  const onCopy = async (link: string) => {
    try {
      await platform.setClipboard(link)
    } catch (e) {
      setError(messageOf(e, '复制失败，请长按链接手动复制'))
    }
  }

  return (
    <Page className="followup-step-page">
      <View className="card step-card">
        <View className="step-card-head">
          <Text className="tag tag-blue step-kind-tag">{STEP_KIND_LABELS[step.kind]}</Text>
          <Text className={`tag tag-${status.tone} step-status`}>{status.label}</Text>
        </View>
        <Text className="step-card-title">{step.title}</Text>
        <Text className="step-card-plan">{enrolment.planName}</Text>
        <View className="fu-meta-row">
          <Text className="fu-meta-label">{article ? '推送时间' : '提醒时间'}</Text>
          <Text className="fu-meta-value">{formatLocalDue(step.dueAtLocal)}</Text>
        </View>
        {otherProfile && (
          <View className="fu-meta-row">
            <Text className="fu-meta-label">就诊人</Text>
            <Text className="fu-meta-value step-profile">{profile.name ?? '家庭成员'}</Text>
          </View>
        )}
        {step.body && <Text className="step-body">{step.body}</Text>}
        {step.link && (
          <View className="step-link-box">
            <Text className="step-link">{step.link}</Text>
            <Button
              className="btn btn-small btn-plain step-copy-link"
              onClick={() => void onCopy(step.link!)}
            >
              复制链接
            </Button>
          </View>
        )}
      </View>

      {step.status === 'due' && (
        <BusyButton className="step-done" busy={busy} onClick={() => void onDone()}>
          {article ? '已阅读' : '我已完成'}
        </BusyButton>
      )}
      {step.status === 'done' && (
        <View className="card step-finished">
          <View className="done-mark">
            <View className="done-mark-check" />
          </View>
          <Text className="step-finished-text">
            {article ? '已阅读' : '已完成'}
            {step.doneAt ? ` · ${formatDateTime(step.doneAt)}` : ''}
          </Text>
        </View>
      )}
      {step.status === 'scheduled' && (
        <Text className="notice step-not-yet">
          该任务将于 {formatLocalDue(step.dueAtLocal)} 开始，届时我们会提醒您。
        </Text>
      )}
      {step.status === 'missed' && (
        <Text className="notice notice-warn step-missed">
          该任务已过截止时间，护士会与您联系，请保持电话畅通。
        </Text>
      )}
      {step.status === 'cancelled' && <Text className="notice step-cancelled">该任务已取消，无需处理。</Text>}

      {error && <Text className="form-error step-error">{error}</Text>}

      <Button
        className="btn btn-secondary step-to-plan"
        onClick={() => void Taro.navigateTo({ url: PAGES.followupPlan })}
      >
        查看我的随访
      </Button>
    </Page>
  )
}

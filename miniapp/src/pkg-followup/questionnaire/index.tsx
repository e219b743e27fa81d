import { useRef, useState } from 'react'
import Taro, { useLoad, useRouter } from '@tarojs/taro'
import { Button, Text, View } from '@tarojs/components'
import type { MyAnswer, PublishedQuestionnaire } from '@careloop/shared'

import { api } from '../../api/endpoints'
import { ApiError } from '../../api/http'
import { hasSession } from '../../api/session'
import { BusyButton } from '../../components/Controls'
import { Page, PageStatus } from '../../components/Page'
import { SubscribeSheet } from '../../components/SubscribeSheet'
import { useClientConfig } from '../../hooks/useClientConfig'
import { usePageData } from '../../hooks/usePageData'
import { PAGES } from '../../routes'
import { messageOf } from '../../services/auth'
import { findMyStep, formatLocalDue, newRequestId, type StepContext } from '../../services/followup'
import { leaveOnSessionError } from '../../services/guard'
import {
  answerErrorsOf,
  checkForm,
  emptyForm,
  type AnswerErrors,
  type AnswerForm,
} from '../../services/questionnaire'
import { askReminders, oneTimeTemplateIds, outcomeText, SCENE_KINDS } from '../../services/subscribe'
import { toast } from '../../utils/ui'
import { QuestionCard } from './QuestionCard'
import { AnswerResult } from './AnswerResult'
import '../followup.css'
import './index.css'

interface QuestionnaireData {
  questionnaire: PublishedQuestionnaire
  /** The follow-up step answered (null: a questionnaire opened by id). */
  ctx: StepContext | null
  patientId: string
  /** The answer already given to this step, if any. */
  answer: MyAnswer | null
}

const STEP_NOT_FOUND = new ApiError('QUESTIONNAIRE_STEP_NOT_FOUND', '该随访问卷不存在或已取消', 404)

async function answerOfStep(patientId: string, stepId: string): Promise<MyAnswer | null> {
  const { answers } = await api.myAnswers(patientId)
  return answers.find((a) => a.stepId === stepId) ?? null
}

async function loadQuestionnaire(params: { step?: string; id?: string }): Promise<QuestionnaireData | null> {
  if (!hasSession()) {
    await Taro.reLaunch({ url: PAGES.login })
    return null
  }
  if (params.step) {
    const ctx = await findMyStep(params.step)
    if (!ctx?.step.questionnaireId) throw STEP_NOT_FOUND
    const patientId = ctx.profile.id
    const [questionnaire, answer] = await Promise.all([
      api.questionnaire(ctx.step.questionnaireId),
      ctx.step.status === 'done' ? answerOfStep(patientId, ctx.step.id) : Promise.resolve(null),
    ])
    return { questionnaire, ctx, patientId, answer }
  }
  const [me, questionnaire] = await Promise.all([api.getMe(), api.questionnaire(params.id ?? '')])
  return { questionnaire, ctx: null, patientId: me.patient.id, answer: null }
}

/**
 * A follow-up questionnaire (`pkg-followup/questionnaire/index?step=`, linked by the server's
 * messages; `?id=` opens one without a step). Single / multiple choice, numbers, text and scales,
 * checked as the server checks them, sent with a request id that a retry reuses (the server answers
 * the first submission). Then the score and, when an answer raised a red flag, a calm note that the
 * nurse has been told — and 提醒我下次随访 (subscribe popup, F21).
 */
export default function QuestionnairePage() {
  const params = useRouter().params
  const config = useClientConfig()
  const [form, setForm] = useState<AnswerForm>({})
  const [errors, setErrors] = useState<AnswerErrors>({})
  const [busy, setBusy] = useState(false)
  const [submitError, setSubmitError] = useState<string | null>(null)
  const [result, setResult] = useState<MyAnswer | null>(null)
  const [reminded, setReminded] = useState(false)
  const [asking, setAsking] = useState(false)
  // One id per submission of this page: a retry after a lost answer sends it again.
  const requestId = useRef(newRequestId('qa'))

  const { state, load, reload, setData } = usePageData(async () => {
    const data = await loadQuestionnaire({ step: params.step, id: params.id })
    if (data) {
      setForm(emptyForm(data.questionnaire.questions))
      setResult(data.answer)
    }
    return data
  })

  useLoad(() => {
    void load()
  })

  if (state.kind !== 'ready')
    return <PageStatus className="questionnaire-page" state={state} onRetry={reload} />

  const data = state.data
  const { questionnaire, ctx } = data
  const step = ctx?.step ?? null

  const edit = (key: string, value: AnswerForm[string]) => {
    setForm({ ...form, [key]: value })
    if (errors[key]) {
      const rest = { ...errors }
      delete rest[key]
      setErrors(rest)
    }
  }

  const onSubmit = async () => {
    if (busy) return
    setSubmitError(null)
    const checked = checkForm(questionnaire.questions, form)
    if (!checked.ok) {
      setErrors(checked.errors)
      setSubmitError(`还有 ${Object.keys(checked.errors).length} 道题需要检查，请查看标红的题目`)
      return
    }
    setErrors({})
    setBusy(true)
    try {
      const res = await api.submitAnswer(questionnaire.id, {
        patientId: data.patientId,
        ...(step ? { stepId: step.id } : {}),
        requestId: requestId.current,
        answers: checked.answers,
      })
      setResult(res)
      toast('提交成功')
    } catch (e) {
      if (await leaveOnSessionError(e)) return
      const fields = answerErrorsOf(e)
      if (fields) {
        setErrors(fields)
        setSubmitError('有题目填写不正确，请查看标红的题目')
      } else if (e instanceof ApiError && e.code === 'QUESTIONNAIRE_ALREADY_ANSWERED' && step) {
        const answer = await answerOfStep(data.patientId, step.id).catch(() => null)
        if (answer) setData({ ...data, answer })
        setResult(answer)
        if (!answer) setSubmitError(e.message)
      } else setSubmitError(messageOf(e, '提交失败，请检查网络后重试'))
    } finally {
      setBusy(false)
    }
  }

  // Synchronous up to the popup: WeChat only shows it from inside the tap.
  const onRemind = () => {
    if (asking) return
    setAsking(true)
    setSubmitError(null)
    askReminders(config, 'questionnaire')
      .then((outcome) => {
        setReminded(true)
        if (outcome) toast(outcomeText(outcome))
      })
      .catch(async (e: unknown) => {
        if (await leaveOnSessionError(e)) return
        setSubmitError(messageOf(e, '开启提醒失败，请稍后重试'))
      })
      .finally(() => setAsking(false))
  }

  const canRemind = !reminded && oneTimeTemplateIds(config, SCENE_KINDS.questionnaire).length > 0
  const closed = step !== null && (step.status === 'scheduled' || step.status === 'cancelled')

  return (
    <Page className="questionnaire-page">
      <View className="card fu-intro questionnaire-intro">
        <Text className="fu-intro-title questionnaire-title">{questionnaire.title}</Text>
        {questionnaire.description !== '' && (
          <Text className="fu-intro-desc">{questionnaire.description}</Text>
        )}
        {ctx && (
          <Text className="questionnaire-meta">
            {ctx.enrolment.planName}
            {ctx.otherProfile ? ` · 就诊人 ${ctx.profile.name ?? ''}` : ''}
          </Text>
        )}
      </View>

      {result ? (
        <AnswerResult
          answer={result}
          canRemind={canRemind}
          reminding={asking}
          onRemind={onRemind}
          onBack={() => void Taro.navigateTo({ url: PAGES.followupPlan })}
        />
      ) : closed ? (
        <Text className="notice questionnaire-closed">
          {step.status === 'scheduled'
            ? `该问卷将于 ${formatLocalDue(step.dueAtLocal)} 开放填写，届时我们会提醒您。`
            : '该问卷已取消，无需填写。'}
        </Text>
      ) : (
        <>
          {step?.status === 'missed' && (
            <Text className="notice notice-warn questionnaire-late">
              已过截止时间，您仍可填写，护士会查看您的回答。
            </Text>
          )}
          {questionnaire.questions.map((q, i) => (
            <QuestionCard
              key={q.key}
              n={i + 1}
              q={q}
              value={form[q.key] ?? null}
              error={errors[q.key]}
              onChange={(v) => edit(q.key, v)}
            />
          ))}
          <BusyButton className="questionnaire-submit" busy={busy} onClick={() => void onSubmit()}>
            提交
          </BusyButton>
        </>
      )}

      {submitError && <Text className="form-error questionnaire-error">{submitError}</Text>}

      {!result && !closed && (
        <Button
          className="btn btn-plain questionnaire-later"
          onClick={() => void Taro.navigateBack().catch(() => Taro.reLaunch({ url: PAGES.followupPlan }))}
        >
          稍后填写
        </Button>
      )}

      <SubscribeSheet />
    </Page>
  )
}

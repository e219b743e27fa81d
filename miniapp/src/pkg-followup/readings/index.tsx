import { useRef, useState } from 'react'
import Taro, { useDidShow } from '@tarojs/taro'
import { Input, Text, View } from '@tarojs/components'
import type {
  GlucoseContext,
  MeResponse,
  Reading,
  ReadingKind,
  SubmitReadingResponse,
} from '@careloop/shared'

import { api } from '../../api/endpoints'
import { hasSession } from '../../api/session'
import { BusyButton, Chips, FormItem } from '../../components/Controls'
import { Page, PageStatus } from '../../components/Page'
import { usePageData } from '../../hooks/usePageData'
import { PAGES } from '../../routes'
import { messageOf } from '../../services/auth'
import { newRequestId } from '../../services/followup'
import { leaveOnSessionError } from '../../services/guard'
import {
  checkReadingForm,
  emptyReadingForm,
  GLUCOSE_CONTEXT_LABELS,
  READING_KIND_LABELS,
  readingErrorsOf,
  type ReadingErrors,
  type ReadingField,
  type ReadingForm,
  readingValue,
  UNIT_LABELS,
} from '../../services/readings'
import { formatDateTime } from '../../utils/date'
import { toast } from '../../utils/ui'
import '../followup.css'
import './index.css'

const KIND_OPTIONS = (['bp', 'glucose', 'weight'] as const).map((k) => ({
  value: k,
  label: READING_KIND_LABELS[k],
}))
const CONTEXT_OPTIONS = (['fasting', 'postprandial', 'random'] as const).map((c) => ({
  value: c,
  label: GLUCOSE_CONTEXT_LABELS[c],
}))

const RECENT = 20

interface ReadingsData {
  me: MeResponse
  readings: Reading[]
}

/**
 * 健康指标 (F18): record a blood pressure, a blood glucose (空腹 / 餐后 / 随机) or a weight for the
 * active profile, checked as the server checks it, sent with a request id a retry reuses. Below, the
 * recent readings, abnormal ones marked; an abnormal reading tells the nurse, and the page says so.
 */
export default function ReadingsPage() {
  const [form, setForm] = useState<ReadingForm>(() => emptyReadingForm())
  const [errors, setErrors] = useState<ReadingErrors>({})
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [saved, setSaved] = useState<SubmitReadingResponse | null>(null)
  const requestId = useRef(newRequestId('rd'))

  const { state, load, reload, setData } = usePageData(async (): Promise<ReadingsData | null> => {
    if (!hasSession()) {
      await Taro.reLaunch({ url: PAGES.login })
      return null
    }
    const [me, list] = await Promise.all([api.getMe(), api.myReadings()])
    return { me, readings: list.readings }
  })

  useDidShow(() => {
    void load()
  })

  if (state.kind !== 'ready') return <PageStatus className="readings-page" state={state} onRetry={reload} />
  const data = state.data

  const edit = (patch: Partial<ReadingForm>, field?: ReadingField) => {
    setForm({ ...form, ...patch })
    if (field && errors[field]) setErrors({ ...errors, [field]: undefined })
  }

  const switchKind = (kind: ReadingKind | null) => {
    if (!kind || kind === form.kind) return
    setForm(emptyReadingForm(kind))
    setErrors({})
    setError(null)
  }

  const onSave = async () => {
    if (busy) return
    setError(null)
    setSaved(null)
    const checked = checkReadingForm(form)
    if (!checked.ok) {
      setErrors(checked.errors)
      return
    }
    setErrors({})
    setBusy(true)
    try {
      const res = await api.submitReading({
        ...checked.body,
        patientId: data.me.patient.id,
        requestId: requestId.current,
        measuredAt: new Date().toISOString(),
      })
      requestId.current = newRequestId('rd')
      setSaved(res)
      setForm(emptyReadingForm(form.kind))
      const rest = data.readings.filter((r) => r.id !== res.id)
      setData({ ...data, readings: [res, ...rest].slice(0, RECENT) })
      toast('已记录')
    } catch (e) {
      if (await leaveOnSessionError(e)) return
      const fields = readingErrorsOf(e)
      if (fields) setErrors(fields)
      else setError(messageOf(e, '保存失败，请检查网络后重试'))
    } finally {
      setBusy(false)
    }
  }

  const unit = UNIT_LABELS[form.kind]

  return (
    <Page className="readings-page">
      <View className="card reading-form">
        <Text className="card-title">记录指标</Text>
        <Text className="card-desc">
          为{data.me.patient.relation === 'self' ? '您' : ` ${data.me.patient.name ?? '家人'} `}
          记录今天的测量结果
        </Text>
        <View className="reading-kinds">
          <Chips className="kind-chips" options={KIND_OPTIONS} value={form.kind} onChange={switchKind} />
        </View>

        {form.kind === 'bp' ? (
          <>
            <NumberField
              label="收缩压（高压）"
              className="systolic-input"
              unit={unit}
              value={form.systolic}
              error={errors.systolic}
              onChange={(v) => edit({ systolic: v }, 'systolic')}
            />
            <NumberField
              label="舒张压（低压）"
              className="diastolic-input"
              unit={unit}
              value={form.diastolic}
              error={errors.diastolic}
              onChange={(v) => edit({ diastolic: v }, 'diastolic')}
            />
          </>
        ) : (
          <NumberField
            label={form.kind === 'glucose' ? '血糖' : '体重'}
            className="value-input"
            unit={unit}
            value={form.value}
            error={errors.value}
            onChange={(v) => edit({ value: v }, 'value')}
          />
        )}
        {form.kind === 'glucose' && (
          <FormItem label="测量时段" error={errors.context}>
            <Chips
              className="context-chips"
              options={CONTEXT_OPTIONS}
              value={form.context}
              onChange={(c: GlucoseContext | null) => edit({ context: c }, 'context')}
            />
          </FormItem>
        )}

        <BusyButton className="reading-save" busy={busy} onClick={() => void onSave()}>
          保存
        </BusyButton>
        {error && <Text className="form-error reading-error">{error}</Text>}
      </View>

      {saved?.abnormal && (
        <View className="nurse-notice reading-notice">
          <View className="nurse-notice-icon">
            <Text className="nurse-notice-icon-text">!</Text>
          </View>
          <View className="nurse-notice-main">
            <Text className="nurse-notice-title">健康提醒</Text>
            <Text className="nurse-notice-body">
              {saved.notice ?? '本次数值超出目标范围，请注意休息，稍后复测；如有不适请及时就医。'}
            </Text>
          </View>
        </View>
      )}

      <Text className="section-title">最近记录</Text>
      <View className="card reading-list">
        {data.readings.length === 0 && (
          <Text className="muted readings-empty">暂无记录，测量后在上方填写即可。</Text>
        )}
        {data.readings.map((r) => (
          <View key={r.id} className={`reading-row reading-${r.kind}${r.abnormal ? ' is-abnormal' : ''}`}>
            <View className="reading-main">
              <View className="reading-head">
                <Text className="reading-kind">{READING_KIND_LABELS[r.kind]}</Text>
                {r.context && (
                  <Text className="tag tag-grey reading-context">{GLUCOSE_CONTEXT_LABELS[r.context]}</Text>
                )}
              </View>
              <Text className="reading-time">{formatDateTime(r.measuredAt)}</Text>
            </View>
            <Text className="reading-value">{readingValue(r)}</Text>
            <Text className="reading-unit">{r.unit}</Text>
            {r.abnormal && <Text className="tag tag-red reading-abnormal">异常</Text>}
          </View>
        ))}
      </View>
    </Page>
  )
}

function NumberField(props: {
  label: string
  className: string
  unit: string
  value: string
  error?: string
  onChange: (v: string) => void
}) {
  const { label, className, unit, value, error, onChange } = props
  return (
    <FormItem label={label} error={error}>
      <View className="reading-input-row">
        <Input
          className={`text-input form-input reading-input ${className}`}
          type="digit"
          value={value}
          maxlength={6}
          placeholder="请输入"
          onInput={(e) => onChange(e.detail.value)}
        />
        <Text className="reading-input-unit">{unit}</Text>
      </View>
    </FormItem>
  )
}

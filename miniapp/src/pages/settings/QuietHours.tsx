import { useEffect, useState } from 'react'
import { Picker, Text, View } from '@tarojs/components'
import type { PushPreferences, QuietHours as Span } from '@careloop/shared'

import { api } from '../../api/endpoints'
import { Chips } from '../../components/Controls'
import { messageOf } from '../../services/auth'
import { leaveOnSessionError } from '../../services/guard'
import { toast } from '../../utils/ui'

type Mode = 'default' | 'custom' | 'off'

const MODE_OPTIONS: readonly { value: Mode; label: string }[] = [
  { value: 'default', label: '医院默认' },
  { value: 'custom', label: '自定义' },
  { value: 'off', label: '不设置' },
]

/** A custom span to start from when the patient picks 自定义. */
const FALLBACK: Span = { start: '22:00', end: '07:00' }

const modeOf = (p: PushPreferences): Mode =>
  p.quietHours === null ? 'default' : p.quietHours.start === p.quietHours.end ? 'off' : 'custom'

/** `21:00–次日 08:00` or `13:00–14:00`. */
export const spanText = (s: Span): string => `${s.start}–${s.end < s.start ? '次日 ' : ''}${s.end}`

/**
 * 免打扰时段 on 设置 (push preferences, F20): reminders that fall inside are held until it ends (urgent
 * notices from the nurse still go out). 医院默认 follows the hospital's span; 自定义 picks start and
 * end; 不设置 turns it off (start = end). Every change is saved at once.
 */
export function QuietHoursCard() {
  const [prefs, setPrefs] = useState<PushPreferences | null>(null)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)

  useEffect(() => {
    let live = true
    api
      .pushPreferences()
      .then((p) => live && setPrefs(p))
      .catch((e: unknown) => live && setError(messageOf(e, '免打扰设置加载失败')))
    return () => {
      live = false
    }
  }, [])

  const save = async (quietHours: Span | null) => {
    if (busy) return
    setBusy(true)
    setError(null)
    try {
      setPrefs(await api.setPushPreferences({ quietHours }))
      toast('已保存')
    } catch (e) {
      if (await leaveOnSessionError(e)) return
      setError(messageOf(e, '保存失败，请稍后重试'))
    } finally {
      setBusy(false)
    }
  }

  const mode = prefs ? modeOf(prefs) : null
  const custom = prefs?.quietHours && mode === 'custom' ? prefs.quietHours : null

  const onMode = (m: Mode | null) => {
    if (!prefs || !m || m === mode) return
    if (m === 'default') void save(null)
    else if (m === 'off') void save({ start: '00:00', end: '00:00' })
    else void save(prefs.defaultQuietHours ?? FALLBACK)
  }

  return (
    <View className="card quiet-card">
      <View className="quiet-head">
        <Text className="quiet-title">免打扰时段</Text>
        {prefs && (
          <Text className="quiet-current">
            {mode === 'off'
              ? '已关闭'
              : mode === 'custom' && custom
                ? spanText(custom)
                : prefs.defaultQuietHours
                  ? spanText(prefs.defaultQuietHours)
                  : '医院未设置'}
          </Text>
        )}
      </View>
      <Text className="quiet-desc">免打扰时段内的随访提醒将在时段结束后送达，护士的紧急通知不受影响。</Text>
      {prefs && <Chips className="quiet-modes" options={MODE_OPTIONS} value={mode} onChange={onMode} />}
      {custom && (
        <View className="quiet-times">
          <TimeField
            label="开始"
            className="quiet-start"
            value={custom.start}
            onPick={(v) => void save({ ...custom, start: v })}
          />
          <TimeField
            label="结束"
            className="quiet-end"
            value={custom.end}
            onPick={(v) => void save({ ...custom, end: v })}
          />
        </View>
      )}
      {!prefs && !error && <Text className="muted quiet-loading">正在加载…</Text>}
      {error && <Text className="form-error quiet-error">{error}</Text>}
    </View>
  )
}

function TimeField(props: { label: string; className: string; value: string; onPick: (v: string) => void }) {
  const { label, className, value, onPick } = props
  return (
    <Picker mode="time" value={value} onChange={(e) => onPick(String(e.detail.value))} className={className}>
      <View className="quiet-time">
        <Text className="quiet-time-label">{label}</Text>
        <Text className="quiet-time-value">{value} ›</Text>
      </View>
    </Picker>
  )
}

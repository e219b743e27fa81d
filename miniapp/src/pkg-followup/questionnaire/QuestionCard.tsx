import { Input, Text, Textarea, View } from '@tarojs/components'

import { CheckRow } from '../../components/Controls'
import {
  type FormValue,
  numberHint,
  type PublicQuestion,
  QUESTION_TYPE_LABELS,
  scalePoints,
  TEXT_MAX,
  toggleOption,
} from '../../services/questionnaire'

/**
 * One question of the answering form: its number, text, type and, by type, options to pick (单选,
 * 多选), a number with its unit and range (数值), a text box (文本) or the points of a scale (量表).
 * Stable selectors: `.q-{key}`, `.option-{value}`, `.scale-{point}`, `.number-input`, `.text-answer`.
 */
export function QuestionCard(props: {
  n: number
  q: PublicQuestion
  value: FormValue
  error?: string
  onChange: (value: FormValue) => void
}) {
  const { n, q, value, error, onChange } = props
  return (
    <View className={`card question q-${q.key} q-type-${q.type}${error ? ' has-error' : ''}`}>
      <View className="question-head">
        <Text className="question-no">{n}</Text>
        <Text className="question-text">{q.text}</Text>
      </View>
      <View className="question-tags">
        <Text className="tag tag-grey question-type">{QUESTION_TYPE_LABELS[q.type]}</Text>
        {!q.required && <Text className="form-optional">选填</Text>}
      </View>
      <View className="question-body">
        <Answer q={q} value={value} onChange={onChange} />
      </View>
      {error && <Text className="field-error question-error">{error}</Text>}
    </View>
  )
}

function Answer({
  q,
  value,
  onChange,
}: {
  q: PublicQuestion
  value: FormValue
  onChange: (v: FormValue) => void
}) {
  switch (q.type) {
    case 'single':
      return (
        <View className="options">
          {(q.options ?? []).map((o) => {
            const on = value === o.value
            return (
              <View
                key={o.value}
                className={`option option-${o.value}${on ? ' is-selected' : ''}`}
                onClick={() => onChange(on && !q.required ? '' : o.value)}
              >
                <View className="option-radio">{on && <View className="option-radio-dot" />}</View>
                <Text className="option-label">{o.label}</Text>
              </View>
            )
          })}
        </View>
      )
    case 'multiple':
      return (
        <View className="options">
          {(q.options ?? []).map((o) => (
            <CheckRow
              key={o.value}
              className={`option option-${o.value}`}
              checked={Array.isArray(value) && value.includes(o.value)}
              onChange={() => onChange(toggleOption(value, o.value))}
            >
              <Text className="option-label">{o.label}</Text>
            </CheckRow>
          ))}
        </View>
      )
    case 'number': {
      const hint = numberHint(q)
      return (
        <View>
          <View className="number-row">
            <Input
              className="text-input form-input number-input"
              type="digit"
              value={typeof value === 'string' ? value : value === null ? '' : String(value)}
              maxlength={12}
              placeholder="请输入数值"
              onInput={(e) => onChange(e.detail.value)}
            />
            {q.unit && <Text className="number-unit">{q.unit}</Text>}
          </View>
          {hint && <Text className="number-hint">可填写范围：{hint}</Text>}
        </View>
      )
    }
    case 'text':
      return (
        <Textarea
          className="text-answer"
          value={typeof value === 'string' ? value : ''}
          maxlength={TEXT_MAX}
          placeholder="请输入"
          onInput={(e) => onChange(e.detail.value)}
        />
      )
    case 'scale': {
      const s = q.scale
      return (
        <View>
          <View className="scale-points">
            {scalePoints(q).map((v) => (
              <Text
                key={v}
                className={`scale-point scale-${v}${value === v ? ' is-active' : ''}`}
                onClick={() => onChange(v)}
              >
                {v}
              </Text>
            ))}
          </View>
          {s && (s.minLabel || s.maxLabel) && (
            <View className="scale-labels">
              <Text className="scale-label">{s.minLabel}</Text>
              <Text className="scale-label">{s.maxLabel}</Text>
            </View>
          )}
        </View>
      )
    }
  }
}

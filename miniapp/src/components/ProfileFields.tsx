import { Input } from '@tarojs/components'
import type { InputProps } from '@tarojs/components'

import type { ProfileFields } from '../hooks/useProfileFields'
import { GENDER_LABELS, type Gender } from '../utils/labels'
import { Chips, FormItem } from './Controls'

type TextField = 'name' | 'birthYear' | 'hospitalPatientId' | 'idNumber'

/** The profile fields typed as text: label, input type, length and the usual placeholder. */
const TEXT_FIELDS: Record<
  TextField,
  { label: string; optional: boolean; type: keyof InputProps.Type; maxlength: number; placeholder: string }
> = {
  name: { label: '姓名', optional: false, type: 'text', maxlength: 20, placeholder: '请输入真实姓名' },
  birthYear: { label: '出生年份', optional: true, type: 'number', maxlength: 4, placeholder: '如 1956' },
  hospitalPatientId: {
    label: '住院号',
    optional: true,
    type: 'text',
    maxlength: 32,
    placeholder: '见住院腕带或出院小结',
  },
  idNumber: {
    label: '身份证号',
    optional: true,
    type: 'idcard',
    maxlength: 18,
    placeholder: '18 位居民身份证号',
  },
}

const GENDER_OPTIONS: readonly { value: Gender; label: string }[] = [
  { value: 'male', label: GENDER_LABELS.male },
  { value: 'female', label: GENDER_LABELS.female },
]

/** The input of a text profile field alone; `className` is its stable selector. */
export function ProfileInput(props: {
  field: TextField
  className: string
  value: string
  placeholder?: string
  onChange: (value: string) => void
}) {
  const { field, className, value, placeholder, onChange } = props
  const spec = TEXT_FIELDS[field]
  return (
    <Input
      className={`text-input form-input ${className}`}
      type={spec.type}
      value={value}
      maxlength={spec.maxlength}
      placeholder={placeholder ?? spec.placeholder}
      onInput={(e) => onChange(e.detail.value)}
    />
  )
}

/** A text profile field of a form: its label (选填 when optional), its input and its error. */
export function ProfileTextField(props: {
  fields: ProfileFields
  field: TextField
  className: string
  placeholder?: string
}) {
  const { fields, field, className, placeholder } = props
  const spec = TEXT_FIELDS[field]
  return (
    <FormItem label={spec.label} optional={spec.optional} error={fields.errors[field]}>
      <ProfileInput
        field={field}
        className={className}
        value={fields.form[field]}
        placeholder={placeholder}
        onChange={(v) => fields.edit(field, v)}
      />
    </FormItem>
  )
}

/** 性别 as two chips; tapping the chosen one again clears it. */
export function GenderField({ fields }: { fields: ProfileFields }) {
  return (
    <FormItem label="性别" optional error={fields.errors.gender}>
      <Chips
        className="gender-chips"
        options={GENDER_OPTIONS}
        value={fields.form.gender}
        clearable
        onChange={(v) => fields.edit('gender', v)}
      />
    </FormItem>
  )
}

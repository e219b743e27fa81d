import type { ReactNode } from 'react'
import { Button, Text, View } from '@tarojs/components'

import './Controls.css'

/** A tickable row: a square box and its label. Taps anywhere on the row toggle it. */
export function CheckRow(props: {
  checked: boolean
  onChange: (checked: boolean) => void
  className?: string
  children: ReactNode
  disabled?: boolean
}) {
  const { checked, onChange, className, children, disabled } = props
  return (
    <View
      className={`check-row${checked ? ' is-checked' : ''}${disabled ? ' is-disabled' : ''}${className ? ` ${className}` : ''}`}
      onClick={() => !disabled && onChange(!checked)}
    >
      <View className="check-box">{checked && <View className="check-mark" />}</View>
      <View className="check-label">{children}</View>
    </View>
  )
}

/** An on/off switch drawn with views (the same on weapp and h5). */
export function Toggle(props: {
  on: boolean
  onChange: (on: boolean) => void
  className?: string
  disabled?: boolean
}) {
  const { on, onChange, className, disabled } = props
  return (
    <View
      className={`toggle${on ? ' is-on' : ''}${disabled ? ' is-disabled' : ''}${className ? ` ${className}` : ''}`}
      onClick={() => !disabled && onChange(!on)}
    >
      <View className="toggle-knob" />
    </View>
  )
}

/** One choice out of a few, as chips. Tapping the selected chip again clears it when `clearable`. */
export function Chips<T extends string>(props: {
  options: readonly { value: T; label: string }[]
  value: T | null
  onChange: (value: T | null) => void
  className?: string
  clearable?: boolean
}) {
  const { options, value, onChange, className, clearable } = props
  return (
    <View className={`chips${className ? ` ${className}` : ''}`}>
      {options.map((o) => (
        <Text
          key={o.value}
          className={`chip chip-${o.value}${o.value === value ? ' is-active' : ''}`}
          onClick={() => onChange(o.value === value && clearable ? null : o.value)}
        >
          {o.label}
        </Text>
      ))}
    </View>
  )
}

/** A labelled form row with an optional 选填 tag and an inline error under it. */
export function FormItem(props: {
  label: string
  optional?: boolean
  error?: string
  className?: string
  children: ReactNode
}) {
  const { label, optional, error, className, children } = props
  return (
    <View className={`form-item${error ? ' has-error' : ''}${className ? ` ${className}` : ''}`}>
      <View className="form-label-row">
        <Text className="form-label">{label}</Text>
        {optional && <Text className="form-optional">选填</Text>}
      </View>
      {children}
      {error && <Text className="field-error">{error}</Text>}
    </View>
  )
}

/** A form's primary action: a spinner while `busy`, and taps are ignored until it is done. */
export function BusyButton(props: {
  className: string
  busy: boolean
  onClick: () => void
  children: ReactNode
}) {
  const { className, busy, onClick, children } = props
  return (
    <Button
      className={`btn btn-primary ${className}${busy ? ' btn-busy' : ''}`}
      loading={busy}
      disabled={busy}
      onClick={onClick}
    >
      {children}
    </Button>
  )
}

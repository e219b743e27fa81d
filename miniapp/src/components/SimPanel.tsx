import type { ReactNode } from 'react'
import { Input, Text, View } from '@tarojs/components'
import type { InputProps } from '@tarojs/components'

/**
 * The 测试 panel of an h5 build against a simulated server: the value the simulated WeChat hands out,
 * typed into its input (`className` is the input's stable selector), and anything under it.
 */
export function SimPanel(props: {
  title: string
  desc: string
  input: {
    className: string
    type: keyof InputProps.Type
    value: string
    maxlength: number
    placeholder: string
    onChange: (value: string) => void
  }
  children?: ReactNode
}) {
  const { title, desc, input, children } = props
  return (
    <View className="sim-panel">
      <View className="sim-panel-head">
        <Text className="sim-badge">测试</Text>
        <Text className="sim-panel-title">{title}</Text>
      </View>
      <Text className="sim-panel-desc">{desc}</Text>
      <Input
        className={`text-input sim-input ${input.className}`}
        type={input.type}
        value={input.value}
        maxlength={input.maxlength}
        placeholder={input.placeholder}
        onInput={(e) => input.onChange(e.detail.value)}
      />
      {children}
    </View>
  )
}

import { Text, View } from '@tarojs/components'
import type { PrivacyPolicy } from '@careloop/shared'

import { formatDate } from '../utils/date'
import './PolicyView.css'

/** The privacy policy text: title, version and effective date, and its sections. */
export function PolicyView({ policy }: { policy: PrivacyPolicy }) {
  return (
    <View className="policy">
      <Text className="policy-title">{policy.title}</Text>
      <Text className="policy-meta">
        版本 {policy.version} · {formatDate(policy.effectiveAt)}起生效
      </Text>
      {policy.sections.map((s) => (
        <View key={s.heading} className="policy-section">
          <Text className="policy-heading">{s.heading}</Text>
          <Text className="policy-body">{s.body}</Text>
        </View>
      ))}
    </View>
  )
}

import { useState } from 'react'
import { useLoad } from '@tarojs/taro'
import { Text, View } from '@tarojs/components'
import type { PrivacyPolicy } from '@careloop/shared'

import { api } from '../../api/endpoints'
import { Page } from '../../components/Page'
import { PolicyView } from '../../components/PolicyView'
import { messageOf } from '../../services/auth'
import './policy.css'

/** The current privacy policy, read-only (linked from 设置). */
export default function PolicyPage() {
  const [policy, setPolicy] = useState<PrivacyPolicy | null>(null)
  const [error, setError] = useState<string | null>(null)

  useLoad(() => {
    api
      .privacyPolicy()
      .then(setPolicy)
      .catch((e: unknown) => setError(messageOf(e, '加载失败，请稍后重试')))
  })

  return (
    <Page className="policy-page">
      {error && <Text className="form-error">{error}</Text>}
      {!policy && !error && <Text className="page-status muted">正在加载…</Text>}
      {policy && (
        <>
          <View className="card">
            <PolicyView policy={policy} />
          </View>
          <View className="card">
            <Text className="card-title">授权用途</Text>
            {policy.purposes.map((p) => (
              <View key={p.purpose} className="policy-purpose">
                <View className="policy-purpose-head">
                  <Text className="policy-purpose-title">{p.title}</Text>
                  <Text className={`tag ${p.required ? 'tag-teal' : 'tag-grey'}`}>
                    {p.required ? '必需' : '可选'}
                  </Text>
                </View>
                <Text className="policy-purpose-desc">{p.description}</Text>
              </View>
            ))}
            <Text className="card-desc">
              您可在「设置」中查看和更改授权，在「我的数据」中导出数据或注销账号。
            </Text>
          </View>
        </>
      )}
    </Page>
  )
}

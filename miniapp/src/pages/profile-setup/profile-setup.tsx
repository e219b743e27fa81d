import { useState } from 'react'
import Taro, { useLoad } from '@tarojs/taro'
import { Input, Text, View } from '@tarojs/components'

import { api } from '../../api/endpoints'
import { hasSession } from '../../api/session'
import { BusyButton } from '../../components/Controls'
import { Page } from '../../components/Page'
import { PAGES } from '../../routes'
import { messageOf } from '../../services/auth'
import { leaveOnSessionError } from '../../services/guard'
import { checkName } from '../../services/profile'
import './profile-setup.css'

export default function ProfileSetupPage() {
  const [name, setName] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)

  useLoad(() => {
    if (!hasSession()) void Taro.reLaunch({ url: PAGES.login })
  })

  const onSave = async () => {
    if (busy) return
    const checked = checkName(name)
    if (!checked.ok) {
      setError(checked.message)
      return
    }
    setError(null)
    setBusy(true)
    try {
      // The first name of a new profile: nothing else is set yet, so PUT replaces nothing.
      await api.updateMe({ name: checked.name })
      await Taro.reLaunch({ url: PAGES.home })
    } catch (e) {
      if (await leaveOnSessionError(e)) return
      setError(messageOf(e, '保存失败，请稍后重试'))
      setBusy(false)
    }
  }

  return (
    <Page className="profile-page">
      <View className="card">
        <Text className="card-title">完善资料</Text>
        <Text className="card-desc">
          请填写您的真实姓名，便于医生和护士在随访时确认您的身份。性别、出生年份等可稍后在「个人资料」中补充。
        </Text>

        <View className="field">
          <Text className="field-label">姓名</Text>
          <Input
            className="text-input name-input"
            type="text"
            value={name}
            maxlength={20}
            placeholder="请输入您的姓名"
            onInput={(e) => setName(e.detail.value)}
          />
        </View>
        <Text className="field-hint">{name.trim().length}/20</Text>

        {error && <Text className="form-error profile-error">{error}</Text>}

        <BusyButton className="save-button" busy={busy} onClick={onSave}>
          保存
        </BusyButton>
      </View>
    </Page>
  )
}

import { useState } from 'react'
import Taro from '@tarojs/taro'
import { Text, View } from '@tarojs/components'

import { BrandBar } from '../../components/BrandBar'
import { BusyButton } from '../../components/Controls'
import { SimPanel } from '../../components/SimPanel'
import { useClientConfig } from '../../hooks/useClientConfig'
import { getSimUser, platform, setSimUser } from '../../platform'
import { loginWithWechat, messageOf, pageFor } from '../../services/auth'
import { takeNotice } from '../../services/notice'
import './login.css'

export default function LoginPage() {
  const simulated = platform.kind === 'simulator'
  const config = useClientConfig()
  const [simUser, setSimUserInput] = useState(() => (simulated ? getSimUser() : ''))
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  // e.g. 账号已注销 after erasure, or why the session ended; shown once.
  const [notice] = useState(takeNotice)

  // A production server has no simulator: the h5 build cannot log in there, so the panel would lie.
  const showSimPanel = simulated && config?.mode !== 'production'

  const onLogin = async () => {
    if (busy) return
    setError(null)
    setBusy(true)
    try {
      if (showSimPanel) setSimUser(simUser)
      const res = await loginWithWechat()
      await Taro.reLaunch({ url: pageFor(res) })
    } catch (e) {
      setError(messageOf(e, '登录失败，请稍后重试'))
      setBusy(false)
    }
  }

  return (
    <View className="page login-page">
      <BrandBar />
      <View className="login-hero">
        <Text className="login-hero-title">您身边的随访助手</Text>
        <Text className="login-hero-sub">
          {config?.hospitalName ? `${config.hospitalName} · ` : ''}随访提醒 · 健康宣教 · 护士服务
        </Text>
      </View>

      <View className="page-body">
        <View className="card login-card">
          {notice && <Text className="notice login-notice">{notice}</Text>}
          <Text className="card-title">欢迎登录</Text>
          <Text className="card-desc">使用微信身份登录，查看您的随访任务和健康提醒。</Text>
          <BusyButton className="login-button" busy={busy} onClick={onLogin}>
            微信一键登录
          </BusyButton>
          {error && <Text className="form-error login-error">{error}</Text>}
          <Text className="login-privacy">
            登录后我们会请您阅读并同意隐私政策，我们将依法保护您的个人信息。
          </Text>
        </View>

        {showSimPanel && (
          <SimPanel
            title="模拟器 · 微信用户"
            desc="本地模拟环境，不连接真实微信。填写任意标识即以对应用户登录，演示账号为 demo。"
            input={{
              className: 'sim-user-input',
              type: 'text',
              value: simUser,
              maxlength: 64,
              placeholder: '模拟用户标识，如 demo',
              onChange: setSimUserInput,
            }}
          />
        )}
      </View>
    </View>
  )
}

import type { StaffLoginResponse } from '@careloop/shared'
import { useState, type FormEvent } from 'react'
import { api, ApiError, errorText } from '../api'
import { Banner } from '../components/Feedback'
import { Field } from '../components/Field'
import { Brand } from '../components/Layout'
import { HealthStrip, useServerStatus } from '../components/Status'

const loginError = (e: unknown): string => {
  if (!(e instanceof ApiError)) return errorText(e)
  switch (e.code) {
    case 'STAFF_CREDENTIALS_INVALID':
      return '账号或密码错误'
    case 'STAFF_LOCKED': {
      const s = e.detailNumber('retryAfterSeconds')
      return `账号已锁定，请 ${s === null ? '稍后' : Math.max(1, Math.ceil(s / 60))} 分钟后再试`
    }
    case 'RATE_LIMITED':
    case 'AUTH_RATE_LIMITED':
      return '尝试过于频繁，请稍后再试'
    case 'VALIDATION_FAILED':
      return '请输入账号和密码'
    default:
      return errorText(e)
  }
}

/** 登录: username and password; the demo accounts are listed only in simulated mode. */
export const LoginPage = ({
  notice,
  onLoggedIn,
}: {
  notice: string | null
  onLoggedIn: (r: StaffLoginResponse) => void
}) => {
  const status = useServerStatus()
  const [username, setUsername] = useState('')
  const [password, setPassword] = useState('')
  const [fieldErrors, setFieldErrors] = useState<{ username?: string; password?: string }>({})
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const simulated = status?.config?.mode === 'simulated'

  const submit = async (ev: FormEvent) => {
    ev.preventDefault()
    const fe: typeof fieldErrors = {}
    if (!username.trim()) fe.username = '请输入账号'
    if (!password) fe.password = '请输入密码'
    setFieldErrors(fe)
    setError(null)
    if (fe.username || fe.password) return
    setBusy(true)
    try {
      onLoggedIn(await api.login({ username: username.trim(), password }))
    } catch (e) {
      setError(loginError(e))
      setBusy(false)
    }
  }

  return (
    <div className="login-page">
      <div className="login-hero">
        <Brand sub={status?.config?.hospitalName ?? '运营控制台'} />
        <h2 className="hero-title">医护与运营团队的工作台</h2>
        <ul className="hero-points">
          <li>按角色管理患者：护士只看责任患者，运营只看脱敏数据</li>
          <li>每一次患者数据的查看与修改都写入审计日志</li>
          <li>手机号等敏感信息加密存储，界面默认脱敏</li>
        </ul>
      </div>
      <div className="login-main">
        <form className="login-card" onSubmit={(e) => void submit(e)} noValidate>
          <h1>员工登录</h1>
          <p className="lead">请使用医院分配的控制台账号登录</p>
          {notice ? <Banner tone="warning">{notice}</Banner> : null}
          {error ? <Banner tone="error">{error}</Banner> : null}
          <Field label="账号" htmlFor="login-username" error={fieldErrors.username}>
            <input
              id="login-username"
              name="username"
              className="input"
              autoComplete="username"
              value={username}
              onChange={(e) => setUsername(e.target.value)}
              placeholder="例如 nurse.li"
              autoFocus
            />
          </Field>
          <Field label="密码" htmlFor="login-password" error={fieldErrors.password}>
            <input
              id="login-password"
              name="password"
              type="password"
              className="input"
              autoComplete="current-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              placeholder="请输入密码"
            />
          </Field>
          <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
            {busy ? '正在登录…' : '登录'}
          </button>
          {simulated ? (
            <div className="demo-note" data-testid="demo-accounts">
              本地演示账号：admin / nurse.li / headnurse.wang / marketing.zhao，密码 careloop-demo-2026
            </div>
          ) : null}
        </form>
        <HealthStrip status={status} />
      </div>
    </div>
  )
}

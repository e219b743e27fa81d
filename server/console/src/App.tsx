import { useEffect, useState } from 'react'
import { fetchStatus, type ServerStatus } from './api'

const POLL_MS = 5000

const formatUptime = (s: number): string => {
  const d = Math.floor(s / 86400)
  const h = Math.floor((s % 86400) / 3600)
  const m = Math.floor((s % 3600) / 60)
  if (d > 0) return `${d} 天 ${h} 小时`
  if (h > 0) return `${h} 小时 ${m} 分`
  return `${m} 分 ${s % 60} 秒`
}

type Tone = 'ok' | 'bad' | 'neutral'

const StatusCard = ({
  title,
  value,
  tone,
  hint,
}: {
  title: string
  value: string
  tone: Tone
  hint?: string
}) => (
  <div className={`card status-${tone}`} data-testid={`status-${title}`}>
    <div className="card-title">{title}</div>
    <div className="card-value">
      <span className={`dot dot-${tone}`} />
      {value}
    </div>
    {hint ? <div className="card-hint">{hint}</div> : null}
  </div>
)

export const App = () => {
  const [status, setStatus] = useState<ServerStatus | null>(null)

  useEffect(() => {
    let alive = true
    const tick = async () => {
      const s = await fetchStatus()
      if (alive) setStatus(s)
    }
    void tick()
    const t = setInterval(() => void tick(), POLL_MS)
    return () => {
      alive = false
      clearInterval(t)
    }
  }, [])

  const apiUp = status?.health?.status === 'ok'
  const dbUp = status?.readiness?.checks.database === 'up'
  const simulated = status?.config?.mode === 'simulated'

  return (
    <div className="layout">
      <header className="topbar">
        <div className="brand">
          <span className="logo">CL</span>
          <div>
            <div className="brand-name">CareLoop 私域患者运营平台</div>
            <div className="brand-sub">{status?.config?.hospitalName ?? '运营控制台'}</div>
          </div>
        </div>
        {simulated ? <span className="badge badge-sim">模拟器模式 · 不连接真实微信</span> : null}
      </header>
      <main className="content">
        <section>
          <h1>系统状态</h1>
          <p className="lead">每 5 秒自动刷新。随访、社群、营销与积分功能将在此控制台陆续开放。</p>
          {status === null ? (
            <div className="loading">正在检查服务状态…</div>
          ) : (
            <div className="grid">
              <StatusCard
                title="API 服务"
                value={apiUp ? '运行正常' : '无法连接'}
                tone={apiUp ? 'ok' : 'bad'}
                hint={status.error ?? (status.health ? `版本 ${status.health.version}` : undefined)}
              />
              <StatusCard
                title="数据库"
                value={dbUp ? '已连接' : '不可用'}
                tone={dbUp ? 'ok' : 'bad'}
                hint={dbUp ? 'MongoDB 读写正常' : '请检查 MONGODB_URI 或本地数据库引擎'}
              />
              <StatusCard
                title="平台接入"
                value={simulated ? '本地模拟器' : status.config ? '微信正式环境' : '未知'}
                tone={status.config ? 'neutral' : 'bad'}
                hint={simulated ? '微信登录走本地模拟器' : undefined}
              />
              <StatusCard
                title="运行时长"
                value={status.health ? formatUptime(status.health.uptimeSeconds) : '—'}
                tone="neutral"
                hint={`上次检查 ${status.checkedAt.toLocaleTimeString('zh-CN', { hour12: false })}`}
              />
            </div>
          )}
        </section>
        <section className="links">
          <h2>开发者</h2>
          <a href="/api/openapi.json" target="_blank" rel="noreferrer">
            OpenAPI 接口文档（JSON）
          </a>
          <a href="/h5/" target="_blank" rel="noreferrer">
            患者端小程序（H5 预览）
          </a>
        </section>
      </main>
    </div>
  )
}

import { useEffect, useState } from 'react'
import { fetchStatus, type ServerStatus } from '../api'
import { formatUptime } from '../format'

const POLL_MS = 5000

/** Live server health (API, database, platform mode), polled every 5 s. */
export const useServerStatus = (): ServerStatus | null => {
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
  return status
}

const facts = (status: ServerStatus) => {
  const apiUp = status.health?.status === 'ok'
  const dbUp = status.readiness?.checks.database === 'up'
  const simulated = status.config?.mode === 'simulated'
  return {
    apiUp,
    dbUp,
    simulated,
    api: apiUp ? '运行正常' : '无法连接',
    db: dbUp ? '已连接' : '不可用',
    platform: simulated ? '本地模拟器' : status.config ? '微信正式环境' : '未知',
  }
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
  <div className={`card status-card status-${tone}`} data-testid={`status-${title}`}>
    <div className="card-title">{title}</div>
    <div className="card-value">
      <span className={`dot dot-${tone}`} />
      {value}
    </div>
    {hint ? <div className="card-hint">{hint}</div> : null}
  </div>
)

export const StatusCards = ({ status }: { status: ServerStatus }) => {
  const f = facts(status)
  return (
    <div className="grid">
      <StatusCard
        title="API 服务"
        value={f.api}
        tone={f.apiUp ? 'ok' : 'bad'}
        hint={status.error ?? (status.health ? `版本 ${status.health.version}` : undefined)}
      />
      <StatusCard
        title="数据库"
        value={f.db}
        tone={f.dbUp ? 'ok' : 'bad'}
        hint={f.dbUp ? 'MongoDB 读写正常' : '请检查 MONGODB_URI 或本地数据库引擎'}
      />
      <StatusCard
        title="平台接入"
        value={f.platform}
        tone={status.config ? 'neutral' : 'bad'}
        hint={f.simulated ? '微信登录走本地模拟器' : undefined}
      />
      <StatusCard
        title="运行时长"
        value={status.health ? formatUptime(status.health.uptimeSeconds) : '—'}
        tone="neutral"
        hint={`上次检查 ${status.checkedAt.toLocaleTimeString('zh-CN', { hour12: false })}`}
      />
    </div>
  )
}

/** One line of health for the login page: API · 数据库 · 平台. */
export const HealthStrip = ({ status }: { status: ServerStatus | null }) => {
  if (!status)
    return (
      <div className="health-strip">
        <span className="health-label">系统状态</span>
        <span className="health-item">正在检查…</span>
      </div>
    )
  const f = facts(status)
  return (
    <div className="health-strip" aria-label="系统状态">
      <span className="health-label">系统状态</span>
      <span className="health-item">
        <span className={`dot dot-${f.apiUp ? 'ok' : 'bad'}`} />
        API <b>{f.api}</b>
      </span>
      <span className="health-item">
        <span className={`dot dot-${f.dbUp ? 'ok' : 'bad'}`} />
        数据库 <b>{f.db}</b>
      </span>
      <span className="health-item">
        <span className="dot dot-neutral" />
        平台 <b>{f.platform}</b>
      </span>
      {status.health ? <span className="health-version">v{status.health.version}</span> : null}
    </div>
  )
}

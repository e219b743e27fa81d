import { useCallback, useEffect, useState } from 'react'
import { simClock } from '../api'
import { Banner } from './Feedback'

const HOUR = 3_600_000
const DAY = 24 * HOUR
const STEPS: [string, number][] = [
  ['+1 小时', HOUR],
  ['+1 天', DAY],
  ['+3 天', 3 * DAY],
  ['+7 天', 7 * DAY],
]
const WEEKDAY = ['日', '一', '二', '三', '四', '五', '六']
const pad = (n: number): string => String(n).padStart(2, '0')

/** Two clocks closer than this are the same clock (the local stack links the simulators' clocks). */
const SAME_CLOCK_MS = 60_000

/** The simulator's lead over real time, to the nearest minute: 比真实时间快 3 天 2 小时. */
const aheadText = (ms: number): string => {
  const minutes = Math.round(Math.abs(ms) / 60_000)
  if (minutes === 0) return '与真实时间一致'
  const d = Math.floor(minutes / 1440)
  const h = Math.floor((minutes % 1440) / 60)
  const m = minutes % 60
  const parts = [d ? `${d} 天` : '', h ? `${h} 小时` : '', !d && m ? `${m} 分钟` : '']
    .filter(Boolean)
    .join(' ')
  return ms > 0 ? `比真实时间快 ${parts}` : `比真实时间慢 ${parts}`
}

/**
 * 模拟时钟 (simulated mode only): the simulators' clock, which the server follows in simulated mode, with
 * buttons that move it forward so follow-up steps fall due without waiting. The WeChat simulator is
 * advanced; the WeCom simulator too, unless it already follows the same clock (the local stack).
 */
export const SimClock = ({ wechat, wecom }: { wechat: string; wecom: string | undefined }) => {
  const [now, setNow] = useState<{ sim: Date; read: number } | null>(null)
  const [tick, setTick] = useState(Date.now())
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const [last, setLast] = useState<string | null>(null)

  const read = useCallback(async () => {
    try {
      setNow({ sim: await simClock.read(wechat), read: Date.now() })
      setError(null)
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e))
    }
  }, [wechat])

  useEffect(() => {
    void read()
    const poll = setInterval(() => void read(), 10_000)
    const t = setInterval(() => setTick(Date.now()), 1000)
    return () => {
      clearInterval(poll)
      clearInterval(t)
    }
  }, [read])

  const advance = async (label: string, ms: number) => {
    setBusy(true)
    setError(null)
    try {
      const next = await simClock.advance(wechat, ms)
      if (wecom) {
        const other = await simClock.read(wecom)
        if (Math.abs(other.getTime() - next.getTime()) > SAME_CLOCK_MS) await simClock.advance(wecom, ms)
      }
      setNow({ sim: next, read: Date.now() })
      setLast(label)
    } catch (e) {
      setError(`无法调整模拟时钟：${e instanceof Error ? e.message : String(e)}`)
    } finally {
      setBusy(false)
    }
  }

  const shown = now ? new Date(now.sim.getTime() + (tick - now.read)) : null
  return (
    <section className="panel sim-clock" data-testid="sim-clock">
      <div className="panel-head">
        <h2>模拟时钟</h2>
        <span className="badge badge-sim">仅模拟器模式</span>
      </div>
      <p className="panel-lead">
        服务器在模拟器模式下跟随模拟器的时钟。向前拨动时间后，随访步骤按新的时间到期、发送提醒、记为漏访，无需真实等待。
      </p>
      {error ? <Banner tone="error">{error}</Banner> : null}
      <div className="sim-clock-body">
        <div>
          <div className="sim-clock-time mono" data-testid="sim-clock-time">
            {shown
              ? `${shown.getFullYear()}-${pad(shown.getMonth() + 1)}-${pad(shown.getDate())} ${pad(shown.getHours())}:${pad(shown.getMinutes())}:${pad(shown.getSeconds())}`
              : '正在读取…'}
          </div>
          <div className="subtle">
            {shown && now
              ? `星期${WEEKDAY[shown.getDay()]} · ${aheadText(now.sim.getTime() - now.read)}`
              : ''}
            {last ? ` · 刚刚已${last.replace('+', '拨快 ')}` : ''}
          </div>
        </div>
        <div className="sim-clock-buttons">
          {STEPS.map(([label, ms]) => (
            <button
              key={label}
              type="button"
              className="btn"
              disabled={busy || !now}
              onClick={() => void advance(label, ms)}
            >
              {label}
            </button>
          ))}
        </div>
      </div>
      <p className="subtle">
        模拟器：{wechat}
        {wecom ? ` · 企业微信模拟器：${wecom}` : ''}。时钟只能向前拨动；重启本地环境后恢复真实时间。
      </p>
    </section>
  )
}

import type { RatesResponse } from '@careloop/shared'
import { useState } from 'react'
import { api } from '../api'
import { Banner, EmptyState, Loading, PageHeader } from '../components/Feedback'
import { followupErrorText, localDay, percent } from '../followupText'
import { useSession } from '../session'
import { useLoad } from '../useLoad'

type GroupBy = RatesResponse['groupBy']
const GROUP_LABEL: Record<GroupBy, string> = { plan: '按方案', community: '按社群', nurse: '按护士' }
const KEY_LABEL: Record<GroupBy, string> = { plan: '随访方案', community: '病友社群', nurse: '责任护士' }

const PRESETS: [string, number][] = [
  ['近 7 天', 6],
  ['近 30 天', 29],
  ['近 90 天', 89],
]

const daysAgo = (n: number): string => {
  const d = new Date()
  d.setDate(d.getDate() - n)
  return localDay(d)
}

/** 0–1 as a bar with the percentage; red under 60 %, amber under 85 %. */
export const RateBar = ({ rate }: { rate: number | null }) => {
  if (rate === null) return <span className="muted">无到期步骤</span>
  const tone = rate < 0.6 ? 'low' : rate < 0.85 ? 'mid' : 'high'
  return (
    <div className={`rate rate-${tone}`}>
      <span className="rate-track">
        <span className="rate-fill" style={{ width: `${Math.round(rate * 100)}%` }} />
      </span>
      <span className="rate-value">{percent(rate)}</span>
    </div>
  )
}

/** 随访统计: the follow-up rate (done / due) over a date range, by plan, community or nurse. */
export const RatesPage = () => {
  const { session } = useSession()
  const [from, setFrom] = useState(() => daysAgo(29))
  const [to, setTo] = useState(() => localDay(new Date()))
  const [groupBy, setGroupBy] = useState<GroupBy>('plan')
  const invalid = from !== '' && to !== '' && from > to
  const rates = useLoad(
    () =>
      invalid
        ? Promise.resolve(null)
        : api.followupRates({ from: from || undefined, to: to || undefined, groupBy }),
    [from, to, groupBy, invalid],
  )
  const r = rates.data
  const rows = [...(r?.rows ?? [])].sort((a, b) => (a.rate ?? 2) - (b.rate ?? 2) || b.due - a.due)

  return (
    <>
      <PageHeader
        title="随访统计"
        lead={
          session.staff.role === 'nurse'
            ? '您负责的患者的随访完成情况。随访率 = 已完成 ÷ 应随访（完成窗口在所选时间内结束的步骤；已取消的不计）。'
            : '随访率 = 已完成 ÷ 应随访（完成窗口在所选时间内结束的步骤；已取消的不计）。低于 60% 标红。'
        }
      />
      <div className="panel range-bar">
        <label className="mini-field">
          <span>开始日期</span>
          <input
            id="rates-from"
            className="input"
            type="date"
            value={from}
            onChange={(e) => setFrom(e.target.value)}
          />
        </label>
        <label className="mini-field">
          <span>结束日期</span>
          <input
            id="rates-to"
            className="input"
            type="date"
            value={to}
            onChange={(e) => setTo(e.target.value)}
          />
        </label>
        <div className="range-presets">
          {PRESETS.map(([label, n]) => (
            <button
              key={label}
              type="button"
              className="btn btn-small"
              onClick={() => {
                setFrom(daysAgo(n))
                setTo(localDay(new Date()))
              }}
            >
              {label}
            </button>
          ))}
        </div>
        <div className="segmented range-group" role="group" aria-label="分组">
          {(Object.keys(GROUP_LABEL) as GroupBy[]).map((g) => (
            <button
              key={g}
              type="button"
              className={`segmented-item${g === groupBy ? ' segmented-on' : ''}`}
              aria-pressed={g === groupBy}
              onClick={() => setGroupBy(g)}
            >
              {GROUP_LABEL[g]}
            </button>
          ))}
        </div>
        {invalid ? <div className="field-error range-error">开始日期不能晚于结束日期</div> : null}
      </div>
      {rates.error ? <Banner tone="error">统计加载失败：{followupErrorText(rates.error)}</Banner> : null}
      {r ? (
        <div className="summary-tiles" data-testid="rates-summary">
          <div className="stat-tile">
            <div className="card-title">总随访率</div>
            <div className="stat-value">{percent(r.total.rate)}</div>
            <RateBar rate={r.total.rate} />
          </div>
          <div className="stat-tile">
            <div className="card-title">应随访</div>
            <div className="stat-value">{r.total.due}</div>
            <div className="card-hint">
              {r.from} 至 {r.to}
            </div>
          </div>
          <div className="stat-tile">
            <div className="card-title">已完成</div>
            <div className="stat-value text-ok">{r.total.done}</div>
          </div>
          <div className={`stat-tile${r.total.missed > 0 ? ' stat-tile-warn' : ''}`}>
            <div className="card-title">漏访</div>
            <div className="stat-value">{r.total.missed}</div>
          </div>
        </div>
      ) : null}
      <div className="panel table-panel">
        <table className="table" data-testid="rates-table">
          <thead>
            <tr>
              <th>{KEY_LABEL[groupBy]}</th>
              <th className="num">应随访</th>
              <th className="num">已完成</th>
              <th className="num">漏访</th>
              <th className="col-rate">随访率</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.key} data-testid="rate-row">
                <td className="cell-strong">{row.label}</td>
                <td className="num">{row.due}</td>
                <td className="num">{row.done}</td>
                <td className={`num${row.missed > 0 ? ' text-danger' : ''}`}>{row.missed}</td>
                <td className="col-rate">
                  <RateBar rate={row.rate} />
                </td>
              </tr>
            ))}
          </tbody>
          {r && rows.length > 1 ? (
            <tfoot>
              <tr className="row-total">
                <td>合计</td>
                <td className="num">{r.total.due}</td>
                <td className="num">{r.total.done}</td>
                <td className="num">{r.total.missed}</td>
                <td className="col-rate">
                  <RateBar rate={r.total.rate} />
                </td>
              </tr>
            </tfoot>
          ) : null}
        </table>
        {rates.loading && !r ? <Loading text="正在统计…" /> : null}
        {r && rows.length === 0 ? (
          <EmptyState
            title="所选时间段内没有到期的随访步骤"
            hint="患者入组随访方案后，步骤的完成窗口结束时计入统计。"
          />
        ) : null}
      </div>
    </>
  )
}

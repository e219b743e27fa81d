import { useState } from 'react'
import { formatMinute } from '../communityText'
import { Banner, Loading, PageHeader } from '../components/Feedback'
import { loyaltyApi } from '../loyaltyApi'
import { loyaltyErrorText, points, signed, thisMonth } from '../loyaltyText'
import { useLoad } from '../useLoad'

/** +800 / -300, and a plain 0. */
const flow = (n: number, sign: '+' | '-'): string => (n === 0 ? '0' : `${sign}${points(n)}`)

const monthLabel = (key: string): string => {
  const [y, m] = key.split('-')
  return `${y} 年 ${Number(m)} 月`
}

/** 积分负债: points held by patients (what the hospital owes in rewards), what expires soon, a month's flow. */
export const PointsLiabilityPage = () => {
  const [month, setMonth] = useState(thisMonth())
  const report = useLoad(() => loyaltyApi.pointsLiability(month || undefined), [month])
  const d = report.data
  const top = d ? Math.max(1, ...d.month.byRule.map((r) => r.points)) : 1
  const net = d ? d.month.earned + d.month.refunded + d.month.adjusted - d.month.spent - d.month.expired : 0

  return (
    <>
      <PageHeader
        title="积分负债"
        lead="患者持有、尚未兑换的积分即医院对患者的奖品负债；未使用的积分到期自动作废。"
        actions={
          <button type="button" className="btn" onClick={report.reload}>
            刷新
          </button>
        }
      />
      {report.error ? <Banner tone="error">负债报表加载失败：{loyaltyErrorText(report.error)}</Banner> : null}
      {report.loading && !d ? <Loading text="正在计算积分负债…" /> : null}
      {d ? (
        <>
          <div className="summary-tiles" data-testid="liability-tiles">
            <div className="stat-tile">
              <div className="card-title">未兑换积分（负债）</div>
              <div className="stat-value" data-testid="liability-outstanding">
                {points(d.outstanding)}
              </div>
              <div className="card-hint">{points(d.accounts)} 位患者持有积分</div>
            </div>
            <div className={`stat-tile${d.expiring.within30Days > 0 ? ' stat-tile-warn' : ''}`}>
              <div className="card-title">30 天内到期</div>
              <div className="stat-value">{points(d.expiring.within30Days)}</div>
              <div className="card-hint">到期前会提醒患者兑换</div>
            </div>
            <div className="stat-tile">
              <div className="card-title">90 天内到期</div>
              <div className="stat-value">{points(d.expiring.within90Days)}</div>
              <div className="card-hint">含 30 天内到期的部分</div>
            </div>
            <div className="stat-tile">
              <div className="card-title">{monthLabel(d.month.key)}净变动</div>
              <div className="stat-value">{signed(net)}</div>
              <div className="card-hint">获得 + 退还 + 调整 − 兑换 − 过期</div>
            </div>
          </div>

          <section className="panel" data-testid="liability-month">
            <div className="panel-head panel-head-split">
              <h2>{monthLabel(d.month.key)}积分变动</h2>
              <label className="checkbox-inline panel-head-action">
                月份
                <input
                  id="liability-month"
                  type="month"
                  className="input input-auto"
                  value={month}
                  max={thisMonth()}
                  onChange={(e) => setMonth(e.target.value)}
                />
              </label>
            </div>
            <dl className="flow-facts">
              <div>
                <dt>获得</dt>
                <dd className={d.month.earned > 0 ? 'text-ok' : undefined}>{flow(d.month.earned, '+')}</dd>
              </div>
              <div>
                <dt>兑换消耗</dt>
                <dd className={d.month.spent > 0 ? 'text-danger' : undefined}>{flow(d.month.spent, '-')}</dd>
              </div>
              <div>
                <dt>取消退还</dt>
                <dd>{flow(d.month.refunded, '+')}</dd>
              </div>
              <div>
                <dt>过期作废</dt>
                <dd>{flow(d.month.expired, '-')}</dd>
              </div>
              <div>
                <dt>人工调整（净额）</dt>
                <dd>{signed(d.month.adjusted)}</dd>
              </div>
            </dl>
            <h3 className="sub-head">按规则获得</h3>
            {d.month.byRule.every((r) => r.points === 0) ? (
              <div className="empty-inline">
                {monthLabel(d.month.key)}还没有患者按规则获得积分（人工调整不计入）。
              </div>
            ) : (
              <div className="bars" data-testid="liability-by-rule">
                {d.month.byRule.map((r) => (
                  <div key={r.rule} className="bar-row bar-row-wide">
                    <span className="bar-label">{r.label}</span>
                    <span className="bar-track">
                      <span className="bar-fill" style={{ width: `${(r.points / top) * 100}%` }} />
                    </span>
                    <span className="bar-value">
                      {points(r.points)} <span className="muted">· {points(r.count)} 次</span>
                    </span>
                  </div>
                ))}
              </div>
            )}
          </section>
          <div className="subtle">统计时间 {formatMinute(d.generatedAt)}</div>
        </>
      ) : null}
    </>
  )
}

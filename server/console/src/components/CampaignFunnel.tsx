import type { CampaignRun, CampaignStats } from '@careloop/shared'
import { Fragment } from 'react'
import {
  CHANNEL_LABEL,
  FUNNEL_HINT,
  FUNNEL_LABEL,
  FUNNEL_STEPS,
  reasonLabel,
  RUN_STATE_LABEL,
  runIsLive,
} from '../campaignText'

const pct = (n: number, of: number): string =>
  of > 0 ? `${(Math.round((n / of) * 1000) / 10).toLocaleString('zh-CN')}%` : '—'

/** A bar's width in % of the funnel's widest (a non-zero count stays visible). */
const widthOf = (n: number, top: number): number => (n <= 0 ? 0 : Math.max(3, (n / top) * 100))

/**
 * The funnel of a run (or of all runs): targeted → sent → delivered → opened → clicked → converted,
 * centred bars joined by tapering necks, with each step's share of the targeted and of the step above.
 */
export const Funnel = ({ stats }: { stats: CampaignStats }) => {
  const top = Math.max(1, stats.targeted)
  const steps = FUNNEL_STEPS.map((step) => ({ step, count: stats[step] }))
  return (
    <div className="funnel" data-testid="campaign-funnel">
      {steps.map((s, i) => {
        const w = widthOf(s.count, top)
        const prev = steps[i - 1]
        const pw = prev ? widthOf(prev.count, top) : 0
        return (
          <Fragment key={s.step}>
            {prev ? (
              <div className="funnel-link" aria-hidden>
                <span />
                <span
                  className={`funnel-neck funnel-neck-${i}`}
                  style={{
                    clipPath: `polygon(${50 - pw / 2}% 0, ${50 + pw / 2}% 0, ${50 + w / 2}% 100%, ${50 - w / 2}% 100%)`,
                  }}
                />
                <span className="funnel-step-rate">
                  {prev.count > 0 ? `↓ ${pct(s.count, prev.count)}` : ''}
                </span>
              </div>
            ) : null}
            <div className="funnel-row" data-testid="funnel-step" data-step={s.step} data-count={s.count}>
              <span className="funnel-label" title={FUNNEL_HINT[s.step]}>
                {FUNNEL_LABEL[s.step]}
                <small>{FUNNEL_HINT[s.step]}</small>
              </span>
              <span className="funnel-track">
                <span className={`funnel-bar funnel-bar-${i}`} style={{ width: `${w}%` }} />
              </span>
              <span className="funnel-value">
                <b>{s.count.toLocaleString('zh-CN')}</b>
                <span className="subtle">{i === 0 ? '100%' : pct(s.count, stats.targeted)}</span>
              </span>
            </div>
          </Fragment>
        )
      })}
    </div>
  )
}

const sum = (m: Record<string, number>): number => Object.values(m).reduce((a, b) => a + b, 0)

/** Where every targeted message ended up: delivered, waiting, skipped, failed, cancelled (one stacked bar). */
export const OutcomeBar = ({ stats }: { stats: CampaignStats }) => {
  const parts = [
    { key: 'delivered', label: '已送达', n: stats.delivered },
    { key: 'pending', label: '待发送', n: stats.pending },
    { key: 'skipped', label: '已跳过', n: sum(stats.skipped) },
    { key: 'failed', label: '发送失败', n: sum(stats.failed) },
    { key: 'cancelled', label: '已取消', n: stats.cancelled },
  ]
  const total = Math.max(1, stats.targeted)
  return (
    <div className="outcome-bar" data-testid="outcome-bar">
      <div className="outcome-track">
        {parts
          .filter((p) => p.n > 0)
          .map((p) => (
            <span
              key={p.key}
              className={`outcome-part outcome-${p.key}`}
              style={{ width: `${(p.n / total) * 100}%` }}
              title={`${p.label} ${p.n}`}
            />
          ))}
      </div>
      <div className="outcome-legend">
        {parts.map((p) => (
          <span key={p.key} className="outcome-key" data-testid={`outcome-${p.key}`}>
            <span className={`outcome-swatch outcome-${p.key}`} />
            {p.label} <b>{p.n}</b>
          </span>
        ))}
      </div>
    </div>
  )
}

/** Counts by reason as bars (跳过原因, 失败原因, 改用下一渠道). */
export const ReasonBars = ({
  title,
  counts,
  of,
  tone,
  empty,
}: {
  title: string
  counts: Record<string, number>
  of: number
  tone: 'warn' | 'bad' | 'info'
  empty: string
}) => {
  const rows = Object.entries(counts).sort((a, b) => b[1] - a[1])
  const top = Math.max(1, ...rows.map(([, n]) => n))
  return (
    <div className={`reasons reasons-${tone}`} data-testid="reason-bars">
      <h3>{title}</h3>
      {rows.length === 0 ? <div className="muted">{empty}</div> : null}
      <div className="bars">
        {rows.map(([code, n]) => (
          <div key={code} className="bar-row" data-testid="reason-row" data-code={code}>
            <span className="bar-label" title={code}>
              {reasonLabel(code)}
            </span>
            <span className="bar-track">
              <span className="bar-fill" style={{ width: `${(n / top) * 100}%` }} />
            </span>
            <span className="bar-value">
              {n} <span className="muted">· {pct(n, of)}</span>
            </span>
          </div>
        ))}
      </div>
    </div>
  )
}

/** 按渠道送达: the channel that delivered each message. */
export const DeliveredByChannel = ({ stats }: { stats: CampaignStats }) => (
  <div className="channel-strip" data-testid="delivered-by-channel">
    <span className="muted">按渠道送达：</span>
    {(['subscribe', 'inbox'] as const).map((c) => (
      <span key={c} className="channel-count">
        {CHANNEL_LABEL[c]} <b>{stats.deliveredByChannel[c] ?? 0}</b>
      </span>
    ))}
  </div>
)

/**
 * A run's progress: generating the list (materialised of the segment's count), then sending
 * (finished of targeted); striped and moving while live.
 */
export const RunProgress = ({ run, stats }: { run: CampaignRun; stats: CampaignStats | null }) => {
  const live = runIsLive(run.state, stats)
  const targeted = stats?.targeted ?? run.progress.materialised
  const done = Math.max(0, targeted - (stats?.pending ?? 0))
  const total = run.progress.total
  let label: string
  let value: number
  if (run.state === 'materialising') {
    label = `正在生成发送名单：${run.progress.materialised} / ${total ?? '…'} 位`
    value = total ? run.progress.materialised / total : 0
  } else if (run.state === 'materialised') {
    label = live ? `正在发送：${done} / ${targeted} 条` : `发送完成：${targeted} 条已处理`
    value = targeted > 0 ? done / targeted : 1
  } else {
    label = `${RUN_STATE_LABEL[run.state]}：已生成 ${run.progress.materialised} / ${total ?? '—'} 位`
    value = total ? run.progress.materialised / total : 0
  }
  const percent = Math.round(Math.min(1, Math.max(0, value)) * 100)
  return (
    <div
      className={`run-progress run-progress-${run.state}${live ? ' is-live' : ''}`}
      data-testid="run-progress"
      data-state={run.state}
      data-live={live}
    >
      <div className="run-progress-head">
        <b data-testid="run-progress-label">{label}</b>
        <span className="run-progress-pct">{percent}%</span>
      </div>
      <div
        className="run-progress-track"
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        aria-label="发送进度"
      >
        <span className="run-progress-fill" style={{ width: `${percent}%` }} />
      </div>
      <ol className="run-phases">
        <li className={run.state === 'materialising' ? 'is-current' : 'is-done'}>① 生成名单</li>
        <li className={run.state !== 'materialised' ? '' : live ? 'is-current' : 'is-done'}>② 逐条发送</li>
        <li className={run.state === 'materialised' && !live ? 'is-done' : ''}>③ 完成</li>
      </ol>
      {run.failure ? (
        <div className="field-error">
          失败原因：{run.failure.reason}（{run.failure.code}）
        </div>
      ) : null}
    </div>
  )
}

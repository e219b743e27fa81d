import type { QuestionStats } from '@careloop/shared'
import { useState } from 'react'
import { api } from '../api'
import { Banner, EmptyState, Loading, PageHeader } from '../components/Feedback'
import { followupErrorText, localDay, QUESTION_TYPE_LABEL, QUESTIONNAIRE_KIND_LABEL } from '../followupText'
import { useLoad } from '../useLoad'

const round = (v: number | null | undefined, digits = 1): string =>
  v === null || v === undefined ? '—' : (Math.round(v * 10 ** digits) / 10 ** digits).toLocaleString('zh-CN')

const daysAgo = (n: number): string => {
  const d = new Date()
  d.setDate(d.getDate() - n)
  return localDay(d)
}

/** The start of a local day as an ISO instant (the range's ends, browser time = hospital time). */
const startOf = (day: string): string => new Date(`${day}T00:00:00`).toISOString()
const endOf = (day: string): string => {
  const d = new Date(`${day}T00:00:00`)
  d.setDate(d.getDate() + 1)
  return d.toISOString()
}

/** One question's distribution: bars per option (or scale point), or mean / min / max. */
const QuestionBlock = ({ q, index }: { q: QuestionStats; index: number }) => {
  const total = q.counts?.reduce((n, c) => n + c.count, 0) ?? 0
  const top = Math.max(1, ...(q.counts ?? []).map((c) => c.count))
  return (
    <div className="qstat" data-testid="question-stats">
      <div className="qstat-head">
        <span className="question-no">第 {index + 1} 题</span>
        <span className="chip chip-small chip-attr">{QUESTION_TYPE_LABEL[q.type]}</span>
        <span className="qstat-text">{q.text}</span>
        <span className="subtle">{q.answered} 人作答</span>
      </div>
      {q.counts && q.counts.length > 0 ? (
        <div className="bars">
          {q.counts.map((c) => {
            const pct =
              total > 0
                ? Math.round((c.count / (q.type === 'multiple' ? Math.max(1, q.answered) : total)) * 100)
                : 0
            return (
              <div key={c.value} className="bar-row">
                <span className="bar-label" title={c.label}>
                  {c.label}
                </span>
                <span className="bar-track">
                  <span className="bar-fill" style={{ width: `${(c.count / top) * 100}%` }} />
                </span>
                <span className="bar-value">
                  {c.count} <span className="muted">· {pct}%</span>
                </span>
              </div>
            )
          })}
        </div>
      ) : null}
      {q.type === 'number' || q.type === 'scale' ? (
        <div className="qstat-numbers">
          <span>
            平均 <b>{round(q.mean)}</b>
          </span>
          <span>
            最低 <b>{round(q.min)}</b>
          </span>
          <span>
            最高 <b>{round(q.max)}</b>
          </span>
        </div>
      ) : null}
      {q.type === 'text' ? <div className="muted">文本题请在患者详情的“问卷答卷”中查看原文。</div> : null}
    </div>
  )
}

/** 问卷统计: answers in a date range — count, mean score, satisfaction 0–100, per-question distribution. */
export const QuestionnaireStatsPage = ({ id }: { id: string }) => {
  const [from, setFrom] = useState(() => daysAgo(29))
  const [to, setTo] = useState(() => localDay(new Date()))
  const [range, setRange] = useState({ from, to })
  const stats = useLoad(
    () => api.questionnaireStats(id, { from: startOf(range.from), to: endOf(range.to) }),
    [id, range.from, range.to],
  )
  const s = stats.data
  const invalid = from > to

  return (
    <>
      <a className="back-link" href="#/questionnaires">
        ← 返回问卷管理
      </a>
      <PageHeader
        title={s ? `${s.title} · 统计` : '问卷统计'}
        lead={s ? `${QUESTIONNAIRE_KIND_LABEL[s.kind]}；各版本的答卷按题目编号合并统计。` : undefined}
      />
      <form
        className="panel range-bar"
        onSubmit={(e) => {
          e.preventDefault()
          if (!invalid) setRange({ from, to })
        }}
      >
        <label className="mini-field">
          <span>开始日期</span>
          <input
            id="stats-from"
            className="input"
            type="date"
            value={from}
            onChange={(e) => setFrom(e.target.value)}
          />
        </label>
        <label className="mini-field">
          <span>结束日期</span>
          <input
            id="stats-to"
            className="input"
            type="date"
            value={to}
            onChange={(e) => setTo(e.target.value)}
          />
        </label>
        <button type="submit" className="btn btn-primary" disabled={invalid}>
          查询
        </button>
        {invalid ? <span className="field-error">开始日期不能晚于结束日期</span> : null}
      </form>
      {stats.error ? <Banner tone="error">统计加载失败：{followupErrorText(stats.error)}</Banner> : null}
      {stats.loading && !s ? <Loading text="正在统计…" /> : null}
      {s ? (
        <>
          <div className="summary-tiles" data-testid="questionnaire-summary">
            <div className="stat-tile">
              <div className="card-title">答卷数</div>
              <div className="stat-value">{s.count}</div>
              <div className="card-hint">
                {range.from} 至 {range.to}
              </div>
            </div>
            <div className="stat-tile">
              <div className="card-title">平均得分</div>
              <div className="stat-value">{round(s.meanScore)}</div>
              <div className="card-hint">有计分的答卷的原始总分</div>
            </div>
            <div className="stat-tile">
              <div className="card-title">满意度</div>
              <div className="stat-value">
                {s.satisfaction === null ? '—' : round(s.satisfaction)}
                {s.satisfaction !== null ? <span className="stat-unit"> / 100</span> : null}
              </div>
              {s.satisfaction !== null ? (
                <div className="capacity-track">
                  <span className="capacity-fill" style={{ width: `${Math.min(100, s.satisfaction)}%` }} />
                </div>
              ) : (
                <div className="card-hint">仅满意度调查计算</div>
              )}
            </div>
            <div className={`stat-tile${s.redFlagged > 0 ? ' stat-tile-alert' : ''}`}>
              <div className="card-title">触发预警</div>
              <div className="stat-value">{s.redFlagged}</div>
              <div className="card-hint">
                {s.count > 0 ? `占答卷 ${Math.round((s.redFlagged / s.count) * 100)}%` : '—'}
              </div>
            </div>
          </div>
          <section className="panel">
            <h2>各题分布</h2>
            {s.count === 0 ? (
              <EmptyState title="所选时间段内没有答卷" hint="患者提交问卷后，这里会显示每道题的选择分布。" />
            ) : (
              s.questions.map((q, i) => <QuestionBlock key={q.key} q={q} index={i} />)
            )}
          </section>
        </>
      ) : null}
    </>
  )
}

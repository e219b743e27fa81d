import { pushRoutes, PUSH_CHANNELS, type OutboxRow, type PushStatsResponse } from '@careloop/shared'
import { Fragment, useEffect, useState } from 'react'
import { api, type PushChannel } from '../api'
import { formatMinute } from '../communityText'
import { shortId } from '../format'
import { Banner, EmptyState, Loading, PageHeader } from '../components/Feedback'
import { followupErrorText, PUSH_CHANNEL_LABEL, PUSH_PURPOSE_LABEL, PUSH_STATUS_LABEL } from '../followupText'
import { mayUse, OUTBOX_FILTERS, type OutboxFilter } from '../router'
import { useSession } from '../session'
import { useLoad } from '../useLoad'

const PAGE = 50
const RETRYABLE = new Set<OutboxRow['status']>(['dead', 'failed'])

const HISTORY_LABEL: Record<string, string> = {
  sent: '已送达',
  failed: '失败',
  retry: '稍后重试',
  backoff: '退避等待',
  fallback: '改用下一渠道',
  delayed: '延后（免打扰/频控）',
  skipped: '跳过',
  dead: '进入死信',
  'retry-requested': '人工重试',
}

const SOURCE_LABEL: Record<string, string> = {
  'followup-step': '随访步骤',
  alert: '护士提醒',
  reading: '指标异常',
  'no-reading': '未测提醒',
  'questionnaire-answer': '问卷预警',
}

const filterPath = (f: OutboxFilter): string => (f === 'all' ? '#/outbox' : `#/outbox?status=${f}`)

/** Counts of the last 24 h, dead letters of all time and the backlog. */
const StatsTiles = ({ s }: { s: PushStatsResponse }) => {
  const created = Object.values(s.byStatus).reduce((n, v) => n + (v ?? 0), 0)
  return (
    <>
      <div className="summary-tiles" data-testid="push-stats">
        <div className="stat-tile">
          <div className="card-title">近 24 小时新消息</div>
          <div className="stat-value">{created}</div>
          <div className="card-hint">
            已送达 {s.byStatus.sent ?? 0} · 待发送 {s.byStatus.pending ?? 0} · 已跳过{' '}
            {s.byStatus.skipped ?? 0}
          </div>
        </div>
        <div className="stat-tile">
          <div className="card-title">积压（已到期未发送）</div>
          <div className="stat-value">{s.backlog}</div>
          <div className="card-hint">
            {s.oldestDueAt ? `最早 ${formatMinute(s.oldestDueAt)} 到期` : '无积压'}
          </div>
        </div>
        <div className={`stat-tile${(s.byStatus.failed ?? 0) > 0 ? ' stat-tile-warn' : ''}`}>
          <div className="card-title">近 24 小时失败</div>
          <div className="stat-value">{s.byStatus.failed ?? 0}</div>
          <div className="card-hint">数据或接收人有误，不会自动重试</div>
        </div>
        <div className={`stat-tile${s.deadTotal > 0 ? ' stat-tile-alert' : ''}`}>
          <div className="card-title">死信（累计）</div>
          <div className="stat-value">{s.deadTotal}</div>
          <div className="card-hint">多次重试仍未送达，需人工处理</div>
        </div>
      </div>
      <div className="channel-strip" data-testid="push-channels">
        <span className="muted">近 24 小时各渠道送达：</span>
        {PUSH_CHANNELS.map((c) => (
          <span key={c} className="channel-count">
            {PUSH_CHANNEL_LABEL[c]} <b>{s.sentByChannel[c] ?? 0}</b>
          </span>
        ))}
      </div>
    </>
  )
}

/** The outcome of a row: the channel, then reason · code · field of a failure. */
const Outcome = ({ row }: { row: OutboxRow }) => {
  const o = row.outcome
  if (!o) return null
  return (
    <div className="outcome">
      {o.channel ? <span className="chip chip-small chip-attr">{PUSH_CHANNEL_LABEL[o.channel]}</span> : null}
      {o.reason ? <div className="outcome-reason">原因：{o.reason}</div> : null}
      {o.code || o.field ? (
        <div className="subtle mono">
          {o.code ? `代码 ${o.code}` : ''}
          {o.code && o.field ? ' · ' : ''}
          {o.field ? `字段 ${o.field}` : ''}
        </div>
      ) : null}
    </div>
  )
}

const History = ({ row }: { row: OutboxRow }) => (
  <ol className="history" data-testid="outbox-history">
    {row.history.map((h, i) => (
      <li key={i} className={`history-item history-${h.result}`}>
        <span className="mono history-at">{formatMinute(h.at)}</span>
        <span className="history-result">{HISTORY_LABEL[h.result] ?? h.result}</span>
        {h.channel ? <span className="muted">{PUSH_CHANNEL_LABEL[h.channel]}</span> : null}
        {h.reason ? <span>{h.reason}</span> : null}
        {h.code ? <span className="subtle mono">{h.code}</span> : null}
      </li>
    ))}
    {row.history.length === 0 ? <li className="muted">尚无投递记录</li> : null}
  </ol>
)

/** 消息推送: the outbox with each message's outcome and history; dead and failed rows can be retried. */
export const OutboxPage = ({ status }: { status: OutboxFilter }) => {
  const { session } = useSession()
  const canRetry = mayUse(session.staff.role, pushRoutes.retryOutbox)
  const [channel, setChannel] = useState<PushChannel | ''>('')
  const stats = useLoad(() => api.pushStats(), [])
  const first = useLoad(
    () =>
      api.listOutbox({
        status: status === 'all' ? undefined : status,
        channel: channel || undefined,
        limit: PAGE,
      }),
    [status, channel],
  )
  const [rows, setRows] = useState<OutboxRow[]>([])
  const [cursor, setCursor] = useState<string | null>(null)
  const [more, setMore] = useState(false)
  const [open, setOpen] = useState<string | null>(null)
  const [busy, setBusy] = useState<string | null>(null)
  const [notice, setNotice] = useState<{ tone: 'success' | 'error'; text: string } | null>(null)

  useEffect(() => {
    if (!first.data) return
    setRows(first.data.rows)
    setCursor(first.data.nextCursor)
  }, [first.data])

  const loadMore = async () => {
    if (!cursor) return
    setMore(true)
    try {
      const r = await api.listOutbox({
        status: status === 'all' ? undefined : status,
        channel: channel || undefined,
        cursor,
        limit: PAGE,
      })
      setRows((x) => [...x, ...r.rows])
      setCursor(r.nextCursor)
    } catch (e) {
      setNotice({ tone: 'error', text: `加载失败：${followupErrorText(e)}` })
    } finally {
      setMore(false)
    }
  }

  const retry = async (row: OutboxRow) => {
    setBusy(row.id)
    setNotice(null)
    try {
      const r = await api.retryOutbox(row.id)
      setRows((x) => x.map((y) => (y.id === row.id ? r.row : y)))
      setNotice({ tone: 'success', text: `已重新加入发送队列：${row.content?.title ?? row.dedupeKey}` })
      stats.reload()
    } catch (e) {
      setNotice({ tone: 'error', text: `重试失败：${followupErrorText(e)}` })
    } finally {
      setBusy(null)
    }
  }

  return (
    <>
      <PageHeader
        title="消息推送"
        lead="发给患者和员工的全部消息：订阅消息、企业微信应用消息、群机器人和小程序消息中心。按同意、免打扰时段和频次限制投递，失败自动重试，多次失败进入死信。"
        actions={
          <button
            type="button"
            className="btn"
            onClick={() => {
              stats.reload()
              first.reload()
            }}
          >
            刷新
          </button>
        }
      />
      {stats.data ? (
        <StatsTiles s={stats.data} />
      ) : stats.error ? (
        <Banner tone="error">统计加载失败：{followupErrorText(stats.error)}</Banner>
      ) : null}
      {notice ? (
        <Banner tone={notice.tone} onClose={() => setNotice(null)}>
          {notice.text}
        </Banner>
      ) : null}
      {session.staff.role === 'marketer' ? (
        <Banner tone="info">您可以查看营销消息的投递情况；消息正文和诊疗消息仅护士长和管理员可见。</Banner>
      ) : null}
      <nav className="tabs" aria-label="消息状态">
        {OUTBOX_FILTERS.map((f) => (
          <a
            key={f}
            href={filterPath(f)}
            className={`tab${f === status ? ' tab-active' : ''}`}
            aria-current={f === status ? 'page' : undefined}
          >
            {f === 'all' ? '全部' : PUSH_STATUS_LABEL[f]}
            {f === 'dead' && stats.data && stats.data.deadTotal > 0 ? (
              <span className="tab-badge">{stats.data.deadTotal}</span>
            ) : null}
          </a>
        ))}
      </nav>
      {first.error ? <Banner tone="error">消息加载失败：{followupErrorText(first.error)}</Banner> : null}
      <div className="panel table-panel">
        <div className="table-toolbar table-toolbar-split">
          <label className="checkbox-inline">
            渠道
            <select
              id="outbox-channel"
              className="input input-auto"
              value={channel}
              onChange={(e) => setChannel(e.target.value as PushChannel | '')}
            >
              <option value="">全部渠道</option>
              {PUSH_CHANNELS.map((c) => (
                <option key={c} value={c}>
                  {PUSH_CHANNEL_LABEL[c]}
                </option>
              ))}
            </select>
          </label>
          <span className="panel-count">
            {rows.length} 条{cursor ? '（还有更多）' : ''}
          </span>
        </div>
        <table className="table table-dense" data-testid="outbox-table">
          <thead>
            <tr>
              <th>消息</th>
              <th>接收人</th>
              <th>渠道</th>
              <th>状态与结果</th>
              <th className="cell-actions">操作</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <Fragment key={row.id}>
                <tr
                  data-testid="outbox-row"
                  data-status={row.status}
                  className={row.status === 'dead' ? 'row-dead' : undefined}
                >
                  <td className="outbox-msg">
                    <div className="outbox-title">
                      {row.urgent ? <span className="badge-urgent">紧急</span> : null}
                      <span className="cell-strong">{row.content?.title ?? '（内容不可见）'}</span>
                    </div>
                    {row.content?.body ? (
                      <div className="subtle clamp-1" title={row.content.body}>
                        {row.content.body}
                      </div>
                    ) : null}
                    <div className="subtle">
                      {formatMinute(row.createdAt)} · {PUSH_PURPOSE_LABEL[row.purpose]} ·{' '}
                      {SOURCE_LABEL[row.source.kind] ?? row.source.kind}
                    </div>
                  </td>
                  <td className="nowrap">
                    {row.patientId ? (
                      <a href={`#/patients/${row.patientId}`}>患者 {shortId(row.patientId)}</a>
                    ) : row.staffId ? (
                      <span>员工 {shortId(row.staffId)}</span>
                    ) : (
                      <span className="muted">—</span>
                    )}
                  </td>
                  <td className="nowrap">
                    {row.channels.map((c) => PUSH_CHANNEL_LABEL[c]).join(' → ')}
                    <div className="subtle">尝试 {row.attempts} 次</div>
                  </td>
                  <td className="outbox-state">
                    <span className={`push-status push-${row.status}`}>{PUSH_STATUS_LABEL[row.status]}</span>
                    {row.status === 'pending' ? (
                      <span className="subtle"> {formatMinute(row.nextAt)} 发送</span>
                    ) : null}
                    <Outcome row={row} />
                  </td>
                  <td className="cell-actions nowrap">
                    <span className="row-actions">
                      <button
                        type="button"
                        className="link-button"
                        onClick={() => setOpen(open === row.id ? null : row.id)}
                      >
                        {open === row.id ? '收起' : '历史'}
                      </button>
                      {canRetry && RETRYABLE.has(row.status) ? (
                        <button
                          type="button"
                          className="btn btn-small"
                          disabled={busy === row.id}
                          onClick={() => void retry(row)}
                        >
                          {busy === row.id ? '重试中…' : '重试'}
                        </button>
                      ) : null}
                    </span>
                  </td>
                </tr>
                {open === row.id ? (
                  <tr className="row-history">
                    <td colSpan={5}>
                      <History row={row} />
                    </td>
                  </tr>
                ) : null}
              </Fragment>
            ))}
          </tbody>
        </table>
        {first.loading && rows.length === 0 ? <Loading text="正在加载消息…" /> : null}
        {first.data && rows.length === 0 ? (
          <EmptyState
            title={
              status === 'dead'
                ? '没有死信'
                : status === 'all'
                  ? '还没有消息'
                  : `没有${PUSH_STATUS_LABEL[status]}的消息`
            }
            hint={
              status === 'dead'
                ? '所有消息都已送达或按规则处理。'
                : '随访提醒、问卷、预警等消息会出现在这里。'
            }
          />
        ) : null}
        {cursor ? (
          <div className="load-more">
            <button type="button" className="btn" disabled={more} onClick={() => void loadMore()}>
              {more ? '正在加载…' : '加载更多'}
            </button>
          </div>
        ) : null}
      </div>
    </>
  )
}

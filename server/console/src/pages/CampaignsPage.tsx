import { CAMPAIGN_STATES, campaignRoutes, type Campaign, type CampaignState } from '@careloop/shared'
import {
  CAMPAIGN_STATE_LABEL,
  campaignErrorText,
  CHANNEL_LABEL,
  runIsLive,
  scheduleText,
} from '../campaignText'
import { CampaignStateChip } from '../components/CampaignSummary'
import { Banner, EmptyState, Loading, PageHeader } from '../components/Feedback'
import { formatMinute } from '../communityText'
import { marketingApi } from '../marketingApi'
import { mayUse, navigate } from '../router'
import { useSession } from '../session'
import { useLoad } from '../useLoad'

export type CampaignFilter = CampaignState | 'all'

export const campaignsPath = (state: CampaignFilter): string =>
  state === 'all' ? '/campaigns' : `/campaigns?state=${state}`

/** The latest run of a row: when, and how far it got (sent of targeted, opened) — live while sending. */
const LastRun = ({ c }: { c: Campaign }) => {
  const last = c.lastRun
  const r = useLoad(
    () => (last ? marketingApi.campaignRun(c.id, last.id) : Promise.resolve(null)),
    [c.id, last?.id, last?.state],
  )
  if (!last) return <span className="muted">尚未发送</span>
  const s = r.data?.stats
  const live = runIsLive(last.state, s ?? null)
  const done = s ? s.targeted - s.pending : 0
  return (
    <div className="last-run" data-testid="last-run">
      <span className="mono">{last.slotLocal}</span>
      {s ? (
        <>
          <div className="subtle">
            送达 {s.delivered} / {s.targeted} · 打开 {s.opened}
            {c.goal ? ` · 转化 ${s.converted}` : ''}
          </div>
          {live ? (
            <span className="mini-progress" title={`已处理 ${done} / ${s.targeted}`}>
              <span style={{ width: `${s.targeted ? (done / s.targeted) * 100 : 0}%` }} />
            </span>
          ) : null}
        </>
      ) : (
        <div className="subtle">…</div>
      )}
    </div>
  )
}

/** 营销活动: campaigns by state with their schedule, next run and the latest run's numbers. */
export const CampaignsPage = ({ state }: { state: CampaignFilter }) => {
  const { session } = useSession()
  const role = session.staff.role
  const author = mayUse(role, campaignRoutes.createCampaign)
  const approver = mayUse(role, campaignRoutes.decideCampaign)
  const list = useLoad(() => marketingApi.listCampaigns(state === 'all' ? undefined : state), [state])
  const pending = useLoad(
    () => (approver ? marketingApi.listCampaigns('pending_approval') : Promise.resolve(null)),
    [approver],
  )
  const rows = list.data?.campaigns ?? []
  const waiting = (pending.data?.campaigns ?? []).filter((c) => c.createdBy !== session.staff.id).length

  return (
    <>
      <PageHeader
        title="营销活动"
        lead="向目标人群发送健康科普或活动消息：按分群实时计算人数，经审批后立即、定时或按周期发送，并统计送达、打开和转化。"
        actions={
          author ? (
            <a className="btn btn-primary" href="#/campaigns/new">
              + 新建活动
            </a>
          ) : null
        }
      />
      {approver && waiting > 0 && state !== 'pending_approval' ? (
        <Banner tone="info">
          有 {waiting} 个活动等待您审批。 <a href={`#${campaignsPath('pending_approval')}`}>查看待审批</a>
        </Banner>
      ) : null}
      {list.error ? (
        <Banner tone="error">
          活动加载失败：{campaignErrorText(list.error)}{' '}
          <button type="button" className="link-button" onClick={list.reload}>
            重试
          </button>
        </Banner>
      ) : null}
      <div className="panel table-panel">
        <div className="table-toolbar table-toolbar-split">
          <div className="segmented" role="group" aria-label="活动状态">
            {(['all', ...CAMPAIGN_STATES] as const).map((s) => (
              <button
                key={s}
                type="button"
                className={`segmented-item${s === state ? ' segmented-on' : ''}`}
                aria-pressed={s === state}
                onClick={() => navigate(campaignsPath(s))}
              >
                {s === 'all' ? '全部' : CAMPAIGN_STATE_LABEL[s]}
              </button>
            ))}
          </div>
          {list.data ? <span className="panel-count">共 {rows.length} 个活动</span> : null}
        </div>
        <table className="table" data-testid="campaigns-table">
          <thead>
            <tr>
              <th>活动</th>
              <th>状态</th>
              <th>目标人群</th>
              <th>渠道</th>
              <th>发送时间</th>
              <th>下次发送</th>
              <th>最近一次发送</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((c) => (
              <tr
                key={c.id}
                className="row-link"
                onClick={() => navigate(`/campaigns/${c.id}`)}
                data-testid="campaign-row"
              >
                <td>
                  <a
                    className="cell-strong"
                    href={`#/campaigns/${c.id}`}
                    onClick={(e) => e.stopPropagation()}
                  >
                    {c.name}
                  </a>
                  <div className="subtle">
                    {c.content.kind === 'article' ? '科普文章' : `消息：${c.content.title}`}
                  </div>
                </td>
                <td>
                  <CampaignStateChip state={c.state} />
                </td>
                <td>
                  {c.segment.expression ? (
                    <code className="code clamp-1">{c.segment.expression}</code>
                  ) : (
                    <span className="muted">已保存的分群</span>
                  )}
                </td>
                <td className="nowrap">
                  {c.channels.map((ch) => CHANNEL_LABEL[ch].replace(/^(微信|小程序)/, '')).join(' → ')}
                </td>
                <td>{scheduleText(c.schedule)}</td>
                <td className="nowrap mono">{c.nextRunAt ? formatMinute(c.nextRunAt) : '—'}</td>
                <td>
                  <LastRun c={c} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {list.loading && !list.data ? <Loading text="正在加载活动…" /> : null}
        {list.data && rows.length === 0 ? (
          <EmptyState
            title={state === 'all' ? '还没有营销活动' : `没有${CAMPAIGN_STATE_LABEL[state]}的活动`}
            hint={author ? '点击右上角“新建活动”，例如给 60 岁以上糖尿病患者每周推送一篇科普。' : undefined}
          />
        ) : null}
      </div>
    </>
  )
}

import { campaignRoutes, type Campaign, type CampaignStats } from '@careloop/shared'
import { useState } from 'react'
import { api } from '../api'
import { campaignErrorText, RUN_STATE_LABEL, runIsLive, scheduleText } from '../campaignText'
import { ConfirmDialog } from '../components/ConfirmDialog'
import { Banner, EmptyState, Loading, PageHeader } from '../components/Feedback'
import { DeliveredByChannel, Funnel, OutcomeBar, ReasonBars, RunProgress } from '../components/CampaignFunnel'
import { CampaignFacts, CampaignStateChip, staffName } from '../components/CampaignSummary'
import { formatMinute } from '../communityText'
import { flash } from '../flash'
import { percent } from '../followupText'
import { marketingApi } from '../marketingApi'
import { mayUse } from '../router'
import { useSession } from '../session'
import { useStaffDirectory } from '../staffDirectory'
import { useCampaignLive } from '../useCampaignLive'
import { useLoad } from '../useLoad'

const sum = (m: Record<string, number>): number => Object.values(m).reduce((a, b) => a + b, 0)
const rate = (n: number, of: number): string => (of > 0 ? percent(n / of) : '—')

const COUNTS = [
  'targeted',
  'sent',
  'delivered',
  'pending',
  'cancelled',
  'opened',
  'clicked',
  'converted',
] as const
const BY_CODE = ['skipped', 'fallbacks', 'deliveredByChannel', 'failed'] as const

/** The totals with one run's statistics replaced by fresher ones (a live run polled since the totals were read). */
const withRun = (
  totals: CampaignStats,
  was: CampaignStats | undefined,
  now: CampaignStats,
): CampaignStats => {
  if (!was || was === now) return totals
  const t = { ...totals }
  for (const k of COUNTS) t[k] = totals[k] - was[k] + now[k]
  for (const k of BY_CODE) {
    const m: Record<string, number> = { ...totals[k] }
    for (const [code, n] of Object.entries(was[k])) m[code] = (m[code] ?? 0) - n
    for (const [code, n] of Object.entries(now[k])) m[code] = (m[code] ?? 0) + n
    t[k] = m
  }
  return t
}

/** The totals over every run: runs, targeted, delivered, opened, converted. */
const TotalTiles = ({ t, runs, goal }: { t: CampaignStats; runs: number; goal: boolean }) => (
  <div className="summary-tiles summary-tiles-5" data-testid="campaign-totals">
    <div className="stat-tile">
      <div className="card-title">已执行</div>
      <div className="stat-value">
        {runs}
        <span className="stat-unit"> 次</span>
      </div>
    </div>
    <div className="stat-tile">
      <div className="card-title">目标人数</div>
      <div className="stat-value">{t.targeted}</div>
      <div className="card-hint">
        跳过 {sum(t.skipped)} · 失败 {sum(t.failed)}
      </div>
    </div>
    <div className="stat-tile">
      <div className="card-title">已送达</div>
      <div className="stat-value">{t.delivered}</div>
      <div className="card-hint">送达率 {rate(t.delivered, t.targeted)}</div>
    </div>
    <div className="stat-tile">
      <div className="card-title">已打开</div>
      <div className="stat-value">{t.opened}</div>
      <div className="card-hint">打开率 {rate(t.opened, t.delivered)}</div>
    </div>
    <div className="stat-tile">
      <div className="card-title">已转化</div>
      <div className="stat-value">{goal ? t.converted : '—'}</div>
      <div className="card-hint">{goal ? `转化率 ${rate(t.converted, t.delivered)}` : '未设置转化目标'}</div>
    </div>
  </div>
)

type Control = 'pause' | 'resume' | 'cancel'
const CONTROL_LABEL: Record<Control, string> = { pause: '暂停', resume: '恢复', cancel: '取消活动' }

/** Pause / resume / cancel (cancel asks first), by the state the campaign is in. */
const Controls = ({ c, onDone }: { c: Campaign; onDone: (text: string) => void }) => {
  const { session } = useSession()
  const [busy, setBusy] = useState(false)
  const [confirm, setConfirm] = useState(false)
  const [error, setError] = useState<string | null>(null)
  if (!mayUse(session.staff.role, campaignRoutes.pauseCampaign)) return null
  const run = async (k: Control) => {
    setBusy(true)
    setError(null)
    try {
      if (k === 'pause') await marketingApi.pauseCampaign(c.id)
      if (k === 'resume') await marketingApi.resumeCampaign(c.id)
      if (k === 'cancel') await marketingApi.cancelCampaign(c.id)
      setConfirm(false)
      onDone(
        k === 'pause'
          ? '已暂停：未发出的消息暂缓发送'
          : k === 'resume'
            ? '已恢复：暂缓的消息继续发送'
            : '活动已取消，不再发送',
      )
    } catch (e) {
      setError(campaignErrorText(e))
    } finally {
      setBusy(false)
    }
  }
  const can: Control[] = []
  if (c.state === 'approved' || c.state === 'running') can.push('pause')
  if (c.state === 'paused') can.push('resume')
  if (c.state !== 'cancelled' && c.state !== 'completed') can.push('cancel')
  return (
    <>
      {can.map((k) => (
        <button
          key={k}
          type="button"
          className={`btn${k === 'cancel' ? ' btn-danger-outline' : ''}`}
          disabled={busy}
          onClick={() => (k === 'cancel' ? setConfirm(true) : void run(k))}
        >
          {CONTROL_LABEL[k]}
        </button>
      ))}
      {error ? <span className="field-error">{error}</span> : null}
      {confirm ? (
        <ConfirmDialog
          title="取消这个活动？"
          confirmLabel="确认取消活动"
          busy={busy}
          onConfirm={() => void run('cancel')}
          onCancel={() => setConfirm(false)}
        >
          取消后不再发送，尚未发出的消息也会被取消；已送达的消息和统计数据保留。此操作不能撤销。
        </ConfirmDialog>
      ) : null}
    </>
  )
}

/** 活动详情: settings and approvals, pause/resume/cancel, each run's live progress, funnel and reasons. */
export const CampaignDetailPage = ({ id }: { id: string }) => {
  const { session } = useSession()
  const role = session.staff.role
  const dir = useStaffDirectory()
  const { campaign, stats, run, select, refresh } = useCampaignLive(id)
  const [notice, setNotice] = useState<string | null>(() => flash.take())
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const c = campaign.data?.campaign ?? null
  const articleId = c?.content.kind === 'article' ? c.content.articleId : null
  const article = useLoad(
    () => (articleId ? marketingApi.getArticle(articleId) : Promise.resolve(null)),
    [articleId],
  )
  const segmentId = c?.segment.segmentId ?? null
  const segments = useLoad(() => (segmentId ? api.listSegments() : Promise.resolve(null)), [segmentId])

  const back = (
    <a className="back-link" href="#/campaigns">
      ← 返回营销活动
    </a>
  )
  if (campaign.error)
    return (
      <>
        {back}
        <Banner tone="error">{campaignErrorText(campaign.error)}</Banner>
      </>
    )
  if (!c)
    return (
      <>
        {back}
        <Loading text="正在加载活动…" />
      </>
    )

  const author = mayUse(role, campaignRoutes.updateCampaign)
  const approver = mayUse(role, campaignRoutes.decideCampaign)
  const lastDecision = [...c.approvals].reverse().find((a) => a.decision !== 'submit')
  const s = stats.data
  const submit = async () => {
    setBusy(true)
    setError(null)
    try {
      campaign.set(await marketingApi.submitCampaign(c.id))
      setNotice('已提交审批')
    } catch (e) {
      setError(campaignErrorText(e))
    } finally {
      setBusy(false)
    }
  }

  return (
    <>
      {back}
      <PageHeader
        title={c.name}
        lead={
          <>
            <CampaignStateChip state={c.state} /> {scheduleText(c.schedule)}
            {c.nextRunAt ? ` · 下次发送 ${formatMinute(c.nextRunAt)}` : ''}
          </>
        }
        actions={
          <>
            {c.state === 'draft' && author ? (
              <>
                <a className="btn" href={`#/campaigns/${c.id}/edit`}>
                  编辑
                </a>
                <button
                  type="button"
                  className="btn btn-primary"
                  disabled={busy}
                  onClick={() => void submit()}
                >
                  提交审批
                </button>
              </>
            ) : null}
            {c.state === 'pending_approval' ? (
              <a className={`btn${approver ? ' btn-primary' : ''}`} href={`#/campaigns/${c.id}/approval`}>
                {approver ? '预览并审批' : '查看审批预览'}
              </a>
            ) : null}
            <Controls
              c={c}
              onDone={(text) => {
                setNotice(text)
                refresh()
              }}
            />
          </>
        }
      />
      {notice ? (
        <Banner tone="success" onClose={() => setNotice(null)}>
          {notice}
        </Banner>
      ) : null}
      {error ? <Banner tone="error">{error}</Banner> : null}
      {c.state === 'draft' && lastDecision?.decision === 'reject' ? (
        <Banner tone="warning">
          审批被驳回（{staffName(dir, lastDecision.by)}）：{lastDecision.comment ?? '未填写原因'}
          。修改后可重新提交。
        </Banner>
      ) : null}
      {c.state === 'pending_approval' ? (
        <Banner tone="info">
          等待护士长或管理员（非创建人）审批；审批人会看到目标人数和各渠道的消息预览。
        </Banner>
      ) : null}
      {stats.error ? <Banner tone="error">统计加载失败：{campaignErrorText(stats.error)}</Banner> : null}
      {s && run ? (
        <TotalTiles
          t={withRun(s.totals, s.runs.find((r) => r.run.id === run.run.id)?.stats, run.stats)}
          runs={s.runsTotal}
          goal={s.goal !== null}
        />
      ) : null}
      <div className="campaign-layout">
        <div>
          <section className="panel" data-testid="campaign-run">
            <div className="panel-head panel-head-split panel-head-spread">
              <h2>{run ? `发送记录 · ${run.run.slotLocal}` : '发送记录'}</h2>
              {run ? (
                <span
                  className={`run-state run-${run.run.state}${runIsLive(run.run.state, run.stats) ? ' is-live' : ''}`}
                >
                  {runIsLive(run.run.state, run.stats) ? '发送中' : RUN_STATE_LABEL[run.run.state]}
                </span>
              ) : null}
            </div>
            {!s && stats.loading ? <Loading text="正在统计…" /> : null}
            {s && !run ? (
              <EmptyState
                title="还没有发送"
                hint={
                  c.nextRunAt
                    ? `计划于 ${formatMinute(c.nextRunAt)} 发送；开始后这里实时显示进度和漏斗。`
                    : '活动审批通过并到达发送时间后，这里实时显示进度和转化漏斗。'
                }
              />
            ) : null}
            {run ? (
              <>
                <RunProgress run={run.run} stats={run.stats} />
                <OutcomeBar stats={run.stats} />
                <h3 className="funnel-title">转化漏斗</h3>
                <Funnel stats={run.stats} />
                <DeliveredByChannel stats={run.stats} />
                <div className="reasons-grid">
                  <ReasonBars
                    title="跳过原因"
                    counts={run.stats.skipped}
                    of={run.stats.targeted}
                    tone="warn"
                    empty="没有跳过的消息"
                  />
                  <ReasonBars
                    title="失败原因"
                    counts={run.stats.failed}
                    of={run.stats.targeted}
                    tone="bad"
                    empty="没有发送失败"
                  />
                  <ReasonBars
                    title="改用下一渠道"
                    counts={run.stats.fallbacks}
                    of={run.stats.targeted}
                    tone="info"
                    empty="没有渠道降级"
                  />
                </div>
              </>
            ) : null}
          </section>
          {s && s.runs.length > 1 ? (
            <section className="panel table-panel">
              <table className="table table-dense" data-testid="campaign-runs">
                <thead>
                  <tr>
                    <th>发送时间</th>
                    <th>状态</th>
                    <th className="num">目标</th>
                    <th className="num">送达</th>
                    <th className="num">打开</th>
                    <th className="num">点击</th>
                    <th className="num">转化</th>
                    <th className="num">跳过</th>
                    <th className="num">失败</th>
                  </tr>
                </thead>
                <tbody>
                  {s.runs.map((r) => (
                    <tr
                      key={r.run.id}
                      className={`row-link${r.run.id === run?.run.id ? ' row-selected' : ''}`}
                      onClick={() => select(r.run.id)}
                      data-testid="campaign-run-row"
                    >
                      <td className="mono nowrap">{r.run.slotLocal}</td>
                      <td>{runIsLive(r.run.state, r.stats) ? '发送中' : RUN_STATE_LABEL[r.run.state]}</td>
                      <td className="num">{r.stats.targeted}</td>
                      <td className="num">{r.stats.delivered}</td>
                      <td className="num">{r.stats.opened}</td>
                      <td className="num">{r.stats.clicked}</td>
                      <td className="num">{r.stats.converted}</td>
                      <td className="num">{sum(r.stats.skipped)}</td>
                      <td className="num">{sum(r.stats.failed)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          ) : null}
        </div>
        <aside>
          <CampaignFacts
            campaign={c}
            articleTitle={article.data?.title ?? null}
            segmentName={segments.data?.segments.find((x) => x.id === segmentId)?.name ?? null}
            dir={dir}
          />
        </aside>
      </div>
    </>
  )
}

import { campaignRoutes, type Campaign } from '@careloop/shared'
import { useState } from 'react'
import { api } from '../api'
import { campaignErrorText } from '../campaignText'
import { CampaignFacts, CampaignPreview, CampaignStateChip, staffName } from '../components/CampaignSummary'
import { Banner, Loading, PageHeader } from '../components/Feedback'
import { Field } from '../components/Field'
import { flash } from '../flash'
import { marketingApi } from '../marketingApi'
import { mayUse, navigate } from '../router'
import { useSession } from '../session'
import { useStaffDirectory } from '../staffDirectory'
import { useLoad } from '../useLoad'

/** The decision: approve, or reject back to draft with a comment (the author sees it). */
const DecisionPanel = ({
  campaign,
  author,
  contentProblem,
}: {
  campaign: Campaign
  /** The signed-in staff member wrote or submitted it: someone else decides. */
  author: boolean
  contentProblem: string | null
}) => {
  const [comment, setComment] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const decide = async (decision: 'approve' | 'reject') => {
    setError(null)
    if (decision === 'reject' && !comment.trim()) {
      setError('驳回时请填写原因，创建人会看到')
      return
    }
    setBusy(true)
    try {
      const r = await marketingApi.decideCampaign(campaign.id, {
        decision,
        ...(comment.trim() ? { comment: comment.trim() } : {}),
      })
      flash.set(
        decision === 'approve'
          ? r.campaign.schedule.kind === 'now'
            ? '已批准：活动即将开始发送'
            : '已批准：活动将按计划发送'
          : '已驳回：活动回到草稿，创建人修改后可重新提交',
      )
      navigate(`/campaigns/${campaign.id}`)
    } catch (e) {
      setError(campaignErrorText(e))
      setBusy(false)
    }
  }
  return (
    <section className="panel review-panel" data-testid="campaign-decision">
      <h2>审批</h2>
      <p className="panel-lead">
        请核对目标人数和各渠道的消息内容。批准后活动按设置的时间发送给分群内的患者。
      </p>
      {author ? <Banner tone="info">您创建或修改过该活动，需由其他护士长或管理员审批。</Banner> : null}
      {contentProblem && !author ? (
        <Banner tone="warning">内容当前不能发送（{contentProblem}），请驳回让创建人修改。</Banner>
      ) : null}
      <Field
        label="审批意见"
        htmlFor="decision-comment"
        error={error ?? undefined}
        hint="驳回时必填，200 字以内"
      >
        <textarea
          id="decision-comment"
          className="input textarea"
          rows={3}
          maxLength={200}
          value={comment}
          disabled={author}
          onChange={(e) => setComment(e.target.value)}
        />
      </Field>
      <div className="review-actions">
        <button
          type="button"
          className="btn btn-danger"
          disabled={busy || author}
          onClick={() => void decide('reject')}
        >
          驳回
        </button>
        <button
          type="button"
          className="btn btn-primary"
          disabled={busy || author || contentProblem !== null}
          onClick={() => void decide('approve')}
        >
          批准活动
        </button>
      </div>
    </section>
  )
}

/** 活动审批: the audience count and a rendered preview per channel, then approve or reject (not the author). */
export const CampaignApprovalPage = ({ id }: { id: string }) => {
  const { session } = useSession()
  const me = session.staff
  const dir = useStaffDirectory()
  const loaded = useLoad(() => marketingApi.getCampaign(id), [id])
  const preview = useLoad(() => marketingApi.previewCampaign(id), [id])
  const c = loaded.data?.campaign ?? null
  const segments = useLoad(
    () => (c?.segment.segmentId ? api.listSegments() : Promise.resolve(null)),
    [c?.segment.segmentId ?? null],
  )
  const article = useLoad(
    () =>
      c?.content.kind === 'article' ? marketingApi.getArticle(c.content.articleId) : Promise.resolve(null),
    [c?.content.kind === 'article' ? c.content.articleId : null],
  )
  const back = (
    <a className="back-link" href={`#/campaigns/${id}`}>
      ← 返回活动
    </a>
  )
  if (loaded.error)
    return (
      <>
        {back}
        <Banner tone="error">{campaignErrorText(loaded.error)}</Banner>
      </>
    )
  if (!c)
    return (
      <>
        {back}
        <Loading text="正在加载活动…" />
      </>
    )

  const author = c.createdBy === me.id || c.approvals.some((a) => a.decision === 'submit' && a.by === me.id)
  const canDecide = mayUse(me.role, campaignRoutes.decideCampaign)
  return (
    <>
      {back}
      <PageHeader
        title={`审批：${c.name}`}
        lead={
          <>
            <CampaignStateChip state={c.state} /> 由 {staffName(dir, c.createdBy)} 提交
          </>
        }
      />
      {c.state !== 'pending_approval' ? (
        <Banner tone="info">该活动当前不在待审批状态，以下为预览。</Banner>
      ) : null}
      {preview.error ? <Banner tone="error">预览失败：{campaignErrorText(preview.error)}</Banner> : null}
      <div className="campaign-layout">
        <div>
          {preview.data ? <CampaignPreview preview={preview.data} /> : <Loading text="正在生成预览…" />}
        </div>
        <aside>
          {c.state === 'pending_approval' && canDecide ? (
            <DecisionPanel
              campaign={c}
              author={author}
              contentProblem={preview.data?.contentProblem ?? null}
            />
          ) : null}
          <CampaignFacts
            campaign={c}
            articleTitle={article.data?.title ?? null}
            segmentName={segments.data?.segments.find((x) => x.id === c.segment.segmentId)?.name ?? null}
            dir={dir}
          />
        </aside>
      </div>
    </>
  )
}

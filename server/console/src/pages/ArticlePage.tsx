import { contentRoutes, type ArticleDetail, type ReviewStep } from '@careloop/shared'
import { useState } from 'react'
import { ArticleStatusChip, ArticleView, ReviewFlow } from '../components/ArticleBits'
import { ReadStatsTiles, VersionHistory } from '../components/ArticleHistory'
import { Banner, Loading, PageHeader } from '../components/Feedback'
import { Field } from '../components/Field'
import { formatMinute } from '../communityText'
import { contentErrorText, REVIEW_STEP_LABEL } from '../contentText'
import { flash } from '../flash'
import { marketingApi } from '../marketingApi'
import { mayUse } from '../router'
import { useSession } from '../session'
import { useLoad } from '../useLoad'

const STEP_OF: Partial<Record<string, ReviewStep>> = {
  clinical_review: 'clinical',
  compliance_review: 'compliance',
}

/** Approve or reject the version under review, with a comment (required to reject). */
const ReviewPanel = ({
  article,
  step,
  onDone,
}: {
  article: ArticleDetail
  step: ReviewStep
  onDone: (a: ArticleDetail, text: string) => void
}) => {
  const { session } = useSession()
  const v = article.versions[0]!
  const [comment, setComment] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const mine = v.createdBy.id === session.staff.id
  const decide = async (decision: 'approve' | 'reject') => {
    setError(null)
    if (decision === 'reject' && !comment.trim()) {
      setError('驳回时请填写修改意见，作者会看到')
      return
    }
    setBusy(true)
    try {
      const a = await marketingApi.reviewArticle(article.id, step, {
        version: v.n,
        decision,
        ...(comment.trim() ? { comment: comment.trim() } : {}),
      })
      onDone(
        a,
        decision === 'reject'
          ? `已驳回 v${v.n}，已生成草稿 v${a.workingVersion} 供作者修改`
          : step === 'clinical'
            ? `v${v.n} 临床审核通过，已转管理员合规审批`
            : `v${v.n} 合规审批通过，文章已发布`,
      )
      setComment('')
    } catch (e) {
      setError(contentErrorText(e))
    } finally {
      setBusy(false)
    }
  }
  return (
    <section className="panel review-panel" data-testid="review-panel">
      <h2>{REVIEW_STEP_LABEL[step]}</h2>
      <p className="panel-lead">
        请审阅左侧 v{v.n} 的全文（{v.createdBy.name ?? '作者'} 于 {formatMinute(v.submittedAt)} 提交）。
        {step === 'clinical'
          ? '确认医学内容准确、适合患者阅读。'
          : '确认无夸大疗效等违规宣传、免责声明完整。'}
      </p>
      {mine ? <Banner tone="info">这是您撰写的版本，需由其他人员审核。</Banner> : null}
      <Field label="审核意见" htmlFor="review-comment" error={error ?? undefined} hint="驳回时必填">
        <textarea
          id="review-comment"
          className="input textarea"
          rows={3}
          maxLength={500}
          value={comment}
          onChange={(e) => setComment(e.target.value)}
          placeholder="例如：第二段的用药剂量请与指南核对"
        />
      </Field>
      <div className="review-actions">
        <button
          type="button"
          className="btn btn-danger"
          disabled={busy}
          onClick={() => void decide('reject')}
        >
          驳回修改
        </button>
        <button
          type="button"
          className="btn btn-primary"
          disabled={busy}
          onClick={() => void decide('approve')}
        >
          {step === 'clinical' ? '临床审核通过' : '合规审批通过并发布'}
        </button>
      </div>
    </section>
  )
}

/** An article: the version as patients see it, review (head nurse, admin), versions, reading statistics. */
export const ArticlePage = ({ id }: { id: string }) => {
  const { session } = useSession()
  const role = session.staff.role
  const loaded = useLoad(() => marketingApi.getArticle(id), [id])
  const stats = useLoad(() => marketingApi.articleStats(id), [id])
  const [article, setArticle] = useState<ArticleDetail | null>(null)
  const [selected, setSelected] = useState<number | null>(null)
  const [notice, setNotice] = useState<string | null>(() => flash.take())

  const back = (
    <a className="back-link" href="#/articles">
      ← 返回健康科普
    </a>
  )
  const a = article ?? loaded.data
  if (loaded.error)
    return (
      <>
        {back}
        <Banner tone="error">{contentErrorText(loaded.error)}</Banner>
      </>
    )
  if (!a)
    return (
      <>
        {back}
        <Loading text="正在加载文章…" />
      </>
    )

  const working = a.versions[0]!
  const shown = a.versions.find((v) => v.n === (selected ?? working.n)) ?? working
  const step = STEP_OF[working.state]
  const canReview =
    step !== undefined &&
    mayUse(role, step === 'clinical' ? contentRoutes.clinicalReview : contentRoutes.complianceReview)
  const editable =
    mayUse(role, contentRoutes.updateArticle) && (working.state === 'draft' || working.state === 'approved')
  const rejected = a.versions.find((v) => v.n === working.basedOn && v.state === 'rejected')
  const rejection = rejected?.reviews.filter((r) => r.decision === 'reject').at(-1)

  return (
    <>
      {back}
      <PageHeader
        title={working.title}
        lead={
          <>
            <ArticleStatusChip article={a} /> {a.category} · 当前 v{a.workingVersion}
            {a.approvedVersion
              ? ` · 患者看到 v${a.approvedVersion}（${formatMinute(a.approvedAt)} 发布）`
              : ' · 尚未发布'}
          </>
        }
        actions={
          editable ? (
            <a className="btn btn-primary" href={`#/articles/${a.id}/edit`}>
              {working.state === 'approved' ? '修改（生成新版本）' : '编辑草稿'}
            </a>
          ) : null
        }
      />
      {notice ? (
        <Banner tone="success" onClose={() => setNotice(null)}>
          {notice}
        </Banner>
      ) : null}
      {rejection && working.state === 'draft' ? (
        <Banner tone="warning">
          v{rejected!.n} 被{REVIEW_STEP_LABEL[rejection.step]}驳回（{rejection.by.name ?? '审核人'}）：
          {rejection.comment ?? '未填写意见'}。请在草稿 v{working.n} 中修改后重新提交。
        </Banner>
      ) : null}
      {step && !canReview ? (
        <Banner tone="info">
          v{working.n} 正在等待{step === 'clinical' ? '护士长临床审核' : '管理员合规审批'}。
        </Banner>
      ) : null}
      {a.approvedVersion && stats.data ? <ReadStatsTiles stats={stats.data} /> : null}
      <div className="article-layout">
        <section className="panel article-preview">
          <div className="panel-head">
            <h2>患者端预览</h2>
            <span className="panel-count">
              v{shown.n}
              {shown.n !== working.n ? '（历史版本）' : ''}
            </span>
          </div>
          <div className="phone-frame">
            <ArticleView version={shown} category={a.category} />
          </div>
        </section>
        <aside className="article-side">
          {canReview && step ? (
            <ReviewPanel
              article={a}
              step={step}
              onDone={(next, text) => {
                setArticle(next)
                setSelected(null)
                setNotice(text)
                stats.reload()
              }}
            />
          ) : (
            <ReviewFlow article={a} />
          )}
          <VersionHistory versions={a.versions} selected={shown.n} onSelect={setSelected} />
        </aside>
      </div>
    </>
  )
}

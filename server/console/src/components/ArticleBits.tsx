import type { ArticleDetail, ArticleSummaryRow, ArticleVersion, BlockedClaimDetails } from '@careloop/shared'
import { ARTICLE_CHIP_LABEL, articleChip, FIELD_LABEL } from '../contentText'
import { textOfHtml } from './RichTextEditor'

/** 草稿 / 临床审核中 / 合规审核中 / 已发布 / 已驳回 */
export const ArticleStatusChip = ({
  article,
}: {
  article: Pick<ArticleSummaryRow, 'status' | 'workingVersion' | 'approvedVersion'>
}) => {
  const chip = articleChip(article)
  return (
    <span className={`article-chip article-chip-${chip}`} data-testid="article-status">
      {ARTICLE_CHIP_LABEL[chip]}
    </span>
  )
}

/** The blocked phrase in its context: …前文「match」后文… */
export const ClaimContext = ({
  claim,
  draft,
}: {
  claim: BlockedClaimDetails
  draft: { title: string; summary: string; bodyHtml: string }
}) => {
  const text = claim.field === 'bodyHtml' ? textOfHtml(draft.bodyHtml) : draft[claim.field]
  let at = text.slice(claim.index, claim.index + claim.match.length) === claim.match ? claim.index : -1
  if (at < 0) at = text.indexOf(claim.match)
  if (at < 0) return null
  const before = text.slice(Math.max(0, at - 16), at).replace(/\s+/g, ' ')
  const after = text.slice(at + claim.match.length, at + claim.match.length + 16).replace(/\s+/g, ' ')
  return (
    <div className="claim-context" data-testid="claim-context">
      {FIELD_LABEL[claim.field]}：{at > 16 ? '…' : ''}
      {before}
      <mark className="claim-mark">{claim.match}</mark>
      {after}
      {at + claim.match.length + 16 < text.length ? '…' : ''}
      <span className="subtle">（违规词：{claim.phrase}）</span>
    </div>
  )
}

const FLOW = [
  { key: 'draft', label: '撰写', who: '运营专员' },
  { key: 'clinical_review', label: '临床审核', who: '护士长' },
  { key: 'compliance_review', label: '合规审批', who: '管理员' },
  { key: 'approved', label: '发布', who: '患者可见' },
] as const

/** The review workflow with the working version's place in it. */
export const ReviewFlow = ({ article }: { article: ArticleDetail | null }) => {
  const v = article?.versions[0]
  const state = v?.state ?? 'draft'
  const at = state === 'superseded' || state === 'rejected' ? 0 : FLOW.findIndex((f) => f.key === state)
  return (
    <section className="panel" data-testid="review-flow">
      <h2>发布流程</h2>
      <ol className="review-flow">
        {FLOW.map((f, i) => (
          <li
            key={f.key}
            className={`review-flow-step${i < at ? ' is-done' : ''}${i === at ? ' is-current' : ''}`}
          >
            <span className="review-flow-dot">{i < at ? '✓' : i + 1}</span>
            <span className="review-flow-label">{f.label}</span>
            <span className="subtle">{f.who}</span>
          </li>
        ))}
      </ol>
    </section>
  )
}

/** A version as the patient sees it in the mini-program: cover, title, summary, body, disclaimer. */
export const ArticleView = ({ version, category }: { version: ArticleVersion; category: string }) => (
  <article className="article-view" data-testid="article-view">
    {version.coverUrl ? <img className="article-cover" src={version.coverUrl} alt="" /> : null}
    <h1 className="article-view-title">{version.title}</h1>
    <div className="article-view-meta">
      <span className="chip chip-small chip-tag">{category}</span>
      <span className="subtle">v{version.n}</span>
    </div>
    {version.summary ? <p className="article-view-summary">{version.summary}</p> : null}
    {/* bodyHtml is stored sanitised by the server (a fixed allow-list of tags, http(s) links only) */}
    <div className="article-body" dangerouslySetInnerHTML={{ __html: version.bodyHtml }} />
    {version.disclaimer ? (
      <p className="article-disclaimer">{version.disclaimer}</p>
    ) : (
      <p className="article-disclaimer article-disclaimer-missing">尚未填写免责声明</p>
    )}
  </article>
)

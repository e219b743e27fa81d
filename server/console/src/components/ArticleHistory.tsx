import type { ArticleReadStats, ArticleVersion } from '@careloop/shared'
import { formatMinute } from '../communityText'
import { REVIEW_STEP_LABEL, seconds, VERSION_STATE_LABEL } from '../contentText'
import { percent } from '../followupText'

/** One line of a version's trail: 提交审核 / 临床审核 通过 / 合规审批 驳回 with the comment. */
const Trail = ({ v }: { v: ArticleVersion }) => (
  <ol className="review-trail" data-testid="review-trail">
    <li className="trail-item">
      <span className="trail-dot trail-write" />
      <span className="trail-what">创建</span>
      <span>{v.createdBy.name ?? '员工'}</span>
      <span className="subtle mono">{formatMinute(v.createdAt)}</span>
    </li>
    {v.submittedAt ? (
      <li className="trail-item">
        <span className="trail-dot trail-submit" />
        <span className="trail-what">提交审核</span>
        <span className="subtle mono">{formatMinute(v.submittedAt)}</span>
      </li>
    ) : null}
    {v.reviews.map((r, i) => (
      <li key={i} className={`trail-item trail-${r.decision}`}>
        <span className={`trail-dot trail-${r.decision}`} />
        <span className="trail-what">
          {REVIEW_STEP_LABEL[r.step]}
          {r.decision === 'approve' ? ' 通过' : ' 驳回'}
        </span>
        <span>{r.by.name ?? '员工'}</span>
        <span className="subtle mono">{formatMinute(r.at)}</span>
        {r.comment ? <div className="trail-comment">“{r.comment}”</div> : null}
      </li>
    ))}
  </ol>
)

/** 版本记录: every version newest first with its state and review trail; click one to read it. */
export const VersionHistory = ({
  versions,
  selected,
  onSelect,
}: {
  versions: ArticleVersion[]
  selected: number
  onSelect: (n: number) => void
}) => (
  <section className="panel" data-testid="version-history">
    <h2>版本记录</h2>
    <ul className="version-list">
      {versions.map((v) => (
        <li key={v.n}>
          <button
            type="button"
            className={`version-item${v.n === selected ? ' version-item-active' : ''}`}
            onClick={() => onSelect(v.n)}
            data-testid="version-item"
          >
            <span className="version-head">
              <b>v{v.n}</b>
              <span className={`version-state version-${v.state}`}>{VERSION_STATE_LABEL[v.state]}</span>
              {v.basedOn ? <span className="subtle">基于 v{v.basedOn}</span> : null}
            </span>
            <span className="version-title clamp-1">{v.title}</span>
          </button>
          <Trail v={v} />
        </li>
      ))}
    </ul>
  </section>
)

/** 阅读数据: opens, unique readers, average time, completion. */
export const ReadStatsTiles = ({ stats }: { stats: ArticleReadStats }) => (
  <div className="summary-tiles" data-testid="article-stats">
    <div className="stat-tile">
      <div className="card-title">阅读次数</div>
      <div className="stat-value">{stats.opens}</div>
      <div className="card-hint">每次打开文章页计一次</div>
    </div>
    <div className="stat-tile">
      <div className="card-title">阅读人数</div>
      <div className="stat-value">{stats.uniqueReaders}</div>
      <div className="card-hint">按患者去重</div>
    </div>
    <div className="stat-tile">
      <div className="card-title">平均阅读时长</div>
      <div className="stat-value">{seconds(stats.avgReadSeconds)}</div>
      <div className="card-hint">页面可见的时间</div>
    </div>
    <div className="stat-tile">
      <div className="card-title">完读率</div>
      <div className="stat-value">{percent(stats.completionRate)}</div>
      <div className="rate rate-high">
        <span className="rate-track">
          <span className="rate-fill" style={{ width: `${Math.round(stats.completionRate * 100)}%` }} />
        </span>
      </div>
      <div className="card-hint">读满 30 秒或读到结尾：{stats.completed} 次</div>
    </div>
  </div>
)

import { ARTICLE_STATUSES, contentRoutes, type ArticleStatus } from '@careloop/shared'
import { useEffect, useState } from 'react'
import { ArticleStatusChip } from '../components/ArticleBits'
import { Banner, EmptyState, Loading, PageHeader } from '../components/Feedback'
import { Pagination } from '../components/Pagination'
import { formatMinute } from '../communityText'
import { ARTICLE_CHIP_LABEL, contentErrorText } from '../contentText'
import { marketingApi } from '../marketingApi'
import { mayUse, navigate } from '../router'
import { useSession } from '../session'
import { useLoad } from '../useLoad'

const PAGE_SIZE = 20
export type ArticleFilterStatus = ArticleStatus | 'all'

export const articlesPath = (q: string, status: ArticleFilterStatus, page: number): string => {
  const query = new URLSearchParams()
  if (q) query.set('q', q)
  if (status !== 'all') query.set('status', status)
  if (page > 1) query.set('page', String(page))
  const s = query.toString()
  return s ? `/articles?${s}` : '/articles'
}

/** The review step a role takes (the count shown as 待我审核). */
const reviewQueueOf = (role: string): ArticleStatus | null =>
  role === 'head_nurse' ? 'clinical_review' : role === 'admin' ? 'compliance_review' : null

/** 健康科普: the content library with status chips, search, and what waits for the signed-in reviewer. */
export const ArticlesPage = ({
  q,
  status,
  page,
}: {
  q: string
  status: ArticleFilterStatus
  page: number
}) => {
  const { session } = useSession()
  const role = session.staff.role
  const writer = mayUse(role, contentRoutes.createArticle)
  const queue = reviewQueueOf(role)
  const [text, setText] = useState(q)
  useEffect(() => setText(q), [q])
  const list = useLoad(
    () =>
      marketingApi.listArticles({
        q: q || undefined,
        status: status === 'all' ? undefined : status,
        page,
        pageSize: PAGE_SIZE,
      }),
    [q, status, page],
  )
  const waiting = useLoad(
    () =>
      queue ? marketingApi.listArticles({ status: queue, page: 1, pageSize: 1 }) : Promise.resolve(null),
    [queue],
  )
  const rows = list.data?.articles ?? []
  const waitingCount = waiting.data?.total ?? 0

  return (
    <>
      <PageHeader
        title="健康科普"
        lead="撰写健康科普文章，经护士长临床审核、管理员合规审批后发布到小程序，并可用于营销活动。"
        actions={
          <>
            <a className="btn" href="#/articles/blocked-claims">
              违规用语设置
            </a>
            {writer ? (
              <a className="btn btn-primary" href="#/articles/new">
                + 写文章
              </a>
            ) : null}
          </>
        }
      />
      {queue && waitingCount > 0 && status !== queue ? (
        <Banner tone="info">
          有 {waitingCount} 篇文章等待您{queue === 'clinical_review' ? '临床审核' : '合规审批'}。{' '}
          <a href={`#${articlesPath('', queue, 1)}`}>查看待审核</a>
        </Banner>
      ) : null}
      {list.error ? (
        <Banner tone="error">
          文章加载失败：{contentErrorText(list.error)}{' '}
          <button type="button" className="link-button" onClick={list.reload}>
            重试
          </button>
        </Banner>
      ) : null}
      <div className="panel table-panel">
        <div className="table-toolbar table-toolbar-split">
          <div className="segmented" role="group" aria-label="文章状态">
            {(['all', ...ARTICLE_STATUSES] as const).map((s) => (
              <button
                key={s}
                type="button"
                className={`segmented-item${s === status ? ' segmented-on' : ''}`}
                aria-pressed={s === status}
                onClick={() => navigate(articlesPath(q, s, 1))}
              >
                {s === 'all' ? '全部' : ARTICLE_CHIP_LABEL[s]}
              </button>
            ))}
          </div>
          <form
            className="article-search"
            onSubmit={(e) => {
              e.preventDefault()
              navigate(articlesPath(text.trim(), status, 1))
            }}
          >
            <input
              className="input search-input"
              type="search"
              aria-label="按标题搜索"
              placeholder="按标题搜索"
              value={text}
              maxLength={40}
              onChange={(e) => setText(e.target.value)}
            />
            <button type="submit" className="btn">
              搜索
            </button>
          </form>
        </div>
        <table className="table" data-testid="articles-table">
          <thead>
            <tr>
              <th>标题</th>
              <th>分类</th>
              <th>疾病标签</th>
              <th>状态</th>
              <th>版本</th>
              <th>最近更新</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((a) => (
              <tr
                key={a.id}
                className="row-link"
                onClick={() => navigate(`/articles/${a.id}`)}
                data-testid="article-row"
              >
                <td>
                  <a className="cell-strong" href={`#/articles/${a.id}`} onClick={(e) => e.stopPropagation()}>
                    {a.title}
                  </a>
                  {a.summary ? <div className="subtle clamp-1">{a.summary}</div> : null}
                </td>
                <td className="nowrap">{a.category}</td>
                <td>
                  <span className="chip-list">
                    {a.tags.map((t) => (
                      <span key={t} className="chip chip-small chip-tag">
                        {t}
                      </span>
                    ))}
                    {a.tags.length === 0 ? <span className="muted">—</span> : null}
                  </span>
                </td>
                <td>
                  <ArticleStatusChip article={a} />
                </td>
                <td className="nowrap">
                  v{a.workingVersion}
                  <div className="subtle">
                    {a.approvedVersion ? `已发布 v${a.approvedVersion}` : '未发布'}
                  </div>
                </td>
                <td className="nowrap mono">{formatMinute(a.updatedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {list.loading && !list.data ? <Loading text="正在加载文章…" /> : null}
        {list.data && rows.length === 0 ? (
          <EmptyState
            title={q || status !== 'all' ? '没有符合条件的文章' : '还没有文章'}
            hint={
              writer
                ? '点击右上角“写文章”，例如《控制血糖的五个好习惯》。'
                : '运营专员撰写的文章会显示在这里。'
            }
          />
        ) : null}
        {list.data && list.data.total > PAGE_SIZE ? (
          <Pagination
            total={list.data.total}
            page={page}
            pageSize={PAGE_SIZE}
            unit="篇"
            onPage={(p) => navigate(articlesPath(q, status, p))}
          />
        ) : null}
      </div>
    </>
  )
}

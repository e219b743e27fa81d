import type { ArticleSummaryRow } from '@careloop/shared'
import { useState } from 'react'
import type { CampaignDraft } from '../campaignDraft'
import { formatDate } from '../format'
import { Field } from './Field'

/** 发送内容: an approved article of the library (its approved version is sent), or a message template. */
export const CampaignContent = ({
  draft,
  change,
  errors,
  articles,
}: {
  draft: CampaignDraft
  change: (patch: Partial<CampaignDraft>) => void
  errors: Record<string, string>
  /** The library's articles (null while loading); only those with an approved version can be sent. */
  articles: ArticleSummaryRow[] | null
}) => {
  const [q, setQ] = useState('')
  const published = (articles ?? []).filter((a) => a.approvedVersion !== null)
  const shown = published.filter(
    (a) => !q.trim() || a.title.includes(q.trim()) || a.category.includes(q.trim()),
  )
  const picked = articles?.find((a) => a.id === draft.articleId)
  return (
    <section className="panel" data-testid="campaign-content-panel">
      <div className="panel-head panel-head-split panel-head-spread">
        <h2>发送内容</h2>
        <div className="segmented" role="group" aria-label="内容类型">
          {(
            [
              ['article', '科普文章'],
              ['template', '消息模板'],
            ] as const
          ).map(([k, label]) => (
            <button
              key={k}
              type="button"
              className={`segmented-item${draft.contentKind === k ? ' segmented-on' : ''}`}
              aria-pressed={draft.contentKind === k}
              onClick={() => change({ contentKind: k })}
            >
              {label}
            </button>
          ))}
        </div>
      </div>
      {draft.contentKind === 'article' ? (
        <Field
          label="选择已发布的文章"
          htmlFor="campaign-article-search"
          error={errors['content.articleId']}
          hint="发送文章当时已发布的版本；患者点开消息即进入文章页"
        >
          <input
            id="campaign-article-search"
            className="input search-input"
            type="search"
            placeholder="按标题或分类筛选"
            value={q}
            onChange={(e) => setQ(e.target.value)}
          />
          <div className="article-picker" role="radiogroup" aria-label="文章" data-testid="article-picker">
            {shown.map((a) => (
              <label
                key={a.id}
                className={`article-option${a.id === draft.articleId ? ' article-option-on' : ''}`}
              >
                <input
                  type="radio"
                  name="campaign-article"
                  value={a.id}
                  checked={a.id === draft.articleId}
                  onChange={() => change({ articleId: a.id })}
                />
                <span className="article-option-body">
                  <span className="cell-strong">{a.title}</span>
                  <span className="subtle clamp-1">{a.summary || '（无摘要）'}</span>
                  <span className="subtle">
                    {a.category} · 已发布 v{a.approvedVersion}
                    {a.approvedAt ? ` · ${formatDate(a.approvedAt)}` : ''}
                  </span>
                </span>
              </label>
            ))}
            {articles && published.length === 0 ? (
              <div className="muted article-picker-empty">
                还没有已发布的文章：请先在“健康科普”中写文章并通过审核，或改用消息模板。
              </div>
            ) : null}
            {articles === null ? <div className="muted article-picker-empty">正在加载文章…</div> : null}
          </div>
          {picked && picked.approvedVersion === null ? (
            <div className="field-error">所选文章尚未发布，审批时会被拒绝</div>
          ) : null}
        </Field>
      ) : (
        <>
          <Field label="消息标题" htmlFor="campaign-title" error={errors['content.title']}>
            <input
              id="campaign-title"
              className="input"
              maxLength={40}
              value={draft.title}
              placeholder="例如：春季免费体检"
              onChange={(e) => change({ title: e.target.value })}
            />
          </Field>
          <Field
            label="消息内容"
            htmlFor="campaign-body"
            error={errors['content.body']}
            hint={`${draft.body.length} / 500 字；订阅消息会截短到模板字段允许的长度`}
          >
            <textarea
              id="campaign-body"
              className="input textarea"
              rows={3}
              maxLength={500}
              value={draft.body}
              onChange={(e) => change({ body: e.target.value })}
            />
          </Field>
          <Field
            label="点击后打开的小程序页面（可选）"
            htmlFor="campaign-page"
            error={errors['content.page']}
            hint="例如 pages/index/index；不填则打开消息中心"
          >
            <input
              id="campaign-page"
              className="input code"
              value={draft.page}
              onChange={(e) => change({ page: e.target.value })}
            />
          </Field>
        </>
      )}
    </section>
  )
}

import {
  DEFAULT_CONTENT_DISCLAIMER,
  type ArticleDetail,
  type BlockedClaimDetails,
  type UpdateArticleRequest,
} from '@careloop/shared'
import { useEffect, useRef, useState, type FormEvent } from 'react'
import { api, ApiError } from '../api'
import { ArticleStatusChip, ClaimContext, ReviewFlow } from '../components/ArticleBits'
import { Banner, Loading, PageHeader } from '../components/Feedback'
import { Field } from '../components/Field'
import { RichTextEditor } from '../components/RichTextEditor'
import { blockedClaimOf, contentErrorText, FIELD_LABEL, zhContentIssue } from '../contentText'
import { flash } from '../flash'
import { issuesOf } from '../followupText'
import { marketingApi } from '../marketingApi'
import { navigate } from '../router'
import { useLoad } from '../useLoad'

interface Draft {
  title: string
  summary: string
  category: string
  tags: string[]
  coverUrl: string
  bodyHtml: string
  disclaimer: string
}

const CATEGORIES = [
  '糖尿病',
  '高血压',
  '术后康复',
  '营养饮食',
  '用药安全',
  '慢病管理',
  '心理健康',
  '孕产保健',
]

const draftOf = (a: ArticleDetail | null): Draft => {
  const v = a?.versions[0]
  return {
    title: v?.title ?? '',
    summary: v?.summary ?? '',
    category: a?.category ?? '',
    tags: a?.tags ?? [],
    coverUrl: v?.coverUrl ?? '',
    bodyHtml: v?.bodyHtml ?? '',
    disclaimer: v?.disclaimer ?? '',
  }
}

/** What changed against the loaded article (an approved one opens a new draft only on a real change). */
const patchOf = (d: Draft, a: ArticleDetail): UpdateArticleRequest | null => {
  const was = draftOf(a)
  const p: Record<string, unknown> = {}
  for (const k of ['title', 'summary', 'category', 'bodyHtml', 'disclaimer'] as const)
    if (d[k].trim() !== was[k].trim()) p[k] = d[k]
  if (d.coverUrl.trim() !== was.coverUrl.trim()) p.coverUrl = d.coverUrl.trim() || null
  if (d.tags.join('|') !== was.tags.join('|')) p.tags = d.tags
  return Object.keys(p).length > 0 ? (p as UpdateArticleRequest) : null
}

const requestId = () => `article-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`

/** 写文章 / 编辑文章: the working draft (an approved article opens a new draft version on save). */
export const ArticleEditorPage = ({ id }: { id: string }) => {
  const [articleId, setArticleId] = useState(id === 'new' ? null : id)
  const loaded = useLoad(() => (id === 'new' ? Promise.resolve(null) : marketingApi.getArticle(id)), [id])
  const settings = useLoad(() => marketingApi.blockedClaims(), [])
  const tagGroups = useLoad(() => api.listTagGroups(), [])
  const [article, setArticle] = useState<ArticleDetail | null>(null)
  const [draft, setDraft] = useState<Draft | null>(id === 'new' ? draftOf(null) : null)
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [claim, setClaim] = useState<BlockedClaimDetails | null>(null)
  const [banner, setBanner] = useState<{ tone: 'success' | 'error'; text: string } | null>(null)
  const [busy, setBusy] = useState<null | 'save' | 'submit'>(null)
  const createId = useRef(requestId())

  useEffect(() => {
    if (loaded.data) {
      setArticle(loaded.data)
      setDraft(draftOf(loaded.data))
    }
  }, [loaded.data])

  const back = (
    <a className="back-link" href={articleId ? `#/articles/${articleId}` : '#/articles'}>
      ← {articleId ? '返回文章' : '返回健康科普'}
    </a>
  )
  if (loaded.error)
    return (
      <>
        {back}
        <Banner tone="error">{contentErrorText(loaded.error)}</Banner>
      </>
    )
  if (!draft)
    return (
      <>
        {back}
        <Loading text="正在加载文章…" />
      </>
    )

  const working = article?.versions[0] ?? null
  const underReview = working?.state === 'clinical_review' || working?.state === 'compliance_review'
  const change = (patch: Partial<Draft>) => {
    setDraft((d) => (d ? { ...d, ...patch } : d))
    for (const k of Object.keys(patch)) {
      if (claim && k === claim.field) setClaim(null)
      setErrors((e) => (e[k] ? { ...e, [k]: '' } : e))
    }
  }

  const check = (): Record<string, string> => {
    const e: Record<string, string> = {}
    if (!draft.title.trim()) e.title = '请填写标题'
    if (!draft.category.trim()) e.category = '请选择或填写分类'
    if (!draft.bodyHtml.replace(/<[^>]*>/g, '').trim() && !/<img\b/i.test(draft.bodyHtml))
      e.bodyHtml = '请填写正文'
    return e
  }

  const fail = (e: unknown) => {
    const fields: Record<string, string> = {}
    for (const i of issuesOf(e)) fields[i.path.split('.')[0] ?? i.path] ??= zhContentIssue(i.message)
    const hit = blockedClaimOf(e)
    if (hit) {
      setClaim(hit)
      if (hit.field !== 'bodyHtml') fields[hit.field] = `含违规用语「${hit.match}」`
    }
    if (e instanceof ApiError && e.code === 'CONTENT_DISCLAIMER_REQUIRED')
      fields.disclaimer = '提交审核前请填写免责声明'
    setErrors(fields)
    setBanner({ tone: 'error', text: contentErrorText(e) })
  }

  /** Creates the article or saves what changed; answers the article as stored. */
  const save = async (): Promise<ArticleDetail> => {
    if (!articleId) {
      const a = await marketingApi.createArticle({
        title: draft.title,
        summary: draft.summary,
        category: draft.category,
        tags: draft.tags,
        coverUrl: draft.coverUrl.trim() || null,
        bodyHtml: draft.bodyHtml,
        disclaimer: draft.disclaimer,
        requestId: createId.current,
      })
      setArticleId(a.id)
      // the address of the saved article, without leaving the page (no hashchange)
      window.history.replaceState(null, '', `#/articles/${a.id}/edit`)
      return a
    }
    const patch = article ? patchOf(draft, article) : null
    return patch ? marketingApi.updateArticle(articleId, patch) : article!
  }

  const run = async (what: 'save' | 'submit', ev?: FormEvent) => {
    ev?.preventDefault()
    setBanner(null)
    setClaim(null)
    const local = check()
    if (Object.keys(local).length > 0) {
      setErrors(local)
      setBanner({ tone: 'error', text: '请先填写标红的内容' })
      return
    }
    setErrors({})
    setBusy(what)
    let saved: ArticleDetail | null = null
    try {
      saved = await save()
      setArticle(saved)
      setDraft(draftOf(saved))
      if (what === 'save') {
        setBanner({ tone: 'success', text: `已保存草稿 v${saved.workingVersion}` })
        return
      }
      const submitted = await marketingApi.submitArticle(saved.id, saved.workingVersion)
      flash.set(`已提交临床审核（v${submitted.workingVersion}），护士长审核通过后进入合规审批`)
      navigate(`/articles/${saved.id}`)
    } catch (e) {
      fail(e)
    } finally {
      setBusy(null)
    }
  }

  const diseaseTags = (tagGroups.data?.groups ?? [])
    .filter((g) => g.kind === 'disease')
    .flatMap((g) => g.tags.map((t) => t.name))
  const tagChoices = [...new Set([...diseaseTags, ...draft.tags])]
  const defaultDisclaimer = settings.data?.defaultDisclaimer ?? DEFAULT_CONTENT_DISCLAIMER
  const opensNewVersion = working?.state === 'approved'

  return (
    <>
      {back}
      <PageHeader
        title={articleId ? '编辑文章' : '写文章'}
        lead={
          article ? (
            <>
              <ArticleStatusChip article={article} /> 当前版本 v{article.workingVersion}
              {article.approvedVersion ? ` · 患者看到的是 v${article.approvedVersion}` : ' · 尚未发布'}
            </>
          ) : (
            '写好后提交审核：护士长做临床审核，管理员做合规审批，通过后患者才能看到，活动才能发送。'
          )
        }
      />
      {banner ? (
        <Banner tone={banner.tone} onClose={() => setBanner(null)}>
          {banner.text}
          {claim ? <ClaimContext claim={claim} draft={draft} /> : null}
        </Banner>
      ) : null}
      {underReview ? (
        <Banner tone="warning">
          该文章 v{working?.n} 正在审核中，暂不能修改。审核驳回后会生成新的草稿供您修改。
        </Banner>
      ) : null}
      {opensNewVersion ? (
        <Banner tone="info">
          该文章已发布。保存修改会生成新版本 v{(working?.n ?? 0) + 1}
          ，审核通过前患者仍看到当前版本；只改分类和标签不需要审核。
        </Banner>
      ) : null}
      <div className="article-editor-layout">
        <form onSubmit={(e) => void run('submit', e)} noValidate data-testid="article-form">
          <fieldset className="plain-fieldset" disabled={underReview || busy !== null}>
            <section className="panel">
              <Field label="标题" htmlFor="article-title" error={errors.title}>
                <input
                  id="article-title"
                  className="input"
                  maxLength={60}
                  value={draft.title}
                  placeholder="例如：控制血糖的五个好习惯"
                  onChange={(e) => change({ title: e.target.value })}
                />
              </Field>
              <Field
                label="摘要"
                htmlFor="article-summary"
                error={errors.summary}
                hint="列表和消息里显示，200 字以内"
              >
                <textarea
                  id="article-summary"
                  className="input textarea"
                  rows={2}
                  maxLength={200}
                  value={draft.summary}
                  onChange={(e) => change({ summary: e.target.value })}
                />
              </Field>
              <div className="form-grid-2">
                <Field label="分类" htmlFor="article-category" error={errors.category}>
                  <input
                    id="article-category"
                    className="input"
                    list="article-categories"
                    maxLength={20}
                    value={draft.category}
                    placeholder="选择或输入分类"
                    onChange={(e) => change({ category: e.target.value })}
                  />
                  <datalist id="article-categories">
                    {CATEGORIES.map((c) => (
                      <option key={c} value={c} />
                    ))}
                  </datalist>
                </Field>
                <Field label="封面图（可选）" htmlFor="article-cover" error={errors.coverUrl}>
                  <input
                    id="article-cover"
                    className="input"
                    value={draft.coverUrl}
                    placeholder="https://…"
                    onChange={(e) => change({ coverUrl: e.target.value })}
                  />
                </Field>
              </div>
              <Field
                label="疾病标签"
                htmlFor="article-tags"
                error={errors.tags}
                hint="用于推荐和活动选文，最多 10 个"
              >
                <div id="article-tags" className="chip-list article-tags">
                  {tagChoices.map((t) => {
                    const on = draft.tags.includes(t)
                    return (
                      <button
                        key={t}
                        type="button"
                        className={`chip chip-button ${on ? 'chip-tag chip-picked' : 'chip-attr'}`}
                        aria-pressed={on}
                        onClick={() =>
                          change({ tags: on ? draft.tags.filter((x) => x !== t) : [...draft.tags, t] })
                        }
                      >
                        {on ? '✓ ' : ''}
                        {t}
                      </button>
                    )
                  })}
                  {tagChoices.length === 0 ? <span className="muted">还没有疾病类标签</span> : null}
                </div>
              </Field>
            </section>
            <section className="panel">
              <Field label="正文" htmlFor="article-body" error={errors.bodyHtml}>
                <RichTextEditor
                  id="article-body"
                  value={draft.bodyHtml}
                  onChange={(bodyHtml) => change({ bodyHtml })}
                  mark={claim?.field === 'bodyHtml' ? claim : null}
                  invalid={!!errors.bodyHtml || claim?.field === 'bodyHtml'}
                  readOnly={underReview}
                  placeholder="在这里写正文：可加小标题、列表、引用、链接和图片"
                />
              </Field>
              {claim?.field === 'bodyHtml' ? (
                <div className="claim-note" role="alert" data-testid="claim-note">
                  正文中标黄的「{claim.match}」属于违规医疗用语（{claim.phrase}），请删除或改写后再提交。
                </div>
              ) : null}
            </section>
            <section className="panel">
              <Field
                label="免责声明"
                htmlFor="article-disclaimer"
                error={errors.disclaimer}
                hint="显示在文章末尾；提交审核前必须填写"
              >
                <textarea
                  id="article-disclaimer"
                  className="input textarea"
                  rows={3}
                  maxLength={500}
                  value={draft.disclaimer}
                  onChange={(e) => change({ disclaimer: e.target.value })}
                />
              </Field>
              <button
                type="button"
                className="btn btn-small"
                onClick={() => change({ disclaimer: defaultDisclaimer })}
              >
                使用默认免责声明
              </button>
            </section>
          </fieldset>
          {!underReview ? (
            <div className="form-footer">
              <a className="btn" href={articleId ? `#/articles/${articleId}` : '#/articles'}>
                取消
              </a>
              <button type="button" className="btn" disabled={busy !== null} onClick={() => void run('save')}>
                {busy === 'save' ? '正在保存…' : '保存草稿'}
              </button>
              <button type="submit" className="btn btn-primary" disabled={busy !== null}>
                {busy === 'submit' ? '正在提交…' : '提交审核'}
              </button>
            </div>
          ) : null}
        </form>
        <aside className="article-side">
          <ReviewFlow article={article} />
          <section className="panel" data-testid="blocked-phrases">
            <h2>违规医疗用语</h2>
            <p className="panel-lead">提交审核时自动检查标题、摘要和正文，含以下用语的文章不能提交：</p>
            <div className="chip-list">
              {(settings.data?.phrases ?? []).map((p) => (
                <span key={p} className="chip chip-small chip-blocked">
                  {p}
                </span>
              ))}
            </div>
            {claim ? (
              <p className="claim-side">
                本次检查发现：{FIELD_LABEL[claim.field]}「<mark>{claim.match}</mark>」
              </p>
            ) : null}
          </section>
        </aside>
      </div>
    </>
  )
}

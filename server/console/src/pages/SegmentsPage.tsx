import { formatSegmentExpression, type Segment, type SegmentPreviewResponse } from '@careloop/shared'
import { useRef, useState, type FormEvent } from 'react'
import { api, ApiError, errorText } from '../api'
import { ExpressionEditor, type ExpressionError } from '../components/ExpressionEditor'
import { Banner, EmptyState, Loading, PageHeader } from '../components/Feedback'
import { Field } from '../components/Field'
import { dash, formatDate } from '../format'
import { GENDER_LABEL, RELATION_LABEL, TAG_KIND_LABEL } from '../labels'
import { useLive } from '../useLive'
import { useLoad } from '../useLoad'

/** Wait this long after the last keystroke before asking for a preview. */
const DEBOUNCE_MS = 300

const EXAMPLE = '糖尿病 AND (age>=60 OR tier:gold) AND NOT 退订'

/** Attribute and operator snippets, inserted at the cursor. */
const SNIPPETS: { text: string; title: string }[] = [
  { text: 'age>=60', title: '60 岁及以上' },
  { text: 'age<18', title: '未满 18 岁' },
  { text: 'gender:female', title: '女性' },
  { text: 'gender:male', title: '男性' },
  { text: 'consent:marketing', title: '已同意接收营销信息' },
  { text: 'tier:gold', title: '金卡会员' },
  { text: 'relation:self', title: '账号本人（非家属档案）' },
]
const OPERATORS: { text: string; title: string }[] = [
  { text: 'AND', title: '并且（两个条件都满足）' },
  { text: 'OR', title: '或者（满足其一）' },
  { text: 'NOT', title: '排除（不满足后面的条件）' },
]

/** The server's parse error (English) as a short Chinese sentence. */
const explain = (message: string): string => {
  const rules: [RegExp, (m: RegExpExecArray) => string][] = [
    [/^unknown tag "(.*)"/, (m) => `标签“${m[1]}”不存在`],
    [/^expected AND\/OR/, () => '两个条件之间缺少 AND 或 OR'],
    [/^unexpected end of expression/, () => '表达式不完整，这里缺少标签或条件'],
    [/^missing "\)"/, () => '括号没有闭合，缺少 )'],
    [/^unexpected "\)"/, () => '多余的右括号 )'],
    [/^empty parentheses/, () => '括号里没有内容'],
    [/^unterminated quoted/, () => '引号没有闭合'],
    [/must be quoted/, () => '以数字开头的标签名需要加引号，例如 "2型糖尿病"'],
    [/^unknown attribute/, () => '未知属性，可用 age、birthYear、gender、relation、tier、consent'],
    [/^unknown (gender|relation|tier|consent) /, (m) => `${m[1]} 的取值无效`],
    [/^unexpected (AND|OR|NOT)\b/i, (m) => `${m[1]} 前面缺少标签或条件`],
    [/^unexpected character/, () => '无法识别的字符'],
    [/whole number/, () => '比较符号后面需要一个整数'],
    [/is compared with/, () => '数值属性要用 =、!=、<、<=、>、>= 比较'],
    [/takes ":"/, () => '该属性要用冒号写，例如 gender:female'],
    [/too large/, () => '数字过大'],
    [/nested too deeply/, () => '括号嵌套层数过多'],
    [/too long/, () => '表达式过长（最多 4000 个字符）'],
  ]
  for (const [re, f] of rules) {
    const m = re.exec(message)
    if (m) return f(m)
  }
  return '表达式有误'
}

/**
 * A SEGMENT_INVALID error placed in the text as typed: the server trims the expression before parsing,
 * so its positions start after the leading whitespace.
 */
const locate = (e: ApiError, typed: string): ExpressionError | null => {
  const d = e.details
  if (!d || typeof d !== 'object') return null
  const { position, length, message } = d as Record<string, unknown>
  if (typeof position !== 'number' || typeof length !== 'number') return null
  const lead = typed.length - typed.trimStart().length
  return { position: position + lead, length, message: typeof message === 'string' ? message : e.message }
}

/** 第 N 个字符 (1-based, what a person counts), or 末尾 for an error at the end. */
const where = (err: ExpressionError, typed: string): string =>
  err.position >= typed.trimEnd().length && err.length === 0 ? '表达式末尾' : `第 ${err.position + 1} 个字符`

interface PreviewState {
  /** The expression the result or error belongs to (the input may have moved on since). */
  source: string
  result: SegmentPreviewResponse | null
  invalid: ExpressionError | null
  failure: string | null
  pending: boolean
}

/** Live preview of `expression`: debounced, and a newer keystroke cancels the request in flight. */
const usePreview = (expression: string): PreviewState => {
  const live = useLive(
    expression.trim() === '' ? '' : expression,
    (signal) => api.previewSegment(expression, signal),
    DEBOUNCE_MS,
  )
  const e = live.error
  const invalid = e instanceof ApiError && e.code === 'SEGMENT_INVALID' ? locate(e, live.key) : null
  return {
    source: live.key,
    result: live.data,
    invalid,
    failure:
      e === null || invalid
        ? null
        : e instanceof ApiError && e.code === 'VALIDATION_FAILED'
          ? '表达式过长（最多 4000 个字符）'
          : errorText(e),
    pending: live.pending,
  }
}

/** 人群分群: build a tag expression with a live count and masked sample, save it, reuse saved ones. */
export const SegmentsPage = () => {
  const [expression, setExpression] = useState('')
  const [name, setName] = useState('')
  const [nameError, setNameError] = useState<string | undefined>()
  const [saveError, setSaveError] = useState<string | null>(null)
  const [saveInvalid, setSaveInvalid] = useState<ExpressionError | null>(null)
  const [saving, setSaving] = useState(false)
  const [notice, setNotice] = useState<string | null>(null)
  const [loadedId, setLoadedId] = useState<string | null>(null)
  const input = useRef<HTMLTextAreaElement>(null)
  const selection = useRef<{ start: number; end: number } | null>(null)
  const preview = usePreview(expression)
  const groups = useLoad(() => api.listTagGroups(), [])
  const saved = useLoad(() => api.listSegments(), [])

  const invalid = saveInvalid ?? preview.invalid
  /** Underline only while the text is still the one the error was found in. */
  const marked = invalid && (saveInvalid || preview.source === expression) ? invalid : null
  const change = (v: string) => {
    setExpression(v)
    setSaveInvalid(null)
    setLoadedId(null)
  }

  /** Puts `snippet` at the cursor (replacing a selection), with spaces around it where needed. */
  const insert = (snippet: string) => {
    const sel = selection.current ?? { start: expression.length, end: expression.length }
    const before = expression.slice(0, sel.start)
    const after = expression.slice(sel.end)
    const pre = before !== '' && !/[\s(（]$/.test(before) ? ' ' : ''
    const post = after !== '' && !/^[\s)）]/.test(after) ? ' ' : ''
    const text = `${pre}${snippet}${post}`
    const caret = before.length + pre.length + snippet.length + post.length
    change(before + text + after)
    selection.current = { start: caret, end: caret }
    requestAnimationFrame(() => {
      input.current?.focus()
      input.current?.setSelectionRange(caret, caret)
    })
  }
  /** ( … ): wraps the selection in parentheses, or inserts a pair with the cursor inside. */
  const parens = () => {
    const sel = selection.current ?? { start: expression.length, end: expression.length }
    const inner = expression.slice(sel.start, sel.end)
    const before = expression.slice(0, sel.start)
    const after = expression.slice(sel.end)
    const pre = before !== '' && !/[\s(（]$/.test(before) ? ' ' : ''
    const caret = before.length + pre.length + 1 + inner.length
    change(`${before}${pre}(${inner})${after}`)
    selection.current = { start: caret, end: caret }
    requestAnimationFrame(() => {
      input.current?.focus()
      input.current?.setSelectionRange(caret, caret)
    })
  }

  const load = (s: Segment) => {
    change(s.expression)
    setLoadedId(s.id)
    setNotice(null)
    selection.current = null
    requestAnimationFrame(() => input.current?.focus())
  }

  const save = async (ev: FormEvent) => {
    ev.preventDefault()
    setNameError(undefined)
    setSaveError(null)
    setNotice(null)
    if (!name.trim()) {
      setNameError('请填写分群名称')
      return
    }
    setSaving(true)
    try {
      const r = await api.saveSegment(name, expression)
      saved.set(r)
      setLoadedId(r.segments.find((s) => s.name === name.trim())?.id ?? null)
      setNotice(`已保存分群“${name.trim()}”`)
      setName('')
    } catch (e) {
      if (e instanceof ApiError && e.code === 'SEGMENT_NAME_TAKEN') setNameError('已有同名分群，请换一个名称')
      else if (e instanceof ApiError && e.code === 'SEGMENT_INVALID') setSaveInvalid(locate(e, expression))
      else if (e instanceof ApiError && e.fieldErrors().name) setNameError('分群名称不能超过 30 个字')
      else setSaveError(errorText(e))
    } finally {
      setSaving(false)
    }
  }

  const tagGroups = (groups.data?.groups ?? []).filter((g) => g.tags.length > 0)
  const segments = saved.data?.segments ?? []
  const result = preview.result
  const empty = expression.trim() === ''

  return (
    <>
      <PageHeader
        title="人群分群"
        lead="用标签和患者属性组合出目标人群，实时查看人数与脱敏样例；保存后可用于群发与活动。"
      />
      {notice ? (
        <Banner tone="success" onClose={() => setNotice(null)}>
          {notice}
        </Banner>
      ) : null}
      <div className="segment-layout">
        <div>
          <section className="panel" data-testid="segment-builder">
            <Field label="分群表达式" htmlFor="segment-expression">
              <ExpressionEditor
                id="segment-expression"
                value={expression}
                onChange={change}
                error={marked}
                inputRef={input}
                onSelect={(start, end) => (selection.current = { start, end })}
                placeholder={`例如 ${EXAMPLE}`}
              />
            </Field>
            {invalid ? (
              <div
                className="expr-error"
                id="segment-expression-error"
                role="alert"
                data-testid="segment-error"
                data-position={invalid.position}
                data-length={invalid.length}
              >
                <b>
                  {where(invalid, expression)}：{explain(invalid.message)}
                </b>
                <span className="expr-error-raw code">{invalid.message}</span>
              </div>
            ) : (
              <div className="field-hint expr-hint">
                AND 并且、OR 或者、NOT 排除，可用括号分组；也可写作
                且、或、非。含空格或以数字开头的标签名请加引号。
              </div>
            )}

            <div className="chip-rows">
              <div className="chip-row">
                <span className="chip-row-label">条件</span>
                {SNIPPETS.map((s) => (
                  <button
                    key={s.text}
                    type="button"
                    className="chip chip-button chip-attr"
                    title={s.title}
                    onClick={() => insert(s.text)}
                  >
                    {s.text}
                  </button>
                ))}
              </div>
              <div className="chip-row">
                <span className="chip-row-label">运算</span>
                {OPERATORS.map((s) => (
                  <button
                    key={s.text}
                    type="button"
                    className="chip chip-button chip-op"
                    title={s.title}
                    onClick={() => insert(s.text)}
                  >
                    {s.text}
                  </button>
                ))}
                <button
                  type="button"
                  className="chip chip-button chip-op"
                  title="加括号：选中文字时包住选中部分"
                  onClick={parens}
                >
                  ( … )
                </button>
              </div>
              {tagGroups.map((g) => (
                <div key={g.id} className="chip-row" data-testid="segment-tag-chips">
                  <span className="chip-row-label" title={TAG_KIND_LABEL[g.kind]}>
                    {g.name}
                  </span>
                  {g.tags.map((t) => (
                    <button
                      key={t.id}
                      type="button"
                      className="chip chip-button chip-tag"
                      title={t.description ?? `插入标签 ${t.name}`}
                      onClick={() => insert(formatSegmentExpression({ kind: 'tag', name: t.name }))}
                    >
                      {t.name}
                    </button>
                  ))}
                </div>
              ))}
              {groups.data && tagGroups.length === 0 ? (
                <div className="chip-row muted">还没有标签：可先在“标签管理”中创建，或只用属性条件。</div>
              ) : null}
              {groups.error ? (
                <div className="chip-row field-error">标签加载失败：{errorText(groups.error)}</div>
              ) : null}
            </div>
          </section>

          <section className="panel" data-testid="segment-result">
            <div className="segment-count">
              <div>
                <div className="card-title">符合条件的患者</div>
                <div
                  className={`count-value${preview.pending ? ' count-stale' : ''}`}
                  data-testid="segment-count"
                  data-pending={preview.pending}
                >
                  {result && !invalid ? (
                    <>
                      {result.count.toLocaleString('zh-CN')}
                      <span className="count-unit">位</span>
                    </>
                  ) : (
                    <span className="count-none">—</span>
                  )}
                </div>
              </div>
              <div className="segment-count-side">
                {preview.pending ? (
                  <span className="count-status">
                    <span className="spinner" aria-hidden /> 正在计算…
                  </span>
                ) : empty ? (
                  <span className="muted">输入表达式后自动计算人数</span>
                ) : result && !invalid ? (
                  <span className="muted">
                    规范写法：<code className="code">{result.expression}</code>
                  </span>
                ) : invalid ? (
                  <span className="muted">请先修正表达式中标红的部分</span>
                ) : null}
              </div>
            </div>
            {preview.failure ? <Banner tone="error">人数计算失败：{preview.failure}</Banner> : null}
            {result && !invalid ? (
              result.sample.length === 0 ? (
                <EmptyState title="没有符合条件的患者" hint="可以放宽条件，或检查标签是否已分配给患者。" />
              ) : (
                <>
                  <div className="sample-title">样例患者（最多 5 位，姓名已脱敏，不含联系方式）</div>
                  <div className="table-wrap">
                    <table className="table table-dense" data-testid="segment-sample">
                      <thead>
                        <tr>
                          <th>姓名</th>
                          <th>性别</th>
                          <th>出生年份</th>
                          <th>关系</th>
                          <th>标签</th>
                        </tr>
                      </thead>
                      <tbody>
                        {result.sample.map((p) => (
                          <tr key={p.id} data-testid="segment-sample-row">
                            <td className="cell-strong">{p.name ?? '未填写'}</td>
                            <td>{p.gender ? GENDER_LABEL[p.gender] : '—'}</td>
                            <td>{dash(p.birthYear)}</td>
                            <td>{RELATION_LABEL[p.relation]}</td>
                            <td>
                              {p.tags.length === 0 ? (
                                <span className="muted">—</span>
                              ) : (
                                <span className="chip-list">
                                  {p.tags.map((t) => (
                                    <span key={t} className="chip chip-tag chip-small">
                                      {t}
                                    </span>
                                  ))}
                                </span>
                              )}
                            </td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </div>
                </>
              )
            ) : null}

            <form className="inline-form segment-save" onSubmit={(e) => void save(e)} noValidate>
              <Field
                label="保存为分群"
                htmlFor="segment-name"
                error={nameError}
                hint="不超过 30 个字，名称不能重复"
              >
                <input
                  id="segment-name"
                  className="input"
                  value={name}
                  maxLength={30}
                  onChange={(e) => setName(e.target.value)}
                  placeholder="例如 60 岁以上糖尿病患者"
                />
              </Field>
              <div className="inline-actions">
                <button
                  type="submit"
                  className="btn btn-primary"
                  disabled={saving || empty || invalid !== null}
                >
                  {saving ? '正在保存…' : '保存分群'}
                </button>
              </div>
            </form>
            {saveError ? <Banner tone="error">保存失败：{saveError}</Banner> : null}
          </section>
        </div>

        <aside className="panel saved-segments" data-testid="saved-segments">
          <h2>已保存的分群</h2>
          {saved.error ? (
            <Banner tone="error">
              加载失败：{errorText(saved.error)}{' '}
              <button type="button" className="link-button" onClick={saved.reload}>
                重试
              </button>
            </Banner>
          ) : null}
          {saved.loading && !saved.data ? <Loading /> : null}
          {saved.data && segments.length === 0 ? (
            <EmptyState title="还没有保存的分群" hint="在左侧写好表达式后，填写名称即可保存。" />
          ) : null}
          <ul className="segment-list">
            {segments.map((s) => (
              <li key={s.id}>
                <button
                  type="button"
                  className={`segment-item${loadedId === s.id ? ' segment-item-active' : ''}`}
                  onClick={() => load(s)}
                  title="载入到编辑器"
                  data-testid="saved-segment"
                >
                  <span className="segment-item-name">{s.name}</span>
                  <code className="segment-item-expr">{s.expression}</code>
                  <span className="subtle">创建于 {formatDate(s.createdAt)}</span>
                </button>
              </li>
            ))}
          </ul>
        </aside>
      </div>
    </>
  )
}

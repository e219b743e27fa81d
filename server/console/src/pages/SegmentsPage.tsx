import type { Segment } from '@careloop/shared'
import { useState, type FormEvent } from 'react'
import { api, ApiError, errorText } from '../api'
import { ExpressionEditor, type ExpressionError } from '../components/ExpressionEditor'
import { Banner, EmptyState, Loading, PageHeader } from '../components/Feedback'
import { Field } from '../components/Field'
import { SegmentChips, useExpressionInsert } from '../components/SegmentChips'
import { dash, formatDate } from '../format'
import { GENDER_LABEL, RELATION_LABEL } from '../labels'
import { explain, locate, usePreview, where } from '../segmentPreview'
import { useLoad } from '../useLoad'

const EXAMPLE = '糖尿病 AND (age>=60 OR tier:gold) AND NOT 退订'

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

  const { input, selection, onSelect, insert, parens } = useExpressionInsert(expression, change)

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
                onSelect={onSelect}
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

            <SegmentChips
              groups={groups.data?.groups ?? null}
              error={groups.error}
              onInsert={insert}
              onParens={parens}
            />
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

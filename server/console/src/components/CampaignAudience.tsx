import type { Segment, TagGroup } from '@careloop/shared'
import type { CampaignDraft } from '../campaignDraft'
import { explain, usePreview, where, type PreviewState } from '../segmentPreview'
import { ExpressionEditor, type ExpressionError } from './ExpressionEditor'
import { Banner } from './Feedback'
import { Field } from './Field'
import { SegmentChips, useExpressionInsert } from './SegmentChips'

/** The live audience count of an expression (the segment's size now, before consent and the caps). */
const AudienceCount = ({
  expression,
  preview,
  bad,
}: {
  expression: string
  preview: PreviewState
  bad: ExpressionError | null
}) => {
  const result = bad ? null : preview.result
  return (
    <div className="audience-count" data-testid="campaign-audience">
      <div className="card-title">当前符合条件的患者</div>
      <div
        className={`count-value${preview.pending ? ' count-stale' : ''}`}
        data-testid="campaign-audience-count"
        data-pending={preview.pending}
      >
        {result ? (
          <>
            {result.count.toLocaleString('zh-CN')}
            <span className="count-unit">位</span>
          </>
        ) : (
          <span className="count-none">—</span>
        )}
      </div>
      <div className="subtle">
        {preview.pending ? (
          <>
            <span className="spinner" aria-hidden /> 正在计算…
          </>
        ) : expression.trim() === '' ? (
          '填写表达式后自动计算人数'
        ) : bad ? (
          '请先修正表达式'
        ) : (
          '每次发送时按当时的分群重新计算；未同意接收营销信息的患者自动跳过'
        )}
      </div>
      {preview.failure ? <Banner tone="error">人数计算失败：{preview.failure}</Banner> : null}
      {bad ? (
        <div className="expr-error" id="campaign-expression-error" role="alert" data-testid="segment-error">
          <b>
            {where(bad, expression)}：{explain(bad.message)}
          </b>
        </div>
      ) : null}
    </div>
  )
}

/** 目标人群: a segment expression with chips and a live count, or a saved segment. */
export const CampaignAudience = ({
  draft,
  change,
  errors,
  groups,
  groupsError,
  segments,
  saveInvalid,
}: {
  draft: CampaignDraft
  change: (patch: Partial<CampaignDraft>) => void
  errors: Record<string, string>
  groups: TagGroup[] | null
  groupsError: unknown
  segments: Segment[] | null
  /** A SEGMENT_INVALID answer to the last save, placed in the expression. */
  saveInvalid: ExpressionError | null
}) => {
  const { input, onSelect, insert, parens } = useExpressionInsert(draft.expression, (expression) =>
    change({ expression }),
  )
  const saved = segments?.find((s) => s.id === draft.segmentId) ?? null
  const expression = draft.audience === 'expression' ? draft.expression : (saved?.expression ?? '')
  const preview = usePreview(expression)
  const own = draft.audience === 'expression' ? saveInvalid : null
  const invalid = own ?? preview.invalid
  /** Marked only while the text is still the one the error was found in. */
  const marked = invalid && (own || preview.source === expression) ? invalid : null
  return (
    <section className="panel" data-testid="campaign-audience-panel">
      <div className="panel-head panel-head-split panel-head-spread">
        <h2>目标人群</h2>
        <div className="segmented" role="group" aria-label="人群来源">
          {(
            [
              ['expression', '分群表达式'],
              ['segment', '已保存的分群'],
            ] as const
          ).map(([k, label]) => (
            <button
              key={k}
              type="button"
              className={`segmented-item${draft.audience === k ? ' segmented-on' : ''}`}
              aria-pressed={draft.audience === k}
              onClick={() => change({ audience: k })}
            >
              {label}
            </button>
          ))}
        </div>
      </div>
      <div className="audience-layout">
        <div>
          {draft.audience === 'expression' ? (
            <>
              <Field label="分群表达式" htmlFor="campaign-expression" error={errors['segment.expression']}>
                <ExpressionEditor
                  id="campaign-expression"
                  value={draft.expression}
                  onChange={(expression) => change({ expression })}
                  error={marked}
                  inputRef={input}
                  onSelect={onSelect}
                  placeholder="例如 糖尿病 AND age>=60"
                />
              </Field>
              <SegmentChips groups={groups} error={groupsError} onInsert={insert} onParens={parens} />
            </>
          ) : (
            <Field
              label="已保存的分群"
              htmlFor="campaign-segment"
              error={errors['segment.segmentId']}
              hint={saved ? `表达式：${saved.expression}` : '在“人群分群”中保存的分群'}
            >
              <select
                id="campaign-segment"
                className="input"
                value={draft.segmentId}
                onChange={(e) => change({ segmentId: e.target.value })}
              >
                <option value="">{segments ? '请选择分群' : '正在加载…'}</option>
                {(segments ?? []).map((s) => (
                  <option key={s.id} value={s.id}>
                    {s.name}
                  </option>
                ))}
              </select>
            </Field>
          )}
        </div>
        <AudienceCount expression={expression} preview={preview} bad={marked} />
      </div>
    </section>
  )
}

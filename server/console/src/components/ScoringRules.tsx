import type { RedFlagOp } from '@careloop/shared'
import { OP_LABEL, OPS_FOR } from '../followupText'
import {
  defaultOp,
  newBand,
  newRule,
  type BandDraft,
  type QuestionDraft,
  type RuleDraft,
} from '../questionnaireDraft'

const Err = ({ errors, path }: { errors: Record<string, string>; path: string }) =>
  errors[path] ? <div className="field-error">{errors[path]}</div> : null

const questionLabel = (q: QuestionDraft, i: number): string =>
  `第 ${i + 1} 题：${q.text.trim() || '（未填写题目）'}`

/** The value input of a rule: an option, several options, a number, numbers or a text, by question type and op. */
const RuleValue = ({
  r,
  q,
  at,
  errors,
  onChange,
}: {
  r: RuleDraft
  q: QuestionDraft | undefined
  at: string
  errors: Record<string, string>
  onChange: (patch: Partial<RuleDraft>) => void
}) => {
  const bad = errors[`${at}.value`] ? ' input-invalid' : ''
  if (!q) return <span className="muted">先选择题目</span>
  const choice = q.type === 'single' || q.type === 'multiple'
  if (choice && r.op === 'in')
    return (
      <div className="rule-options">
        {q.options.map((o, j) => (
          <label key={o.uid} className="checkbox-inline">
            <input
              type="checkbox"
              checked={r.values.includes(o.value)}
              onChange={(e) =>
                onChange({
                  values: e.target.checked ? [...r.values, o.value] : r.values.filter((v) => v !== o.value),
                })
              }
            />
            {o.label || `选项 ${j + 1}`}
          </label>
        ))}
      </div>
    )
  if (choice)
    return (
      <select
        id={`${at}.value`}
        aria-label="预警值"
        className={`input${bad}`}
        value={r.value}
        onChange={(e) => onChange({ value: e.target.value })}
      >
        <option value="">选择选项…</option>
        {q.options.map((o, j) => (
          <option key={o.uid} value={o.value}>
            {o.label || `选项 ${j + 1}`}
          </option>
        ))}
      </select>
    )
  return (
    <input
      id={`${at}.value`}
      aria-label="预警值"
      className={`input${bad}`}
      inputMode={q.type === 'text' ? 'text' : 'decimal'}
      value={r.value}
      placeholder={
        q.type === 'text' ? '关键词，如：出血' : r.op === 'in' ? '多个数值用逗号分隔' : '数值，如 38.5'
      }
      onChange={(e) => onChange({ value: e.target.value })}
    />
  )
}

/** 预警规则: when an answer meets the condition, the nurse gets an urgent task and a WeCom alert. */
export const RedFlagRules = ({
  rules,
  questions,
  errors,
  readOnly,
  onChange,
}: {
  rules: RuleDraft[]
  questions: QuestionDraft[]
  errors: Record<string, string>
  readOnly: boolean
  onChange: (rules: RuleDraft[]) => void
}) => {
  const set = (i: number, patch: Partial<RuleDraft>) =>
    onChange(rules.map((r, k) => (k === i ? { ...r, ...patch } : r)))
  return (
    <div className="rules-editor" data-testid="red-flag-rules">
      {rules.length === 0 ? (
        <p className="muted">还没有预警规则。例如“伤口渗液 = 较多”或“体温 ≥ 38.5”。</p>
      ) : null}
      {rules.map((r, i) => {
        const at = `redFlags.${i}`
        const q = questions.find((x) => x.key === r.questionKey)
        const ops: readonly RedFlagOp[] = q ? OPS_FOR[q.type] : ['eq']
        return (
          <div key={r.uid} className="rule-line" data-testid="red-flag-row">
            <span className="rule-flag" aria-hidden>
              !
            </span>
            <div className="rule-q">
              <select
                id={`${at}.questionKey`}
                aria-label="预警题目"
                className={`input${errors[`${at}.questionKey`] ? ' input-invalid' : ''}`}
                value={r.questionKey}
                onChange={(e) => {
                  const nq = questions.find((x) => x.key === e.target.value)
                  set(i, {
                    questionKey: e.target.value,
                    op: nq ? defaultOp(nq.type) : 'eq',
                    value: '',
                    values: [],
                  })
                }}
              >
                <option value="">选择题目…</option>
                {questions.map((x, k) => (
                  <option key={x.uid} value={x.key}>
                    {questionLabel(x, k)}
                  </option>
                ))}
              </select>
              <Err errors={errors} path={`${at}.questionKey`} />
            </div>
            <div className="rule-op">
              <select
                id={`${at}.op`}
                aria-label="预警条件"
                className={`input${errors[`${at}.op`] ? ' input-invalid' : ''}`}
                value={r.op}
                onChange={(e) => set(i, { op: e.target.value as RedFlagOp, value: '', values: [] })}
              >
                {ops.map((op) => (
                  <option key={op} value={op}>
                    {OP_LABEL[op]}
                  </option>
                ))}
              </select>
              <Err errors={errors} path={`${at}.op`} />
            </div>
            <div className="rule-value">
              <RuleValue r={r} q={q} at={at} errors={errors} onChange={(p) => set(i, p)} />
              <Err errors={errors} path={`${at}.value`} />
            </div>
            <div className="rule-label">
              <input
                id={`${at}.label`}
                aria-label="预警名称"
                className={`input${errors[`${at}.label`] ? ' input-invalid' : ''}`}
                maxLength={40}
                value={r.label}
                placeholder="预警名称，如：伤口渗液"
                onChange={(e) => set(i, { label: e.target.value })}
              />
              <Err errors={errors} path={`${at}.label`} />
            </div>
            {!readOnly ? (
              <button
                type="button"
                className="icon-button icon-danger"
                aria-label={`删除预警规则 ${i + 1}`}
                onClick={() => onChange(rules.filter((_, k) => k !== i))}
              >
                ×
              </button>
            ) : null}
          </div>
        )
      })}
      {!readOnly ? (
        <button
          type="button"
          className="btn btn-dashed"
          onClick={() => onChange([...rules, newRule(rules, questions[0])])}
        >
          + 添加预警规则
        </button>
      ) : null}
    </div>
  )
}

/** 分数段: named ranges of the total score (inclusive), e.g. 0–4 恢复良好. */
export const ScoreBands = ({
  bands,
  errors,
  readOnly,
  onChange,
}: {
  bands: BandDraft[]
  errors: Record<string, string>
  readOnly: boolean
  onChange: (bands: BandDraft[]) => void
}) => {
  const set = (i: number, patch: Partial<BandDraft>) =>
    onChange(bands.map((b, k) => (k === i ? { ...b, ...patch } : b)))
  return (
    <div className="bands-editor" data-testid="score-bands">
      {bands.length === 0 ? <p className="muted">不分段时只显示总分。</p> : null}
      {bands.map((b, i) => {
        const at = `scoring.bands.${i}`
        return (
          <div key={b.uid} className="band-line">
            <input
              id={`${at}.min`}
              aria-label={`分段 ${i + 1} 最低分`}
              className={`input input-num${errors[`${at}.min`] ? ' input-invalid' : ''}`}
              inputMode="decimal"
              value={b.min}
              placeholder="最低"
              onChange={(e) => set(i, { min: e.target.value })}
            />
            <span className="muted">–</span>
            <input
              id={`${at}.max`}
              aria-label={`分段 ${i + 1} 最高分`}
              className={`input input-num${errors[`${at}.max`] ? ' input-invalid' : ''}`}
              inputMode="decimal"
              value={b.max}
              placeholder="最高"
              onChange={(e) => set(i, { max: e.target.value })}
            />
            <span className="muted">分</span>
            <input
              id={`${at}.label`}
              aria-label={`分段 ${i + 1} 名称`}
              className={`input band-label${errors[`${at}.label`] ? ' input-invalid' : ''}`}
              maxLength={30}
              value={b.label}
              placeholder="名称，如：恢复良好"
              onChange={(e) => set(i, { label: e.target.value })}
            />
            {!readOnly ? (
              <button
                type="button"
                className="icon-button icon-danger"
                aria-label={`删除分段 ${i + 1}`}
                onClick={() => onChange(bands.filter((_, k) => k !== i))}
              >
                ×
              </button>
            ) : null}
            <div className="band-errors">
              <Err errors={errors} path={`${at}.min`} />
              <Err errors={errors} path={`${at}.max`} />
              <Err errors={errors} path={`${at}.label`} />
            </div>
          </div>
        )
      })}
      <Err errors={errors} path="scoring.bands" />
      {!readOnly ? (
        <button type="button" className="btn btn-dashed" onClick={() => onChange([...bands, newBand()])}>
          + 添加分段
        </button>
      ) : null}
    </div>
  )
}

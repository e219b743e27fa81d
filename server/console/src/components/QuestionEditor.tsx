import { QUESTION_TYPES, type QuestionType } from '@careloop/shared'
import { QUESTION_TYPE_LABEL } from '../followupText'
import { newOption, type QuestionDraft } from '../questionnaireDraft'

const Err = ({ errors, path }: { errors: Record<string, string>; path: string }) =>
  errors[path] ? <div className="field-error">{errors[path]}</div> : null

const TYPE_HINT: Record<QuestionType, string> = {
  single: '患者选择一项；选项可设分值，计入总分',
  multiple: '患者可选多项；每个选中项的分值相加',
  number: '患者填写数字，如体温、血压；可限定范围和单位',
  text: '患者自由填写文字，可用“包含”规则识别关键词',
  scale: '患者在刻度上打分，如疼痛 0–10 分',
}

/** One question of the builder: type, text, required, and the type's own settings. */
export const QuestionEditor = ({
  q,
  index,
  count,
  errors,
  readOnly,
  onChange,
  onMove,
  onRemove,
}: {
  q: QuestionDraft
  index: number
  count: number
  errors: Record<string, string>
  readOnly: boolean
  onChange: (patch: Partial<QuestionDraft>) => void
  onMove: (by: -1 | 1) => void
  onRemove: () => void
}) => {
  const at = `questions.${index}`
  const bad = (path: string) => (errors[path] ? ' input-invalid' : '')
  const setOption = (j: number, patch: Partial<QuestionDraft['options'][number]>) =>
    onChange({ options: q.options.map((o, k) => (k === j ? { ...o, ...patch } : o)) })
  const subErrors = Object.keys(errors).some((k) => k === at || k.startsWith(`${at}.`))

  return (
    <div className={`question-card${subErrors ? ' question-card-invalid' : ''}`} data-testid="question-card">
      <div className="question-head">
        <span className="question-no">第 {index + 1} 题</span>
        <select
          id={`${at}.type`}
          aria-label={`第 ${index + 1} 题：题型`}
          className="input input-auto"
          value={q.type}
          onChange={(e) => onChange({ type: e.target.value as QuestionType })}
        >
          {QUESTION_TYPES.map((t) => (
            <option key={t} value={t}>
              {QUESTION_TYPE_LABEL[t]}
            </option>
          ))}
        </select>
        <label className="checkbox-inline">
          <input
            type="checkbox"
            checked={q.required}
            onChange={(e) => onChange({ required: e.target.checked })}
          />
          必答
        </label>
        <span className="subtle question-hint">{TYPE_HINT[q.type]}</span>
        {!readOnly ? (
          <span className="step-actions">
            <button
              type="button"
              className="icon-button"
              aria-label={`上移第 ${index + 1} 题`}
              disabled={index === 0}
              onClick={() => onMove(-1)}
            >
              ↑
            </button>
            <button
              type="button"
              className="icon-button"
              aria-label={`下移第 ${index + 1} 题`}
              disabled={index === count - 1}
              onClick={() => onMove(1)}
            >
              ↓
            </button>
            <button
              type="button"
              className="icon-button icon-danger"
              aria-label={`删除第 ${index + 1} 题`}
              disabled={count === 1}
              onClick={onRemove}
            >
              ×
            </button>
          </span>
        ) : null}
      </div>
      <input
        id={`${at}.text`}
        aria-label={`第 ${index + 1} 题：题目`}
        className={`input question-text${bad(`${at}.text`)}`}
        value={q.text}
        maxLength={200}
        placeholder="题目，例如：伤口有无渗液？"
        onChange={(e) => onChange({ text: e.target.value })}
      />
      <Err errors={errors} path={`${at}.text`} />
      <Err errors={errors} path={`${at}.key`} />

      {q.type === 'single' || q.type === 'multiple' ? (
        <div className="options">
          {q.options.map((o, j) => (
            <div key={o.uid} className="option-row" data-testid="option-row">
              <span className={`option-mark option-mark-${q.type}`} aria-hidden />
              <div className="option-label">
                <input
                  id={`${at}.options.${j}.label`}
                  aria-label={`第 ${index + 1} 题选项 ${j + 1}`}
                  className={`input${bad(`${at}.options.${j}.label`)}`}
                  value={o.label}
                  maxLength={60}
                  placeholder={`选项 ${j + 1}`}
                  onChange={(e) => setOption(j, { label: e.target.value })}
                />
                <Err errors={errors} path={`${at}.options.${j}.label`} />
                <Err errors={errors} path={`${at}.options.${j}.value`} />
              </div>
              <div className="input-affix option-score">
                <input
                  id={`${at}.options.${j}.score`}
                  aria-label={`第 ${index + 1} 题选项 ${j + 1} 分值`}
                  className={`input${bad(`${at}.options.${j}.score`)}`}
                  inputMode="decimal"
                  value={o.score}
                  placeholder="—"
                  onChange={(e) => setOption(j, { score: e.target.value })}
                />
                <span className="affix">分</span>
              </div>
              {!readOnly ? (
                <button
                  type="button"
                  className="icon-button icon-danger"
                  aria-label={`删除选项 ${j + 1}`}
                  disabled={q.options.length <= 2}
                  onClick={() => onChange({ options: q.options.filter((_, k) => k !== j) })}
                >
                  ×
                </button>
              ) : null}
            </div>
          ))}
          <Err errors={errors} path={`${at}.options`} />
          {!readOnly ? (
            <button
              type="button"
              className="link-button add-option"
              onClick={() => onChange({ options: [...q.options, newOption(q.options)] })}
            >
              + 添加选项
            </button>
          ) : null}
        </div>
      ) : null}

      {q.type === 'number' ? (
        <div className="question-settings">
          {(
            [
              ['min', '最小值'],
              ['max', '最大值'],
              ['step', '步长'],
            ] as const
          ).map(([f, label]) => (
            <label key={f} className="mini-field">
              <span>{label}</span>
              <input
                id={`${at}.${f}`}
                className={`input input-num${bad(`${at}.${f}`)}`}
                inputMode="decimal"
                value={q[f]}
                onChange={(e) => onChange({ [f]: e.target.value })}
              />
              <Err errors={errors} path={`${at}.${f}`} />
            </label>
          ))}
          <label className="mini-field">
            <span>单位</span>
            <input
              id={`${at}.unit`}
              className="input input-num"
              maxLength={10}
              value={q.unit}
              placeholder="℃"
              onChange={(e) => onChange({ unit: e.target.value })}
            />
          </label>
          <label className="checkbox-inline scored-toggle">
            <input
              type="checkbox"
              checked={q.scored}
              onChange={(e) => onChange({ scored: e.target.checked })}
            />
            数值计入总分
          </label>
          <Err errors={errors} path={`${at}.scored`} />
        </div>
      ) : null}

      {q.type === 'scale' ? (
        <div className="question-settings">
          <label className="mini-field">
            <span>最小刻度</span>
            <input
              id={`${at}.scale.min`}
              className={`input input-num${bad(`${at}.scale.min`)}`}
              inputMode="numeric"
              value={q.scaleMin}
              onChange={(e) => onChange({ scaleMin: e.target.value })}
            />
          </label>
          <label className="mini-field">
            <span>最大刻度</span>
            <input
              id={`${at}.scale.max`}
              className={`input input-num${bad(`${at}.scale.max`)}`}
              inputMode="numeric"
              value={q.scaleMax}
              onChange={(e) => onChange({ scaleMax: e.target.value })}
            />
          </label>
          <label className="mini-field">
            <span>最小端文字</span>
            <input
              className="input"
              maxLength={20}
              value={q.minLabel}
              placeholder="不痛"
              onChange={(e) => onChange({ minLabel: e.target.value })}
            />
          </label>
          <label className="mini-field">
            <span>最大端文字</span>
            <input
              className="input"
              maxLength={20}
              value={q.maxLabel}
              placeholder="剧痛"
              onChange={(e) => onChange({ maxLabel: e.target.value })}
            />
          </label>
          <label className="checkbox-inline scored-toggle">
            <input
              type="checkbox"
              checked={q.scored}
              onChange={(e) => onChange({ scored: e.target.checked })}
            />
            刻度计入总分
          </label>
          <div className="question-settings-errors">
            <Err errors={errors} path={`${at}.scale`} />
            <Err errors={errors} path={`${at}.scale.min`} />
            <Err errors={errors} path={`${at}.scale.max`} />
            <Err errors={errors} path={`${at}.scored`} />
          </div>
        </div>
      ) : null}
    </div>
  )
}

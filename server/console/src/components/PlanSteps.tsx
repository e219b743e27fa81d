import { STEP_KINDS, type QuestionnaireSummary } from '@careloop/shared'
import { STEP_KIND_LABEL } from '../followupText'
import { newStep, type StepDraft } from '../planDraft'

const KIND_HINT: Record<StepDraft['kind'], string> = {
  reminder: '到期时给患者发送提醒（订阅消息 / 消息中心）',
  questionnaire: '到期时请患者填写问卷；答卷触发预警时通知护士',
  content: '到期时给患者推送宣教文章或视频',
  nurse_task: '到期时给责任护士生成任务（如电话随访）',
}

/** The due times offered: every half hour (24-hour clock, hospital time). */
const TIMES = Array.from(
  { length: 48 },
  (_, k) => `${String(Math.floor(k / 2)).padStart(2, '0')}:${k % 2 ? '30' : '00'}`,
)

const Err = ({ errors, path }: { errors: Record<string, string>; path: string }) =>
  errors[path] ? (
    <div className="field-error" id={`${path}-error`} data-testid="step-error">
      {errors[path]}
    </div>
  ) : null

/**
 * The plan's steps: D+N, time, kind, title, window on the first line; the content and the
 * questionnaire (问卷) or link (宣教) on the second. Rows move up and down and can be removed.
 */
export const PlanSteps = ({
  steps,
  onChange,
  errors,
  questionnaires,
  readOnly,
}: {
  steps: StepDraft[]
  onChange: (steps: StepDraft[]) => void
  errors: Record<string, string>
  /** Published questionnaires (the picker); null while loading. */
  questionnaires: QuestionnaireSummary[] | null
  readOnly: boolean
}) => {
  const set = (i: number, patch: Partial<StepDraft>) =>
    onChange(steps.map((s, k) => (k === i ? { ...s, ...patch } : s)))
  const move = (i: number, by: -1 | 1) => {
    const next = [...steps]
    const [s] = next.splice(i, 1)
    next.splice(i + by, 0, s!)
    onChange(next)
  }
  const bad = (path: string) => (errors[path] ? ' input-invalid' : '')

  return (
    <div className="steps-editor" data-testid="plan-steps">
      <div className="steps-head" aria-hidden>
        <span />
        <span>第几天</span>
        <span>时间</span>
        <span>类型</span>
        <span>标题</span>
        <span>完成窗口</span>
        <span />
      </div>
      {steps.map((s, i) => {
        const at = `steps.${i}`
        const picked = questionnaires?.some((q) => q.id === s.questionnaireId) ?? true
        return (
          <div key={s.uid} className={`step-row step-row-${s.kind}`} data-testid="step-row">
            <div className="step-main">
              <span className="step-index">{i + 1}</span>
              <div>
                <div className={`input-affix${bad(`${at}.offsetDays`)}`}>
                  <span className="affix">D+</span>
                  <input
                    id={`${at}.offsetDays`}
                    aria-label={`第 ${i + 1} 步：第几天`}
                    className="input"
                    inputMode="numeric"
                    value={s.offsetDays}
                    onChange={(e) => set(i, { offsetDays: e.target.value })}
                  />
                </div>
                <Err errors={errors} path={`${at}.offsetDays`} />
              </div>
              <div>
                <select
                  id={`${at}.time`}
                  aria-label={`第 ${i + 1} 步：时间`}
                  className={`input${bad(`${at}.time`)}`}
                  value={s.time}
                  onChange={(e) => set(i, { time: e.target.value })}
                >
                  {(TIMES.includes(s.time) ? TIMES : [s.time, ...TIMES]).map((t) => (
                    <option key={t} value={t}>
                      {t}
                    </option>
                  ))}
                </select>
                <Err errors={errors} path={`${at}.time`} />
              </div>
              <div>
                <select
                  id={`${at}.kind`}
                  aria-label={`第 ${i + 1} 步：类型`}
                  className="input"
                  value={s.kind}
                  onChange={(e) => set(i, { kind: e.target.value as StepDraft['kind'] })}
                >
                  {STEP_KINDS.map((k) => (
                    <option key={k} value={k}>
                      {STEP_KIND_LABEL[k]}
                    </option>
                  ))}
                </select>
              </div>
              <div>
                <input
                  id={`${at}.title`}
                  aria-label={`第 ${i + 1} 步：标题`}
                  className={`input${bad(`${at}.title`)}`}
                  value={s.title}
                  maxLength={40}
                  placeholder="例如：术后第 1 天伤口护理提醒"
                  onChange={(e) => set(i, { title: e.target.value })}
                />
                <Err errors={errors} path={`${at}.title`} />
              </div>
              <div>
                <div className={`input-affix${bad(`${at}.windowDays`)}`}>
                  <input
                    id={`${at}.windowDays`}
                    aria-label={`第 ${i + 1} 步：完成窗口天数`}
                    className="input"
                    inputMode="numeric"
                    value={s.windowDays}
                    onChange={(e) => set(i, { windowDays: e.target.value })}
                  />
                  <span className="affix">天</span>
                </div>
                <Err errors={errors} path={`${at}.windowDays`} />
              </div>
              {readOnly ? (
                <span />
              ) : (
                <div className="step-actions">
                  <button
                    type="button"
                    className="icon-button"
                    aria-label={`上移第 ${i + 1} 步`}
                    disabled={i === 0}
                    onClick={() => move(i, -1)}
                  >
                    ↑
                  </button>
                  <button
                    type="button"
                    className="icon-button"
                    aria-label={`下移第 ${i + 1} 步`}
                    disabled={i === steps.length - 1}
                    onClick={() => move(i, 1)}
                  >
                    ↓
                  </button>
                  <button
                    type="button"
                    className="icon-button icon-danger"
                    aria-label={`删除第 ${i + 1} 步`}
                    disabled={steps.length === 1}
                    onClick={() => onChange(steps.filter((_, k) => k !== i))}
                  >
                    ×
                  </button>
                </div>
              )}
            </div>
            <div className="step-extra">
              <div className="step-body">
                <input
                  id={`${at}.body`}
                  aria-label={`第 ${i + 1} 步：内容`}
                  className={`input${bad(`${at}.body`)}`}
                  value={s.body}
                  maxLength={500}
                  placeholder={`内容（可选）：${KIND_HINT[s.kind]}`}
                  onChange={(e) => set(i, { body: e.target.value })}
                />
                <Err errors={errors} path={`${at}.body`} />
              </div>
              {s.kind === 'questionnaire' ? (
                <div className="step-ref">
                  <select
                    id={`${at}.questionnaireId`}
                    aria-label={`第 ${i + 1} 步：问卷`}
                    className={`input${bad(`${at}.questionnaireId`)}`}
                    value={s.questionnaireId}
                    onChange={(e) => set(i, { questionnaireId: e.target.value })}
                  >
                    <option value="">{questionnaires ? '选择已发布的问卷…' : '正在加载问卷…'}</option>
                    {!picked && s.questionnaireId ? (
                      <option value={s.questionnaireId}>（未发布或已归档的问卷）</option>
                    ) : null}
                    {(questionnaires ?? []).map((q) => (
                      <option key={q.id} value={q.id}>
                        {q.title}（v{q.publishedVersion}）
                      </option>
                    ))}
                  </select>
                  <Err errors={errors} path={`${at}.questionnaireId`} />
                </div>
              ) : s.kind === 'content' ? (
                <div className="step-ref">
                  <input
                    id={`${at}.link`}
                    aria-label={`第 ${i + 1} 步：链接`}
                    className={`input${bad(`${at}.link`)}`}
                    value={s.link}
                    placeholder="宣教链接 https://…（可选）"
                    onChange={(e) => set(i, { link: e.target.value })}
                  />
                  <Err errors={errors} path={`${at}.link`} />
                </div>
              ) : (
                <div className="step-ref step-ref-hint">{KIND_HINT[s.kind]}</div>
              )}
            </div>
          </div>
        )
      })}
      {errors.steps ? <div className="field-error">{errors.steps}</div> : null}
      {!readOnly ? (
        <button
          type="button"
          className="btn btn-dashed"
          onClick={() => onChange([...steps, newStep(steps[steps.length - 1])])}
        >
          + 添加步骤
        </button>
      ) : null}
    </div>
  )
}

import { THRESHOLD_METRICS, type PlanDraft } from '../planDraft'

/**
 * 指标阈值 of a plan: min/max per metric (blank = the hospital's default range) and the days without a
 * reading after which the nurse is reminded. The readings module applies them to the plan's patients.
 */
export const PlanThresholds = ({
  draft,
  onChange,
  errors,
}: {
  draft: PlanDraft
  onChange: (patch: Partial<PlanDraft>) => void
  errors: Record<string, string>
}) => {
  const setRange = (k: string, v: string) => onChange({ ranges: { ...draft.ranges, [k]: v } })
  return (
    <div className="thresholds" data-testid="plan-thresholds">
      <table className="table table-dense thresholds-table">
        <thead>
          <tr>
            <th>指标</th>
            <th>下限</th>
            <th>上限</th>
            <th>单位</th>
          </tr>
        </thead>
        <tbody>
          {THRESHOLD_METRICS.map((m) => (
            <tr key={m.key}>
              <td className="nowrap">{m.group === m.label ? m.label : `${m.group} · ${m.label}`}</td>
              {(['min', 'max'] as const).map((end) => {
                const path = `thresholds.${m.key}.${end}`
                return (
                  <td key={end}>
                    <input
                      id={path}
                      aria-label={`${m.label}${end === 'min' ? '下限' : '上限'}`}
                      className={`input input-num${errors[path] ? ' input-invalid' : ''}`}
                      inputMode="decimal"
                      placeholder="默认"
                      value={draft.ranges[`${m.key}.${end}`] ?? ''}
                      onChange={(e) => setRange(`${m.key}.${end}`, e.target.value)}
                    />
                    {errors[path] ? <div className="field-error">{errors[path]}</div> : null}
                  </td>
                )
              })}
              <td className="muted">{m.unit}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="no-reading">
        <label htmlFor="thresholds.noReadingDays">连续</label>
        <input
          id="thresholds.noReadingDays"
          className={`input input-num${errors['thresholds.noReadingDays'] ? ' input-invalid' : ''}`}
          inputMode="numeric"
          placeholder="—"
          value={draft.noReadingDays}
          onChange={(e) => onChange({ noReadingDays: e.target.value })}
        />
        <span>天未测量时提醒责任护士（留空不提醒）</span>
        {errors['thresholds.noReadingDays'] ? (
          <div className="field-error">{errors['thresholds.noReadingDays']}</div>
        ) : null}
      </div>
      <p className="subtle">超出范围的读数标记为异常，并给责任护士生成任务；留空的项使用医院默认范围。</p>
    </div>
  )
}

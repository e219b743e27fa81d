import type { CampaignDraft } from '../campaignDraft'
import {
  CHANNEL_HINT,
  CHANNEL_LABEL,
  cronOf,
  describeCron,
  GOAL_LABEL,
  WEEKDAYS,
  type CronHelper,
  type CronMode,
  type GoalEvent,
} from '../campaignText'
import { Field } from './Field'

const CRON_MODES: [CronMode, string][] = [
  ['daily', '每天'],
  ['weekly', '每周'],
  ['monthly', '每月'],
  ['custom', '自定义 cron'],
]

/** 发送渠道: both patient channels in fallback order, each on or off, moved up and down. */
const Channels = ({ draft, change, error }: Props & { error?: string }) => {
  const move = (i: number, by: -1 | 1) => {
    const next = [...draft.channels]
    const [item] = next.splice(i, 1)
    next.splice(i + by, 0, item!)
    change({ channels: next })
  }
  let order = 0
  return (
    <Field label="发送渠道（按顺序尝试）" htmlFor="campaign-channels" error={error}>
      <ol id="campaign-channels" className="channel-order" data-testid="campaign-channels">
        {draft.channels.map((c, i) => (
          <li key={c.channel} className={`channel-option${c.on ? '' : ' channel-off'}`}>
            <span className="channel-rank">{c.on ? ++order : '—'}</span>
            <label className="checkbox channel-check">
              <input
                type="checkbox"
                checked={c.on}
                onChange={(e) =>
                  change({
                    channels: draft.channels.map((x) =>
                      x.channel === c.channel ? { ...x, on: e.target.checked } : x,
                    ),
                  })
                }
              />
              <span>
                <b>{CHANNEL_LABEL[c.channel]}</b>
                <span className="subtle channel-hint">{CHANNEL_HINT[c.channel]}</span>
              </span>
            </label>
            <span className="channel-moves">
              <button
                type="button"
                className="icon-button"
                aria-label={`${CHANNEL_LABEL[c.channel]} 上移`}
                disabled={i === 0}
                onClick={() => move(i, -1)}
              >
                ↑
              </button>
              <button
                type="button"
                className="icon-button"
                aria-label={`${CHANNEL_LABEL[c.channel]} 下移`}
                disabled={i === draft.channels.length - 1}
                onClick={() => move(i, 1)}
              >
                ↓
              </button>
            </span>
          </li>
        ))}
      </ol>
    </Field>
  )
}

/** The cron helper: 每天 / 每周 X / 每月 N 日 at a time, or an expression; shows the cron it makes. */
const CronFields = ({ draft, change, errors }: Props & { errors: Record<string, string> }) => {
  const c = draft.cron
  const set = (patch: Partial<CronHelper>) => change({ cron: { ...c, ...patch } })
  return (
    <div className="cron-helper" data-testid="cron-helper">
      <div className="segmented" role="group" aria-label="周期">
        {CRON_MODES.map(([m, label]) => (
          <button
            key={m}
            type="button"
            className={`segmented-item${c.mode === m ? ' segmented-on' : ''}`}
            aria-pressed={c.mode === m}
            onClick={() => set(m === 'custom' ? { mode: m, custom: cronOf(c) } : { mode: m })}
          >
            {label}
          </button>
        ))}
      </div>
      <div className="cron-fields">
        {c.mode === 'weekly' ? (
          <label className="mini-field">
            <span>星期</span>
            <select
              id="cron-weekday"
              className="input"
              value={c.weekday}
              onChange={(e) => set({ weekday: Number(e.target.value) })}
            >
              {[1, 2, 3, 4, 5, 6, 0].map((d) => (
                <option key={d} value={d}>
                  周{WEEKDAYS[d]}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        {c.mode === 'monthly' ? (
          <label className="mini-field">
            <span>日期</span>
            <select
              id="cron-monthday"
              className="input"
              value={c.monthDay}
              onChange={(e) => set({ monthDay: Number(e.target.value) })}
            >
              {Array.from({ length: 28 }, (_, i) => i + 1).map((d) => (
                <option key={d} value={d}>
                  {d} 日
                </option>
              ))}
            </select>
          </label>
        ) : null}
        {c.mode === 'custom' ? (
          <label className="mini-field cron-custom">
            <span>cron 表达式（分 时 日 月 周）</span>
            <input
              id="cron-custom"
              className="input code"
              value={c.custom}
              placeholder="0 9 * * 1"
              onChange={(e) => set({ custom: e.target.value })}
            />
          </label>
        ) : (
          <label className="mini-field">
            <span>时间</span>
            <input
              id="cron-time"
              className="input"
              type="time"
              value={c.time}
              onChange={(e) => set({ time: e.target.value || '09:00' })}
            />
          </label>
        )}
        <label className="mini-field">
          <span>结束日期</span>
          <input
            id="campaign-end"
            className={`input${errors['schedule.endAt'] ? ' input-invalid' : ''}`}
            type="date"
            value={draft.endDate}
            onChange={(e) => change({ endDate: e.target.value })}
          />
        </label>
      </div>
      <div className={errors['schedule.cron'] || errors['schedule.endAt'] ? 'field-error' : 'field-hint'}>
        {errors['schedule.cron'] ??
          errors['schedule.endAt'] ??
          (cronOf(c) ? (
            <>
              {describeCron(cronOf(c))}（医院时间），至 {draft.endDate || '—'} ·{' '}
              <code className="code" data-testid="cron-expression">
                {cronOf(c)}
              </code>
            </>
          ) : (
            '填写 cron 表达式，例如 0 9 * * 1 表示每周一 09:00'
          ))}
      </div>
    </div>
  )
}

interface Props {
  draft: CampaignDraft
  change: (patch: Partial<CampaignDraft>) => void
}

/** 渠道与时间: channels, schedule (立即 / 定时 / 周期), goal and message expiry. */
export const CampaignDelivery = ({ draft, change, errors }: Props & { errors: Record<string, string> }) => (
  <section className="panel" data-testid="campaign-delivery-panel">
    <h2>渠道与时间</h2>
    <Channels draft={draft} change={change} error={errors.channels} />
    <Field label="发送时间" htmlFor="campaign-schedule" error={errors['schedule.at']}>
      <div id="campaign-schedule" className="schedule-modes">
        {(
          [
            ['now', '立即', '审批通过后马上发送'],
            ['at', '定时', '在指定时间发送一次'],
            ['cron', '周期', '按周期重复发送，直到结束日期'],
          ] as const
        ).map(([k, label, hint]) => (
          <label key={k} className={`schedule-option${draft.schedule === k ? ' schedule-option-on' : ''}`}>
            <input
              type="radio"
              name="campaign-schedule"
              checked={draft.schedule === k}
              onChange={() => change({ schedule: k })}
            />
            <span>
              <b>{label}</b>
              <span className="subtle">{hint}</span>
            </span>
          </label>
        ))}
      </div>
      {draft.schedule === 'at' ? (
        <input
          id="campaign-at"
          className="input input-auto schedule-at"
          type="datetime-local"
          value={draft.at}
          onChange={(e) => change({ at: e.target.value })}
        />
      ) : null}
      {draft.schedule === 'cron' ? <CronFields draft={draft} change={change} errors={errors} /> : null}
    </Field>
    <div className="form-grid-2">
      <Field
        label="转化目标（可选）"
        htmlFor="campaign-goal"
        error={errors['goal.withinDays'] ?? errors.goal}
        hint="统计收到消息后若干天内完成目标的患者"
      >
        <div className="goal-row">
          <label className="checkbox">
            <input
              type="checkbox"
              checked={draft.goalOn}
              onChange={(e) => change({ goalOn: e.target.checked })}
            />
            统计转化
          </label>
          <select
            id="campaign-goal"
            className="input input-auto"
            disabled={!draft.goalOn}
            value={draft.goalEvent}
            onChange={(e) => change({ goalEvent: e.target.value as GoalEvent })}
          >
            {(Object.keys(GOAL_LABEL) as GoalEvent[]).map((g) => (
              <option key={g} value={g}>
                {GOAL_LABEL[g]}
              </option>
            ))}
          </select>
          <span className="muted">天数</span>
          <input
            id="campaign-goal-days"
            className="input input-num"
            type="number"
            min={1}
            max={90}
            disabled={!draft.goalOn}
            value={draft.goalDays}
            onChange={(e) => change({ goalDays: e.target.value })}
          />
        </div>
      </Field>
      <Field
        label="消息有效期（小时）"
        htmlFor="campaign-expires"
        error={errors.expiresAfterHours}
        hint="因免打扰或每日上限延后的消息，超过有效期不再发送"
      >
        <input
          id="campaign-expires"
          className="input input-num"
          type="number"
          min={1}
          max={72}
          value={draft.expiresAfterHours}
          onChange={(e) => change({ expiresAfterHours: e.target.value })}
        />
      </Field>
    </div>
  </section>
)

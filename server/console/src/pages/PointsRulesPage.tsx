import type { PointsRule, UpdatePointsRuleRequest } from '@careloop/shared'
import { useEffect, useState } from 'react'
import { ApiError } from '../api'
import { Banner, EmptyState, Loading, PageHeader } from '../components/Feedback'
import { PointsTiers } from '../components/PointsTiers'
import { formatMinute } from '../communityText'
import { loyaltyApi } from '../loyaltyApi'
import { loyaltyErrorText, loyaltyFieldMessage, parseWhole, points } from '../loyaltyText'
import { mayCall } from '../router'
import { useSession } from '../session'
import { useLoad } from '../useLoad'

interface Draft {
  points: string
  dailyCap: string
  monthlyCap: string
  enabled: boolean
}
type RuleField = 'points' | 'dailyCap' | 'monthlyCap'

const draftOf = (r: PointsRule): Draft => ({
  points: String(r.points),
  dailyCap: r.dailyCap === null ? '' : String(r.dailyCap),
  monthlyCap: r.monthlyCap === null ? '' : String(r.monthlyCap),
  enabled: r.enabled,
})

const capText = (v: number | null): string => (v === null ? '不限' : points(v))

/** What the draft changes, or the field errors that keep it from being saved. */
const changesOf = (
  rule: PointsRule,
  d: Draft,
): { body: UpdatePointsRuleRequest; errors: Partial<Record<RuleField, string>> } => {
  const errors: Partial<Record<RuleField, string>> = {}
  const body: UpdatePointsRuleRequest = {}
  const pts = parseWhole(d.points)
  if (pts === null || Number.isNaN(pts) || pts < 0 || pts > 10_000) errors.points = '请填写 0–10000 的整数'
  else if (pts !== rule.points) body.points = pts
  const daily = parseWhole(d.dailyCap)
  if (daily !== null && (Number.isNaN(daily) || daily < 1 || daily > 100_000))
    errors.dailyCap = '请填写 1–100000 的整数，留空为不限'
  else if (daily !== rule.dailyCap) body.dailyCap = daily
  const monthly = parseWhole(d.monthlyCap)
  if (monthly !== null && (Number.isNaN(monthly) || monthly < 1 || monthly > 1_000_000))
    errors.monthlyCap = '请填写 1–1000000 的整数，留空为不限'
  else if (monthly !== null && daily !== null && !Number.isNaN(daily) && monthly < daily)
    errors.monthlyCap = '每月上限不能低于每日上限'
  else if (monthly !== rule.monthlyCap) body.monthlyCap = monthly
  if (d.enabled !== rule.enabled) body.enabled = d.enabled
  return { body, errors }
}

const RuleRow = ({
  rule,
  editable,
  onSaved,
}: {
  rule: PointsRule
  editable: boolean
  onSaved: (r: PointsRule, text: string) => void
}) => {
  const [d, setD] = useState<Draft>(() => draftOf(rule))
  const [errors, setErrors] = useState<Partial<Record<RuleField, string>>>({})
  const [rest, setRest] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  useEffect(() => setD(draftOf(rule)), [rule])
  const dirty = JSON.stringify(d) !== JSON.stringify(draftOf(rule))

  const save = async () => {
    const c = changesOf(rule, d)
    setErrors(c.errors)
    setRest(null)
    if (Object.keys(c.errors).length > 0) return
    if (Object.keys(c.body).length === 0) {
      setD(draftOf(rule))
      return
    }
    setBusy(true)
    try {
      const saved = await loyaltyApi.updatePointsRule(rule.rule, c.body)
      onSaved(
        saved,
        `已保存“${saved.label}”：每次 ${points(saved.points)} 分，每日上限 ${capText(saved.dailyCap)}，每月上限 ${capText(saved.monthlyCap)}${saved.enabled ? '' : '（已停用）'}`,
      )
    } catch (e) {
      if (e instanceof ApiError && e.code === 'VALIDATION_FAILED' && e.issues().length > 0) {
        const f: Partial<Record<RuleField, string>> = {}
        for (const i of e.issues()) f[i.path.split('.')[0] as RuleField] ??= loyaltyFieldMessage(i.message)
        setErrors(f)
      } else if (e instanceof ApiError && e.code === 'POINTS_RULE_INVALID') {
        setErrors({ monthlyCap: loyaltyErrorText(e) })
      } else setRest(loyaltyErrorText(e))
    } finally {
      setBusy(false)
    }
  }

  const input = (field: RuleField, placeholder: string) => (
    <div className={errors[field] ? 'field-invalid' : undefined}>
      <input
        id={`${rule.rule}-${field}`}
        aria-label={`${rule.label} ${field === 'points' ? '每次积分' : field === 'dailyCap' ? '每日上限' : '每月上限'}`}
        className={`input input-num${errors[field] ? ' input-invalid' : ''}`}
        inputMode="numeric"
        value={d[field]}
        placeholder={placeholder}
        disabled={!editable || busy}
        onChange={(e) => setD({ ...d, [field]: e.target.value })}
        onKeyDown={(e) => {
          if (e.key === 'Enter') void save()
        }}
      />
      {errors[field] ? <div className="field-error">{errors[field]}</div> : null}
    </div>
  )

  return (
    <tr
      data-testid="points-rule-row"
      data-rule={rule.rule}
      className={d.enabled ? undefined : 'row-inactive'}
    >
      <td>
        <div className="cell-strong">{rule.label}</div>
        <div className="subtle mono">{rule.rule}</div>
      </td>
      <td>{input('points', '0')}</td>
      <td>{input('dailyCap', '不限')}</td>
      <td>{input('monthlyCap', '不限')}</td>
      <td>
        <label className="checkbox-inline">
          <input
            type="checkbox"
            checked={d.enabled}
            disabled={!editable || busy}
            onChange={(e) => setD({ ...d, enabled: e.target.checked })}
          />
          {d.enabled ? '启用' : '停用'}
        </label>
      </td>
      <td className="nowrap subtle">{rule.updatedAt ? formatMinute(rule.updatedAt) : '默认值'}</td>
      <td className="cell-actions nowrap">
        {editable ? (
          <span className="row-actions">
            <button
              type="button"
              className="btn btn-small btn-primary"
              disabled={!dirty || busy}
              onClick={() => void save()}
            >
              {busy ? '保存中…' : '保存'}
            </button>
            {dirty && !busy ? (
              <button
                type="button"
                className="link-button"
                onClick={() => {
                  setD(draftOf(rule))
                  setErrors({})
                }}
              >
                还原
              </button>
            ) : null}
          </span>
        ) : null}
        {rest ? <div className="field-error">{rest}</div> : null}
      </td>
    </tr>
  )
}

/** 积分规则: earn rules edited inline (points, daily and monthly caps, enabled); tiers for admins. */
export const PointsRulesPage = () => {
  const { session } = useSession()
  const role = session.staff.role
  const editable = mayCall(role, 'updatePointsRule')
  const rules = useLoad(() => loyaltyApi.pointsRules(), [])
  const [notice, setNotice] = useState<string | null>(null)
  const list = rules.data?.rules ?? []

  const saved = (r: PointsRule, text: string) => {
    if (rules.data) rules.set({ rules: rules.data.rules.map((x) => (x.rule === r.rule ? r : x)) })
    setNotice(text)
  }

  return (
    <>
      <PageHeader
        title="积分规则"
        lead="患者签到、完成问卷、阅读宣教、参加讲堂、记录健康数据和开通会员可获得积分；每日、每月上限按医院时区计算，等级倍数在上限之后再乘。购药不产生积分。"
      />
      {notice ? (
        <Banner tone="success" onClose={() => setNotice(null)}>
          {notice}
        </Banner>
      ) : null}
      {rules.error ? <Banner tone="error">积分规则加载失败：{loyaltyErrorText(rules.error)}</Banner> : null}
      <section className="panel table-panel">
        <table className="table" data-testid="points-rules-table">
          <thead>
            <tr>
              <th>规则</th>
              <th>每次积分</th>
              <th>每日上限</th>
              <th>每月上限</th>
              <th>状态</th>
              <th>最近修改</th>
              <th className="cell-actions">操作</th>
            </tr>
          </thead>
          <tbody>
            {list.map((r) => (
              <RuleRow key={r.rule} rule={r} editable={editable} onSaved={saved} />
            ))}
          </tbody>
        </table>
        {rules.loading && !rules.data ? <Loading text="正在加载积分规则…" /> : null}
        {rules.data && list.length === 0 ? <EmptyState title="没有积分规则" /> : null}
        <div className="table-foot muted">
          上限留空表示不限；修改后对之后的积分立即生效，已获得的积分不变。
        </div>
      </section>
      {mayCall(role, 'getPointsTiers') ? <PointsTiers /> : null}
    </>
  )
}

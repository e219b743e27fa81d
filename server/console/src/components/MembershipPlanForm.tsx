import {
  MEMBERSHIP_PERIODS,
  MEMBERSHIP_TIERS,
  type MembershipPeriod,
  type MembershipPlan,
  type MembershipTier,
  type SaveMembershipPlanRequest,
  type z,
} from '@careloop/shared'
import { useState, type FormEvent } from 'react'
import { loyaltyApi } from '../loyaltyApi'
import { loyaltyFormErrors, parseWhole, parseYuan, PERIOD_LABEL, TIER_LABEL, yuanInput } from '../loyaltyText'
import { Banner } from './Feedback'
import { Field } from './Field'

interface Draft {
  code: string
  name: string
  period: MembershipPeriod
  price: string
  tier: MembershipTier
  consults: string
  benefits: string
  active: boolean
  sort: string
}

const draftOf = (p: MembershipPlan | null): Draft => ({
  code: p?.code ?? '',
  name: p?.name ?? '',
  period: p?.period ?? 'month',
  price: p ? yuanInput(p.priceFen) : '',
  tier: p?.tier ?? 'gold',
  consults: String(p?.quotas.find((q) => q.kind === 'nurse_consult')?.perMonth ?? ''),
  benefits: p?.benefits ?? '',
  active: p?.active ?? true,
  sort: String(p?.sort ?? 100),
})

/** Create a plan or replace one (orders already paid keep the terms they were bought with). */
export const MembershipPlanForm = ({
  editing,
  taken,
  onSaved,
  onCancel,
}: {
  editing: MembershipPlan | null
  /** Codes in use (a new plan must not overwrite one). */
  taken: string[]
  onSaved: (p: MembershipPlan, created: boolean) => void
  onCancel: () => void
}) => {
  const [d, setD] = useState<Draft>(() => draftOf(editing))
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [banner, setBanner] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const set = (patch: Partial<Draft>) => setD((x) => ({ ...x, ...patch }))

  const submit = async (ev: FormEvent) => {
    ev.preventDefault()
    setBanner(null)
    const local: Record<string, string> = {}
    const code = d.code.trim()
    if (!editing && !/^[a-z][a-z0-9_-]{1,31}$/.test(code))
      local.code = '须为 2–32 位小写字母、数字、_ 或 -，以字母开头'
    else if (!editing && taken.includes(code)) local.code = '该编号已被其他方案使用'
    if (!d.name.trim()) local.name = '请填写方案名称'
    const priceFen = parseYuan(d.price)
    if (priceFen === null || priceFen < 1 || priceFen > 10_000_000)
      local.priceFen = '请填写 0.01–100000 元的金额'
    const consults = parseWhole(d.consults)
    if (consults !== null && (Number.isNaN(consults) || consults < 1 || consults > 1000))
      local['quotas'] = '请填写 1–1000 的整数，留空为不含'
    const sort = parseWhole(d.sort)
    if (sort === null || Number.isNaN(sort) || sort < 0 || sort > 1000) local.sort = '请填写 0–1000 的整数'
    setErrors(local)
    if (Object.keys(local).length > 0) return
    const body: z.input<typeof SaveMembershipPlanRequest> = {
      name: d.name.trim(),
      period: d.period,
      priceFen: priceFen!,
      tier: d.tier,
      quotas: consults ? [{ kind: 'nurse_consult', perMonth: consults }] : [],
      benefits: d.benefits.trim(),
      active: d.active,
      sort: sort!,
    }
    setBusy(true)
    try {
      onSaved(await loyaltyApi.saveMembershipPlan(editing?.code ?? code, body), !editing)
    } catch (e) {
      const { fields, rest } = loyaltyFormErrors(e)
      const byField: Record<string, string> = {}
      for (const [k, v] of Object.entries(fields)) byField[k.split('.')[0] ?? k] ??= v
      setErrors(byField)
      setBanner(rest)
    } finally {
      setBusy(false)
    }
  }

  return (
    <form
      className="staff-form"
      onSubmit={(e) => void submit(e)}
      noValidate
      data-testid="membership-plan-form"
    >
      <h2>{editing ? `编辑会员方案：${editing.name}` : '新建会员方案'}</h2>
      {banner ? <Banner tone="error">{banner}</Banner> : null}
      {editing ? (
        <Banner tone="info">修改只影响之后的购买；已支付的订单按购买时的价格、期限和配额执行。</Banner>
      ) : null}
      <Field
        label="方案编号"
        htmlFor="plan-code"
        error={errors.code}
        hint="创建后不可修改，例如 monthly、yearly"
      >
        <input
          id="plan-code"
          className="input mono"
          value={d.code}
          disabled={!!editing}
          onChange={(e) => set({ code: e.target.value })}
        />
      </Field>
      <Field label="方案名称" htmlFor="plan-name" error={errors.name}>
        <input
          id="plan-name"
          className="input"
          value={d.name}
          onChange={(e) => set({ name: e.target.value })}
        />
      </Field>
      <div className="form-grid-2">
        <Field label="周期" htmlFor="plan-period" error={errors.period}>
          <select
            id="plan-period"
            className="input"
            value={d.period}
            onChange={(e) => set({ period: e.target.value as MembershipPeriod })}
          >
            {MEMBERSHIP_PERIODS.map((p) => (
              <option key={p} value={p}>
                {PERIOD_LABEL[p]}（{p === 'month' ? '1 个月' : '12 个月'}）
              </option>
            ))}
          </select>
        </Field>
        <Field label="价格" htmlFor="plan-price" error={errors.priceFen}>
          <div className={`input-affix${errors.priceFen ? ' input-invalid' : ''}`}>
            <span className="affix">¥</span>
            <input
              id="plan-price"
              className="input"
              inputMode="decimal"
              value={d.price}
              placeholder="29.90"
              onChange={(e) => set({ price: e.target.value })}
            />
          </div>
        </Field>
        <Field label="会员等级" htmlFor="plan-tier" error={errors.tier} hint="会员期内按此等级计算积分倍数">
          <select
            id="plan-tier"
            className="input"
            value={d.tier}
            onChange={(e) => set({ tier: e.target.value as MembershipTier })}
          >
            {MEMBERSHIP_TIERS.map((t) => (
              <option key={t} value={t}>
                {TIER_LABEL[t]}
              </option>
            ))}
          </select>
        </Field>
        <Field
          label="护士咨询（次/月）"
          htmlFor="plan-consults"
          error={errors.quotas}
          hint="留空：不含该服务"
        >
          <input
            id="plan-consults"
            className="input"
            inputMode="numeric"
            value={d.consults}
            onChange={(e) => set({ consults: e.target.value })}
          />
        </Field>
      </div>
      <Field label="权益说明" htmlFor="plan-benefits" error={errors.benefits} hint="展示给患者，最多 500 字">
        <textarea
          id="plan-benefits"
          className="input textarea"
          rows={3}
          value={d.benefits}
          onChange={(e) => set({ benefits: e.target.value })}
        />
      </Field>
      <Field label="排序" htmlFor="plan-sort" error={errors.sort} hint="数字小的排在前面">
        <input
          id="plan-sort"
          className="input input-num"
          inputMode="numeric"
          value={d.sort}
          onChange={(e) => set({ sort: e.target.value })}
        />
      </Field>
      <label className="checkbox">
        <input type="checkbox" checked={d.active} onChange={(e) => set({ active: e.target.checked })} />
        在售（患者可在小程序中购买）
      </label>
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? '保存中…' : editing ? '保存修改' : '创建方案'}
        </button>
        <button type="button" className="btn" onClick={onCancel} disabled={busy}>
          取消
        </button>
      </div>
    </form>
  )
}

import {
  REWARD_CATEGORIES,
  REWARD_TIERS,
  type CreateRewardRequest,
  type RewardCategory,
  type RewardTier,
  type StaffReward,
  type UpdateRewardRequest,
  type z,
} from '@careloop/shared'
import { useState, type FormEvent } from 'react'
import { formatDate } from '../format'
import { loyaltyApi } from '../loyaltyApi'
import { dayStartIso, loyaltyFormErrors, parseWhole, REWARD_CATEGORY_LABEL, TIER_LABEL } from '../loyaltyText'
import { Banner } from './Feedback'
import { Field } from './Field'

interface Draft {
  name: string
  description: string
  category: RewardCategory
  pointsCost: string
  stock: string
  perPatientLimit: string
  validFrom: string
  validUntil: string
  tierRequired: RewardTier | ''
  imageUrl: string
  active: boolean
}

/** The last day a window ending at `until` (exclusive) covers, for a date input. */
const lastDay = (until: string | null): string =>
  until ? formatDate(new Date(Date.parse(until) - 1).toISOString()) : ''

const draftOf = (r: StaffReward | null): Draft => ({
  name: r?.name ?? '',
  description: r?.description ?? '',
  category: r?.category ?? 'physical',
  pointsCost: r ? String(r.pointsCost) : '',
  stock: '',
  perPatientLimit: r ? String(r.perPatientLimit) : '1',
  validFrom: r?.validFrom ? formatDate(r.validFrom) : '',
  validUntil: lastDay(r?.validUntil ?? null),
  tierRequired: r?.tierRequired ?? '',
  imageUrl: r?.imageUrl ?? '',
  active: r?.active ?? true,
})

type Errors = Record<string, string>

/** The draft as a create request, with the errors found before sending. */
const toRequest = (
  d: Draft,
  creating: boolean,
): { body: z.input<typeof CreateRewardRequest>; errors: Errors } => {
  const errors: Errors = {}
  if (!d.name.trim()) errors.name = '请填写奖品名称'
  const cost = parseWhole(d.pointsCost)
  if (cost === null || Number.isNaN(cost) || cost < 1) errors.pointsCost = '请填写大于 0 的整数'
  const stock = parseWhole(d.stock)
  if (creating && (stock === null || Number.isNaN(stock) || stock < 0)) errors.stock = '请填写不小于 0 的整数'
  const limit = parseWhole(d.perPatientLimit)
  if (limit === null || Number.isNaN(limit) || limit < 1 || limit > 99) errors.perPatientLimit = '请填写 1–99'
  const validFrom = d.validFrom ? (dayStartIso(d.validFrom) ?? null) : null
  const validUntil = d.validUntil ? (dayStartIso(d.validUntil, true) ?? null) : null
  if (validFrom && validUntil && validUntil <= validFrom) errors.validUntil = '结束日期不能早于开始日期'
  return {
    errors,
    body: {
      name: d.name.trim(),
      description: d.description.trim(),
      category: d.category,
      pointsCost: cost ?? 0,
      stock: stock ?? 0,
      perPatientLimit: limit ?? 1,
      validFrom,
      validUntil,
      tierRequired: d.tierRequired || null,
      imageUrl: d.imageUrl.trim() || null,
      active: d.active,
    },
  }
}

/** Only what changed, for an edit (stock goes through restock). */
const changesOf = (
  r: StaffReward,
  b: z.input<typeof CreateRewardRequest>,
): z.input<typeof UpdateRewardRequest> => {
  const out: Record<string, unknown> = {}
  const was: Record<string, unknown> = { ...r }
  for (const k of [
    'name',
    'description',
    'category',
    'pointsCost',
    'perPatientLimit',
    'validFrom',
    'validUntil',
    'tierRequired',
    'imageUrl',
    'active',
  ] as const) {
    const now = b[k] ?? null
    const before = was[k] ?? null
    const same =
      (k === 'validFrom' || k === 'validUntil') && typeof now === 'string' && typeof before === 'string'
        ? Date.parse(now) === Date.parse(before)
        : now === before
    if (!same) out[k] = now
  }
  return out as z.input<typeof UpdateRewardRequest>
}

/** Create a reward, or edit one (name, description, cost, per-patient limit, validity, tier, active). */
export const RewardForm = ({
  editing,
  onSaved,
  onCancel,
}: {
  editing: StaffReward | null
  onSaved: (r: StaffReward, created: boolean) => void
  onCancel: () => void
}) => {
  const [d, setD] = useState<Draft>(() => draftOf(editing))
  const [errors, setErrors] = useState<Errors>({})
  const [banner, setBanner] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const set = (patch: Partial<Draft>) => setD((x) => ({ ...x, ...patch }))

  const submit = async (ev: FormEvent) => {
    ev.preventDefault()
    setBanner(null)
    const { body, errors: local } = toRequest(d, !editing)
    setErrors(local)
    if (Object.keys(local).length > 0) return
    const changes = editing ? changesOf(editing, body) : null
    if (changes && Object.keys(changes).length === 0) {
      setBanner('没有需要保存的修改')
      return
    }
    setBusy(true)
    try {
      const r = editing
        ? await loyaltyApi.updateReward(editing.id, changes!)
        : await loyaltyApi.createReward(body)
      onSaved(r, !editing)
    } catch (e) {
      const { fields, rest } = loyaltyFormErrors(e)
      setErrors(fields)
      setBanner(rest)
    } finally {
      setBusy(false)
    }
  }

  const text = (id: keyof Draft, label: string, opts: { hint?: string; placeholder?: string } = {}) => (
    <Field label={label} htmlFor={`reward-${id}`} error={errors[id]} hint={opts.hint}>
      <input
        id={`reward-${id}`}
        className="input"
        value={String(d[id])}
        placeholder={opts.placeholder}
        onChange={(e) => set({ [id]: e.target.value })}
      />
    </Field>
  )

  return (
    <form className="staff-form" onSubmit={(e) => void submit(e)} noValidate data-testid="reward-form">
      <h2>{editing ? `编辑奖品：${editing.name}` : '新建奖品'}</h2>
      {banner ? <Banner tone="error">{banner}</Banner> : null}
      {text('name', '奖品名称', { placeholder: '例如：电子血压计' })}
      <Field label="描述" htmlFor="reward-description" error={errors.description}>
        <textarea
          id="reward-description"
          className="input textarea"
          rows={3}
          value={d.description}
          placeholder="规格、领取地点、注意事项"
          onChange={(e) => set({ description: e.target.value })}
        />
      </Field>
      <div className="form-grid-2">
        <Field label="类别" htmlFor="reward-category" error={errors.category}>
          <select
            id="reward-category"
            className="input"
            value={d.category}
            onChange={(e) => set({ category: e.target.value as RewardCategory })}
          >
            {REWARD_CATEGORIES.map((c) => (
              <option key={c} value={c}>
                {REWARD_CATEGORY_LABEL[c]}
              </option>
            ))}
          </select>
        </Field>
        {text('pointsCost', '所需积分')}
        {editing ? (
          <Field label="库存" htmlFor="reward-stock-now" hint="在列表中点“补货”增减库存">
            <input
              id="reward-stock-now"
              className="input"
              value={`${editing.stock} / ${editing.totalStock}`}
              disabled
            />
          </Field>
        ) : (
          text('stock', '初始库存')
        )}
        {text('perPatientLimit', '每人限兑', { hint: '同一患者最多持有的份数（1–99）' })}
        <Field label="开始日期" htmlFor="reward-validFrom" error={errors.validFrom} hint="留空：立即可兑">
          <input
            id="reward-validFrom"
            type="date"
            className="input"
            value={d.validFrom}
            onChange={(e) => set({ validFrom: e.target.value })}
          />
        </Field>
        <Field label="结束日期" htmlFor="reward-validUntil" error={errors.validUntil} hint="留空：长期有效">
          <input
            id="reward-validUntil"
            type="date"
            className="input"
            value={d.validUntil}
            onChange={(e) => set({ validUntil: e.target.value })}
          />
        </Field>
      </div>
      <Field label="等级要求" htmlFor="reward-tierRequired" error={errors.tierRequired}>
        <select
          id="reward-tierRequired"
          className="input"
          value={d.tierRequired}
          onChange={(e) => set({ tierRequired: e.target.value as RewardTier | '' })}
        >
          <option value="">不限</option>
          {REWARD_TIERS.filter((t) => t !== 'standard').map((t) => (
            <option key={t} value={t}>
              {TIER_LABEL[t]}及以上
            </option>
          ))}
        </select>
      </Field>
      {text('imageUrl', '图片地址（可选）', { placeholder: 'https://…' })}
      <label className="checkbox">
        <input type="checkbox" checked={d.active} onChange={(e) => set({ active: e.target.checked })} />
        上架（患者可在积分商城看到并兑换）
      </label>
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? '保存中…' : editing ? '保存修改' : '创建奖品'}
        </button>
        <button type="button" className="btn" onClick={onCancel} disabled={busy}>
          取消
        </button>
      </div>
    </form>
  )
}

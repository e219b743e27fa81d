import { POINTS_TIER_IDS, type TierDefinition } from '@careloop/shared'
import { useEffect, useState } from 'react'
import { formatMinute } from '../communityText'
import { loyaltyApi } from '../loyaltyApi'
import { loyaltyErrorText, loyaltyFormErrors, parseWhole, TIER_LABEL } from '../loyaltyText'
import { useLoad } from '../useLoad'
import { Banner, Loading } from './Feedback'

interface TierDraft {
  name: string
  threshold: string
  multiplier: string
  benefits: string
}

const draftOf = (t: TierDefinition): TierDraft => ({
  name: t.name,
  threshold: String(t.threshold),
  multiplier: String(t.multiplier),
  benefits: t.benefits.join('、'),
})

/** The drafts as the request, with the errors found before sending (by path tiers.i.field). */
const build = (drafts: TierDraft[]): { tiers: TierDefinition[]; errors: Record<string, string> } => {
  const errors: Record<string, string> = {}
  const tiers = drafts.map((d, i): TierDefinition => {
    const threshold = parseWhole(d.threshold)
    if (threshold === null || Number.isNaN(threshold) || threshold < 0)
      errors[`tiers.${i}.threshold`] = '请填写不小于 0 的整数'
    const multiplier = Number(d.multiplier)
    if (!/^\d+(\.\d{1,2})?$/.test(d.multiplier.trim()) || multiplier < 1 || multiplier > 5)
      errors[`tiers.${i}.multiplier`] = '请填写 1–5，最多两位小数'
    if (!d.name.trim()) errors[`tiers.${i}.name`] = '请填写名称'
    return {
      id: POINTS_TIER_IDS[i]!,
      name: d.name.trim(),
      threshold: threshold ?? 0,
      multiplier,
      benefits: d.benefits
        .split(/[、,，;；\n]/)
        .map((b) => b.trim())
        .filter(Boolean),
    }
  })
  return { tiers, errors }
}

/** 会员等级 (admins): thresholds over 12 months, multipliers, benefits, saved together. */
export const PointsTiers = () => {
  const loaded = useLoad(() => loyaltyApi.pointsTiers(), [])
  const [drafts, setDrafts] = useState<TierDraft[]>([])
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [banner, setBanner] = useState<{ tone: 'success' | 'error'; text: string } | null>(null)
  const [busy, setBusy] = useState(false)
  useEffect(() => {
    if (loaded.data) setDrafts(loaded.data.tiers.map(draftOf))
  }, [loaded.data])

  const set = (i: number, patch: Partial<TierDraft>) =>
    setDrafts((ds) => ds.map((d, j) => (j === i ? { ...d, ...patch } : d)))

  const save = async () => {
    const { tiers, errors: local } = build(drafts)
    setErrors(local)
    setBanner(null)
    if (Object.keys(local).length > 0) return
    setBusy(true)
    try {
      const r = await loyaltyApi.updatePointsTiers({ tiers })
      loaded.set(r)
      setBanner({ tone: 'success', text: '已保存会员等级，患者的等级将按新门槛重新计算' })
    } catch (e) {
      const { fields, rest } = loyaltyFormErrors(e)
      setErrors(fields)
      if (rest) setBanner({ tone: 'error', text: rest })
    } finally {
      setBusy(false)
    }
  }

  const cell = (i: number, field: keyof TierDraft, label: string, cls = 'input input-num') => {
    const err = errors[`tiers.${i}.${field}`]
    return (
      <td className={err ? 'field-invalid' : undefined}>
        <input
          id={`tiers.${i}.${field}`}
          aria-label={`${TIER_LABEL[POINTS_TIER_IDS[i]!]} ${label}`}
          className={`${cls}${err ? ' input-invalid' : ''}`}
          value={drafts[i]?.[field] ?? ''}
          disabled={busy || (field === 'threshold' && i === 0)}
          onChange={(e) => set(i, { [field]: e.target.value })}
        />
        {err ? <div className="field-error">{err}</div> : null}
      </td>
    )
  }

  return (
    <section className="panel" data-testid="points-tiers">
      <div className="panel-head panel-head-split">
        <h2>会员等级</h2>
        <span className="panel-count">
          按近 12 个月获得的积分定级；付费会员按方案等级，取较高者
          {loaded.data?.updatedAt ? ` · ${formatMinute(loaded.data.updatedAt)} 修改` : ''}
        </span>
      </div>
      {banner ? (
        <Banner tone={banner.tone} onClose={() => setBanner(null)}>
          {banner.text}
        </Banner>
      ) : null}
      {loaded.error ? <Banner tone="error">等级加载失败：{loyaltyErrorText(loaded.error)}</Banner> : null}
      {loaded.loading && !loaded.data ? <Loading text="正在加载会员等级…" /> : null}
      {drafts.length > 0 ? (
        <>
          <div className="table-wrap">
            <table className="table table-dense" data-testid="tiers-table">
              <thead>
                <tr>
                  <th>等级</th>
                  <th>名称</th>
                  <th>门槛（近 12 个月积分）</th>
                  <th>积分倍数</th>
                  <th>权益（用顿号分隔）</th>
                </tr>
              </thead>
              <tbody>
                {drafts.map((_, i) => (
                  <tr key={POINTS_TIER_IDS[i]}>
                    <td className="nowrap">
                      <span className={`tier-badge tier-${POINTS_TIER_IDS[i]}`}>
                        {TIER_LABEL[POINTS_TIER_IDS[i]!]}
                      </span>
                    </td>
                    {cell(i, 'name', '名称', 'input tier-name-input')}
                    {cell(i, 'threshold', '门槛')}
                    {cell(i, 'multiplier', '倍数')}
                    {cell(i, 'benefits', '权益', 'input')}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div className="form-actions">
            <button type="button" className="btn btn-primary" disabled={busy} onClick={() => void save()}>
              {busy ? '保存中…' : '保存等级'}
            </button>
            <button
              type="button"
              className="btn"
              disabled={busy}
              onClick={() => {
                if (loaded.data) setDrafts(loaded.data.tiers.map(draftOf))
                setErrors({})
              }}
            >
              还原
            </button>
          </div>
        </>
      ) : null}
    </section>
  )
}

import { REWARD_CATEGORIES, type RewardCategory, type StaffReward } from '@careloop/shared'
import { Fragment, useState } from 'react'
import { newRequestKey } from '../communityText'
import { Banner, EmptyState, Loading, PageHeader } from '../components/Feedback'
import { RewardForm } from '../components/RewardForm'
import { formatDate } from '../format'
import { loyaltyApi } from '../loyaltyApi'
import { loyaltyErrorText, parseWhole, points, REWARD_CATEGORY_LABEL, TIER_LABEL } from '../loyaltyText'
import { mayCall } from '../router'
import { useSession } from '../session'
import { useLoad } from '../useLoad'

const FILTERS = { all: '全部', active: '上架中', inactive: '已下架' } as const
type Filter = keyof typeof FILTERS

const windowText = (r: StaffReward): string => {
  if (!r.validFrom && !r.validUntil) return '长期'
  const until = r.validUntil ? formatDate(new Date(Date.parse(r.validUntil) - 1).toISOString()) : '长期'
  return `${r.validFrom ? formatDate(r.validFrom) : '即日'} 至 ${until}`
}

/** Stock left of all ever stocked, as a bar. */
const StockBar = ({ r }: { r: StaffReward }) => {
  const pct = r.totalStock > 0 ? Math.round((r.stock / r.totalStock) * 100) : 0
  const low = r.stock === 0 ? ' stock-empty' : pct <= 20 ? ' stock-low' : ''
  return (
    <div className={`stock${low}`} data-testid="reward-stock">
      <div className="stock-text">
        <b>{points(r.stock)}</b>
        <span className="muted"> / {points(r.totalStock)}</span>
      </div>
      <div className="stock-track">
        <span className="stock-fill" style={{ width: `${pct}%` }} />
      </div>
    </div>
  )
}

/** Add or withdraw units; one request key per submission (a retried restock adds once). */
const Restock = ({
  reward,
  onDone,
}: {
  reward: StaffReward
  onDone: (r: StaffReward, delta: number) => void
}) => {
  const [value, setValue] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const [requestId, setRequestId] = useState(() => newRequestKey('restock'))

  const submit = async () => {
    const delta = parseWhole(value.replace(/^\+/, ''))
    if (delta === null || Number.isNaN(delta) || delta === 0) {
      setError('请填写非 0 的整数：正数补货，负数减少库存')
      return
    }
    if (delta < 0 && -delta > reward.stock) {
      setError(`最多只能减少当前库存 ${reward.stock} 件`)
      return
    }
    setBusy(true)
    setError(null)
    try {
      const r = await loyaltyApi.restockReward(reward.id, { requestId, delta })
      setRequestId(newRequestKey('restock'))
      setValue('')
      onDone(r, delta)
    } catch (e) {
      setError(loyaltyErrorText(e))
    } finally {
      setBusy(false)
    }
  }

  return (
    <div className="restock" data-testid="restock-form">
      <label className="checkbox-inline" htmlFor={`restock-${reward.id}`}>
        补货数量
      </label>
      <input
        id={`restock-${reward.id}`}
        className={`input input-num${error ? ' input-invalid' : ''}`}
        inputMode="numeric"
        placeholder="如 20 或 -5"
        value={value}
        autoFocus
        onChange={(e) => setValue(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') void submit()
        }}
      />
      <button
        type="button"
        className="btn btn-small btn-primary"
        disabled={busy}
        onClick={() => void submit()}
      >
        {busy ? '提交中…' : '确认'}
      </button>
      <span className="subtle">
        当前库存 {reward.stock}，累计入库 {reward.totalStock}
      </span>
      {error ? <span className="field-error">{error}</span> : null}
    </div>
  )
}

/** 奖品管理: the rewards mall catalogue with stock and redemption counts; create, edit, restock, take off. */
export const RewardsPage = () => {
  const { session } = useSession()
  const editable = mayCall(session.staff.role, 'createReward')
  const [filter, setFilter] = useState<Filter>('all')
  const [category, setCategory] = useState<RewardCategory | ''>('')
  const rewards = useLoad(
    () => loyaltyApi.listRewards({ status: filter, category: category || undefined }),
    [filter, category],
  )
  const [editor, setEditor] = useState<{ reward: StaffReward | null } | null>(null)
  const [restocking, setRestocking] = useState<string | null>(null)
  const [busy, setBusy] = useState<string | null>(null)
  const [notice, setNotice] = useState<{ tone: 'success' | 'error'; text: string } | null>(null)
  const list = rewards.data?.rewards ?? []

  const replace = (r: StaffReward) => {
    if (!rewards.data) return
    const has = rewards.data.rewards.some((x) => x.id === r.id)
    rewards.set({
      rewards: has ? rewards.data.rewards.map((x) => (x.id === r.id ? r : x)) : [r, ...rewards.data.rewards],
    })
  }

  const toggle = async (r: StaffReward) => {
    setBusy(r.id)
    setNotice(null)
    try {
      const next = r.active
        ? await loyaltyApi.deactivateReward(r.id)
        : await loyaltyApi.updateReward(r.id, { active: true })
      replace(next)
      setNotice({
        tone: 'success',
        text: next.active ? `已上架“${next.name}”` : `已下架“${next.name}”，已发出的兑换码仍可核销`,
      })
    } catch (e) {
      setNotice({ tone: 'error', text: loyaltyErrorText(e) })
    } finally {
      setBusy(null)
    }
  }

  return (
    <>
      <PageHeader
        title="奖品管理"
        lead="积分商城的奖品、库存和兑换情况。患者兑换时扣减积分和库存；取消或过期未核销时积分和库存自动退回。"
        actions={
          editable ? (
            <button type="button" className="btn btn-primary" onClick={() => setEditor({ reward: null })}>
              + 新建奖品
            </button>
          ) : null
        }
      />
      {!editable ? (
        <Banner tone="info">您可以查看奖品和库存；新建、修改和补货需要运营专员或管理员。</Banner>
      ) : null}
      {notice ? (
        <Banner tone={notice.tone} onClose={() => setNotice(null)}>
          {notice.text}
        </Banner>
      ) : null}
      {rewards.error ? <Banner tone="error">奖品加载失败：{loyaltyErrorText(rewards.error)}</Banner> : null}
      <div className="panel table-panel">
        <div className="table-toolbar table-toolbar-split">
          <div className="toolbar-group">
            <div className="segmented" role="group" aria-label="上架状态">
              {(Object.keys(FILTERS) as Filter[]).map((f) => (
                <button
                  key={f}
                  type="button"
                  className={`segmented-item${f === filter ? ' segmented-on' : ''}`}
                  aria-pressed={f === filter}
                  onClick={() => setFilter(f)}
                >
                  {FILTERS[f]}
                </button>
              ))}
            </div>
            <select
              aria-label="类别"
              className="input input-auto"
              value={category}
              onChange={(e) => setCategory(e.target.value as RewardCategory | '')}
            >
              <option value="">全部类别</option>
              {REWARD_CATEGORIES.map((c) => (
                <option key={c} value={c}>
                  {REWARD_CATEGORY_LABEL[c]}
                </option>
              ))}
            </select>
          </div>
          {rewards.data ? <span className="panel-count">共 {list.length} 个奖品</span> : null}
        </div>
        <table className="table" data-testid="rewards-table">
          <thead>
            <tr>
              <th>奖品</th>
              <th className="num">所需积分</th>
              <th>库存（剩余 / 累计）</th>
              <th>兑换情况</th>
              <th className="num">每人限兑</th>
              <th>有效期</th>
              <th>状态</th>
              {editable ? <th className="cell-actions">操作</th> : null}
            </tr>
          </thead>
          <tbody>
            {list.map((r) => (
              <Fragment key={r.id}>
                <tr
                  data-testid="reward-row"
                  data-name={r.name}
                  className={r.active ? undefined : 'row-inactive'}
                >
                  <td>
                    <div className="cell-strong">{r.name}</div>
                    <div className="subtle">
                      <span className="chip chip-small chip-attr">{REWARD_CATEGORY_LABEL[r.category]}</span>
                      {r.tierRequired ? (
                        <span className="tier-need">{TIER_LABEL[r.tierRequired]}及以上</span>
                      ) : null}
                    </div>
                    {r.description ? (
                      <div className="subtle clamp-1" title={r.description}>
                        {r.description}
                      </div>
                    ) : null}
                  </td>
                  <td className="num cell-strong">{points(r.pointsCost)}</td>
                  <td>
                    <StockBar r={r} />
                  </td>
                  <td className="nowrap" data-testid="reward-counts">
                    <div>
                      待核销 <b>{r.counts.issued + r.counts.pending}</b> · 已核销 <b>{r.counts.fulfilled}</b>
                    </div>
                    <div className="subtle">
                      已取消 {r.counts.cancelled} · 已过期 {r.counts.expired}
                    </div>
                  </td>
                  <td className="num">{r.perPatientLimit}</td>
                  <td className="nowrap subtle">{windowText(r)}</td>
                  <td>
                    <span className={`state ${r.active ? 'state-on' : 'state-off'}`}>
                      {r.active ? '上架中' : '已下架'}
                    </span>
                  </td>
                  {editable ? (
                    <td className="cell-actions nowrap">
                      <span className="row-actions">
                        <button
                          type="button"
                          className="link-button"
                          onClick={() => setEditor({ reward: r })}
                        >
                          编辑
                        </button>
                        <button
                          type="button"
                          className="link-button"
                          onClick={() => setRestocking(restocking === r.id ? null : r.id)}
                        >
                          {restocking === r.id ? '收起' : '补货'}
                        </button>
                        <button
                          type="button"
                          className={`link-button${r.active ? ' link-danger' : ''}`}
                          disabled={busy === r.id}
                          onClick={() => void toggle(r)}
                        >
                          {r.active ? '下架' : '上架'}
                        </button>
                      </span>
                    </td>
                  ) : null}
                </tr>
                {restocking === r.id ? (
                  <tr className="row-history">
                    <td colSpan={8}>
                      <Restock
                        reward={r}
                        onDone={(next, delta) => {
                          replace(next)
                          setRestocking(null)
                          setNotice({
                            tone: 'success',
                            text: `“${next.name}”${delta > 0 ? `补货 ${delta} 件` : `减少 ${-delta} 件`}，当前库存 ${next.stock}`,
                          })
                        }}
                      />
                    </td>
                  </tr>
                ) : null}
              </Fragment>
            ))}
          </tbody>
        </table>
        {rewards.loading && !rewards.data ? <Loading text="正在加载奖品…" /> : null}
        {rewards.data && list.length === 0 ? (
          <EmptyState
            title={filter === 'inactive' ? '没有已下架的奖品' : '还没有奖品'}
            hint={editable ? '点击右上角“新建奖品”，例如“电子血压计 500 积分，库存 20”。' : undefined}
          />
        ) : null}
      </div>
      {editor ? (
        <div className="drawer-backdrop" onClick={() => setEditor(null)}>
          <aside className="drawer drawer-wide" onClick={(e) => e.stopPropagation()} aria-label="奖品表单">
            <RewardForm
              key={editor.reward?.id ?? 'new'}
              editing={editor.reward}
              onCancel={() => setEditor(null)}
              onSaved={(r, created) => {
                replace(r)
                setEditor(null)
                setNotice({
                  tone: 'success',
                  text: created ? `已创建奖品“${r.name}”，库存 ${r.stock}` : `已保存“${r.name}”`,
                })
              }}
            />
          </aside>
        </div>
      ) : null}
    </>
  )
}

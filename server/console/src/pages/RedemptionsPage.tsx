import {
  REDEMPTION_STATUSES,
  RedemptionCode,
  type RedemptionStatus,
  type StaffRedemption,
} from '@careloop/shared'
import { useRef, useState, type FormEvent } from 'react'
import { formatMinute } from '../communityText'
import { Banner, EmptyState, Loading, PageHeader } from '../components/Feedback'
import { Pagination } from '../components/Pagination'
import { RedemptionCard } from '../components/RedemptionCard'
import { loyaltyApi } from '../loyaltyApi'
import { dayStartIso, loyaltyErrorText, maskedCode, points, REDEMPTION_STATUS_LABEL } from '../loyaltyText'
import { canOpen } from '../router'
import { useSession } from '../session'
import { useLoad } from '../useLoad'

const PAGE_SIZE = 20

/** What was looked up last: the code (normalised) and what it found. */
interface Lookup {
  code: string
  found: StaffRedemption | null
}

/** The recent redemptions with filters (a nurse sees her patients'). */
const RecentRedemptions = ({ refreshKey }: { refreshKey: number }) => {
  const { session } = useSession()
  const [status, setStatus] = useState<RedemptionStatus | ''>('')
  const [rewardId, setRewardId] = useState('')
  const [from, setFrom] = useState('')
  const [to, setTo] = useState('')
  const [page, setPage] = useState(1)
  const rewards = useLoad(() => loyaltyApi.listRewards({ status: 'all' }), [])
  const list = useLoad(
    () =>
      loyaltyApi.listRedemptions({
        status: status || undefined,
        rewardId: rewardId || undefined,
        from: from ? dayStartIso(from) : undefined,
        to: to ? dayStartIso(to, true) : undefined,
        page,
        pageSize: PAGE_SIZE,
      }),
    [status, rewardId, from, to, page, refreshKey],
  )
  const rows = list.data?.redemptions ?? []
  const linkPatients = canOpen(session.staff.role, 'patient')
  const filtered = (f: () => void) => {
    f()
    setPage(1)
  }

  return (
    <section className="panel table-panel" data-testid="recent-redemptions">
      <div className="table-toolbar table-toolbar-split">
        <div className="toolbar-group">
          <strong className="toolbar-title">兑换记录</strong>
          <select
            aria-label="兑换状态"
            className="input input-auto"
            value={status}
            onChange={(e) => filtered(() => setStatus(e.target.value as RedemptionStatus | ''))}
          >
            <option value="">全部状态</option>
            {REDEMPTION_STATUSES.filter((s) => s !== 'failed').map((s) => (
              <option key={s} value={s}>
                {REDEMPTION_STATUS_LABEL[s]}
              </option>
            ))}
          </select>
          <select
            aria-label="奖品"
            className="input input-auto"
            value={rewardId}
            onChange={(e) => filtered(() => setRewardId(e.target.value))}
          >
            <option value="">全部奖品</option>
            {(rewards.data?.rewards ?? []).map((r) => (
              <option key={r.id} value={r.id}>
                {r.name}
              </option>
            ))}
          </select>
          <input
            type="date"
            aria-label="开始日期"
            className="input input-auto"
            value={from}
            onChange={(e) => filtered(() => setFrom(e.target.value))}
          />
          <span className="muted">至</span>
          <input
            type="date"
            aria-label="结束日期"
            className="input input-auto"
            value={to}
            onChange={(e) => filtered(() => setTo(e.target.value))}
          />
        </div>
        <button type="button" className="btn btn-small" onClick={list.reload}>
          刷新
        </button>
      </div>
      {list.error ? <Banner tone="error">兑换记录加载失败：{loyaltyErrorText(list.error)}</Banner> : null}
      <table className="table table-dense" data-testid="redemptions-table">
        <thead>
          <tr>
            <th>兑换时间</th>
            <th>患者</th>
            <th>奖品</th>
            <th className="num">积分</th>
            <th>兑换码</th>
            <th>状态</th>
            <th>处理</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id} data-testid="redemption-row" data-status={r.status}>
              <td className="nowrap mono">{formatMinute(r.createdAt)}</td>
              <td className="nowrap">
                {linkPatients ? (
                  <a href={`#/patients/${r.patient.id}`}>{r.patient.name ?? '未填写姓名'}</a>
                ) : (
                  (r.patient.name ?? '—')
                )}
              </td>
              <td>{r.rewardName}</td>
              <td className="num">{points(r.pointsCost)}</td>
              <td className="mono subtle">{maskedCode(r.code)}</td>
              <td>
                <span className={`redemption-status status-${r.status}`}>
                  {REDEMPTION_STATUS_LABEL[r.status]}
                </span>
              </td>
              <td className="subtle">
                {r.status === 'fulfilled'
                  ? `${formatMinute(r.fulfilledAt)} ${r.fulfilledBy?.name ?? ''} 核销`
                  : r.cancelReason
                    ? `取消原因：${r.cancelReason}`
                    : r.status === 'issued' && r.expiresAt
                      ? `${formatMinute(r.expiresAt)} 前有效`
                      : '—'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {list.loading && !list.data ? <Loading text="正在加载兑换记录…" /> : null}
      {list.data && rows.length === 0 ? (
        <EmptyState title="没有符合条件的兑换记录" hint="患者在小程序积分商城兑换后会显示在这里。" />
      ) : null}
      {list.data && list.data.total > PAGE_SIZE ? (
        <Pagination total={list.data.total} page={page} pageSize={PAGE_SIZE} unit="条" onPage={setPage} />
      ) : null}
    </section>
  )
}

/** 兑换核销: scan or type the patient's code (Enter looks it up), check it off or cancel it; recent ones below. */
export const RedemptionsPage = () => {
  const [input, setInput] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const [lookup, setLookup] = useState<Lookup | null>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const [refreshKey, setRefreshKey] = useState(0)
  const box = useRef<HTMLInputElement>(null)

  const find = async (ev: FormEvent) => {
    ev.preventDefault()
    setNotice(null)
    const parsed = RedemptionCode.safeParse(input)
    if (!parsed.success) {
      setError('兑换码为 10 位字母和数字（不含 0、1、I、L、O），请核对后重新输入')
      setLookup(null)
      return
    }
    setBusy(true)
    setError(null)
    try {
      const r = await loyaltyApi.listRedemptions({ code: parsed.data, page: 1, pageSize: 5 })
      setLookup({ code: parsed.data, found: r.redemptions[0] ?? null })
    } catch (e) {
      setError(loyaltyErrorText(e))
      setLookup(null)
    } finally {
      setBusy(false)
      box.current?.select()
    }
  }

  const changed = (r: StaffRedemption, action: 'fulfil' | 'cancel') => {
    setLookup((l) => (l ? { ...l, found: r } : l))
    setRefreshKey((k) => k + 1)
    if (action === 'fulfil') {
      setNotice(`已核销：${r.rewardName}（${r.patient.name ?? '患者'}）。可继续扫描下一个兑换码。`)
      setInput('')
      box.current?.focus()
    } else setNotice(`已取消兑换：${r.rewardName}，${points(r.pointsCost)} 积分已退回患者`)
  }

  return (
    <>
      <PageHeader
        title="兑换核销"
        lead="扫描患者小程序中的兑换二维码，或输入 10 位兑换码后按回车；核对奖品后点击核销。"
      />
      <form className="panel code-scan" onSubmit={(e) => void find(e)} data-testid="code-scan">
        <label className="field-label" htmlFor="redemption-code-input">
          兑换码
        </label>
        <div className="code-scan-row">
          <input
            id="redemption-code-input"
            ref={box}
            className={`input code-scan-input${error ? ' input-invalid' : ''}`}
            value={input}
            placeholder="扫码或输入，如 ABCDE FGHJK"
            autoFocus
            autoComplete="off"
            spellCheck={false}
            onChange={(e) => setInput(e.target.value.toUpperCase())}
          />
          <button type="submit" className="btn btn-primary btn-large" disabled={busy || !input.trim()}>
            {busy ? '查询中…' : '查询'}
          </button>
        </div>
        {error ? <div className="field-error">{error}</div> : null}
      </form>
      {notice ? (
        <Banner tone="success" onClose={() => setNotice(null)}>
          {notice}
        </Banner>
      ) : null}
      {lookup && !lookup.found ? (
        <Banner tone="warning">
          未找到兑换码 <span className="mono">{lookup.code}</span>
          ，请核对后重试，或请患者在小程序“我的兑换”中重新出示。
        </Banner>
      ) : null}
      {lookup?.found ? (
        <RedemptionCard
          key={lookup.found.id}
          redemption={lookup.found}
          code={lookup.code}
          onChanged={changed}
        />
      ) : null}
      <RecentRedemptions refreshKey={refreshKey} />
    </>
  )
}

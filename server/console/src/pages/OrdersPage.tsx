import { ORDER_STATUSES, type OrderStatus } from '@careloop/shared'
import { useState, type FormEvent } from 'react'
import { formatMinute } from '../communityText'
import { Banner, EmptyState, Loading, PageHeader } from '../components/Feedback'
import { Pagination } from '../components/Pagination'
import { loyaltyApi } from '../loyaltyApi'
import { dayStartIso, loyaltyErrorText, ORDER_STATUS_LABEL, PERIOD_LABEL, yuan } from '../loyaltyText'
import { canOpen, navigate } from '../router'
import { useSession } from '../session'
import { useLoad } from '../useLoad'

const PAGE_SIZE = 20

/** 订单与退款: membership orders newest first, filtered by status, date, plan and order number. */
export const OrdersPage = () => {
  const { session } = useSession()
  const [status, setStatus] = useState<OrderStatus | ''>('')
  const [from, setFrom] = useState('')
  const [to, setTo] = useState('')
  const [plan, setPlan] = useState('')
  const [search, setSearch] = useState('')
  const [outTradeNo, setOutTradeNo] = useState('')
  const [searchError, setSearchError] = useState<string | null>(null)
  const [page, setPage] = useState(1)
  const plans = useLoad(() => loyaltyApi.membershipPlans(), [])
  const orders = useLoad(
    () =>
      loyaltyApi.listOrders({
        status: status || undefined,
        from: from ? dayStartIso(from) : undefined,
        to: to ? dayStartIso(to, true) : undefined,
        outTradeNo: outTradeNo || undefined,
        page,
        pageSize: PAGE_SIZE,
      }),
    [status, from, to, outTradeNo, page],
  )
  const all = orders.data?.orders ?? []
  // The orders route has no plan filter: the plan narrows the page that was loaded.
  const rows = plan ? all.filter((o) => o.plan.code === plan) : all
  const linkPatients = canOpen(session.staff.role, 'patient')
  const filtered = (f: () => void) => {
    f()
    setPage(1)
  }
  const submitSearch = (ev: FormEvent) => {
    ev.preventDefault()
    const no = search.trim()
    if (no && !/^[0-9A-Za-z_\-|*]{6,32}$/.test(no)) {
      setSearchError('订单号为 6–32 位字母、数字或 _ - | *')
      return
    }
    setSearchError(null)
    filtered(() => setOutTradeNo(no))
  }

  return (
    <>
      <PageHeader
        title="订单与退款"
        lead="付费会员订单：支付以微信支付的验签通知或服务器查询为准；退款原路退回，全额退款后会员资格终止。"
      />
      {orders.error ? <Banner tone="error">订单加载失败：{loyaltyErrorText(orders.error)}</Banner> : null}
      <div className="panel table-panel">
        <div className="table-toolbar table-toolbar-split">
          <div className="toolbar-group">
            <select
              aria-label="订单状态"
              className="input input-auto"
              value={status}
              onChange={(e) => filtered(() => setStatus(e.target.value as OrderStatus | ''))}
            >
              <option value="">全部状态</option>
              {ORDER_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {ORDER_STATUS_LABEL[s]}
                </option>
              ))}
            </select>
            <select
              aria-label="会员方案"
              className="input input-auto"
              value={plan}
              onChange={(e) => setPlan(e.target.value)}
            >
              <option value="">全部方案</option>
              {(plans.data?.plans ?? []).map((p) => (
                <option key={p.code} value={p.code}>
                  {p.name}
                </option>
              ))}
            </select>
            <input
              type="date"
              aria-label="下单开始日期"
              className="input input-auto"
              value={from}
              onChange={(e) => filtered(() => setFrom(e.target.value))}
            />
            <span className="muted">至</span>
            <input
              type="date"
              aria-label="下单结束日期"
              className="input input-auto"
              value={to}
              onChange={(e) => filtered(() => setTo(e.target.value))}
            />
          </div>
          <form className="toolbar-group" onSubmit={submitSearch}>
            <input
              aria-label="订单号"
              className="input order-search"
              placeholder="订单号"
              value={search}
              onChange={(e) => setSearch(e.target.value)}
            />
            <button type="submit" className="btn btn-small">
              查找
            </button>
            {searchError ? <span className="field-error">{searchError}</span> : null}
          </form>
        </div>
        <table className="table" data-testid="orders-table">
          <thead>
            <tr>
              <th>下单时间</th>
              <th>订单号</th>
              <th>患者</th>
              <th>方案</th>
              <th className="num">金额</th>
              <th className="num">已退款</th>
              <th>状态</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((o) => (
              <tr
                key={o.id}
                className="row-link"
                data-testid="order-row"
                data-status={o.status}
                onClick={() => navigate(`/orders/${o.id}`)}
              >
                <td className="nowrap mono">{formatMinute(o.createdAt)}</td>
                <td className="mono">
                  <a href={`#/orders/${o.id}`} onClick={(e) => e.stopPropagation()}>
                    {o.outTradeNo}
                  </a>
                </td>
                <td className="nowrap">
                  {linkPatients ? (
                    <a href={`#/patients/${o.patientId}`} onClick={(e) => e.stopPropagation()}>
                      {o.patientName ?? '未填写姓名'}
                    </a>
                  ) : (
                    (o.patientName ?? '—')
                  )}
                </td>
                <td className="nowrap">
                  {o.plan.name}
                  <span className="subtle"> · {PERIOD_LABEL[o.plan.period]}</span>
                </td>
                <td className="num cell-strong">{yuan(o.amountFen)}</td>
                <td className="num">
                  {o.refundedFen > 0 ? yuan(o.refundedFen) : <span className="muted">—</span>}
                </td>
                <td>
                  <span className={`order-status order-${o.status}`}>{ORDER_STATUS_LABEL[o.status]}</span>
                  {o.refunds.some((r) => r.status === 'PROCESSING' || r.status === 'CREATED') ? (
                    <span className="subtle"> 退款处理中</span>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {orders.loading && !orders.data ? <Loading text="正在加载订单…" /> : null}
        {orders.data && rows.length === 0 ? (
          <EmptyState
            title="没有符合条件的订单"
            hint={
              plan && all.length > 0
                ? '本页没有该方案的订单，可翻页或调整其他筛选条件。'
                : '患者在小程序购买会员后，订单会显示在这里。'
            }
          />
        ) : null}
        {orders.data ? (
          <Pagination
            total={orders.data.total}
            page={page}
            pageSize={PAGE_SIZE}
            unit={plan ? `条（本页该方案 ${rows.length} 条）` : '条'}
            onPage={setPage}
          />
        ) : null}
      </div>
    </>
  )
}

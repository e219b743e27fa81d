import type { StaffOrder } from '@careloop/shared'
import { useEffect, useState } from 'react'
import { formatMinute } from '../communityText'
import { Banner, Loading } from '../components/Feedback'
import { RefundForm, refundableFen } from '../components/RefundForm'
import { formatDate } from '../format'
import { loyaltyApi } from '../loyaltyApi'
import {
  FLAG_LABEL,
  loyaltyErrorText,
  NOTIFY_EVENT_LABEL,
  NOTIFY_RESULT_LABEL,
  ORDER_STATUS_LABEL,
  PERIOD_LABEL,
  points,
  REFUND_STATUS_LABEL,
  TIER_LABEL,
  yuan,
} from '../loyaltyText'
import { canOpen, mayCall } from '../router'
import { useSession } from '../session'
import { useStaffDirectory } from '../staffDirectory'
import { useLoad } from '../useLoad'

/** While a refund is on its way, the page asks again this often (the platform's notify settles it). */
const POLL_MS = 3000

const refundOpen = (o: StaffOrder): boolean =>
  o.refunds.some((r) => r.status === 'CREATED' || r.status === 'PROCESSING')

const canRefund = (o: StaffOrder): boolean =>
  (o.status === 'PAID' || (o.status === 'FLAGGED' && o.paidFen !== null)) && refundableFen(o) > 0

/** One order: amounts, the platform's transaction, the verified notifies received, refunds; 退款 for admins. */
export const OrderDetailPage = ({ id }: { id: string }) => {
  const { session } = useSession()
  const role = session.staff.role
  const directory = useStaffDirectory()
  const detail = useLoad(() => loyaltyApi.getOrder(id), [id])
  const [notice, setNotice] = useState<string | null>(null)
  const o = detail.data?.order
  const polling = o ? refundOpen(o) : false
  /** Refunds are made by admins: their name when the directory knows it. */
  const refunder = (staffId: string | null): string =>
    staffId === null
      ? '系统'
      : (directory.staff?.find((s) => s.id === staffId)?.name ??
        (staffId === session.staff.id ? session.staff.name : '管理员'))

  useEffect(() => {
    if (!polling) return
    const t = setInterval(detail.reload, POLL_MS)
    return () => clearInterval(t)
  }, [polling, detail.reload])

  const back = (
    <a className="back-link" href="#/orders">
      ← 返回订单列表
    </a>
  )
  if (detail.error)
    return (
      <>
        {back}
        <Banner tone="error">{loyaltyErrorText(detail.error)}</Banner>
      </>
    )
  if (!detail.data || !o)
    return (
      <>
        {back}
        <Loading text="正在加载订单…" />
      </>
    )

  const facts: [string, string, boolean?][] = [
    ['订单号', o.outTradeNo, true],
    ['微信支付交易号', o.transactionId ?? '—', true],
    ['会员方案', `${o.plan.name}（${PERIOD_LABEL[o.plan.period]} · ${TIER_LABEL[o.plan.tier]}）`],
    ['订单金额', yuan(o.amountFen)],
    ['实付金额', o.paidFen === null ? '—' : yuan(o.paidFen)],
    ['已退款', yuan(o.refundedFen)],
    ['下单时间', formatMinute(o.createdAt)],
    ['支付时间', formatMinute(o.paidAt)],
    [
      '会员有效期',
      o.grant
        ? `${formatDate(o.grant.from)} 至 ${formatDate(o.grant.until)}`
        : o.status === 'REFUNDED' && o.grantedAt
          ? '已随全额退款终止'
          : '—',
    ],
    ['赠送积分', o.pointsAwarded === null ? '—' : points(o.pointsAwarded)],
  ]
  if (o.status === 'PENDING') facts.push(['支付截止', formatMinute(o.expiresAt)])

  return (
    <>
      {back}
      <section className="panel" data-testid="order-card">
        <div className="order-head">
          <div>
            <h1 className="order-title">
              {o.plan.name} <span className="order-amount">{yuan(o.amountFen)}</span>
            </h1>
            <div className="patient-sub">
              患者{' '}
              {canOpen(role, 'patient') ? (
                <a href={`#/patients/${o.patientId}`}>{o.patientName ?? '未填写姓名'}</a>
              ) : (
                (o.patientName ?? '—')
              )}
            </div>
          </div>
          <span className={`order-status order-${o.status} order-status-large`} data-testid="order-status">
            {ORDER_STATUS_LABEL[o.status]}
          </span>
        </div>
        <dl className="facts">
          {facts.map(([k, v, mono]) => (
            <div key={k} className="fact">
              <dt>{k}</dt>
              <dd className={mono ? 'mono' : undefined}>{v}</dd>
            </div>
          ))}
        </dl>
      </section>
      {o.flag ? (
        <Banner tone="warning">
          异常订单：{FLAG_LABEL[o.flag.kind] ?? o.flag.kind}（{formatMinute(o.flag.at)}
          ）。未开通会员，请核实后退款。
          <span className="mono subtle"> {JSON.stringify(o.flag.details)}</span>
        </Banner>
      ) : null}
      {notice ? (
        <Banner tone="success" onClose={() => setNotice(null)}>
          {notice}
        </Banner>
      ) : null}

      {mayCall(role, 'refundMembershipOrder') && canRefund(o) ? (
        <RefundForm
          key={`${o.refunds.length}`}
          order={o}
          onRefunded={(r) => {
            detail.set({ ...detail.data!, order: r.order })
            detail.reload()
            setNotice(
              r.duplicate
                ? `该退款此前已提交（${r.refund.outRefundNo}），状态：${REFUND_STATUS_LABEL[r.refund.status]}`
                : `已提交退款 ${yuan(r.refund.amountFen)}（退款单号 ${r.refund.outRefundNo}），到账进度见下方退款记录`,
            )
          }}
        />
      ) : null}

      <section className="panel" data-testid="order-refunds">
        <div className="panel-head">
          <h2>退款记录</h2>
          {polling ? <span className="panel-count">退款处理中，页面自动刷新…</span> : null}
        </div>
        {o.refunds.length === 0 ? (
          <div className="empty-inline">暂无退款。</div>
        ) : (
          <div className="table-wrap">
            <table className="table table-dense">
              <thead>
                <tr>
                  <th>退款单号</th>
                  <th className="num">金额</th>
                  <th>原因</th>
                  <th>状态</th>
                  <th>申请时间</th>
                  <th>到账时间</th>
                  <th>操作人</th>
                </tr>
              </thead>
              <tbody>
                {o.refunds.map((r) => (
                  <tr key={r.outRefundNo} data-testid="refund-row" data-status={r.status}>
                    <td className="mono">{r.outRefundNo}</td>
                    <td className="num cell-strong">{yuan(r.amountFen)}</td>
                    <td>{r.reason}</td>
                    <td>
                      <span className={`refund-status refund-${r.status}`}>
                        {REFUND_STATUS_LABEL[r.status]}
                      </span>
                    </td>
                    <td className="nowrap">{formatMinute(r.createdAt)}</td>
                    <td className="nowrap">{formatMinute(r.successAt)}</td>
                    <td className="nowrap">{refunder(r.staffId)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section className="panel" data-testid="order-notifies">
        <div className="panel-head">
          <h2>微信支付通知</h2>
          <span className="panel-count">只记录验签通过并解密成功的通知；重复投递计入次数</span>
        </div>
        {detail.data.notifies.length === 0 ? (
          <div className="empty-inline">尚未收到微信支付通知。</div>
        ) : (
          <div className="table-wrap">
            <table className="table table-dense">
              <thead>
                <tr>
                  <th>接收时间</th>
                  <th>事件</th>
                  <th>验签</th>
                  <th>处理结果</th>
                  <th className="num">投递次数</th>
                  <th>通知 ID</th>
                </tr>
              </thead>
              <tbody>
                {detail.data.notifies.map((n) => (
                  <tr key={n.id} data-testid="notify-row">
                    <td className="nowrap mono">{formatMinute(n.receivedAt)}</td>
                    <td className="nowrap">{NOTIFY_EVENT_LABEL[n.eventType] ?? n.eventType}</td>
                    <td className="nowrap">
                      <span className="state state-on">✓ 签名有效 · 已解密</span>
                    </td>
                    <td>
                      {n.result ? (
                        (NOTIFY_RESULT_LABEL[n.result] ?? n.result)
                      ) : (
                        <span className="muted">处理中</span>
                      )}
                    </td>
                    <td className="num">{n.deliveries}</td>
                    <td className="mono subtle">{n.id}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  )
}

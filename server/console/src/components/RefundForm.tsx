import type { RefundResponse, StaffOrder } from '@careloop/shared'
import { useState, type FormEvent } from 'react'
import { newRequestKey } from '../communityText'
import { formatDate } from '../format'
import { loyaltyApi } from '../loyaltyApi'
import { loyaltyFormErrors, parseYuan, points, yuan, yuanInput } from '../loyaltyText'
import { ConfirmDialog } from './ConfirmDialog'
import { Banner } from './Feedback'
import { Field } from './Field'

/** Fen still refundable: what was paid less refunds that were not closed. */
export const refundableFen = (o: StaffOrder): number =>
  (o.paidFen ?? 0) - o.refunds.filter((r) => r.status !== 'CLOSED').reduce((s, r) => s + r.amountFen, 0)

/** What the patient loses when `amountFen` is refunded now. */
const Consequences = ({ order, amountFen }: { order: StaffOrder; amountFen: number }) => {
  const left = refundableFen(order) - amountFen
  if (order.status === 'FLAGGED') return <p>该订单为异常订单，未开通会员，退款不影响患者的会员和积分。</p>
  if (left > 0)
    return (
      <p>
        部分退款：患者的会员资格和积分<b>保持不变</b>；退款后该订单还可退 {yuan(left)}。
      </p>
    )
  return (
    <>
      <p>全额退款后，患者将失去：</p>
      <ul className="loss-list" data-testid="refund-losses">
        <li>
          「{order.plan.name}」资格立即终止
          {order.grant ? `（原有效期至 ${formatDate(order.grant.until)}）` : ''}，会员等级随之取消
        </li>
        {order.pointsAwarded ? (
          <li>购买会员赠送的 {points(order.pointsAwarded)} 积分将被扣回（余额不足时扣至 0）</li>
        ) : null}
        <li>本月剩余的会员服务配额（如护士咨询）不再可用</li>
      </ul>
    </>
  )
}

/** 退款 (admins): full or partial, entered in ¥ and sent in fen, confirmed with what the patient loses. */
export const RefundForm = ({
  order,
  onRefunded,
}: {
  order: StaffOrder
  onRefunded: (r: RefundResponse) => void
}) => {
  const max = refundableFen(order)
  const [mode, setMode] = useState<'full' | 'partial'>('full')
  const [amount, setAmount] = useState(yuanInput(max))
  const [reason, setReason] = useState('')
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [banner, setBanner] = useState<string | null>(null)
  const [confirming, setConfirming] = useState<number | null>(null)
  const [busy, setBusy] = useState(false)
  /** One key per refund asked for: a retry of the same amount and reason refunds once; a change is a new refund. */
  const [key, setKey] = useState(() => ({ of: '', id: newRequestKey('refund') }))

  const amountFen = mode === 'full' ? max : parseYuan(amount)

  const review = (ev: FormEvent) => {
    ev.preventDefault()
    setBanner(null)
    const local: Record<string, string> = {}
    if (amountFen === null || amountFen < 1) local.amountFen = '请填写退款金额，如 12.34'
    else if (amountFen > max) local.amountFen = `最多可退 ${yuan(max)}`
    if (!reason.trim()) local.reason = '请填写退款原因（会显示在患者的退款通知中）'
    else if (reason.trim().length > 80) local.reason = '退款原因不能超过 80 个字'
    setErrors(local)
    if (Object.keys(local).length === 0 && amountFen !== null) setConfirming(amountFen)
  }

  const submit = async (fen: number) => {
    const of = `${fen}|${reason.trim()}`
    const requestId = key.of === of || key.of === '' ? key.id : newRequestKey('refund')
    setKey({ of, id: requestId })
    setBusy(true)
    try {
      const r = await loyaltyApi.refundOrder(order.id, { amountFen: fen, reason: reason.trim(), requestId })
      setKey({ of: '', id: newRequestKey('refund') })
      setConfirming(null)
      setReason('')
      onRefunded(r)
    } catch (e) {
      setConfirming(null)
      const { fields, rest } = loyaltyFormErrors(e)
      setErrors(fields)
      setBanner(rest)
    } finally {
      setBusy(false)
    }
  }

  return (
    <section className="panel" data-testid="refund-form">
      <div className="panel-head">
        <h2>退款</h2>
        <span className="panel-count">可退金额 {yuan(max)}，原路退回患者的微信支付账户</span>
      </div>
      {banner ? <Banner tone="error">{banner}</Banner> : null}
      <form className="refund-form" onSubmit={review} noValidate>
        <div className="segmented" role="group" aria-label="退款方式">
          {(['full', 'partial'] as const).map((m) => (
            <button
              key={m}
              type="button"
              className={`segmented-item${m === mode ? ' segmented-on' : ''}`}
              aria-pressed={m === mode}
              onClick={() => {
                setMode(m)
                setAmount(m === 'full' ? yuanInput(max) : '')
                setErrors({})
              }}
            >
              {m === 'full' ? '全额退款' : '部分退款'}
            </button>
          ))}
        </div>
        <div className="refund-fields">
          <Field label="退款金额" htmlFor="refund-amount" error={errors.amountFen}>
            <div className={`input-affix${errors.amountFen ? ' input-invalid' : ''}`}>
              <span className="affix">¥</span>
              <input
                id="refund-amount"
                className="input"
                inputMode="decimal"
                value={mode === 'full' ? yuanInput(max) : amount}
                disabled={mode === 'full'}
                placeholder="0.00"
                onChange={(e) => setAmount(e.target.value)}
              />
            </div>
          </Field>
          <Field label="退款原因" htmlFor="refund-reason" error={errors.reason}>
            <input
              id="refund-reason"
              className="input"
              value={reason}
              maxLength={80}
              placeholder="例如：患者申请退款，未使用会员服务"
              onChange={(e) => setReason(e.target.value)}
            />
          </Field>
          <div className="inline-actions">
            <button type="submit" className="btn btn-danger">
              退款…
            </button>
          </div>
        </div>
      </form>
      {confirming !== null ? (
        <ConfirmDialog
          title={`确认退款 ${yuan(confirming)}？`}
          confirmLabel={`确认退款 ${yuan(confirming)}`}
          busy={busy}
          onConfirm={() => void submit(confirming)}
          onCancel={() => setConfirming(null)}
        >
          <dl className="confirm-facts">
            <dt>患者</dt>
            <dd>{order.patientName ?? '未填写姓名'}</dd>
            <dt>订单</dt>
            <dd className="mono">
              {order.outTradeNo} · {order.plan.name} · 实付 {yuan(order.paidFen ?? order.amountFen)}
            </dd>
            <dt>退款原因</dt>
            <dd>{reason.trim()}</dd>
          </dl>
          <Consequences order={order} amountFen={confirming} />
          <p className="subtle">退款提交后不可撤回，通常 1–3 个工作日到账；结果以微信支付通知为准。</p>
        </ConfirmDialog>
      ) : null}
    </section>
  )
}

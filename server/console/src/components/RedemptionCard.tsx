import type { StaffRedemption } from '@careloop/shared'
import { useState } from 'react'
import { formatMinute } from '../communityText'
import { loyaltyApi } from '../loyaltyApi'
import {
  codeText,
  loyaltyErrorText,
  points,
  REDEMPTION_STATUS_LABEL,
  REWARD_CATEGORY_LABEL,
} from '../loyaltyText'
import { Banner } from './Feedback'

/** What happened to a redemption that can no longer be checked off. */
const outcome = (r: StaffRedemption): string | null => {
  switch (r.status) {
    case 'fulfilled':
      return `已于 ${formatMinute(r.fulfilledAt)} 核销${r.fulfilledBy?.name ? `（${r.fulfilledBy.name}）` : ''}，不能重复领取`
    case 'cancelled':
    case 'cancelling': {
      const who =
        r.cancelledBy?.kind === 'patient'
          ? '患者本人'
          : r.cancelledBy?.kind === 'system'
            ? '系统'
            : (r.cancelledBy?.name ?? '工作人员')
      return `已于 ${formatMinute(r.cancelledAt)} 由${who}取消${r.cancelReason ? `：${r.cancelReason}` : ''}，积分已退回`
    }
    case 'expired':
      return `兑换码已于 ${formatMinute(r.expiresAt)} 过期，积分已退回`
    case 'pending':
      return '兑换仍在处理中，请稍后再扫码'
    case 'failed':
      return `兑换未成功${r.failReason ? `：${r.failReason}` : ''}`
    default:
      return null
  }
}

/** The redemption a code found: who, what, state; 核销 (idempotent) or 取消 with a reason. */
export const RedemptionCard = ({
  redemption: r,
  code,
  onChanged,
}: {
  redemption: StaffRedemption
  /** The code as scanned (check-off sends it again: the server matches it to the redemption). */
  code: string
  onChanged: (r: StaffRedemption, action: 'fulfil' | 'cancel') => void
}) => {
  const [busy, setBusy] = useState(false)
  const [cancelling, setCancelling] = useState(false)
  const [reason, setReason] = useState('')
  const [error, setError] = useState<string | null>(null)
  const open = r.status === 'issued'
  const done = outcome(r)

  const fulfil = async () => {
    setBusy(true)
    setError(null)
    try {
      onChanged(await loyaltyApi.fulfilRedemption(r.id, code), 'fulfil')
    } catch (e) {
      setError(loyaltyErrorText(e))
    } finally {
      setBusy(false)
    }
  }

  const cancel = async () => {
    if (!reason.trim()) {
      setError('请填写取消原因（患者会看到）')
      return
    }
    setBusy(true)
    setError(null)
    try {
      onChanged(await loyaltyApi.cancelRedemption(r.id, reason.trim()), 'cancel')
      setCancelling(false)
    } catch (e) {
      setError(loyaltyErrorText(e))
    } finally {
      setBusy(false)
    }
  }

  return (
    <section
      className={`panel redemption-card redemption-${r.status}`}
      data-testid="redemption-card"
      data-status={r.status}
    >
      <div className="redemption-main">
        <div>
          <div className="redemption-code mono" data-testid="redemption-code">
            {codeText(r.code)}
          </div>
          <div className="redemption-reward">{r.rewardName}</div>
          <div className="subtle">
            {REWARD_CATEGORY_LABEL[r.category]} · {points(r.pointsCost)} 积分 ·{' '}
            {formatMinute(r.issuedAt ?? r.createdAt)} 兑换
            {r.expiresAt && open ? ` · ${formatMinute(r.expiresAt)} 前有效` : ''}
          </div>
        </div>
        <div className="redemption-side">
          <span className={`redemption-status status-${r.status}`}>{REDEMPTION_STATUS_LABEL[r.status]}</span>
          <div className="redemption-patient">
            患者 <b data-testid="redemption-patient">{r.patient.name ?? '未填写姓名'}</b>
          </div>
        </div>
      </div>
      {done ? (
        <div className={`redemption-outcome${r.status === 'fulfilled' ? ' text-ok' : ''}`}>{done}</div>
      ) : null}
      {error ? <Banner tone="error">{error}</Banner> : null}
      {open ? (
        cancelling ? (
          <div className="redemption-actions">
            <input
              id="redemption-cancel-reason"
              aria-label="取消原因"
              className="input"
              placeholder="取消原因，例如：奖品缺货，与患者协商改兑"
              value={reason}
              maxLength={200}
              autoFocus
              onChange={(e) => setReason(e.target.value)}
            />
            <button type="button" className="btn btn-danger" disabled={busy} onClick={() => void cancel()}>
              {busy ? '取消中…' : '确认取消并退回积分'}
            </button>
            <button type="button" className="btn" disabled={busy} onClick={() => setCancelling(false)}>
              返回
            </button>
          </div>
        ) : (
          <div className="redemption-actions">
            <button
              type="button"
              className="btn btn-primary btn-large"
              disabled={busy}
              onClick={() => void fulfil()}
            >
              {busy ? '核销中…' : '核销'}
            </button>
            <button type="button" className="btn" disabled={busy} onClick={() => setCancelling(true)}>
              取消兑换
            </button>
            <span className="subtle">核销前请确认患者身份并交付奖品；重复点击不会重复核销。</span>
          </div>
        )
      ) : null}
    </section>
  )
}

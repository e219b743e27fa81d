import type { StaffPatientPointsResponse, StaffPointsEntry } from '@careloop/shared'
import { useState, type FormEvent } from 'react'
import { formatMinute, newRequestKey } from '../communityText'
import { formatDate } from '../format'
import { roleLabel } from '../labels'
import { loyaltyApi } from '../loyaltyApi'
import {
  ENTRY_KIND_LABEL,
  loyaltyErrorText,
  loyaltyFormErrors,
  parseWhole,
  points,
  QUOTA_LABEL,
  signed,
} from '../loyaltyText'
import { mayCall } from '../router'
import { useSession } from '../session'
import { useLoad } from '../useLoad'
import { Banner, Loading } from './Feedback'

const entryNote = (e: StaffPointsEntry): string => {
  if (e.kind === 'adjust') return `${e.reason ?? ''}${e.actor?.role ? `（${roleLabel(e.actor.role)}）` : ''}`
  if (e.kind === 'earn' && e.multiplier && e.multiplier !== 1)
    return `基础 ${e.base ?? '—'} × ${e.multiplier}`
  return e.expiresAt && e.kind === 'earn' ? `${formatDate(e.expiresAt)} 到期` : ''
}

/** 积分调整 (head nurses, admins): ± amount with a required reason; one request key per adjustment. */
const AdjustForm = ({
  patientId,
  onDone,
}: {
  patientId: string
  onDone: (balance: number, amount: number) => void
}) => {
  const [sign, setSign] = useState<1 | -1>(1)
  const [amount, setAmount] = useState('')
  const [reason, setReason] = useState('')
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [banner, setBanner] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const [key, setKey] = useState(() => ({ of: '', id: newRequestKey('adjust') }))

  const submit = async (ev: FormEvent) => {
    ev.preventDefault()
    setBanner(null)
    const n = parseWhole(amount)
    const local: Record<string, string> = {}
    if (n === null || Number.isNaN(n) || n < 1 || n > 100_000) local.amount = '请填写 1–100000 的整数'
    if (reason.trim().length < 2) local.reason = '请填写调整原因（至少 2 个字）'
    setErrors(local)
    if (Object.keys(local).length > 0 || n === null) return
    const value = sign * n
    const of = `${value}|${reason.trim()}`
    const requestId = key.of === of || key.of === '' ? key.id : newRequestKey('adjust')
    setKey({ of, id: requestId })
    setBusy(true)
    try {
      const r = await loyaltyApi.adjustPoints(patientId, { amount: value, reason: reason.trim(), requestId })
      setKey({ of: '', id: newRequestKey('adjust') })
      setAmount('')
      setReason('')
      onDone(r.balance, value)
    } catch (e) {
      const { fields, rest } = loyaltyFormErrors(e)
      setErrors(fields)
      setBanner(rest)
    } finally {
      setBusy(false)
    }
  }

  return (
    <form className="adjust-form" onSubmit={(e) => void submit(e)} noValidate data-testid="points-adjust">
      {banner ? <Banner tone="error">{banner}</Banner> : null}
      <div className="segmented" role="group" aria-label="调整方向">
        {([1, -1] as const).map((s) => (
          <button
            key={s}
            type="button"
            className={`segmented-item${s === sign ? ' segmented-on' : ''}`}
            aria-pressed={s === sign}
            onClick={() => setSign(s)}
          >
            {s === 1 ? '增加' : '扣减'}
          </button>
        ))}
      </div>
      <div className={errors.amount ? 'field-invalid' : undefined}>
        <input
          id="adjust-amount"
          aria-label="调整积分"
          className={`input input-num${errors.amount ? ' input-invalid' : ''}`}
          inputMode="numeric"
          placeholder="积分"
          value={amount}
          onChange={(e) => setAmount(e.target.value)}
        />
        {errors.amount ? <div className="field-error">{errors.amount}</div> : null}
      </div>
      <div className={`adjust-reason${errors.reason ? ' field-invalid' : ''}`}>
        <input
          id="adjust-reason"
          aria-label="调整原因"
          className={`input${errors.reason ? ' input-invalid' : ''}`}
          placeholder="调整原因（必填，记入审计日志）"
          maxLength={200}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
        />
        {errors.reason ? <div className="field-error">{errors.reason}</div> : null}
      </div>
      <button type="submit" className="btn btn-primary" disabled={busy}>
        {busy ? '提交中…' : '确认调整'}
      </button>
    </form>
  )
}

const Ledger = ({ data }: { data: StaffPatientPointsResponse }) =>
  data.entries.length === 0 ? (
    <div className="empty-inline">暂无积分记录。患者签到、完成问卷等行为获得的积分会显示在这里。</div>
  ) : (
    <div className="table-wrap">
      <table className="table table-dense" data-testid="points-ledger">
        <thead>
          <tr>
            <th>时间</th>
            <th>类型</th>
            <th>事项</th>
            <th className="num">变动</th>
            <th className="num">余额</th>
            <th>说明</th>
          </tr>
        </thead>
        <tbody>
          {data.entries.map((e) => (
            <tr key={e.id} data-testid="ledger-row">
              <td className="nowrap mono">{formatMinute(e.at)}</td>
              <td className="nowrap">{ENTRY_KIND_LABEL[e.kind]}</td>
              <td>{e.title}</td>
              <td className={`num cell-strong ${e.amount >= 0 ? 'text-ok' : 'text-danger'}`}>
                {signed(e.amount)}
              </td>
              <td className="num">{e.balanceAfter === null ? '—' : points(e.balanceAfter)}</td>
              <td className="subtle">{entryNote(e)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )

/** 积分与会员 of the patient detail: balance, tier, membership and quotas, recent ledger, 积分调整. */
export const PatientLoyalty = ({ patientId }: { patientId: string }) => {
  const { session } = useSession()
  const role = session.staff.role
  const seePoints = mayCall(role, 'patientPoints')
  const canAdjust = mayCall(role, 'adjustPoints')
  const pts = useLoad(
    () => (seePoints ? loyaltyApi.patientPoints(patientId, 10) : Promise.resolve(null)),
    [patientId, seePoints],
  )
  const member = useLoad(() => loyaltyApi.patientMembership(patientId), [patientId])
  const [adjusting, setAdjusting] = useState(false)
  const [notice, setNotice] = useState<string | null>(null)
  const p = pts.data
  const m = member.data

  return (
    <section className="panel" data-testid="patient-loyalty">
      <div className="panel-head panel-head-split">
        <h2>积分与会员</h2>
        {canAdjust && p ? (
          <button
            type="button"
            className="btn btn-small panel-head-action"
            onClick={() => setAdjusting((v) => !v)}
          >
            {adjusting ? '收起' : '积分调整'}
          </button>
        ) : null}
      </div>
      {notice ? (
        <Banner tone="success" onClose={() => setNotice(null)}>
          {notice}
        </Banner>
      ) : null}
      {pts.error ? <Banner tone="error">积分加载失败：{loyaltyErrorText(pts.error)}</Banner> : null}
      {member.error ? <Banner tone="error">会员信息加载失败：{loyaltyErrorText(member.error)}</Banner> : null}
      {(seePoints && pts.loading && !p) || (member.loading && !m) ? (
        <Loading text="正在加载积分与会员…" />
      ) : null}
      <div className="loyalty-facts">
        {p ? (
          <>
            <div className="loyalty-fact">
              <div className="card-title">积分余额</div>
              <div className="stat-value" data-testid="points-balance">
                {points(p.balance)}
              </div>
            </div>
            <div className="loyalty-fact">
              <div className="card-title">等级</div>
              <div className="loyalty-value">
                <span className={`tier-badge tier-${p.tier.id}`}>{p.tier.name}</span>
                {p.tier.multiplier !== 1 ? <span className="subtle"> 积分 ×{p.tier.multiplier}</span> : null}
              </div>
              <div className="card-hint">
                {p.tier.source === 'membership'
                  ? '付费会员等级'
                  : `近 12 个月获得 ${points(p.earned12m)} 积分`}
              </div>
            </div>
          </>
        ) : null}
        {m ? (
          <div className="loyalty-fact" data-testid="patient-membership">
            <div className="card-title">付费会员</div>
            <div className="loyalty-value">
              {m.active && m.plan ? m.plan.name : <span className="muted">未开通</span>}
            </div>
            <div className="card-hint">
              {m.active && m.until ? `有效期至 ${formatDate(m.until)}` : '患者可在小程序购买'}
              {m.quotas.map((q) => (
                <span key={q.kind}>
                  {' · '}
                  {QUOTA_LABEL[q.kind] ?? q.kind} 本月剩余 {q.left}/{q.perMonth}
                </span>
              ))}
            </div>
          </div>
        ) : null}
      </div>
      {adjusting ? (
        <AdjustForm
          patientId={patientId}
          onDone={(balance, amount) => {
            setAdjusting(false)
            setNotice(
              `已${amount > 0 ? '增加' : '扣减'} ${points(Math.abs(amount))} 积分，当前余额 ${points(balance)}`,
            )
            pts.reload()
          }}
        />
      ) : null}
      {p ? (
        <>
          <h3 className="sub-head">最近积分记录</h3>
          <Ledger data={p} />
        </>
      ) : null}
    </section>
  )
}

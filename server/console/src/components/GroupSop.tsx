import {
  GROUP_SOP_DEFAULT_CONFIRM_HOURS,
  GROUP_SOP_TEXT_MAX_BYTES,
  type Community,
  type GroupSendQuota,
  type GroupSopItem,
  type GroupSopListResponse,
} from '@careloop/shared'
import { useMemo, useState, type FormEvent } from 'react'
import { api, ApiError } from '../api'
import {
  communityErrorText,
  formatMinute,
  formErrors,
  localInputValue,
  monthLabel,
  newRequestKey,
  sopState,
  utf8Length,
} from '../communityText'
import { useLoad } from '../useLoad'
import { Banner, EmptyState, Loading } from './Feedback'
import { Field } from './Field'

const CONFIRM_HOURS = [2, 6, 12, 24, 48, 72] as const
const CANCELLABLE = new Set<GroupSopItem['status']>(['SCHEDULED', 'PENDING_CONFIRMATION'])
const OPEN = new Set<GroupSopItem['status']>(['SCHEDULED', 'CREATING', 'PENDING_CONFIRMATION'])
/** Rows shown before 显示全部. */
const FIRST_ROWS = 10

/** Still to happen first, soonest first; then the finished ones, latest first. */
const scheduleOrder = (a: GroupSopItem, b: GroupSopItem): number => {
  const ao = OPEN.has(a.status)
  const bo = OPEN.has(b.status)
  if (ao !== bo) return ao ? -1 : 1
  const bySend = ao ? a.sendAt.localeCompare(b.sendAt) : b.sendAt.localeCompare(a.sendAt)
  return bySend !== 0 ? bySend : a.createdAt.localeCompare(b.createdAt)
}

/** Tomorrow 09:00 in the browser's (the hospital's) time: a sensible first send time. */
const defaultSendAt = (): string => {
  const d = new Date()
  d.setDate(d.getDate() + 1)
  d.setHours(9, 0, 0, 0)
  return localInputValue(d)
}

/** The quota of the month `sendAt` (YYYY-MM-DDTHH:mm) falls in, when the list knows it. */
const quotaFor = (sop: GroupSopListResponse, sendAt: string): GroupSendQuota | null => {
  const month = sendAt.slice(0, 7)
  if (sop.quota.month === month) return sop.quota
  if (sop.nextMonthQuota.month === month) return sop.nextMonthQuota
  return null
}

/** 本月已用 N / 上限 M: what scheduling one more would use, shown before scheduling. */
const QuotaMeter = ({ quota, current }: { quota: GroupSendQuota; current: boolean }) => {
  const pct = Math.min(100, Math.round((quota.used / quota.cap) * 100))
  return (
    <div
      className={`quota${quota.remaining === 0 ? ' quota-full' : ''}`}
      data-testid="sop-quota"
      data-month={quota.month}
    >
      <div className="quota-text">
        <b>
          {current ? '本月' : monthLabel(quota.month)}已用 {quota.used} / 上限 {quota.cap}
        </b>
        <span className="muted">
          {quota.remaining > 0 ? `，还可排 ${quota.remaining} 次` : '，本月额度已用完'}
        </span>
      </div>
      <div className="quota-track">
        <span className="quota-fill" style={{ width: `${pct}%` }} />
      </div>
    </div>
  )
}

/** 安排群内容: text (≤4000 bytes), send time in hospital time, confirmation window; the month's quota first. */
const SopForm = ({
  community,
  sop,
  onCreated,
}: {
  community: Community
  sop: GroupSopListResponse
  onCreated: (item: GroupSopItem) => void
}) => {
  const [text, setText] = useState('')
  const [sendAt, setSendAt] = useState(defaultSendAt)
  const [hours, setHours] = useState<number>(GROUP_SOP_DEFAULT_CONFIRM_HOURS)
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [banner, setBanner] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  /** One key per submission: a retry of the same content after a lost answer is not scheduled twice. */
  const [requestId, setRequestId] = useState(() => newRequestKey('console'))
  const bytes = utf8Length(text.trim())
  const over = bytes > GROUP_SOP_TEXT_MAX_BYTES
  const quota = quotaFor(sop, sendAt)
  const capped = quota !== null && quota.remaining === 0

  const submit = async (ev: FormEvent) => {
    ev.preventDefault()
    setBanner(null)
    const local: Record<string, string> = {}
    if (!text.trim()) local.text = '请填写群发内容'
    else if (over) local.text = `内容超出 ${bytes - GROUP_SOP_TEXT_MAX_BYTES} 字节，请精简后再排期`
    if (!sendAt) local.sendAt = '请选择发送时间'
    setErrors(local)
    if (Object.keys(local).length > 0) return
    setBusy(true)
    try {
      const r = await api.createGroupSop(community.id, { text, sendAt, confirmHours: hours, requestId })
      setText('')
      setRequestId(newRequestKey('console'))
      onCreated(r.item)
    } catch (e) {
      if (e instanceof ApiError && e.code === 'GROUP_SEND_CAP_REACHED') {
        const used = e.detailNumber('used')
        const cap = e.detailNumber('cap')
        setBanner(
          `${monthLabel(sendAt.slice(0, 7))}的群发次数已达企业微信上限${used !== null && cap !== null ? `（已用 ${used} / 上限 ${cap}）` : ''}，请改到其他月份，或先取消该月未发送的排期。`,
        )
      } else {
        const { fields, rest } = formErrors(e)
        setErrors(fields)
        setBanner(rest)
      }
    } finally {
      setBusy(false)
    }
  }

  return (
    <form className="sop-form" onSubmit={(e) => void submit(e)} noValidate data-testid="sop-form">
      <h3>安排新的群内容</h3>
      {quota ? (
        <QuotaMeter quota={quota} current={quota.month === sop.quota.month} />
      ) : (
        <div className="quota quota-unknown" data-testid="sop-quota">
          {monthLabel(sendAt.slice(0, 7) || sop.quota.month)}
          的额度将在排期时检查（每月可群发的次数等于当月天数）
        </div>
      )}
      {capped ? (
        <Banner tone="warning">
          {monthLabel(quota.month)}向该群的群发已达企业微信上限（{quota.cap}{' '}
          次）。请把发送时间改到下个月，或先取消该月尚未发送的排期。
        </Banner>
      ) : null}
      {banner ? <Banner tone="error">{banner}</Banner> : null}
      <Field label="群发内容" htmlFor="sop-text" error={errors.text}>
        <textarea
          id="sop-text"
          className="input textarea sop-text"
          rows={5}
          value={text}
          onChange={(e) => {
            setText(e.target.value)
            setErrors(({ text: _t, ...rest }) => rest)
          }}
          placeholder="例如：【控糖小课堂】本周四 15:00 内分泌科护士在群内讲解胰岛素注射的常见误区，欢迎提前准备问题。"
        />
        <div className={`byte-counter${over ? ' byte-over' : ''}`} data-testid="sop-bytes">
          {bytes.toLocaleString('zh-CN')} / {GROUP_SOP_TEXT_MAX_BYTES.toLocaleString('zh-CN')} 字节
          <span className="muted">（汉字按 3 字节计）</span>
        </div>
      </Field>
      <div className="sop-form-row">
        <Field
          label="发送时间（医院时间）"
          htmlFor="sop-send-at"
          error={errors.sendAt}
          hint="到点后生成企业微信群发任务，推送给群主确认"
        >
          <input
            id="sop-send-at"
            className="input"
            type="datetime-local"
            value={sendAt}
            onChange={(e) => {
              setSendAt(e.target.value)
              setErrors(({ sendAt: _s, ...rest }) => rest)
            }}
          />
        </Field>
        <Field
          label="确认期限"
          htmlFor="sop-confirm-hours"
          error={errors.confirmHours}
          hint="群主需在期限内于企业微信中确认发送，逾期提醒护士长"
        >
          <select
            id="sop-confirm-hours"
            className="input"
            value={hours}
            onChange={(e) => setHours(Number(e.target.value))}
          >
            {CONFIRM_HOURS.map((h) => (
              <option key={h} value={h}>
                生成任务后 {h} 小时内
              </option>
            ))}
          </select>
        </Field>
        <div className="inline-actions">
          <button type="submit" className="btn btn-primary" disabled={busy || capped || over}>
            {busy ? '正在排期…' : '加入排期'}
          </button>
        </div>
      </div>
      <p className="subtle sop-owner-note">
        发送人为群主 {community.ownerNurse.name ?? '—'}（企业微信{' '}
        {community.ownerNurse.wecomUserId ?? '未绑定'}
        ）。企业微信规定每个客户群每月最多接收与当月天数相同次数的群发。
      </p>
    </form>
  )
}

/**
 * 群内容排期 (SOP) of one community: the month's quota, the form to schedule content (when the
 * community is active), and every item with its state, deadline and 取消.
 */
export const GroupSop = ({ community, onChanged }: { community: Community; onChanged: () => void }) => {
  const sop = useLoad(() => api.listGroupSop(community.id), [community.id])
  const [notice, setNotice] = useState<{ tone: 'success' | 'error'; text: string } | null>(null)
  const [confirming, setConfirming] = useState<string | null>(null)
  const [busy, setBusy] = useState<string | null>(null)
  const now = useMemo(() => Date.now(), [sop.data])
  const [showAll, setShowAll] = useState(false)
  const items = useMemo(() => [...(sop.data?.items ?? [])].sort(scheduleOrder), [sop.data])
  const shown = showAll ? items : items.slice(0, FIRST_ROWS)
  const open = items.filter((it) => OPEN.has(it.status)).length

  const cancel = async (it: GroupSopItem) => {
    setBusy(it.id)
    setNotice(null)
    try {
      await api.cancelGroupSop(community.id, it.id)
      setConfirming(null)
      sop.reload()
      onChanged()
      setNotice({
        tone: 'success',
        text:
          it.status === 'PENDING_CONFIRMATION'
            ? `已取消 ${it.sendAtLocal} 的群发，并已撤回群主企业微信中的待发送任务`
            : `已取消 ${it.sendAtLocal} 的排期，释放 1 次群发额度`,
      })
    } catch (e) {
      setNotice({ tone: 'error', text: `取消失败：${communityErrorText(e)}` })
      sop.reload()
    } finally {
      setBusy(null)
    }
  }

  return (
    <section className="panel" data-testid="group-sop">
      <div className="panel-head">
        <h2>群内容排期（SOP）</h2>
        {sop.data ? (
          <span className="panel-count" data-testid="sop-month-quota">
            本月已用 {sop.data.quota.used} / 上限 {sop.data.quota.cap} ·{' '}
            {monthLabel(sop.data.nextMonthQuota.month)}
            已用 {sop.data.nextMonthQuota.used} / 上限 {sop.data.nextMonthQuota.cap}
          </span>
        ) : null}
      </div>
      {notice ? (
        <Banner tone={notice.tone} onClose={() => setNotice(null)}>
          {notice.text}
        </Banner>
      ) : null}
      {sop.error ? (
        <Banner tone="error">
          排期加载失败：{communityErrorText(sop.error)}{' '}
          <button type="button" className="link-button" onClick={sop.reload}>
            重试
          </button>
        </Banner>
      ) : null}
      {sop.loading && !sop.data ? <Loading text="正在加载排期…" /> : null}
      {sop.data ? (
        community.status === 'active' ? (
          <SopForm
            community={community}
            sop={sop.data}
            onCreated={(it) => {
              sop.reload()
              onChanged()
              setNotice({
                tone: 'success',
                text: `已加入排期：${it.sendAtLocal} 生成群发任务，群主需在 ${it.confirmHours} 小时内确认发送`,
              })
            }}
          />
        ) : (
          <Banner tone="info">
            该社群已{community.status === 'archived' ? '归档' : '解散'}，不能再安排新的群内容。
          </Banner>
        )
      ) : null}
      {sop.data && items.length === 0 ? (
        <EmptyState title="还没有排期的群内容" hint="在上方填写内容和发送时间，即可按计划向群内推送。" />
      ) : null}
      {items.length > 0 ? (
        <div className="table-wrap">
          <table className="table table-dense" data-testid="sop-table">
            <thead>
              <tr>
                <th>发送时间</th>
                <th>内容</th>
                <th>状态</th>
                <th>确认期限</th>
                <th>创建人</th>
                <th className="cell-actions">操作</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((it) => {
                const st = sopState(it, now)
                return (
                  <tr key={it.id} data-testid="sop-row" data-status={it.status}>
                    <td className="nowrap mono">{it.sendAtLocal}</td>
                    <td className="sop-cell-text">
                      <div className="sop-preview" title={it.text}>
                        {it.text}
                      </div>
                      {it.failure ? <div className="field-error">原因：{it.failure}</div> : null}
                    </td>
                    <td>
                      <span className={`sop-state sop-${st.tone}`}>{st.label}</span>
                      {it.sentAt ? <div className="subtle">{formatMinute(it.sentAt)} 发出</div> : null}
                    </td>
                    <td className="nowrap">
                      {it.deadline ? (
                        <span className="mono">{formatMinute(it.deadline)}</span>
                      ) : it.status === 'SCHEDULED' || it.status === 'CREATING' ? (
                        <span className="muted">生成任务后 {it.confirmHours} 小时</span>
                      ) : (
                        '—'
                      )}
                    </td>
                    <td className="nowrap">{it.createdBy?.name ?? '系统'}</td>
                    <td className="cell-actions nowrap">
                      {!CANCELLABLE.has(it.status) ? (
                        <span className="muted">—</span>
                      ) : confirming === it.id ? (
                        <span className="confirm-inline">
                          确认取消？
                          <button
                            type="button"
                            className="link-button link-danger"
                            disabled={busy === it.id}
                            onClick={() => void cancel(it)}
                          >
                            {busy === it.id ? '正在取消…' : '取消排期'}
                          </button>
                          <button type="button" className="link-button" onClick={() => setConfirming(null)}>
                            保留
                          </button>
                        </span>
                      ) : (
                        <button
                          type="button"
                          className="link-button link-danger"
                          onClick={() => {
                            setNotice(null)
                            setConfirming(it.id)
                          }}
                        >
                          取消
                        </button>
                      )}
                    </td>
                  </tr>
                )
              })}
            </tbody>
          </table>
        </div>
      ) : null}
      {items.length > FIRST_ROWS ? (
        <div className="sop-more">
          <button type="button" className="link-button" onClick={() => setShowAll((v) => !v)}>
            {showAll ? '收起' : `显示全部 ${items.length} 条（${open} 条未完成）`}
          </button>
        </div>
      ) : null}
    </section>
  )
}

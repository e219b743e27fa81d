import { followupRoutes, type Enrolment, type FollowupStep } from '@careloop/shared'
import { useState } from 'react'
import { api } from '../api'
import { formatMinute } from '../communityText'
import {
  ANCHOR_LABEL,
  CANCEL_REASON_LABEL,
  ENROL_VIA_LABEL,
  ENROLMENT_STATUS_LABEL,
  followupErrorText,
  HISTORY_ACTION_LABEL,
  localDay,
  STEP_KIND_LABEL,
  STEP_STATUS_LABEL,
} from '../followupText'
import { mayUse } from '../router'
import { useSession } from '../session'
import type { StaffDirectory } from '../staffDirectory'
import { useLoad } from '../useLoad'
import { Banner, Loading } from './Feedback'
import { EnrolForm } from './EnrolForm'

/** D+N of a step: its due day minus the anchor day. */
const dayOffset = (anchorDate: string, dueAtLocal: string): number =>
  Math.round(
    (Date.parse(`${dueAtLocal.slice(0, 10)}T00:00:00Z`) - Date.parse(`${anchorDate}T00:00:00Z`)) / 86_400_000,
  )

const StepBadge = ({ s }: { s: FollowupStep }) => (
  <span
    className={`step-status step-${s.status}`}
    title={s.cancelReason ? CANCEL_REASON_LABEL[s.cancelReason] : undefined}
  >
    {STEP_STATUS_LABEL[s.status]}
    {s.status === 'cancelled' && s.cancelReason ? `·${CANCEL_REASON_LABEL[s.cancelReason]}` : ''}
    {s.held && (s.status === 'due' || s.status === 'scheduled') ? '·暂停中' : ''}
  </span>
)

/** One enrolment: plan, anchor, nurse, status, actions, and every step with its state. */
const EnrolmentCard = ({
  e,
  canManage,
  onChanged,
}: {
  e: Enrolment
  canManage: boolean
  onChanged: (e: Enrolment, text: string) => void
}) => {
  const [busy, setBusy] = useState(false)
  const [confirmStop, setConfirmStop] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const running = e.status === 'active' || e.status === 'paused'

  const act = async (what: 'pause' | 'resume' | 'stop') => {
    setBusy(true)
    setError(null)
    try {
      const fn =
        what === 'pause' ? api.pauseEnrolment : what === 'resume' ? api.resumeEnrolment : api.stopEnrolment
      const r = await fn(e.id)
      setConfirmStop(false)
      onChanged(
        r.enrolment,
        what === 'pause'
          ? `已暂停“${e.plan.name}”：暂停期间不再发送提醒`
          : what === 'resume'
            ? `已恢复“${e.plan.name}”；暂停期间过期的步骤已取消`
            : `已停止“${e.plan.name}”：未完成的步骤、提醒和任务已取消`,
      )
    } catch (err) {
      setError(followupErrorText(err))
    } finally {
      setBusy(false)
    }
  }

  return (
    <div className={`enrolment enrolment-${e.status}`} data-testid="enrolment" data-plan={e.plan.name}>
      <div className="enrolment-head">
        <div className="enrolment-title">
          <b>{e.plan.name}</b>
          <span className="subtle">v{e.plan.version}</span>
          <span className={`enrol-status enrol-${e.status}`}>{ENROLMENT_STATUS_LABEL[e.status]}</span>
        </div>
        <div className="enrolment-meta">
          <span>
            {ANCHOR_LABEL[e.anchor]} <b className="mono">{e.anchorDate}</b>
          </span>
          <span>责任护士 {e.nurse?.name ?? '未指定'}</span>
          <span>{ENROL_VIA_LABEL[e.via]}</span>
          <span>
            完成 <b>{e.counts.done}</b> / {e.counts.total}
            {e.counts.missed > 0 ? <span className="text-danger">，漏访 {e.counts.missed}</span> : null}
          </span>
        </div>
        {canManage && running ? (
          <div className="enrolment-actions">
            {e.status === 'active' ? (
              <button
                type="button"
                className="btn btn-small"
                disabled={busy}
                onClick={() => void act('pause')}
              >
                暂停
              </button>
            ) : (
              <button
                type="button"
                className="btn btn-small"
                disabled={busy}
                onClick={() => void act('resume')}
              >
                恢复
              </button>
            )}
            {confirmStop ? (
              <span className="confirm-inline">
                停止后不可恢复？
                <button
                  type="button"
                  className="btn btn-small btn-danger"
                  disabled={busy}
                  onClick={() => void act('stop')}
                >
                  确认停止
                </button>
                <button type="button" className="btn btn-small" onClick={() => setConfirmStop(false)}>
                  取消
                </button>
              </span>
            ) : (
              <button
                type="button"
                className="btn btn-small"
                disabled={busy}
                onClick={() => setConfirmStop(true)}
              >
                停止
              </button>
            )}
          </div>
        ) : null}
      </div>
      {error ? <Banner tone="error">{error}</Banner> : null}
      <div className="progress-track" aria-hidden>
        <span
          className="progress-done"
          style={{ width: `${(e.counts.done / Math.max(1, e.counts.total)) * 100}%` }}
        />
        <span
          className="progress-missed"
          style={{ width: `${(e.counts.missed / Math.max(1, e.counts.total)) * 100}%` }}
        />
      </div>
      <table className="table table-dense steps-table" data-testid="enrolment-steps">
        <thead>
          <tr>
            <th>节点</th>
            <th>到期时间</th>
            <th>类型</th>
            <th>内容</th>
            <th>状态</th>
            <th>完成情况</th>
          </tr>
        </thead>
        <tbody>
          {e.steps.map((s) => (
            <tr
              key={s.id}
              data-testid="step"
              data-status={s.status}
              className={s.status === 'cancelled' ? 'row-inactive' : undefined}
            >
              <td className="nowrap mono">D+{dayOffset(e.anchorDate, s.dueAtLocal)}</td>
              <td className="nowrap mono">{s.dueAtLocal}</td>
              <td className="nowrap">
                <span className={`step-pill step-pill-${s.kind}`}>{STEP_KIND_LABEL[s.kind]}</span>
              </td>
              <td>
                <div className="cell-strong">{s.title}</div>
                {s.body ? <div className="subtle clamp-1">{s.body}</div> : null}
              </td>
              <td className="nowrap">
                <StepBadge s={s} />
              </td>
              <td className="nowrap subtle">
                {s.doneAt
                  ? `${formatMinute(s.doneAt)} ${s.doneBy?.kind === 'patient' ? '患者完成' : s.doneBy?.kind === 'staff' ? '护士完成' : '系统'}`
                  : s.status === 'due' || s.status === 'scheduled'
                    ? `最晚 ${localDay(new Date(Date.parse(s.windowEnd) - 1))} 完成`
                    : '—'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {e.history.length > 0 ? (
        <div className="enrolment-history subtle">
          {e.history.map((h, i) => (
            <span key={i}>
              {formatMinute(h.at)} {HISTORY_ACTION_LABEL[h.action]}
              {h.note ? `（${h.note}）` : ''}
            </span>
          ))}
        </div>
      ) : null}
    </div>
  )
}

/** 随访 card of the patient detail: the enrolments with their steps, 入组, 暂停 / 恢复 / 停止. */
export const PatientFollowup = ({
  patientId,
  directory,
}: {
  patientId: string
  directory: StaffDirectory
}) => {
  const { session } = useSession()
  const canEnrol = mayUse(session.staff.role, followupRoutes.enrolPatient)
  const list = useLoad(() => api.patientEnrolments(patientId), [patientId])
  const [enrolling, setEnrolling] = useState(false)
  const [notice, setNotice] = useState<string | null>(null)
  const all = list.data?.enrolments ?? []
  const running = all.filter((e) => e.status === 'active' || e.status === 'paused')
  const ended = all.filter((e) => !(e.status === 'active' || e.status === 'paused'))

  const replace = (e: Enrolment, text: string) => {
    if (list.data) list.set({ enrolments: list.data.enrolments.map((x) => (x.id === e.id ? e : x)) })
    setNotice(text)
  }

  return (
    <section className="panel" data-testid="patient-followup">
      <div className="panel-head panel-head-split">
        <h2>随访计划</h2>
        <span className="panel-count">
          {list.data ? `进行中 ${running.length} 个${ended.length ? `，已结束 ${ended.length} 个` : ''}` : ''}
        </span>
        {canEnrol && !enrolling ? (
          <button
            type="button"
            className="btn btn-small btn-primary panel-head-action"
            onClick={() => {
              setNotice(null)
              setEnrolling(true)
            }}
          >
            + 入组
          </button>
        ) : null}
      </div>
      {notice ? (
        <Banner tone="success" onClose={() => setNotice(null)}>
          {notice}
        </Banner>
      ) : null}
      {enrolling ? (
        <EnrolForm
          patientId={patientId}
          directory={directory}
          onCancel={() => setEnrolling(false)}
          onEnrolled={(e, created) => {
            setEnrolling(false)
            list.reload()
            setNotice(
              created
                ? `已入组“${e.plan.name}”，${ANCHOR_LABEL[e.anchor]} ${e.anchorDate}，共 ${e.counts.total} 个步骤`
                : `患者已在“${e.plan.name}”中（${ENROLMENT_STATUS_LABEL[e.status]}），未重复入组`,
            )
          }}
        />
      ) : null}
      {list.error ? <Banner tone="error">随访计划加载失败：{followupErrorText(list.error)}</Banner> : null}
      {list.loading && !list.data ? <Loading text="正在加载随访计划…" /> : null}
      {list.data && all.length === 0 && !enrolling ? (
        <div className="empty-inline">
          尚未入组随访方案。
          {canEnrol ? '点击右上角“入组”，选择方案和手术/出院日期，系统按 D+N 自动安排随访。' : ''}
        </div>
      ) : null}
      {[...running, ...ended].map((e) => (
        <EnrolmentCard key={e.id} e={e} canManage={canEnrol} onChanged={replace} />
      ))}
      {list.data && all.length > 0 ? (
        <p className="subtle footnote">
          今天 {localDay(new Date())}
          。到期的步骤通过订阅消息或消息中心提醒患者；完成窗口结束仍未完成记为漏访，并给责任护士生成任务。
        </p>
      ) : null}
    </section>
  )
}

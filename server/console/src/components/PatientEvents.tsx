import {
  EVENT_CODE,
  ICD10_CODE,
  PATIENT_EVENT_KIND_LABELS,
  PATIENT_EVENT_KINDS,
  type PatientEvent,
  type PatientEventKind,
  type RecordPatientEventResponse,
} from '@careloop/shared'
import { useState, type FormEvent } from 'react'
import { api } from '../api'
import { communityErrorText, EVENT_KIND_HINT, formErrors, newRequestKey } from '../communityText'
import { mayCall } from '../router'
import { useSession } from '../session'
import { useLoad } from '../useLoad'
import { Banner, EmptyState, Loading } from './Feedback'
import { Field } from './Field'

const pad = (n: number): string => String(n).padStart(2, '0')
const today = (): string => {
  const d = new Date()
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`
}

/** 2026-03-01, or 2026-03-01 14:05 when a time of day was recorded (browser = hospital time). */
const when = (iso: string): string => {
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return '—'
  const day = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`
  return d.getHours() === 0 && d.getMinutes() === 0
    ? day
    : `${day} ${pad(d.getHours())}:${pad(d.getMinutes())}`
}

/** ICD-10 wants a capital letter first; the detail after the dot may carry lower-case (E11.900x001). */
const normaliseCode = (kind: PatientEventKind, code: string): string => {
  const c = code.trim()
  return kind === 'diagnosis' ? c.replace(/^[^.]*/, (head) => head.toUpperCase()) : c
}

/** What the rules did, as one sentence: 已自动打上：糖尿病；已自动移除：失访高风险. */
const tagChangeText = (r: RecordPatientEventResponse): string | null => {
  const names = (action: 'added' | 'removed') =>
    [
      ...new Set(r.tagChanges.filter((c) => c.action === action).map((c) => c.tagName ?? '（已删除的标签）')),
    ].join('、')
  const parts = [
    names('added') ? `已自动打上：${names('added')}` : '',
    names('removed') ? `已自动移除：${names('removed')}` : '',
  ].filter(Boolean)
  return parts.length > 0 ? parts.join('；') : null
}

interface Outcome {
  event: PatientEvent
  duplicate: boolean
  tags: string | null
  reasons: string[]
}

/** 记录临床事件: kind, date (and optional time), code (ICD-10 for a diagnosis), note. */
const RecordForm = ({ patientId, onDone }: { patientId: string; onDone: (o: Outcome) => void }) => {
  const [kind, setKind] = useState<PatientEventKind>('diagnosis')
  const [date, setDate] = useState(today)
  const [time, setTime] = useState('')
  const [code, setCode] = useState('')
  const [note, setNote] = useState('')
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [banner, setBanner] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  /** One key per submission, so a retry after a lost answer records the event once. */
  const [externalId, setExternalId] = useState(() => newRequestKey('console'))

  const submit = async (ev: FormEvent) => {
    ev.preventDefault()
    setBanner(null)
    const c = normaliseCode(kind, code)
    const local: Record<string, string> = {}
    if (!date) local.at = '请选择日期'
    const at = date ? new Date(`${date}T${time || '00:00'}`) : null
    if (at && Number.isNaN(at.getTime())) local.at = '日期格式不正确'
    else if (at && at.getTime() > Date.now()) local.at = '日期不能晚于现在'
    if (kind === 'diagnosis' && !c) local.code = '诊断需要填写 ICD-10 编码，例如 E11.9'
    else if (kind === 'diagnosis' && !ICD10_CODE.test(c))
      local.code = 'ICD-10 编码格式不正确：大写字母 + 两位，如 E11、I10；细分码加点，如 E11.9'
    else if (c && !EVENT_CODE.test(c)) local.code = '编码只能包含字母、数字、. 和 -，不超过 20 个字符'
    if ([...note.trim()].length > 200) local.note = '备注不能超过 200 个字'
    setErrors(local)
    if (Object.keys(local).length > 0 || !at) return
    setBusy(true)
    try {
      const r = await api.recordPatientEvent(patientId, {
        kind,
        at: at.toISOString(),
        ...(c ? { code: c } : {}),
        ...(note.trim() ? { note: note.trim() } : {}),
        externalId,
      })
      setCode('')
      setNote('')
      setTime('')
      setExternalId(newRequestKey('console'))
      onDone({
        event: r.event,
        duplicate: r.duplicate,
        tags: tagChangeText(r),
        reasons: r.tagChanges.map((t) => t.reason),
      })
    } catch (e) {
      const { fields, rest } = formErrors(e)
      setErrors(fields)
      setBanner(rest)
    } finally {
      setBusy(false)
    }
  }

  return (
    <form className="event-form" onSubmit={(e) => void submit(e)} noValidate data-testid="event-form">
      <div className="event-form-title">记录临床事件</div>
      {banner ? <Banner tone="error">{banner}</Banner> : null}
      <div className="event-form-grid">
        <Field label="类型" htmlFor="event-kind" hint={EVENT_KIND_HINT[kind]}>
          <select
            id="event-kind"
            className="input"
            value={kind}
            onChange={(e) => {
              setKind(e.target.value as PatientEventKind)
              setErrors({})
            }}
          >
            {PATIENT_EVENT_KINDS.map((k) => (
              <option key={k} value={k}>
                {PATIENT_EVENT_KIND_LABELS[k]}
              </option>
            ))}
          </select>
        </Field>
        <Field label="日期" htmlFor="event-date" error={errors.at}>
          <input
            id="event-date"
            className="input"
            type="date"
            value={date}
            max={today()}
            onChange={(e) => setDate(e.target.value)}
          />
        </Field>
        <Field label="时间（选填）" htmlFor="event-time">
          <input
            id="event-time"
            className="input"
            type="time"
            value={time}
            onChange={(e) => setTime(e.target.value)}
          />
        </Field>
        <Field
          label={kind === 'diagnosis' ? 'ICD-10 诊断编码' : '编码（选填）'}
          htmlFor="event-code"
          error={errors.code}
          hint={
            kind === 'diagnosis'
              ? '大写字母加两位，细分码加点，如 E11.9、I10'
              : kind === 'surgery'
                ? '可填 ICD-9-CM-3 手术操作编码，如 36.1001'
                : '可填科室或院内编码'
          }
        >
          <input
            id="event-code"
            className="input code-input"
            value={code}
            onChange={(e) => {
              setCode(e.target.value)
              setErrors(({ code: _c, ...rest }) => rest)
            }}
            placeholder={kind === 'diagnosis' ? 'E11.9' : ''}
            autoComplete="off"
            spellCheck={false}
          />
        </Field>
        <Field
          label="备注（选填）"
          htmlFor="event-note"
          error={errors.note}
          hint={`不超过 200 个字（${[...note.trim()].length}/200）`}
        >
          <input
            id="event-note"
            className="input"
            value={note}
            maxLength={200}
            onChange={(e) => setNote(e.target.value)}
            placeholder="例如 门诊确诊，空腹血糖 8.2 mmol/L"
          />
        </Field>
        <div className="inline-actions">
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? '正在记录…' : '记录'}
          </button>
        </div>
      </div>
      <div className="field-hint">记录后立即按已启用的自动打标签规则重新计算该患者的标签。</div>
    </form>
  )
}

/**
 * 临床记录 card of the patient detail: visits, diagnoses, surgeries, admissions and discharges
 * (recorded by staff or synced from the HIS), and the form to record one; the rule tags the record
 * changed are reported and the tags card refreshed through `onTagsChanged`.
 */
export const PatientEvents = ({
  patientId,
  onTagsChanged,
}: {
  patientId: string
  onTagsChanged: () => void
}) => {
  const { session } = useSession()
  const canRecord = mayCall(session.staff.role, 'recordPatientEvent')
  const events = useLoad(() => api.listPatientEvents(patientId), [patientId])
  const [outcome, setOutcome] = useState<Outcome | null>(null)
  const rows = events.data?.events ?? []

  const byText = (e: PatientEvent): string =>
    e.source === 'his'
      ? 'HIS 同步'
      : e.by.id === session.staff.id
        ? `${session.staff.name}（我）`
        : e.by.kind === 'system'
          ? '系统'
          : '医护人员'

  return (
    <section className="panel" data-testid="patient-events">
      <div className="panel-head">
        <h2>临床记录</h2>
        {events.data ? <span className="panel-count">{rows.length} 条</span> : null}
        {events.loading && events.data ? <span className="toolbar-note">正在刷新…</span> : null}
      </div>
      {outcome ? (
        <Banner tone="success" onClose={() => setOutcome(null)}>
          <span data-testid="event-outcome">
            {outcome.duplicate ? '该记录此前已保存，未重复记录。' : '已记录'}
            {outcome.duplicate ? null : (
              <>
                {PATIENT_EVENT_KIND_LABELS[outcome.event.kind]}
                {outcome.event.code ? ` ${outcome.event.code}` : ''}（{when(outcome.event.at)}）。
              </>
            )}
            {outcome.tags ? <b className="event-tags">{outcome.tags}</b> : '标签无变化。'}
          </span>
          {outcome.reasons.length > 0 ? (
            <div className="event-reasons">依据：{outcome.reasons.join('；')}</div>
          ) : null}
        </Banner>
      ) : null}
      {events.error ? (
        <Banner tone="error">
          临床记录加载失败：{communityErrorText(events.error)}{' '}
          <button type="button" className="link-button" onClick={events.reload}>
            重试
          </button>
        </Banner>
      ) : null}
      {events.loading && !events.data ? <Loading text="正在加载临床记录…" /> : null}
      {events.data && rows.length === 0 ? (
        <EmptyState
          title="暂无临床记录"
          hint={canRecord ? '可在下方记录就诊、诊断、手术、入院或出院；HIS 对接后也会自动同步。' : undefined}
        />
      ) : null}
      {rows.length > 0 ? (
        <div className="table-wrap">
          <table className="table table-dense" data-testid="events-table">
            <thead>
              <tr>
                <th>日期</th>
                <th>类型</th>
                <th>编码</th>
                <th>备注</th>
                <th>来源</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((e) => (
                <tr key={e.id} data-testid="event-row" data-kind={e.kind}>
                  <td className="nowrap mono">{when(e.at)}</td>
                  <td>
                    <span className={`event-kind event-${e.kind}`}>{PATIENT_EVENT_KIND_LABELS[e.kind]}</span>
                  </td>
                  <td className="code">{e.code ?? '—'}</td>
                  <td className="cell-reason">{e.note ?? <span className="muted">—</span>}</td>
                  <td className="nowrap">{byText(e)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {canRecord ? (
        <RecordForm
          patientId={patientId}
          onDone={(o) => {
            setOutcome(o)
            events.reload()
            if (o.tags) onTagsChanged()
          }}
        />
      ) : null}
    </section>
  )
}

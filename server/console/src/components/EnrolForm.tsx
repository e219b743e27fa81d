import type { Enrolment } from '@careloop/shared'
import { useState, type FormEvent } from 'react'
import { api, ApiError } from '../api'
import { ANCHOR_LABEL, followupErrorText, issuesOf, localDay, pathErrors } from '../followupText'
import type { StaffDirectory } from '../staffDirectory'
import { useLoad } from '../useLoad'
import { Banner } from './Feedback'
import { Field } from './Field'

/** 入组: plan, anchor date (blank: the latest matching clinical record), responsible nurse. */
export const EnrolForm = ({
  patientId,
  directory,
  onEnrolled,
  onCancel,
}: {
  patientId: string
  directory: StaffDirectory
  onEnrolled: (e: Enrolment, created: boolean) => void
  onCancel: () => void
}) => {
  const plans = useLoad(() => api.listPlans('active'), [])
  const [planId, setPlanId] = useState('')
  const [anchorDate, setAnchorDate] = useState('')
  const [nurseId, setNurseId] = useState('')
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [banner, setBanner] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const plan = plans.data?.plans.find((p) => p.id === planId)
  const nurses = (directory.staff ?? []).filter(
    (s) => (s.role === 'nurse' || s.role === 'head_nurse') && s.active,
  )

  const submit = async (ev: FormEvent) => {
    ev.preventDefault()
    setBanner(null)
    if (!planId) {
      setErrors({ planId: '请选择随访方案' })
      return
    }
    setErrors({})
    setBusy(true)
    try {
      const r = await api.enrolPatient(patientId, {
        planId,
        ...(anchorDate ? { anchorDate } : {}),
        ...(nurseId ? { nurseId } : {}),
      })
      onEnrolled(r.enrolment, r.created)
    } catch (e) {
      const fields = pathErrors(issuesOf(e))
      if (e instanceof ApiError && e.code === 'FOLLOWUP_ANCHOR_REQUIRED')
        fields.anchorDate = followupErrorText(e)
      if (e instanceof ApiError && e.code === 'FOLLOWUP_NURSE_INVALID') fields.nurseId = followupErrorText(e)
      if (e instanceof ApiError && e.code === 'FOLLOWUP_PLAN_ARCHIVED') fields.planId = followupErrorText(e)
      setErrors(fields)
      if (Object.keys(fields).length === 0) setBanner(followupErrorText(e))
    } finally {
      setBusy(false)
    }
  }

  return (
    <form className="enrol-form" onSubmit={(e) => void submit(e)} noValidate data-testid="enrol-form">
      <h3>为患者入组随访方案</h3>
      {banner ? <Banner tone="error">{banner}</Banner> : null}
      <div className="enrol-grid">
        <Field label="随访方案" htmlFor="enrol-plan" error={errors.planId}>
          <select
            id="enrol-plan"
            className="input"
            value={planId}
            onChange={(e) => setPlanId(e.target.value)}
          >
            <option value="">{plans.data ? '选择方案…' : '正在加载方案…'}</option>
            {(plans.data?.plans ?? []).map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}（{ANCHOR_LABEL[p.anchor]}起，{p.steps.length} 步）
              </option>
            ))}
          </select>
        </Field>
        <Field
          label={plan ? `${ANCHOR_LABEL[plan.anchor]}（D+0）` : '基准日期（D+0）'}
          htmlFor="enrol-anchor"
          error={errors.anchorDate}
          hint={plan?.anchor === 'enrolment' ? '留空为今天' : '留空则取患者临床记录中最近的对应日期'}
        >
          <input
            id="enrol-anchor"
            className="input"
            type="date"
            max={localDay(new Date(Date.now() + 365 * 86_400_000))}
            value={anchorDate}
            onChange={(e) => setAnchorDate(e.target.value)}
          />
        </Field>
        <Field
          label="责任护士"
          htmlFor="enrol-nurse"
          error={errors.nurseId}
          hint="默认为入组的护士，或患者的责任护士"
        >
          <select
            id="enrol-nurse"
            className="input"
            value={nurseId}
            onChange={(e) => setNurseId(e.target.value)}
          >
            <option value="">默认</option>
            {nurses.map((n) => (
              <option key={n.id} value={n.id}>
                {n.name}（{n.username}）
              </option>
            ))}
          </select>
        </Field>
      </div>
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? '正在入组…' : '确认入组'}
        </button>
        <button type="button" className="btn" onClick={onCancel}>
          取消
        </button>
      </div>
    </form>
  )
}

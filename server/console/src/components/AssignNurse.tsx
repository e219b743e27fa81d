import type { StaffPatientDetail } from '@careloop/shared'
import { useEffect, useState, type FormEvent } from 'react'
import { api, ApiError, errorText } from '../api'
import type { StaffDirectory } from '../staffDirectory'
import { Banner } from './Feedback'
import { Field } from './Field'

const assignError = (e: unknown): string => {
  if (e instanceof ApiError && e.code === 'STAFF_NOT_FOUND') return '未找到该护士账号，或该账号不是在职护士'
  if (e instanceof ApiError && e.code === 'VALIDATION_FAILED') return '护士账号 ID 应为 24 位字母数字'
  return errorText(e)
}

/**
 * 分配责任护士 (head nurse, admin). With the staff list (admin) it is a select of active nurses; a
 * role that may not list staff types the nurse's account id instead.
 */
export const AssignNurse = ({
  patientId,
  current,
  directory,
  onAssigned,
}: {
  patientId: string
  current: string | null
  directory: StaffDirectory
  onAssigned: (d: StaffPatientDetail) => void
}) => {
  const [choice, setChoice] = useState(current ?? '')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [done, setDone] = useState<string | null>(null)
  useEffect(() => setChoice(current ?? ''), [current])

  const nurses = directory.staff?.filter((s) => s.active && (s.role === 'nurse' || s.role === 'head_nurse'))
  const save = async (nurseId: string | null) => {
    setBusy(true)
    setError(null)
    setDone(null)
    try {
      const d = await api.assignNurse(patientId, nurseId)
      onAssigned(d)
      setDone(nurseId ? `已分配给 ${directory.nameOf(nurseId)}` : '已取消分配')
    } catch (e) {
      setError(assignError(e))
    } finally {
      setBusy(false)
    }
  }
  const submit = (ev: FormEvent) => {
    ev.preventDefault()
    void save(choice.trim() || null)
  }

  return (
    <section className="panel">
      <h2>分配责任护士</h2>
      <p className="panel-lead">
        当前：<b>{directory.nameOf(current)}</b>。责任护士可以在患者列表中看到该患者。
      </p>
      {error ? <Banner tone="error">{error}</Banner> : null}
      {done ? <Banner tone="success">{done}</Banner> : null}
      <form className="inline-form" onSubmit={submit}>
        {nurses ? (
          <Field label="责任护士" htmlFor="assign-nurse">
            <select
              id="assign-nurse"
              className="input"
              value={choice}
              onChange={(e) => setChoice(e.target.value)}
            >
              <option value="">未分配</option>
              {nurses.map((n) => (
                <option key={n.id} value={n.id}>
                  {n.name}（{n.username}）
                </option>
              ))}
            </select>
          </Field>
        ) : (
          <Field
            label="护士账号 ID"
            htmlFor="assign-nurse"
            hint="护士名单仅管理员可查看，请填写管理员提供的 24 位账号 ID"
          >
            <input
              id="assign-nurse"
              className="input code"
              value={choice}
              onChange={(e) => setChoice(e.target.value)}
              placeholder="例如 65f0c1a2b3c4d5e6f7a8b9c0"
            />
          </Field>
        )}
        <div className="inline-actions">
          <button
            type="submit"
            className="btn btn-primary"
            disabled={busy || (choice.trim() || null) === current}
          >
            {busy ? '正在保存…' : '保存分配'}
          </button>
          {current ? (
            <button type="button" className="btn" disabled={busy} onClick={() => void save(null)}>
              取消分配
            </button>
          ) : null}
        </div>
      </form>
    </section>
  )
}

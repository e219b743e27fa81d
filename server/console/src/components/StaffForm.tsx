import { STAFF_ROLES, type Staff, type StaffRole, type UpdateStaffRequest } from '@careloop/shared'
import { useState, type FormEvent } from 'react'
import { api, ApiError, errorText } from '../api'
import { ROLE_LABEL } from '../labels'
import { Banner } from './Feedback'
import { Field } from './Field'

type FieldName = 'username' | 'name' | 'role' | 'password' | 'wecomUserId' | 'active'
type Errors = Partial<Record<FieldName, string>>

/** Chinese wording for a field the server rejected (its own message is English). */
const FIELD_MESSAGE: Record<FieldName, string> = {
  username: '账号需为 3–32 位小写字母、数字或 . _ -',
  name: '请填写姓名（不超过 20 个字）',
  role: '请选择角色',
  password: '密码长度需为 10–128 位',
  wecomUserId: '企业微信 UserID 只能包含字母、数字和 _ . @ -，最长 64 位',
  active: '状态无效',
}

const toErrors = (e: ApiError): { fields: Errors; rest: string | null } => {
  if (e.code === 'STAFF_USERNAME_TAKEN')
    return { fields: { username: '该账号已被使用，请换一个' }, rest: null }
  const fields: Errors = {}
  let rest: string | null = null
  for (const [path, msg] of Object.entries(e.fieldErrors())) {
    if (path in FIELD_MESSAGE) fields[path as FieldName] = FIELD_MESSAGE[path as FieldName]
    else rest = msg === 'at least one field is required' ? '没有需要保存的修改' : msg
  }
  if (Object.keys(fields).length === 0 && rest === null) rest = errorText(e)
  return { fields, rest }
}

/** Create a staff account, or edit one (name, role, active, WeCom userid, password reset). */
export const StaffForm = ({
  editing,
  selfId,
  onSaved,
  onCancel,
}: {
  editing: Staff | null
  selfId: string
  onSaved: (s: Staff, created: boolean) => void
  onCancel: () => void
}) => {
  const [username, setUsername] = useState(editing?.username ?? '')
  const [name, setName] = useState(editing?.name ?? '')
  const [role, setRole] = useState<StaffRole>(editing?.role ?? 'nurse')
  const [password, setPassword] = useState('')
  const [wecomUserId, setWecomUserId] = useState(editing?.wecomUserId ?? '')
  const [active, setActive] = useState(editing?.active ?? true)
  const [errors, setErrors] = useState<Errors>({})
  const [banner, setBanner] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const self = editing?.id === selfId

  const changes = (s: Staff): UpdateStaffRequest => {
    const b: UpdateStaffRequest = {}
    if (name.trim() !== s.name) b.name = name
    if (role !== s.role) b.role = role
    if (active !== s.active) b.active = active
    if (password) b.password = password
    if ((wecomUserId.trim() || null) !== s.wecomUserId) b.wecomUserId = wecomUserId.trim() || null
    return b
  }

  const submit = async (ev: FormEvent) => {
    ev.preventDefault()
    setErrors({})
    setBanner(null)
    if (editing && Object.keys(changes(editing)).length === 0) {
      setBanner('没有需要保存的修改')
      return
    }
    setBusy(true)
    try {
      const r = editing
        ? await api.updateStaff(editing.id, changes(editing))
        : await api.createStaff({ username, name, role, password, wecomUserId: wecomUserId.trim() || null })
      onSaved(r.staff, !editing)
    } catch (e) {
      if (e instanceof ApiError) {
        const { fields, rest } = toErrors(e)
        setErrors(fields)
        setBanner(rest)
      } else setBanner(errorText(e))
      setBusy(false)
    }
  }

  return (
    <form className="staff-form" onSubmit={(e) => void submit(e)} noValidate data-testid="staff-form">
      <h2>{editing ? `编辑员工：${editing.name}` : '新建员工'}</h2>
      {banner ? <Banner tone="error">{banner}</Banner> : null}
      <Field
        label="登录账号"
        htmlFor="staff-username"
        error={errors.username}
        hint="3–32 位小写字母、数字或 . _ -"
      >
        <input
          id="staff-username"
          className="input"
          value={username}
          disabled={editing !== null}
          onChange={(e) => setUsername(e.target.value)}
          placeholder="例如 nurse.chen"
          autoComplete="off"
        />
      </Field>
      <Field label="姓名" htmlFor="staff-name" error={errors.name}>
        <input id="staff-name" className="input" value={name} onChange={(e) => setName(e.target.value)} />
      </Field>
      <Field
        label="角色"
        htmlFor="staff-role"
        error={errors.role}
        hint={self ? '不能修改自己的角色' : undefined}
      >
        <select
          id="staff-role"
          className="input"
          value={role}
          disabled={self}
          onChange={(e) => setRole(e.target.value as StaffRole)}
        >
          {STAFF_ROLES.map((r) => (
            <option key={r} value={r}>
              {ROLE_LABEL[r]}
            </option>
          ))}
        </select>
      </Field>
      <Field
        label={editing ? '重置密码' : '初始密码'}
        htmlFor="staff-password"
        error={errors.password}
        hint={editing ? '留空表示不修改；至少 10 位' : '至少 10 位，请通过安全渠道告知员工'}
      >
        <input
          id="staff-password"
          className="input"
          type="password"
          autoComplete="new-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
      </Field>
      <Field
        label="企业微信 UserID"
        htmlFor="staff-wecom"
        error={errors.wecomUserId}
        hint="选填；机器人据此识别护士"
      >
        <input
          id="staff-wecom"
          className="input"
          value={wecomUserId}
          onChange={(e) => setWecomUserId(e.target.value)}
          autoComplete="off"
        />
      </Field>
      {editing ? (
        <label className="checkbox">
          <input
            type="checkbox"
            checked={active}
            disabled={self}
            onChange={(e) => setActive(e.target.checked)}
          />
          账号启用{self ? '（不能停用自己）' : '（停用后立即失去访问权限）'}
        </label>
      ) : null}
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? '正在保存…' : editing ? '保存修改' : '创建账号'}
        </button>
        <button type="button" className="btn" onClick={onCancel} disabled={busy}>
          取消
        </button>
      </div>
    </form>
  )
}

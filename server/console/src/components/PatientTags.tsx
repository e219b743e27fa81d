import type { PatientTag, PatientTagsResponse, TagGroupsResponse } from '@careloop/shared'
import { useState, type FormEvent } from 'react'
import { api, ApiError, errorText } from '../api'
import { formatDateTime } from '../format'
import { TAG_SOURCE_LABEL } from '../labels'
import { mayCall } from '../router'
import { useSession } from '../session'
import { fieldMessage } from '../tagText'
import { useLoad } from '../useLoad'
import { Banner, EmptyState, Loading } from './Feedback'
import { Field } from './Field'
import { TagOptions } from './TagOptions'

const byText = (t: PatientTag): string =>
  t.by.kind === 'system' ? '系统' : (t.by.name ?? (t.by.id ? '员工' : '—'))

/** Field errors of an assign / unassign call, in Chinese; anything else as one sentence. */
const writeErrors = (e: unknown): { fields: Record<string, string>; rest: string | null } => {
  if (e instanceof ApiError && e.code === 'VALIDATION_FAILED') {
    const fields: Record<string, string> = {}
    for (const [k, v] of Object.entries(e.fieldErrors()))
      fields[k] = k === 'tagId' ? '请选择标签' : fieldMessage(v)
    if (Object.keys(fields).length > 0) return { fields, rest: null }
  }
  return { fields: {}, rest: errorText(e) }
}

/** 添加标签: a tag the patient does not have yet, and why. */
const AddTagForm = ({
  patientId,
  groups,
  has,
  onDone,
}: {
  patientId: string
  groups: TagGroupsResponse
  has: Set<string>
  onDone: (r: PatientTagsResponse, name: string) => void
}) => {
  const { session } = useSession()
  const canCreate = mayCall(session.staff.role, 'createTag')
  const [tagId, setTagId] = useState('')
  const [reason, setReason] = useState('')
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [banner, setBanner] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const available = groups.groups
    .map((g) => ({ ...g, tags: g.tags.filter((t) => !has.has(t.id)) }))
    .filter((g) => g.tags.length > 0)

  const submit = async (ev: FormEvent) => {
    ev.preventDefault()
    setBanner(null)
    const local: Record<string, string> = {}
    if (!tagId) local.tagId = '请选择标签'
    if (!reason.trim()) local.reason = '请填写原因，例如“门诊确诊 2 型糖尿病”'
    setErrors(local)
    if (Object.keys(local).length > 0) return
    setBusy(true)
    try {
      const r = await api.assignTag(patientId, { tagId, reason })
      const name = groups.groups.flatMap((g) => g.tags).find((t) => t.id === tagId)?.name ?? ''
      setTagId('')
      setReason('')
      onDone(r, name)
    } catch (e) {
      const { fields, rest } = writeErrors(e)
      setErrors(fields)
      setBanner(rest)
    } finally {
      setBusy(false)
    }
  }

  if (groups.groups.every((g) => g.tags.length === 0))
    return (
      <div className="muted form-note">
        还没有可用的标签：
        {canCreate ? '请先在“标签管理”中创建标签分组和标签。' : '请联系运营专员、护士长或管理员创建标签。'}
      </div>
    )
  return (
    <form className="inline-form tag-assign" onSubmit={(e) => void submit(e)} noValidate>
      {banner ? <Banner tone="error">{banner}</Banner> : null}
      <Field label="添加标签" htmlFor="patient-tag" error={errors.tagId}>
        <select id="patient-tag" className="input" value={tagId} onChange={(e) => setTagId(e.target.value)}>
          <TagOptions
            groups={available}
            placeholder={available.length > 0 ? '请选择标签' : '已添加全部标签'}
          />
        </select>
      </Field>
      <Field label="原因" htmlFor="patient-tag-reason" error={errors.reason} hint="必填，不超过 100 个字">
        <input
          id="patient-tag-reason"
          className="input"
          value={reason}
          maxLength={100}
          onChange={(e) => setReason(e.target.value)}
          placeholder="例如 门诊确诊 2 型糖尿病"
        />
      </Field>
      <div className="inline-actions">
        <button type="submit" className="btn btn-primary" disabled={busy || available.length === 0}>
          {busy ? '正在添加…' : '添加'}
        </button>
      </div>
    </form>
  )
}

/** 移除标签「X」 with a required reason. */
const RemoveTagForm = ({
  patientId,
  tag,
  onDone,
  onCancel,
}: {
  patientId: string
  tag: PatientTag
  onDone: (r: PatientTagsResponse) => void
  onCancel: () => void
}) => {
  const [reason, setReason] = useState('')
  const [error, setError] = useState<string | undefined>()
  const [banner, setBanner] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  const submit = async (ev: FormEvent) => {
    ev.preventDefault()
    setBanner(null)
    if (!reason.trim()) {
      setError('请填写移除原因')
      return
    }
    setError(undefined)
    setBusy(true)
    try {
      onDone(await api.unassignTag(patientId, tag.tagId, reason))
    } catch (e) {
      const { fields, rest } = writeErrors(e)
      setError(fields.reason)
      setBanner(rest)
      setBusy(false)
    }
  }

  return (
    <form className="tag-remove" onSubmit={(e) => void submit(e)} noValidate data-testid="remove-tag-form">
      <div className="tag-remove-title">
        移除标签 <span className="chip chip-tag">{tag.name}</span>
        {tag.source !== 'manual' ? (
          <span className="subtle">
            该标签来自{TAG_SOURCE_LABEL[tag.source]}
            {tag.source === 'rule' ? '，规则仍满足时可能会被重新添加' : ''}
          </span>
        ) : null}
      </div>
      {banner ? <Banner tone="error">{banner}</Banner> : null}
      <div className="inline-form">
        <Field label="移除原因" htmlFor="untag-reason" error={error} hint="必填，不超过 100 个字">
          <input
            id="untag-reason"
            className="input"
            value={reason}
            maxLength={100}
            autoFocus
            onChange={(e) => setReason(e.target.value)}
            placeholder="例如 复诊排除诊断"
          />
        </Field>
        <div className="inline-actions">
          <button type="submit" className="btn btn-danger" disabled={busy}>
            {busy ? '正在移除…' : '确认移除'}
          </button>
          <button type="button" className="btn" onClick={onCancel} disabled={busy}>
            取消
          </button>
        </div>
      </div>
    </form>
  )
}

/**
 * 标签 card of the patient detail: every tag with its group, source, reason, who and when; clinical
 * roles the catalogue allows add (picker + reason) and remove (reason).
 */
export const PatientTags = ({
  patientId,
  refreshKey = 0,
}: {
  patientId: string
  /** Changing it reloads the tags (another card changed them, e.g. a clinical event's rule tags). */
  refreshKey?: number
}) => {
  const { session } = useSession()
  const role = session.staff.role
  const canAssign = mayCall(role, 'assignTag')
  const canRemove = mayCall(role, 'unassignTag')
  const tags = useLoad(() => api.patientTags(patientId), [patientId, refreshKey])
  const groups = useLoad(() => (canAssign ? api.listTagGroups() : Promise.resolve(null)), [canAssign])
  const [removing, setRemoving] = useState<PatientTag | null>(null)
  const [notice, setNotice] = useState<string | null>(null)

  const rows = tags.data?.tags ?? []
  const has = new Set(rows.map((t) => t.tagId))
  return (
    <section className="panel" data-testid="patient-tags">
      <div className="panel-head">
        <h2>标签</h2>
        {tags.data ? <span className="panel-count">{rows.length} 个</span> : null}
        {tags.loading && tags.data ? <span className="toolbar-note">正在刷新…</span> : null}
      </div>
      {notice ? (
        <Banner tone="success" onClose={() => setNotice(null)}>
          {notice}
        </Banner>
      ) : null}
      {tags.error ? (
        <Banner tone="error">
          标签加载失败：{errorText(tags.error)}{' '}
          <button type="button" className="link-button" onClick={tags.reload}>
            重试
          </button>
        </Banner>
      ) : null}
      {tags.loading && !tags.data ? <Loading text="正在加载标签…" /> : null}
      {tags.data && rows.length === 0 ? (
        <EmptyState
          title="暂无标签"
          hint={
            canAssign && groups.data?.groups.some((g) => g.tags.length > 0)
              ? '可在下方为患者添加标签，并写明原因。'
              : undefined
          }
        />
      ) : null}
      {rows.length > 0 ? (
        <div className="table-wrap">
          <table className="table table-dense" data-testid="patient-tags-table">
            <thead>
              <tr>
                <th>标签</th>
                <th>分组</th>
                <th>来源</th>
                <th>原因</th>
                <th>操作人</th>
                <th>时间</th>
                {canRemove ? <th className="cell-actions">操作</th> : null}
              </tr>
            </thead>
            <tbody>
              {rows.map((t) => (
                <tr key={t.tagId} data-testid="patient-tag-row" data-tag={t.name}>
                  <td>
                    <span className="chip chip-tag">{t.name}</span>
                  </td>
                  <td>{t.groupName || '—'}</td>
                  <td>
                    <span className={`source source-${t.source}`}>{TAG_SOURCE_LABEL[t.source]}</span>
                  </td>
                  <td className="cell-reason">{t.reason}</td>
                  <td className="nowrap">{byText(t)}</td>
                  <td className="nowrap">{formatDateTime(t.at)}</td>
                  {canRemove ? (
                    <td className="cell-actions">
                      <button
                        type="button"
                        className="link-button link-danger"
                        onClick={() => {
                          setNotice(null)
                          setRemoving(t)
                        }}
                      >
                        移除
                      </button>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {removing ? (
        <RemoveTagForm
          key={removing.tagId}
          patientId={patientId}
          tag={removing}
          onCancel={() => setRemoving(null)}
          onDone={(r) => {
            tags.set(r)
            setNotice(`已移除标签“${removing.name}”`)
            setRemoving(null)
          }}
        />
      ) : null}
      {canAssign && groups.error ? (
        <Banner tone="error">标签列表加载失败：{errorText(groups.error)}</Banner>
      ) : null}
      {canAssign && groups.data && tags.data ? (
        <AddTagForm
          patientId={patientId}
          groups={groups.data}
          has={has}
          onDone={(r, name) => {
            tags.set(r)
            setRemoving(null)
            setNotice(`已添加标签“${name}”`)
          }}
        />
      ) : null}
    </section>
  )
}

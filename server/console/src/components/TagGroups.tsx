import { TAG_GROUP_KINDS, type TagGroup, type TagGroupsResponse } from '@careloop/shared'

type Kind = TagGroup['kind']
import { useState, type FormEvent } from 'react'
import { api } from '../api'
import { TAG_KIND_LABEL } from '../labels'
import { nameFormErrors, TAG_NAME_RULES } from '../tagText'
import { Banner } from './Feedback'
import { Field } from './Field'

/** 新建分组: name and kind; the server's errors inline. */
export const NewGroupForm = ({
  onCreated,
  onCancel,
}: {
  onCreated: (r: TagGroupsResponse, name: string) => void
  onCancel: () => void
}) => {
  const [name, setName] = useState('')
  const [kind, setKind] = useState<Kind>('disease')
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [banner, setBanner] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  const submit = async (ev: FormEvent) => {
    ev.preventDefault()
    setErrors({})
    setBanner(null)
    setBusy(true)
    try {
      const r = await api.createTagGroup({ name, kind })
      onCreated(r, name.trim())
    } catch (e) {
      const { fields, rest } = nameFormErrors(e, name, '分组')
      setErrors(fields)
      setBanner(rest)
    } finally {
      setBusy(false)
    }
  }

  return (
    <form className="panel" onSubmit={(e) => void submit(e)} noValidate data-testid="new-group-form">
      <h2>新建标签分组</h2>
      <p className="panel-lead">分组按标签描述的内容归类，例如“慢病”（疾病）、“随访阶段”（病程阶段）。</p>
      {banner ? <Banner tone="error">{banner}</Banner> : null}
      <div className="inline-form">
        <Field
          label="分组名称"
          htmlFor="group-name"
          error={errors.name}
          hint="不超过 20 个字，分组名称不能重复"
        >
          <input
            id="group-name"
            className="input"
            value={name}
            onChange={(e) => {
              setName(e.target.value)
              setErrors({})
            }}
            placeholder="例如 慢病"
            autoComplete="off"
          />
        </Field>
        <Field label="分组类型" htmlFor="group-kind" error={errors.kind}>
          <select
            id="group-kind"
            className="input"
            value={kind}
            onChange={(e) => setKind(e.target.value as Kind)}
          >
            {TAG_GROUP_KINDS.map((k) => (
              <option key={k} value={k}>
                {TAG_KIND_LABEL[k]}
              </option>
            ))}
          </select>
        </Field>
        <div className="inline-actions">
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? '正在创建…' : '创建分组'}
          </button>
          <button type="button" className="btn" onClick={onCancel} disabled={busy}>
            取消
          </button>
        </div>
      </div>
    </form>
  )
}

/** 添加标签 inside a group card. */
const NewTagForm = ({
  group,
  onCreated,
}: {
  group: TagGroup
  onCreated: (r: TagGroupsResponse, name: string) => void
}) => {
  const [name, setName] = useState('')
  const [description, setDescription] = useState('')
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [banner, setBanner] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const id = `tag-name-${group.id}`

  const submit = async (ev: FormEvent) => {
    ev.preventDefault()
    setErrors({})
    setBanner(null)
    setBusy(true)
    try {
      const r = await api.createTag(group.id, { name, description: description.trim() || null })
      setName('')
      setDescription('')
      onCreated(r, name.trim())
    } catch (e) {
      const { fields, rest } = nameFormErrors(e, name, '标签')
      setErrors(fields)
      setBanner(rest)
    } finally {
      setBusy(false)
    }
  }

  return (
    <form className="new-tag-form" onSubmit={(e) => void submit(e)} noValidate data-testid="new-tag-form">
      {banner ? <Banner tone="error">{banner}</Banner> : null}
      <div className="new-tag-row">
        <Field label="新标签名称" htmlFor={id} error={errors.name}>
          <input
            id={id}
            className="input"
            value={name}
            onChange={(e) => {
              setName(e.target.value)
              setErrors({})
            }}
            placeholder="例如 糖尿病"
            autoComplete="off"
          />
        </Field>
        <Field label="说明（选填）" htmlFor={`${id}-desc`} error={errors.description}>
          <input
            id={`${id}-desc`}
            className="input"
            value={description}
            onChange={(e) => setDescription(e.target.value)}
            placeholder="例如 确诊 2 型糖尿病"
          />
        </Field>
        <div className="inline-actions">
          <button type="submit" className="btn btn-primary" disabled={busy || name.trim() === ''}>
            {busy ? '正在添加…' : '添加标签'}
          </button>
        </div>
      </div>
      <div className="field-hint">命名规则：{TAG_NAME_RULES}。标签名在所有分组中唯一。</div>
    </form>
  )
}

/** One group: its kind, its tags as chips, and (for editors) the add-tag form. */
export const TagGroupCard = ({
  group,
  editable,
  onCreated,
}: {
  group: TagGroup
  editable: boolean
  onCreated: (r: TagGroupsResponse, name: string) => void
}) => (
  <section className="panel tag-group" data-testid="tag-group" data-name={group.name}>
    <div className="tag-group-head">
      <h2>{group.name}</h2>
      <span className={`kind-badge kind-${group.kind}`}>{TAG_KIND_LABEL[group.kind]}</span>
      <span className="tag-group-count">{group.tags.length} 个标签</span>
    </div>
    {group.tags.length === 0 ? (
      <div className="tag-group-empty muted">该分组还没有标签{editable ? '，可在下方添加' : ''}</div>
    ) : (
      <ul className="tag-list">
        {group.tags.map((t) => (
          <li key={t.id} className="tag-item" data-testid="tag-item">
            <span className="chip chip-tag">{t.name}</span>
            {t.description ? <span className="tag-desc">{t.description}</span> : null}
          </li>
        ))}
      </ul>
    )}
    {editable ? <NewTagForm group={group} onCreated={onCreated} /> : null}
  </section>
)

import {
  COMPARE_OPS,
  describeTagRuleCondition,
  MAX_RULE_ATOMS,
  PATIENT_EVENT_KIND_LABELS,
  PATIENT_EVENT_KINDS,
  RELATIONS,
  type PatientEventKind,
  type Relation,
  type TagGroupsResponse,
  type TagRule,
  type TagRuleCompareOp,
  type TagRulePreviewResponse,
} from '@careloop/shared'
import { useState, type FormEvent } from 'react'
import { api, ApiError, errorText } from '../api'
import { dash } from '../format'
import { COMPARE_LABEL, GENDER_LABEL, RELATION_LABEL } from '../labels'
import {
  ATOM_TYPE_LABEL,
  checkAtom,
  fromAtom,
  newAtom,
  retype,
  serverAtomErrors,
  toCondition,
  type AtomDraft,
  type AtomErrors,
  type AtomType,
} from '../ruleDraft'
import { fieldMessage } from '../tagText'
import { useLive } from '../useLive'
import { Banner, EmptyState } from './Feedback'
import { Field } from './Field'
import { TagOptions } from './TagOptions'

const PREVIEW_DELAY_MS = 500
const ATOM_TYPES = Object.keys(ATOM_TYPE_LABEL) as AtomType[]

/** The inputs of one atom, by its type. */
const AtomRow = ({
  atom,
  index,
  errors,
  onChange,
  onRemove,
}: {
  atom: AtomDraft
  index: number
  errors: AtomErrors
  onChange: (a: AtomDraft) => void
  onRemove: (() => void) | null
}) => {
  const set = (patch: Partial<AtomDraft>) => onChange({ ...atom, ...patch })
  const id = `atom-${atom.id}`
  const kindSelect = (label: string) => (
    <Field label={label} htmlFor={`${id}-kind`}>
      <select
        id={`${id}-kind`}
        className="input"
        value={atom.kind}
        onChange={(e) => set({ kind: e.target.value as PatientEventKind })}
      >
        {PATIENT_EVENT_KINDS.map((k) => (
          <option key={k} value={k}>
            {PATIENT_EVENT_KIND_LABELS[k]}
          </option>
        ))}
      </select>
    </Field>
  )
  const opSelect = (
    <Field label="比较" htmlFor={`${id}-op`}>
      <select
        id={`${id}-op`}
        className="input"
        value={atom.op}
        onChange={(e) => set({ op: e.target.value as TagRuleCompareOp })}
      >
        {COMPARE_OPS.map((o) => (
          <option key={o} value={o}>
            {COMPARE_LABEL[o]}
          </option>
        ))}
      </select>
    </Field>
  )
  const eqSelect = (
    <Field label="条件" htmlFor={`${id}-eq`}>
      <select
        id={`${id}-eq`}
        className="input"
        value={atom.eq}
        onChange={(e) => set({ eq: e.target.value as '=' | '!=' })}
      >
        <option value="=">是</option>
        <option value="!=">不是</option>
      </select>
    </Field>
  )
  const numberInput = (label: string, field: 'value' | 'days', hint?: string, placeholder?: string) => (
    <Field label={label} htmlFor={`${id}-${field}`} error={errors[field]} hint={hint}>
      <input
        id={`${id}-${field}`}
        className="input"
        inputMode="numeric"
        value={atom[field]}
        placeholder={placeholder}
        onChange={(e) => set({ [field]: e.target.value })}
      />
    </Field>
  )
  const prefixInput = (label: string, placeholder: string) => (
    <Field label={label} htmlFor={`${id}-prefix`} error={errors.codePrefix}>
      <input
        id={`${id}-prefix`}
        className="input code"
        value={atom.codePrefix}
        placeholder={placeholder}
        onChange={(e) => set({ codePrefix: e.target.value })}
      />
    </Field>
  )

  return (
    <div className="atom-row" data-testid="rule-atom">
      <span className="atom-index">{index + 1}</span>
      <Field label="条件类型" htmlFor={`${id}-type`}>
        <select
          id={`${id}-type`}
          className="input"
          value={atom.type}
          onChange={(e) => onChange(retype(atom, e.target.value as AtomType))}
        >
          {ATOM_TYPES.map((t) => (
            <option key={t} value={t}>
              {ATOM_TYPE_LABEL[t]}
            </option>
          ))}
        </select>
      </Field>
      {atom.type === 'age' ? (
        <>
          {opSelect}
          {numberInput('年龄（岁）', 'value')}
        </>
      ) : null}
      {atom.type === 'gender' ? (
        <>
          {eqSelect}
          <Field label="性别" htmlFor={`${id}-gender`}>
            <select
              id={`${id}-gender`}
              className="input"
              value={atom.gender}
              onChange={(e) => set({ gender: e.target.value as 'male' | 'female' })}
            >
              <option value="female">{GENDER_LABEL.female}</option>
              <option value="male">{GENDER_LABEL.male}</option>
            </select>
          </Field>
        </>
      ) : null}
      {atom.type === 'relation' ? (
        <>
          {eqSelect}
          <Field label="关系" htmlFor={`${id}-relation`}>
            <select
              id={`${id}-relation`}
              className="input"
              value={atom.relation}
              onChange={(e) => set({ relation: e.target.value as Relation })}
            >
              {RELATIONS.map((r) => (
                <option key={r} value={r}>
                  {RELATION_LABEL[r]}
                </option>
              ))}
            </select>
          </Field>
        </>
      ) : null}
      {atom.type === 'event' ? (
        <>
          {kindSelect('记录类型')}
          {prefixInput('编码前缀（选填）', '如 E11')}
          {numberInput('时间范围（天，选填）', 'days', undefined, '不限')}
        </>
      ) : null}
      {atom.type === 'noEvent' ? (
        <>
          {kindSelect('记录类型')}
          {numberInput('超过（天）', 'days')}
          {prefixInput('编码前缀（选填）', '不限')}
        </>
      ) : null}
      {atom.type === 'eventCount' ? (
        <>
          {kindSelect('记录类型')}
          {numberInput('近（天）', 'days')}
          {opSelect}
          {numberInput('次数', 'value')}
          {prefixInput('编码前缀（选填）', '不限')}
        </>
      ) : null}
      <button
        type="button"
        className="atom-remove"
        aria-label={`删除条件 ${index + 1}`}
        title="删除此条件"
        disabled={!onRemove}
        onClick={onRemove ?? undefined}
      >
        ×
      </button>
    </div>
  )
}

/** Preview of a condition: how many patients it holds for now, and a few with the reason. */
const RulePreview = ({
  preview,
  pending,
  error,
  description,
}: {
  preview: TagRulePreviewResponse | null
  pending: boolean
  error: unknown
  description: string | null
}) => (
  <div className="rule-preview" data-testid="rule-preview">
    <div className="card-title">当前符合条件的患者</div>
    <div
      className={`count-value${pending ? ' count-stale' : ''}`}
      data-testid="rule-count"
      data-pending={pending}
    >
      {preview && description ? (
        <>
          {preview.count.toLocaleString('zh-CN')}
          <span className="count-unit">位</span>
        </>
      ) : (
        <span className="count-none">—</span>
      )}
    </div>
    <div className="rule-description">
      {description ?? <span className="muted">请先把条件填写完整</span>}
      {pending ? (
        <span className="count-status">
          <span className="spinner" aria-hidden /> 正在计算…
        </span>
      ) : null}
    </div>
    {error ? <Banner tone="error">预览失败：{errorText(error)}</Banner> : null}
    {preview && description ? (
      preview.sample.length === 0 ? (
        <EmptyState title="目前没有患者满足该条件" hint="保存后，患者产生新的记录时会自动重新判断。" />
      ) : (
        <>
          <div className="sample-title">示例（最多 5 位，姓名已脱敏）与打标签依据</div>
          <ul className="rule-sample" data-testid="rule-sample">
            {preview.sample.map((p) => (
              <li key={p.id}>
                <div className="rule-sample-who">
                  <b>{p.name ?? '未填写'}</b>
                  <span className="subtle">
                    {[p.gender ? GENDER_LABEL[p.gender] : null, p.birthYear ? `${p.birthYear} 年生` : null]
                      .filter(Boolean)
                      .join(' · ') || dash(null)}
                  </span>
                </div>
                <div className="rule-sample-why">{p.because}</div>
              </li>
            ))}
          </ul>
        </>
      )
    ) : null}
  </div>
)

/**
 * 新建 / 编辑规则: name, the tag it gives, enabled, and the condition built from atoms (all / any);
 * a live preview (count, examples, why) while the condition is complete.
 */
export const RuleEditor = ({
  editing,
  groups,
  onSaved,
  onCancel,
}: {
  editing: TagRule | null
  groups: TagGroupsResponse
  onSaved: (r: TagRule, created: boolean) => void
  onCancel: () => void
}) => {
  const initial = editing?.condition
  const [name, setName] = useState(editing?.name ?? '')
  const [tagId, setTagId] = useState(editing?.tagId ?? '')
  const [enabled, setEnabled] = useState(editing?.enabled ?? true)
  const [mode, setMode] = useState<'all' | 'any'>(initial && 'any' in initial ? 'any' : 'all')
  const [atoms, setAtoms] = useState<AtomDraft[]>(() =>
    initial ? ('all' in initial ? initial.all : initial.any).map(fromAtom) : [newAtom('event')],
  )
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [serverAtoms, setServerAtoms] = useState<Record<number, AtomErrors>>({})
  const [banner, setBanner] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  const condition = toCondition(mode, atoms)
  const previewName = name.trim().length > 0 && name.trim().length <= 30 ? name.trim() : undefined
  const live = useLive(
    condition ? JSON.stringify({ condition, previewName }) : '',
    (signal) => api.previewTagRule({ condition: condition!, name: previewName }, signal),
    PREVIEW_DELAY_MS,
  )

  const update = (a: AtomDraft) => {
    setAtoms((xs) => xs.map((x) => (x.id === a.id ? a : x)))
    setServerAtoms((s) => ({ ...s, [a.id]: {} }))
  }

  const submit = async (ev: FormEvent) => {
    ev.preventDefault()
    setBanner(null)
    const local: Record<string, string> = {}
    if (!name.trim()) local.name = '请填写规则名称'
    if (!tagId) local.tagId = '请选择要打的标签'
    setErrors(local)
    if (Object.keys(local).length > 0 || !condition) {
      if (!condition) setBanner('请先修正标红的条件')
      return
    }
    setBusy(true)
    try {
      const body = { name, tagId, enabled, condition }
      const r = editing ? await api.updateTagRule(editing.id, body) : await api.createTagRule(body)
      onSaved(r, !editing)
    } catch (e) {
      setBusy(false)
      if (e instanceof ApiError && e.code === 'TAG_RULE_NAME_TAKEN')
        return setErrors({ name: `已有名为“${name.trim()}”的规则` })
      if (e instanceof ApiError && e.code === 'TAG_NOT_FOUND')
        return setErrors({ tagId: '该标签已不存在，请重新选择' })
      if (e instanceof ApiError && e.code === 'VALIDATION_FAILED') {
        const f = e.fieldErrors()
        const fields: Record<string, string> = {}
        if (f.name) fields.name = fieldMessage(f.name)
        if (f.tagId) fields.tagId = '请选择要打的标签'
        setErrors(fields)
        const onAtoms = serverAtomErrors(e.issues(), atoms)
        setServerAtoms(onAtoms)
        if (f.condition)
          setBanner(Object.keys(onAtoms).length > 0 ? '请修正标红的条件' : `条件有误：${f.condition}`)
        else if (Object.keys(fields).length === 0) setBanner(errorText(e))
        return
      }
      setBanner(errorText(e))
    }
  }

  return (
    <form className="panel rule-editor" onSubmit={(e) => void submit(e)} noValidate data-testid="rule-editor">
      <h2>{editing ? `编辑规则：${editing.name}` : '新建自动打标签规则'}</h2>
      <p className="panel-lead">
        条件满足时自动为患者打上标签，并记录依据；条件不再满足时自动移除。不会改动手动或其他来源打上的同名标签。
      </p>
      {banner ? <Banner tone="error">{banner}</Banner> : null}
      <div className="rule-head">
        <Field label="规则名称" htmlFor="rule-name" error={errors.name} hint="不超过 30 个字，不能重复">
          <input
            id="rule-name"
            className="input"
            value={name}
            maxLength={30}
            onChange={(e) => setName(e.target.value)}
            placeholder="例如 糖尿病自动标签"
          />
        </Field>
        <Field label="打上标签" htmlFor="rule-tag" error={errors.tagId}>
          <select id="rule-tag" className="input" value={tagId} onChange={(e) => setTagId(e.target.value)}>
            <TagOptions groups={groups.groups.filter((g) => g.tags.length > 0)} placeholder="请选择标签" />
          </select>
        </Field>
        <label className="checkbox rule-enabled">
          <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
          启用规则
        </label>
      </div>

      <div className="rule-body">
        <div className="rule-conditions">
          <div className="rule-mode" role="radiogroup" aria-label="条件组合方式">
            <span className="field-label">患者满足</span>
            <label className={`mode-option${mode === 'all' ? ' mode-option-on' : ''}`}>
              <input type="radio" name="rule-mode" checked={mode === 'all'} onChange={() => setMode('all')} />
              全部条件
            </label>
            <label className={`mode-option${mode === 'any' ? ' mode-option-on' : ''}`}>
              <input type="radio" name="rule-mode" checked={mode === 'any'} onChange={() => setMode('any')} />
              任一条件
            </label>
          </div>
          {atoms.map((a, i) => (
            <AtomRow
              key={a.id}
              atom={a}
              index={i}
              errors={{ ...checkAtom(a), ...serverAtoms[a.id] }}
              onChange={update}
              onRemove={atoms.length > 1 ? () => setAtoms((xs) => xs.filter((x) => x.id !== a.id)) : null}
            />
          ))}
          <button
            type="button"
            className="btn btn-small"
            disabled={atoms.length >= MAX_RULE_ATOMS}
            onClick={() => setAtoms((xs) => [...xs, newAtom('age')])}
          >
            + 添加条件
          </button>
          <span className="subtle add-note">
            最多 {MAX_RULE_ATOMS} 个条件；诊断编码按 ICD-10 前缀匹配，不区分大小写
          </span>
        </div>
        <RulePreview
          preview={live.data}
          pending={live.pending}
          error={live.error}
          description={condition ? describeTagRuleCondition(condition) : null}
        />
      </div>

      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? '正在保存…' : editing ? '保存修改' : '创建规则'}
        </button>
        <button type="button" className="btn" onClick={onCancel} disabled={busy}>
          取消
        </button>
      </div>
    </form>
  )
}

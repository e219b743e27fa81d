import {
  COMMUNITY_MAX_CAPACITY,
  type Community,
  type TagGroupsResponse,
  type WecomGroupsResponse,
} from '@careloop/shared'
import { useState, type FormEvent } from 'react'
import { api } from '../api'
import { communityErrorText, formErrors, wecomGroupStatusText } from '../communityText'
import { ROLE_LABEL } from '../labels'
import { useSession } from '../session'
import { useStaffDirectory } from '../staffDirectory'
import { useLoad } from '../useLoad'
import { Banner, Loading } from './Feedback'
import { Field } from './Field'
import { TagOptions } from './TagOptions'

/** A staff member who may own a community (an active nurse or head nurse), as far as the console knows. */
export interface OwnerCandidate {
  id: string
  name: string
  /** null: not linked to a WeCom account, so she cannot own a group. */
  wecomUserId: string | null
}

const OBJECT_ID = /^[0-9a-f]{24}$/i
const OTHER = '__other__'

/** The disease tag picker: disease groups first, every tag selectable. */
const DiseaseTagSelect = ({
  groups,
  value,
  onChange,
  error,
}: {
  groups: TagGroupsResponse
  value: string
  onChange: (id: string) => void
  error: string | undefined
}) => {
  const ordered = [...groups.groups]
    .filter((g) => g.tags.length > 0)
    .sort((a, b) => Number(b.kind === 'disease') - Number(a.kind === 'disease'))
  return (
    <Field
      label="病种标签"
      htmlFor="community-tag"
      error={error}
      hint="患者入群后自动打上该标签；小程序也按此标签向患者推荐社群"
    >
      <select
        id="community-tag"
        className="input"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={error ? true : undefined}
      >
        <TagOptions groups={ordered} placeholder={ordered.length > 0 ? '请选择病种标签' : '还没有标签'} />
      </select>
    </Field>
  )
}

/**
 * The owner's WeCom customer groups (groupchat/list) to link one: the nurse creates the group in
 * WeCom first, then it shows up here after 刷新.
 */
const WecomGroupPicker = ({
  ownerNurseId,
  value,
  onChange,
  error,
}: {
  ownerNurseId: string
  value: string
  onChange: (chatId: string, name: string) => void
  error: string | undefined
}) => {
  const groups = useLoad<WecomGroupsResponse | null>(
    () => (OBJECT_ID.test(ownerNurseId) ? api.listWecomGroups(ownerNurseId) : Promise.resolve(null)),
    [ownerNurseId],
  )
  const list = groups.data?.groups ?? []
  return (
    <div className={`field wecom-picker${error ? ' field-invalid' : ''}`} data-testid="wecom-group-picker">
      <div className="wecom-picker-head">
        <span className="field-label" id="wecom-group-label">
          企业微信客户群
        </span>
        {groups.data ? (
          <button type="button" className="link-button" onClick={groups.reload} disabled={groups.loading}>
            {groups.loading ? '正在刷新…' : '刷新群列表'}
          </button>
        ) : null}
      </div>
      <ol className="wecom-steps">
        <li>
          群主护士先在<b>企业微信</b>中创建客户群：手机端「工作台 → 客户群 → 创建」，群名建议与社群名称一致；
        </li>
        <li>创建后回到这里点「刷新群列表」，选择该群。一个群只能关联一个社群。</li>
      </ol>
      {!OBJECT_ID.test(ownerNurseId) ? (
        <div className="wecom-picker-empty muted">请先选择群主护士，再选择她的客户群。</div>
      ) : groups.error ? (
        <Banner tone="error">
          读取企业微信客户群失败：{communityErrorText(groups.error)}{' '}
          <button type="button" className="link-button" onClick={groups.reload}>
            重试
          </button>
        </Banner>
      ) : groups.loading && !groups.data ? (
        <Loading text="正在读取企业微信客户群…" />
      ) : groups.data && list.length === 0 ? (
        <div className="wecom-picker-empty">
          <b>{groups.data.ownerNurse.name}</b>（企业微信账号 {groups.data.ownerNurse.wecomUserId}
          ）名下还没有客户群。请她先在企业微信中创建，再点「刷新群列表」。
        </div>
      ) : (
        <ul className="wecom-groups" role="radiogroup" aria-labelledby="wecom-group-label">
          {list.map((g) => {
            const linked = g.communityId !== null
            const warn = wecomGroupStatusText(g.status)
            const checked = value === g.chatId
            return (
              <li key={g.chatId}>
                <label
                  className={`wecom-group${checked ? ' wecom-group-on' : ''}${linked ? ' wecom-group-off' : ''}`}
                  data-testid="wecom-group"
                  data-name={g.name}
                >
                  <input
                    type="radio"
                    name="wecom-group"
                    value={g.chatId}
                    checked={checked}
                    disabled={linked}
                    onChange={() => onChange(g.chatId, g.name)}
                  />
                  <span className="wecom-group-name">{g.name || '未命名群'}</span>
                  <span className="wecom-group-meta">
                    {g.memberCount} 人{warn ? ` · ${warn}` : ''}
                  </span>
                  {linked ? (
                    <a className="wecom-group-linked" href={`#/communities/${g.communityId ?? ''}`}>
                      已关联社群
                    </a>
                  ) : null}
                </label>
              </li>
            )
          })}
        </ul>
      )}
      {error ? (
        <div className="field-error" id="community-chat-error">
          {error}
        </div>
      ) : null}
    </div>
  )
}

/** 群主护士: a select of the known owners, or the nurse's account id when the role may not list staff. */
const OwnerField = ({
  owners,
  value,
  onChange,
  error,
  listed,
}: {
  owners: OwnerCandidate[]
  value: string
  onChange: (id: string) => void
  error: string | undefined
  /** The candidates are every nurse (admin); otherwise only those the console knows. */
  listed: boolean
}) => {
  const known = owners.some((o) => o.id === value)
  const [other, setOther] = useState(!listed && value !== '' && !known)
  const choice = other ? OTHER : value
  return (
    <Field
      label="群主护士"
      htmlFor="community-owner"
      error={error}
      hint={
        listed
          ? '须为在职护士或护士长，且已绑定企业微信账号（群主即企业微信群的群主）'
          : '护士名单仅管理员可查看：可选择已有社群的群主或您本人，其他护士请填写管理员提供的账号 ID'
      }
    >
      <select
        id="community-owner"
        className="input"
        value={choice}
        onChange={(e) => {
          const v = e.target.value
          setOther(v === OTHER)
          onChange(v === OTHER ? '' : v)
        }}
      >
        <option value="">请选择群主护士</option>
        {owners.map((o) => (
          <option key={o.id} value={o.id} disabled={!o.wecomUserId}>
            {o.name}
            {o.wecomUserId ? `（企业微信 ${o.wecomUserId}）` : '（未绑定企业微信，不能担任群主）'}
          </option>
        ))}
        {!listed ? <option value={OTHER}>其他护士（填写账号 ID）</option> : null}
      </select>
      {other ? (
        <input
          id="community-owner-id"
          className="input code owner-id-input"
          value={value}
          onChange={(e) => onChange(e.target.value.trim())}
          placeholder="24 位账号 ID，例如 65f0c1a2b3c4d5e6f7a8b9c0"
          aria-label="群主护士账号 ID"
        />
      ) : null}
    </Field>
  )
}

/**
 * 新建社群 / 编辑社群 (head nurse, admin): name, disease tag, owner nurse, the owner's WeCom customer
 * group (create only: a community stays on its group), capacity and a short description.
 */
export const CommunityForm = ({
  editing,
  tagGroups,
  owners,
  ownersListed,
  onSaved,
  onCancel,
}: {
  editing: Community | null
  tagGroups: TagGroupsResponse
  owners: OwnerCandidate[]
  ownersListed: boolean
  onSaved: (c: Community, created: boolean) => void
  onCancel: () => void
}) => {
  const [name, setName] = useState(editing?.name ?? '')
  const [description, setDescription] = useState(editing?.description ?? '')
  const [tagId, setTagId] = useState(editing?.diseaseTag.id ?? '')
  const [ownerId, setOwnerId] = useState(editing?.ownerNurse.id ?? '')
  const [chatId, setChatId] = useState(editing?.chatId ?? '')
  const [capacity, setCapacity] = useState(String(editing?.capacity ?? COMMUNITY_MAX_CAPACITY))
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [banner, setBanner] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const ownerChanged = editing !== null && ownerId !== editing.ownerNurse.id

  /** Editing a field clears its error (the rest stay until the next submit). */
  const clear = (field: string) =>
    setErrors((e) => {
      if (!(field in e)) return e
      const { [field]: _gone, ...rest } = e
      return rest
    })

  const setOwner = (id: string) => {
    setOwnerId(id)
    if (!editing) setChatId('')
    setErrors(({ ownerNurseId: _o, chatId: _c, ...rest }) => rest)
  }

  const submit = async (ev: FormEvent) => {
    ev.preventDefault()
    setBanner(null)
    const local: Record<string, string> = {}
    if (!name.trim()) local.name = '请填写社群名称'
    if (!tagId) local.diseaseTagId = '请选择病种标签'
    if (!ownerId) local.ownerNurseId = '请选择群主护士'
    else if (!OBJECT_ID.test(ownerId)) local.ownerNurseId = '护士账号 ID 应为 24 位字母数字'
    if (!editing && !chatId) local.chatId = '请选择一个企业微信客户群'
    const cap = Number(capacity)
    if (!Number.isInteger(cap) || cap < 1 || cap > COMMUNITY_MAX_CAPACITY)
      local.capacity = `容量应为 1–${COMMUNITY_MAX_CAPACITY} 的整数`
    setErrors(local)
    if (Object.keys(local).length > 0) return
    setBusy(true)
    try {
      const desc = description.trim() || null
      const saved = editing
        ? await api.updateCommunity(editing.id, {
            ...(name.trim() !== editing.name ? { name } : {}),
            ...(desc !== editing.description ? { description: desc } : {}),
            ...(tagId !== editing.diseaseTag.id ? { diseaseTagId: tagId } : {}),
            ...(ownerChanged ? { ownerNurseId: ownerId } : {}),
            ...(cap !== editing.capacity ? { capacity: cap } : {}),
          })
        : await api.createCommunity({
            name,
            description: desc,
            diseaseTagId: tagId,
            ownerNurseId: ownerId,
            chatId,
            capacity: cap,
          })
      onSaved(saved, editing === null)
    } catch (e) {
      const { fields, rest } = formErrors(e)
      setErrors(fields)
      setBanner(rest)
    } finally {
      setBusy(false)
    }
  }

  const unchanged =
    editing !== null &&
    name.trim() === editing.name &&
    (description.trim() || null) === editing.description &&
    tagId === editing.diseaseTag.id &&
    !ownerChanged &&
    capacity === String(editing.capacity)

  return (
    <form
      className="panel community-form"
      onSubmit={(e) => void submit(e)}
      noValidate
      data-testid="community-form"
    >
      <h2>{editing ? `编辑社群“${editing.name}”` : '新建病友社群'}</h2>
      <p className="panel-lead">
        {editing
          ? '社群始终对应创建时关联的企业微信群；如需换群，请新建社群并归档本社群。'
          : '一个社群对应一个企业微信客户群，由群主护士运营；患者在小程序中领取专属入群码，扫码入群后自动建档关联并打上病种标签。'}
      </p>
      {banner ? <Banner tone="error">{banner}</Banner> : null}
      <div className="community-form-grid">
        <div>
          <Field label="社群名称" htmlFor="community-name" error={errors.name} hint="不超过 40 个字">
            <input
              id="community-name"
              className="input"
              value={name}
              maxLength={40}
              onChange={(e) => {
                setName(e.target.value)
                clear('name')
              }}
              placeholder="例如 糖友之家 · 内分泌科"
              autoComplete="off"
            />
          </Field>
          <DiseaseTagSelect
            groups={tagGroups}
            value={tagId}
            onChange={(id) => {
              setTagId(id)
              clear('diseaseTagId')
            }}
            error={errors.diseaseTagId}
          />
          <OwnerField
            owners={owners}
            listed={ownersListed}
            value={ownerId}
            onChange={setOwner}
            error={errors.ownerNurseId}
          />
          <Field
            label="容量（人）"
            htmlFor="community-capacity"
            error={errors.capacity}
            hint={`企业微信扫码入群的客户群最多 ${COMMUNITY_MAX_CAPACITY} 人（含护士）；满员后小程序不再提供入群码`}
          >
            <input
              id="community-capacity"
              className="input capacity-input"
              type="number"
              min={1}
              max={COMMUNITY_MAX_CAPACITY}
              value={capacity}
              onChange={(e) => {
                setCapacity(e.target.value)
                clear('capacity')
              }}
            />
          </Field>
          <Field
            label="简介（选填）"
            htmlFor="community-description"
            error={errors.description}
            hint={`患者在小程序中看到的介绍，不超过 200 个字（${[...description.trim()].length}/200）`}
          >
            <textarea
              id="community-description"
              className="input textarea"
              rows={3}
              maxLength={200}
              value={description}
              onChange={(e) => {
                setDescription(e.target.value)
                clear('description')
              }}
              placeholder="例如 内分泌科护士团队每周分享控糖知识，解答用药与饮食问题。"
            />
          </Field>
        </div>
        <div>
          {editing ? (
            <div className="field">
              <span className="field-label">企业微信客户群</span>
              <div className="wecom-fixed">
                <span className="wecom-group-name">{editing.groupName ?? '（群名未同步）'}</span>
                <span className="code muted">{editing.chatId}</span>
              </div>
              {ownerChanged ? (
                <Banner tone="warning">
                  更换群主前，请先在企业微信中把该群转让给新群主；否则保存时会提示该群不属于新群主。
                </Banner>
              ) : null}
            </div>
          ) : (
            <WecomGroupPicker
              ownerNurseId={ownerId}
              value={chatId}
              onChange={(id) => {
                setChatId(id)
                setErrors(({ chatId: _c, ...rest }) => rest)
              }}
              error={errors.chatId}
            />
          )}
        </div>
      </div>
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={busy || unchanged}>
          {busy ? '正在保存…' : editing ? '保存修改' : '创建社群'}
        </button>
        <button type="button" className="btn" onClick={onCancel} disabled={busy}>
          取消
        </button>
      </div>
    </form>
  )
}

/**
 * Who may own a community, as far as this role can know: every active nurse and head nurse when it
 * may list staff (admin); otherwise oneself (a head nurse) and the owners of the communities listed.
 */
export const useOwnerCandidates = (
  communities: readonly Community[] | null,
): { owners: OwnerCandidate[]; listed: boolean } => {
  const { session } = useSession()
  const me = session.staff
  const directory = useStaffDirectory()
  if (directory.staff)
    return {
      listed: true,
      owners: directory.staff
        .filter((s) => s.active && (s.role === 'nurse' || s.role === 'head_nurse'))
        .map((s) => ({ id: s.id, name: `${s.name} · ${ROLE_LABEL[s.role]}`, wecomUserId: s.wecomUserId })),
    }
  const out = new Map<string, OwnerCandidate>()
  if (me.role === 'head_nurse' || me.role === 'nurse')
    out.set(me.id, { id: me.id, name: `${me.name}（我）`, wecomUserId: me.wecomUserId })
  for (const c of communities ?? [])
    if (!out.has(c.ownerNurse.id))
      out.set(c.ownerNurse.id, {
        id: c.ownerNurse.id,
        name: c.ownerNurse.name ?? '已停用账号',
        wecomUserId: c.ownerNurse.wecomUserId,
      })
  return { listed: false, owners: [...out.values()] }
}

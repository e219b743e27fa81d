import { useState } from 'react'
import Taro, { useDidShow } from '@tarojs/taro'
import { Button, Input, Text, View } from '@tarojs/components'
import type { Patient, ProfilesResponse, Relation } from '@careloop/shared'

import { api } from '../../api/endpoints'
import { ApiError } from '../../api/http'
import { hasSession } from '../../api/session'
import { BrandBar } from '../../components/BrandBar'
import { CheckRow, Chips, FormItem } from '../../components/Controls'
import { PAGES } from '../../routes'
import { messageOf } from '../../services/auth'
import { leaveOnSessionError } from '../../services/guard'
import {
  emptyProfileForm,
  type FieldErrors,
  fieldErrorsOf,
  fieldOf,
  type ProfileForm,
  validateProfile,
} from '../../services/profile'
import {
  FAMILY_RELATIONS,
  GENDER_LABELS,
  type Gender,
  MAX_FAMILY,
  profileFacts,
  RELATION_LABELS,
} from '../../utils/labels'
import { confirmDialog, toast } from '../../utils/ui'
import './family.css'

type FamilyRelation = Exclude<Relation, 'self'>

const RELATION_OPTIONS = FAMILY_RELATIONS.map((r) => ({ value: r, label: RELATION_LABELS[r] }))
const GENDER_OPTIONS: readonly { value: Gender; label: string }[] = [
  { value: 'male', label: GENDER_LABELS.male },
  { value: 'female', label: GENDER_LABELS.female },
]

type State =
  | { kind: 'loading' }
  | { kind: 'error'; message: string }
  | { kind: 'ready'; data: ProfilesResponse }

/** Self first, then family members in the order they were added. */
const ordered = (profiles: Patient[]) =>
  [...profiles].sort((a, b) => (a.relation === 'self' ? -1 : b.relation === 'self' ? 1 : 0))

/**
 * 家庭成员 (F2): the profiles this account manages, which one is active (patient-scoped calls act
 * on it), adding a member with their consent to be managed, switching and removing.
 */
export default function FamilyPage() {
  const [state, setState] = useState<State>({ kind: 'loading' })
  const [adding, setAdding] = useState(false)
  const [busyId, setBusyId] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)

  const load = async () => {
    if (!hasSession()) {
      await Taro.reLaunch({ url: PAGES.login })
      return
    }
    try {
      setState({ kind: 'ready', data: await api.listProfiles() })
    } catch (e) {
      if (await leaveOnSessionError(e)) return
      setState({ kind: 'error', message: messageOf(e, '加载失败，请稍后重试') })
    }
  }

  useDidShow(() => {
    void load()
  })

  if (state.kind !== 'ready') {
    return (
      <View className="page family-page">
        <BrandBar />
        {state.kind === 'error' ? (
          <View className="page-body">
            <Text className="form-error">{state.message}</Text>
          </View>
        ) : (
          <Text className="page-status muted">正在加载…</Text>
        )}
      </View>
    )
  }

  const { data } = state
  const familyCount = data.profiles.filter((p) => p.relation !== 'self').length
  const full = familyCount >= MAX_FAMILY

  const onActivate = async (p: Patient) => {
    if (busyId) return
    setBusyId(p.id)
    setError(null)
    try {
      await api.activateProfile(p.id)
      // 首页 shows the new active profile, or sends to the consent page if it has not consented yet.
      await Taro.reLaunch({ url: PAGES.home })
    } catch (e) {
      if (await leaveOnSessionError(e)) return
      setError(messageOf(e, '切换失败，请稍后重试'))
      setBusyId(null)
    }
  }

  const onRemove = async (p: Patient) => {
    if (busyId) return
    const ok = await confirmDialog({
      title: '移除家庭成员',
      content: `确定移除「${p.name ?? '该成员'}」吗？其资料、随访记录和授权记录将被删除，且无法恢复。`,
      confirmText: '移除',
      danger: true,
    })
    if (!ok) return
    setBusyId(p.id)
    setError(null)
    try {
      const next = await api.deleteProfile(p.id)
      setState({ kind: 'ready', data: next })
      toast('已移除')
    } catch (e) {
      if (await leaveOnSessionError(e)) return
      setError(messageOf(e, '移除失败，请稍后重试'))
    } finally {
      setBusyId(null)
    }
  }

  return (
    <View className="page family-page">
      <BrandBar />
      <View className="page-body">
        <Text className="notice">
          一个微信账号最多可为 {MAX_FAMILY} 位家庭成员管理随访。当前就诊人决定提醒、任务和资料显示的是谁。
        </Text>

        <Text className="section-title">
          已添加 {familyCount}/{MAX_FAMILY} 位家庭成员
        </Text>
        {ordered(data.profiles).map((p) => {
          const active = p.id === data.activeProfileId
          const facts = profileFacts(p)
          return (
            <View key={p.id} className={`card member-card${active ? ' is-active' : ''}`}>
              <View className="member-head">
                <View className={`member-avatar avatar-${p.relation}`}>
                  <Text className="member-avatar-text">{(p.name ?? '?').slice(0, 1)}</Text>
                </View>
                <View className="member-main">
                  <View className="member-line">
                    <Text className="member-name">{p.name ?? '未填写姓名'}</Text>
                    <Text
                      className={`tag ${p.relation === 'self' ? 'tag-teal' : 'tag-blue'} member-relation`}
                    >
                      {RELATION_LABELS[p.relation]}
                    </Text>
                  </View>
                  <Text className="member-facts">{facts || '未填写性别和出生年份'}</Text>
                </View>
                {active && <Text className="tag tag-orange member-active">当前就诊人</Text>}
              </View>
              {(!active || p.relation !== 'self') && (
                <View className="member-actions">
                  {p.relation !== 'self' && (
                    <Button
                      className="btn btn-small btn-plain member-remove"
                      disabled={busyId !== null}
                      onClick={() => void onRemove(p)}
                    >
                      移除
                    </Button>
                  )}
                  {!active && (
                    <Button
                      className="btn btn-small btn-primary member-activate"
                      loading={busyId === p.id}
                      disabled={busyId !== null}
                      onClick={() => void onActivate(p)}
                    >
                      切换为当前就诊人
                    </Button>
                  )}
                </View>
              )}
            </View>
          )
        })}

        {error && <Text className="form-error family-error">{error}</Text>}

        {adding ? (
          <AddMemberForm
            onCancel={() => setAdding(false)}
            onAdded={(next) => {
              setState({ kind: 'ready', data: next })
              setAdding(false)
              toast('已添加')
            }}
          />
        ) : full ? (
          <Text className="notice notice-warn family-limit">
            已达到 {MAX_FAMILY} 位家庭成员的上限。如需添加新成员，请先移除不再需要管理的成员。
          </Text>
        ) : (
          <Button className="btn btn-secondary add-member" onClick={() => setAdding(true)}>
            ＋ 添加家庭成员
          </Button>
        )}
      </View>
    </View>
  )
}

function AddMemberForm(props: { onCancel: () => void; onAdded: (next: ProfilesResponse) => void }) {
  const [form, setForm] = useState<ProfileForm>(emptyProfileForm)
  const [relation, setRelation] = useState<FamilyRelation | null>(null)
  const [agreed, setAgreed] = useState(false)
  const [errors, setErrors] = useState<FieldErrors>({})
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)

  const edit = <K extends keyof ProfileForm>(key: K, value: ProfileForm[K]) => {
    setForm({ ...form, [key]: value })
    const field = fieldOf(key)
    if (errors[field]) setErrors({ ...errors, [field]: undefined })
  }

  const onSubmit = async () => {
    if (busy) return
    setError(null)
    const checked = validateProfile(form)
    const next: FieldErrors = checked.ok ? {} : { ...checked.errors }
    if (!relation) next.relation = '请选择与您的关系'
    if (!agreed) next.proxyConsent = '请先确认已获得该家庭成员的同意'
    setErrors(next)
    if (!checked.ok || !relation || !agreed) return
    setBusy(true)
    try {
      props.onAdded(await api.createProfile({ ...checked.body, relation, proxyConsent: true }))
    } catch (e) {
      if (await leaveOnSessionError(e)) return
      const fields = fieldErrorsOf(e)
      if (fields) setErrors(fields)
      else if (e instanceof ApiError && e.code === 'FAMILY_LIMIT_REACHED')
        setError(`最多可添加 ${MAX_FAMILY} 位家庭成员，请先移除不再需要管理的成员`)
      else setError(messageOf(e, '添加失败，请稍后重试'))
      setBusy(false)
    }
  }

  return (
    <View className="card add-form">
      <Text className="card-title">添加家庭成员</Text>
      <Text className="card-desc">添加后您可以代家人查看随访任务、接收提醒。</Text>

      <FormItem label="姓名" error={errors.name}>
        <Input
          className="text-input form-input member-name-input"
          type="text"
          value={form.name}
          maxlength={20}
          placeholder="家庭成员的真实姓名"
          onInput={(e) => edit('name', e.detail.value)}
        />
      </FormItem>

      <FormItem label="与您的关系" error={errors.relation}>
        <Chips
          className="relation-chips"
          options={RELATION_OPTIONS}
          value={relation}
          onChange={(v) => {
            setRelation(v)
            if (errors.relation) setErrors({ ...errors, relation: undefined })
          }}
        />
      </FormItem>

      <FormItem label="性别" optional error={errors.gender}>
        <Chips
          className="gender-chips"
          options={GENDER_OPTIONS}
          value={form.gender}
          clearable
          onChange={(v) => edit('gender', v)}
        />
      </FormItem>

      <FormItem label="出生年份" optional error={errors.birthYear}>
        <Input
          className="text-input form-input member-birth-year-input"
          type="number"
          value={form.birthYear}
          maxlength={4}
          placeholder="如 1956"
          onInput={(e) => edit('birthYear', e.detail.value)}
        />
      </FormItem>

      <FormItem label="身份证号" optional error={errors.idNumber}>
        <Input
          className="text-input form-input member-id-number-input"
          type="idcard"
          value={form.idNumber}
          maxlength={18}
          placeholder="18 位居民身份证号"
          onInput={(e) => edit('idNumber', e.detail.value)}
        />
      </FormItem>

      <View className={`proxy-consent${errors.proxyConsent ? ' has-error' : ''}`}>
        <CheckRow
          className="proxy-consent-check"
          checked={agreed}
          onChange={(on) => {
            setAgreed(on)
            if (errors.proxyConsent) setErrors({ ...errors, proxyConsent: undefined })
          }}
        >
          <Text className="proxy-consent-text">我已获得该家庭成员的同意</Text>
          <Text className="proxy-consent-hint">
            由您代为管理其健康信息和随访；如为未成年人或无行为能力人，由您作为监护人同意。
          </Text>
        </CheckRow>
        {errors.proxyConsent && <Text className="field-error">{errors.proxyConsent}</Text>}
      </View>

      {error && <Text className="form-error add-error">{error}</Text>}

      <Button
        className={`btn btn-primary add-submit${busy ? ' btn-busy' : ''}`}
        loading={busy}
        disabled={busy}
        onClick={onSubmit}
      >
        添加
      </Button>
      <Button className="btn btn-plain add-cancel" disabled={busy} onClick={props.onCancel}>
        取消
      </Button>
    </View>
  )
}

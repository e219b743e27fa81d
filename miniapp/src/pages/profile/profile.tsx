import { useEffect, useState } from 'react'
import Taro, { useLoad } from '@tarojs/taro'
import { Button, Input, Text, View } from '@tarojs/components'
import type { ClientConfig, MeResponse } from '@careloop/shared'

import { api, getClientConfig } from '../../api/endpoints'
import { BrandBar } from '../../components/BrandBar'
import { Chips, FormItem } from '../../components/Controls'
import { getSimPhone, platform, setSimPhone } from '../../platform'
import { PAGES } from '../../routes'
import { loadMe, messageOf } from '../../services/auth'
import { leaveOnSessionError } from '../../services/guard'
import {
  type FieldErrors,
  fieldErrorsOf,
  fieldOf,
  formOf,
  type ProfileForm,
  validateProfile,
} from '../../services/profile'
import { GENDER_LABELS, type Gender, RELATION_LABELS } from '../../utils/labels'
import { toast } from '../../utils/ui'
import './profile.css'

const GENDER_OPTIONS: readonly { value: Gender; label: string }[] = [
  { value: 'male', label: GENDER_LABELS.male },
  { value: 'female', label: GENDER_LABELS.female },
]

type State = { kind: 'loading' } | { kind: 'error'; message: string } | { kind: 'ready'; me: MeResponse }

/** 个人资料: the active profile's fields, and the account's phone (bound with getPhoneNumber). */
export default function ProfilePage() {
  const [state, setState] = useState<State>({ kind: 'loading' })
  const [form, setForm] = useState<ProfileForm | null>(null)
  const [errors, setErrors] = useState<FieldErrors>({})
  const [saving, setSaving] = useState(false)
  const [saveError, setSaveError] = useState<string | null>(null)
  /** Whether the ID number input is open over a stored (masked) number. */
  const [editingId, setEditingId] = useState(false)
  const [binding, setBinding] = useState(false)
  const [phoneError, setPhoneError] = useState<string | null>(null)

  const load = async () => {
    try {
      const res = await loadMe()
      if (res.kind === 'logged-out') {
        await Taro.reLaunch({ url: PAGES.login })
        return
      }
      setState({ kind: 'ready', me: res.me })
      setForm(formOf(res.me.patient))
    } catch (e) {
      if (await leaveOnSessionError(e)) return
      setState({ kind: 'error', message: messageOf(e, '加载失败，请稍后重试') })
    }
  }

  useLoad(() => {
    void load()
  })

  if (state.kind === 'loading' || !form) {
    return (
      <View className="page profile-edit-page">
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
  if (state.kind !== 'ready') return null
  const { me } = state
  const proxy = me.patient.relation !== 'self'

  const edit = <K extends keyof ProfileForm>(key: K, value: ProfileForm[K]) => {
    setForm({ ...form, [key]: value })
    const field = fieldOf(key)
    if (errors[field]) setErrors({ ...errors, [field]: undefined })
  }

  const onSave = async () => {
    if (saving) return
    setSaveError(null)
    const checked = validateProfile(form)
    if (!checked.ok) {
      setErrors(checked.errors)
      return
    }
    setErrors({})
    setSaving(true)
    try {
      const next = await api.updateMe(checked.body)
      setState({ kind: 'ready', me: next })
      setForm(formOf(next.patient))
      setEditingId(false)
      toast('已保存')
    } catch (e) {
      if (await leaveOnSessionError(e)) return
      const fields = fieldErrorsOf(e)
      if (fields) setErrors(fields)
      else setSaveError(messageOf(e, '保存失败，请稍后重试'))
    } finally {
      setSaving(false)
    }
  }

  const bindWith = async (detail?: { code?: string; errMsg?: string }) => {
    if (binding) return
    setPhoneError(null)
    setBinding(true)
    try {
      const code = await platform.phoneCode(detail)
      const next = await api.bindPhone({ code })
      setState({ kind: 'ready', me: next })
      toast('手机号已绑定')
    } catch (e) {
      if (await leaveOnSessionError(e)) return
      setPhoneError(messageOf(e, '绑定失败，请稍后重试'))
    } finally {
      setBinding(false)
    }
  }

  /** 修改 opens the input; 取消 closes it and forgets what was typed (the stored number stays). */
  const setIdEditing = (on: boolean) => {
    setEditingId(on)
    setForm({ ...form, idNumber: '', removeIdNumber: false })
    if (errors.idNumber) setErrors({ ...errors, idNumber: undefined })
  }

  const bindLabel = me.account.phone ? '更换手机号' : '绑定手机号'

  return (
    <View className="page profile-edit-page">
      <BrandBar />
      <View className="page-body">
        <View className="card">
          <View className="card-head">
            <Text className="card-title">基本信息</Text>
            <Text className={`tag ${proxy ? 'tag-blue' : 'tag-teal'}`}>
              {RELATION_LABELS[me.patient.relation]}
            </Text>
          </View>
          <Text className="card-desc">
            {proxy
              ? `您正在编辑家庭成员${me.patient.name ?? ''}的资料。`
              : '请填写真实信息，便于医生和护士在随访时确认您的身份。'}
          </Text>

          <FormItem label="姓名" error={errors.name}>
            <Input
              className="text-input form-input profile-name-input"
              type="text"
              value={form.name}
              maxlength={20}
              placeholder="请输入真实姓名"
              onInput={(e) => edit('name', e.detail.value)}
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
              className="text-input form-input birth-year-input"
              type="number"
              value={form.birthYear}
              maxlength={4}
              placeholder="如 1956"
              onInput={(e) => edit('birthYear', e.detail.value)}
            />
          </FormItem>

          <FormItem label="住院号" optional error={errors.hospitalPatientId}>
            <Input
              className="text-input form-input hospital-id-input"
              type="text"
              value={form.hospitalPatientId}
              maxlength={32}
              placeholder="见住院腕带或出院小结"
              onInput={(e) => edit('hospitalPatientId', e.detail.value)}
            />
          </FormItem>

          <FormItem label="身份证号" optional error={errors.idNumber} className="id-number-item">
            <IdNumberField
              current={me.patient.idNumber}
              editing={editingId}
              form={form}
              onEditing={setIdEditing}
              onInput={(v) => edit('idNumber', v)}
              onRemove={(remove) => edit('removeIdNumber', remove)}
            />
          </FormItem>

          {saveError && <Text className="form-error profile-save-error">{saveError}</Text>}

          <Button
            className={`btn btn-primary profile-save${saving ? ' btn-busy' : ''}`}
            loading={saving}
            disabled={saving}
            onClick={onSave}
          >
            保存
          </Button>
        </View>

        <View className="card phone-card">
          <View className="card-head">
            <Text className="card-title">手机号</Text>
            <Text className={`phone-value${me.account.phone ? '' : ' muted'}`}>
              {me.account.phone ?? '未绑定'}
            </Text>
          </View>
          <Text className="card-desc">
            {proxy
              ? '手机号属于您的微信账号，用于接收您和家人的随访通知。'
              : '用于接收复诊与随访通知，护士必要时会电话联系您。号码加密保存。'}
          </Text>
          {platform.kind === 'weapp' ? (
            <Button
              className="btn btn-secondary bind-phone"
              openType="getPhoneNumber"
              loading={binding}
              disabled={binding}
              onGetPhoneNumber={(e) => void bindWith(e.detail)}
            >
              {bindLabel}
            </Button>
          ) : (
            <Button
              className="btn btn-secondary bind-phone"
              loading={binding}
              disabled={binding}
              onClick={() => void bindWith()}
            >
              {bindLabel}
            </Button>
          )}
          {phoneError && <Text className="form-error phone-error">{phoneError}</Text>}
        </View>

        {platform.kind === 'simulator' && <SimPhonePanel />}
      </View>
    </View>
  )
}

/**
 * 身份证号: the stored number only ever comes back masked, so it is shown read-only with 修改 / 删除.
 * 修改 opens an empty input (sent only when the patient types a new number); 删除 marks it for
 * removal on 保存 (sent as null); untouched, the PUT omits it and the server keeps it.
 */
function IdNumberField(props: {
  current: string | null
  editing: boolean
  form: ProfileForm
  onEditing: (on: boolean) => void
  onInput: (value: string) => void
  onRemove: (remove: boolean) => void
}) {
  const { current, editing, form, onEditing, onInput, onRemove } = props
  const input = (
    <Input
      className="text-input form-input id-number-input"
      type="idcard"
      value={form.idNumber}
      maxlength={18}
      placeholder={current ? '请输入新的身份证号' : '18 位居民身份证号'}
      onInput={(e) => onInput(e.detail.value)}
    />
  )
  if (!current) return input
  if (editing)
    return (
      <View className="id-number-edit">
        {input}
        <View className="id-number-actions">
          <Text className="muted id-number-hint">留空则不修改</Text>
          <Button className="btn btn-small btn-plain id-number-cancel" onClick={() => onEditing(false)}>
            取消
          </Button>
        </View>
      </View>
    )
  if (form.removeIdNumber)
    return (
      <View className="id-number-line is-removing">
        <Text className="id-number-value">{current}</Text>
        <View className="id-number-actions">
          <Text className="id-number-note">保存后删除</Text>
          <Button className="btn btn-small btn-plain id-number-undo" onClick={() => onRemove(false)}>
            撤销
          </Button>
        </View>
      </View>
    )
  return (
    <View className="id-number-line">
      <Text className="id-number-value">{current}</Text>
      <View className="id-number-actions">
        <Button className="btn btn-small btn-plain id-number-change" onClick={() => onEditing(true)}>
          修改
        </Button>
        <Button className="btn btn-small btn-plain id-number-remove" onClick={() => onRemove(true)}>
          删除
        </Button>
      </View>
    </View>
  )
}

/** h5 against a simulated server: the phone number the simulated getPhoneNumber will hand out. */
function SimPhonePanel() {
  const [config, setConfig] = useState<ClientConfig | null>(null)
  const [phone, setPhone] = useState(getSimPhone)
  const [error, setError] = useState<string | null>(null)

  useEffect(() => {
    let live = true
    getClientConfig()
      .then((c) => live && setConfig(c))
      .catch(() => undefined)
    return () => {
      live = false
    }
  }, [])

  if (!config || config.mode === 'production') return null

  const onInput = (value: string) => {
    setPhone(value)
    try {
      setSimPhone(value)
      setError(null)
    } catch (e) {
      setError(messageOf(e))
    }
  }

  return (
    <View className="sim-panel">
      <View className="sim-panel-head">
        <Text className="sim-badge">测试</Text>
        <Text className="sim-panel-title">模拟器 · 微信手机号</Text>
      </View>
      <Text className="sim-panel-desc">本地模拟环境：点击「绑定手机号」时，模拟微信授权下面这个号码。</Text>
      <Input
        className="text-input sim-input sim-phone-input"
        type="number"
        value={phone}
        maxlength={11}
        placeholder="11 位手机号"
        onInput={(e) => onInput(e.detail.value)}
      />
      {error && <Text className="field-error">{error}</Text>}
    </View>
  )
}

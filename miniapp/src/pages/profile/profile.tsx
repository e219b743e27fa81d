import { useState } from 'react'
import { useLoad } from '@tarojs/taro'
import { Button, Text, View } from '@tarojs/components'

import { api } from '../../api/endpoints'
import { BusyButton, FormItem } from '../../components/Controls'
import { Page, PageStatus } from '../../components/Page'
import { GenderField, ProfileInput, ProfileTextField } from '../../components/ProfileFields'
import { SimPanel } from '../../components/SimPanel'
import { useClientConfig } from '../../hooks/useClientConfig'
import { usePageData } from '../../hooks/usePageData'
import { useProfileFields } from '../../hooks/useProfileFields'
import { getSimPhone, platform, setSimPhone } from '../../platform'
import { loadMe, messageOf } from '../../services/auth'
import { leaveOnSessionError, meOrLogin } from '../../services/guard'
import { formOf, type ProfileForm } from '../../services/profile'
import { RELATION_LABELS } from '../../utils/labels'
import { toast } from '../../utils/ui'
import './profile.css'

/** 个人资料: the active profile's fields, and the account's phone (bound with getPhoneNumber). */
export default function ProfilePage() {
  const fields = useProfileFields()
  const { form, setForm, errors, clearError, edit } = fields
  /** Whether the ID number input is open over a stored (masked) number. */
  const [editingId, setEditingId] = useState(false)
  const [binding, setBinding] = useState(false)
  const [phoneError, setPhoneError] = useState<string | null>(null)

  const { state, load, setData } = usePageData(async () => {
    const me = await meOrLogin(await loadMe())
    if (me) setForm(formOf(me.patient))
    return me
  })

  useLoad(() => {
    void load()
  })

  if (state.kind !== 'ready') return <PageStatus className="profile-edit-page" state={state} />
  const me = state.data
  const proxy = me.patient.relation !== 'self'

  const onSave = () =>
    fields.submit({
      send: async (body) => {
        const next = await api.updateMe(body)
        setData(next)
        setForm(formOf(next.patient))
        setEditingId(false)
        toast('已保存')
      },
      failure: (e) => messageOf(e, '保存失败，请稍后重试'),
    })

  const bindWith = async (detail?: { code?: string; errMsg?: string }) => {
    if (binding) return
    setPhoneError(null)
    setBinding(true)
    try {
      const code = await platform.phoneCode(detail)
      setData(await api.bindPhone({ code }))
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
    clearError('idNumber')
  }

  const bindLabel = me.account.phone ? '更换手机号' : '绑定手机号'

  return (
    <Page className="profile-edit-page">
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

        <ProfileTextField fields={fields} field="name" className="profile-name-input" />
        <GenderField fields={fields} />
        <ProfileTextField fields={fields} field="birthYear" className="birth-year-input" />
        <ProfileTextField fields={fields} field="hospitalPatientId" className="hospital-id-input" />

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

        {fields.error && <Text className="form-error profile-save-error">{fields.error}</Text>}

        <BusyButton className="profile-save" busy={fields.busy} onClick={onSave}>
          保存
        </BusyButton>
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
    </Page>
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
    <ProfileInput
      field="idNumber"
      className="id-number-input"
      value={form.idNumber}
      placeholder={current ? '请输入新的身份证号' : undefined}
      onChange={onInput}
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
  const config = useClientConfig()
  const [phone, setPhone] = useState(getSimPhone)
  const [error, setError] = useState<string | null>(null)

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
    <SimPanel
      title="模拟器 · 微信手机号"
      desc="本地模拟环境：点击「绑定手机号」时，模拟微信授权下面这个号码。"
      input={{
        className: 'sim-phone-input',
        type: 'number',
        value: phone,
        maxlength: 11,
        placeholder: '11 位手机号',
        onChange: onInput,
      }}
    >
      {error && <Text className="field-error">{error}</Text>}
    </SimPanel>
  )
}

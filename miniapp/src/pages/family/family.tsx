import { useState } from 'react'
import Taro, { useDidShow } from '@tarojs/taro'
import { Button, Text, View } from '@tarojs/components'
import type { Patient, ProfilesResponse, Relation } from '@careloop/shared'

import { api } from '../../api/endpoints'
import { ApiError } from '../../api/http'
import { hasSession } from '../../api/session'
import { BusyButton, CheckRow, Chips, FormItem } from '../../components/Controls'
import { Page, PageStatus } from '../../components/Page'
import { GenderField, ProfileTextField } from '../../components/ProfileFields'
import { usePageData } from '../../hooks/usePageData'
import { useProfileFields } from '../../hooks/useProfileFields'
import { PAGES } from '../../routes'
import { messageOf } from '../../services/auth'
import { leaveOnSessionError } from '../../services/guard'
import { switchProfile } from '../../services/profile'
import { FAMILY_RELATIONS, MAX_FAMILY, profileFacts, RELATION_LABELS } from '../../utils/labels'
import { confirmDialog, toast } from '../../utils/ui'
import './family.css'

type FamilyRelation = Exclude<Relation, 'self'>

const RELATION_OPTIONS = FAMILY_RELATIONS.map((r) => ({ value: r, label: RELATION_LABELS[r] }))

/** Self first, then family members in the order they were added. */
const ordered = (profiles: Patient[]) =>
  [...profiles].sort((a, b) => (a.relation === 'self' ? -1 : b.relation === 'self' ? 1 : 0))

/**
 * 家庭成员 (F2): the profiles this account manages, which one is active (patient-scoped calls act
 * on it), adding a member with their consent to be managed, switching and removing.
 */
export default function FamilyPage() {
  const [adding, setAdding] = useState(false)
  const [busyId, setBusyId] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)

  const { state, load, setData } = usePageData(async () => {
    if (hasSession()) return api.listProfiles()
    await Taro.reLaunch({ url: PAGES.login })
    return null
  })

  useDidShow(() => {
    void load()
  })

  if (state.kind !== 'ready') return <PageStatus className="family-page" state={state} />

  const { data } = state
  const familyCount = data.profiles.filter((p) => p.relation !== 'self').length
  const full = familyCount >= MAX_FAMILY

  const onActivate = async (p: Patient) => {
    if (busyId) return
    setBusyId(p.id)
    setError(null)
    try {
      await switchProfile(p.id)
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
      setData(await api.deleteProfile(p.id))
      toast('已移除')
    } catch (e) {
      if (await leaveOnSessionError(e)) return
      setError(messageOf(e, '移除失败，请稍后重试'))
    } finally {
      setBusyId(null)
    }
  }

  return (
    <Page className="family-page">
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
                  <Text className={`tag ${p.relation === 'self' ? 'tag-teal' : 'tag-blue'} member-relation`}>
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
            setData(next)
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
    </Page>
  )
}

function AddMemberForm(props: { onCancel: () => void; onAdded: (next: ProfilesResponse) => void }) {
  const fields = useProfileFields()
  const { errors, clearError } = fields
  const [relation, setRelation] = useState<FamilyRelation | null>(null)
  const [agreed, setAgreed] = useState(false)

  const onSubmit = () =>
    fields.submit({
      extraErrors: {
        ...(relation ? {} : { relation: '请选择与您的关系' }),
        ...(agreed ? {} : { proxyConsent: '请先确认已获得该家庭成员的同意' }),
      },
      send: async (body) => {
        // Without a relation extraErrors has stopped the submit already.
        if (relation) props.onAdded(await api.createProfile({ ...body, relation, proxyConsent: true }))
      },
      failure: (e) =>
        e instanceof ApiError && e.code === 'FAMILY_LIMIT_REACHED'
          ? `最多可添加 ${MAX_FAMILY} 位家庭成员，请先移除不再需要管理的成员`
          : messageOf(e, '添加失败，请稍后重试'),
    })

  return (
    <View className="card add-form">
      <Text className="card-title">添加家庭成员</Text>
      <Text className="card-desc">添加后您可以代家人查看随访任务、接收提醒。</Text>

      <ProfileTextField
        fields={fields}
        field="name"
        className="member-name-input"
        placeholder="家庭成员的真实姓名"
      />

      <FormItem label="与您的关系" error={errors.relation}>
        <Chips
          className="relation-chips"
          options={RELATION_OPTIONS}
          value={relation}
          onChange={(v) => {
            setRelation(v)
            clearError('relation')
          }}
        />
      </FormItem>

      <GenderField fields={fields} />
      <ProfileTextField fields={fields} field="birthYear" className="member-birth-year-input" />
      <ProfileTextField fields={fields} field="idNumber" className="member-id-number-input" />

      <View className={`proxy-consent${errors.proxyConsent ? ' has-error' : ''}`}>
        <CheckRow
          className="proxy-consent-check"
          checked={agreed}
          onChange={(on) => {
            setAgreed(on)
            clearError('proxyConsent')
          }}
        >
          <Text className="proxy-consent-text">我已获得该家庭成员的同意</Text>
          <Text className="proxy-consent-hint">
            由您代为管理其健康信息和随访；如为未成年人或无行为能力人，由您作为监护人同意。
          </Text>
        </CheckRow>
        {errors.proxyConsent && <Text className="field-error">{errors.proxyConsent}</Text>}
      </View>

      {fields.error && <Text className="form-error add-error">{fields.error}</Text>}

      <BusyButton className="add-submit" busy={fields.busy} onClick={onSubmit}>
        添加
      </BusyButton>
      <Button className="btn btn-plain add-cancel" disabled={fields.busy} onClick={props.onCancel}>
        取消
      </Button>
    </View>
  )
}

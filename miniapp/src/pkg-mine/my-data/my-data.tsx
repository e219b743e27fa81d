import { useState } from 'react'
import Taro, { useLoad } from '@tarojs/taro'
import { Button, ScrollView, Text, View } from '@tarojs/components'
import type { ExportResponse } from '@careloop/shared'

import { api } from '../../api/endpoints'
import { clearSession, hasSession } from '../../api/session'
import { BusyButton, CheckRow } from '../../components/Controls'
import { Page } from '../../components/Page'
import { platform } from '../../platform'
import { PAGES } from '../../routes'
import { messageOf } from '../../services/auth'
import { leaveOnSessionError } from '../../services/guard'
import { ERASED_NOTICE, setNotice } from '../../services/notice'
import { formatDateTime } from '../../utils/date'
import { GENDER_LABELS, RELATION_LABELS } from '../../utils/labels'
import { confirmDialog } from '../../utils/ui'
import './my-data.css'

/** 我的数据 (F5): export everything held about the active profile; erase the whole account. */
export default function MyDataPage() {
  const [exported, setExported] = useState<ExportResponse | null>(null)
  const [exporting, setExporting] = useState(false)
  const [exportError, setExportError] = useState<string | null>(null)
  const [copyError, setCopyError] = useState<string | null>(null)
  const [understood, setUnderstood] = useState(false)
  const [erasing, setErasing] = useState(false)
  const [eraseError, setEraseError] = useState<string | null>(null)

  useLoad(() => {
    if (!hasSession()) void Taro.reLaunch({ url: PAGES.login })
  })

  const json = exported ? JSON.stringify(exported, null, 2) : ''

  const onExport = async () => {
    if (exporting) return
    setExporting(true)
    setExportError(null)
    try {
      setExported(await api.exportMyData())
    } catch (e) {
      if (await leaveOnSessionError(e)) return
      setExportError(messageOf(e, '导出失败，请稍后重试'))
    } finally {
      setExporting(false)
    }
  }

  const onCopy = async () => {
    setCopyError(null)
    try {
      await platform.setClipboard(json)
    } catch (e) {
      setCopyError(messageOf(e, '复制失败，请长按内容手动复制'))
    }
  }

  const onErase = async () => {
    if (erasing || !understood) return
    const ok = await confirmDialog({
      title: '最后确认',
      content: '注销后，您和所有家庭成员的个人信息将被删除且无法恢复。确定注销账号吗？',
      confirmText: '确认注销',
      danger: true,
    })
    if (!ok) return
    setErasing(true)
    setEraseError(null)
    try {
      await api.eraseAccount()
      clearSession()
      setNotice(ERASED_NOTICE)
      await Taro.reLaunch({ url: PAGES.login })
    } catch (e) {
      if (await leaveOnSessionError(e)) return
      setEraseError(messageOf(e, '注销失败，请稍后重试'))
      setErasing(false)
    }
  }

  return (
    <Page className="my-data-page">
      <View className="card export-card">
        <Text className="card-title">导出我的数据</Text>
        <Text className="card-desc">
          导出我们保存的当前就诊人的全部信息（资料、手机号、授权记录、登录记录），格式为 JSON。
        </Text>
        <BusyButton className="export-button" busy={exporting} onClick={() => void onExport()}>
          {exported ? '重新导出' : '导出我的数据'}
        </BusyButton>
        {exportError && <Text className="form-error export-error">{exportError}</Text>}

        {exported && (
          <View className="export-result">
            <ExportSummary data={exported} />
            <View className="json-head">
              <Text className="json-title">完整数据（JSON）</Text>
              <Text className="copy-export" onClick={() => void onCopy()}>
                复制
              </Text>
            </View>
            <ScrollView className="export-json" scrollY>
              <Text className="export-json-text" userSelect>
                {json}
              </Text>
            </ScrollView>
            {copyError && <Text className="form-error">{copyError}</Text>}
          </View>
        )}
      </View>

      <View className="card erase-card">
        <Text className="card-title erase-title">注销账号</Text>
        <View className="erase-list">
          <Text className="erase-item">
            · 删除您和所有家庭成员的姓名、手机号、住院号等个人信息，或不可逆地匿名化；
          </Text>
          <Text className="erase-item">· 退出所有设备上的登录，随访提醒全部停止；</Text>
          <Text className="erase-item">· 医院的匿名统计数据会保留，但无法再关联到您；</Text>
          <Text className="erase-item">· 注销后无法恢复。如需继续使用，可重新登录并建立新的档案。</Text>
        </View>
        <CheckRow className="erase-ack" checked={understood} onChange={setUnderstood}>
          <Text>我已了解以上后果，确认注销</Text>
        </CheckRow>
        <Button
          className={`btn btn-danger erase-account${understood ? '' : ' is-disabled'}`}
          loading={erasing}
          disabled={!understood || erasing}
          onClick={() => void onErase()}
        >
          注销账号
        </Button>
        {eraseError && <Text className="form-error erase-error">{eraseError}</Text>}
      </View>
    </Page>
  )
}

function ExportSummary({ data }: { data: ExportResponse }) {
  const p = data.profile
  /** label, value, and the value's class (stable selectors for tests). */
  const rows: [string, string, string][] = [
    ['导出时间', formatDateTime(data.exportedAt), 'export-field'],
    ['就诊人', `${p.name ?? '未填写'}（${RELATION_LABELS[p.relation]}）`, 'export-name'],
    ['性别', p.gender ? GENDER_LABELS[p.gender] : '未填写', 'export-field'],
    ['出生年份', p.birthYear ? `${p.birthYear}年` : '未填写', 'export-field'],
    ['住院号', p.hospitalPatientId ?? '未填写', 'export-field'],
    ['身份证号', p.idNumber ?? '未填写', 'export-field export-id-number'],
    ['账号手机号', data.account.phone ?? '未绑定', 'export-field'],
    ['授权记录', `${data.consents.length} 条`, 'export-field'],
    ['登录记录', `${data.sessions.length} 条`, 'export-field'],
  ]
  return (
    <View className="export-summary">
      {rows.map(([label, value, className]) => (
        <View key={label} className="info-row">
          <Text className="info-label">{label}</Text>
          <Text className={`info-value ${className}`}>{value}</Text>
        </View>
      ))}
    </View>
  )
}

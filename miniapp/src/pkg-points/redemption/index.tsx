import { useState } from 'react'
import Taro, { useDidShow, useRouter } from '@tarojs/taro'
import { Button, Text, View } from '@tarojs/components'
import type { Redemption } from '@careloop/shared'

import { api } from '../../api/endpoints'
import { hasSession } from '../../api/session'
import { Page, PageStatus } from '../../components/Page'
import { QrCode } from '../../components/QrCode'
import { usePageData } from '../../hooks/usePageData'
import { PAGES } from '../../routes'
import { messageOf } from '../../services/auth'
import { leaveOnSessionError } from '../../services/guard'
import { canCancel, REDEMPTION_STATUS, redemptionNote, spacedCode } from '../../services/rewards'
import { formatDateTime } from '../../utils/date'
import { confirmDialog, toast } from '../../utils/ui'
import '../points.css'
import './index.css'

/**
 * One redemption (F29): the code as big text and as a QR for the nurse to scan, its status and
 * validity, and 取消兑换 while it is not checked off (the points come back). `?new=1` after
 * redeeming: the page opens with 兑换成功.
 */
export default function RedemptionPage() {
  const params = useRouter().params
  const id = params.id ?? ''
  const fresh = params.new === '1'
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)

  const { state, load, reload, setData } = usePageData(async (): Promise<Redemption | null> => {
    if (hasSession()) return api.myRedemption(id)
    await Taro.reLaunch({ url: PAGES.login })
    return null
  })

  useDidShow(() => {
    void load()
  })

  if (state.kind !== 'ready') return <PageStatus className="redemption-page" state={state} onRetry={reload} />
  const r = state.data
  const status = REDEMPTION_STATUS[r.status]
  const live = r.status === 'issued'

  const onCancel = async () => {
    if (busy) return
    const ok = await confirmDialog({
      title: '取消兑换',
      content: `取消后兑换码作废，${r.pointsCost} 积分将退回您的账户。确定取消吗？`,
      confirmText: '取消兑换',
      danger: true,
    })
    if (!ok) return
    setBusy(true)
    setError(null)
    try {
      setData(await api.cancelMyRedemption(r.id))
      toast('已取消，积分已退回')
    } catch (e) {
      if (await leaveOnSessionError(e)) return
      setError(messageOf(e, '取消失败，请稍后重试'))
      // Checked off (or cancelled) meanwhile: show what is true now.
      api
        .myRedemption(r.id)
        .then(setData)
        .catch(() => undefined)
    } finally {
      setBusy(false)
    }
  }

  return (
    <Page className="redemption-page">
      {fresh && live && (
        <View className="redeem-success">
          <View className="redeem-success-icon">
            <View className="redeem-success-check" />
          </View>
          <Text className="redeem-success-title">兑换成功</Text>
          <Text className="redeem-success-sub">已扣除 {r.pointsCost} 积分</Text>
        </View>
      )}

      <View className={`card code-card code-${r.status}`}>
        <View className="code-head">
          <Text className="code-reward">{r.rewardName}</Text>
          <Text className={`tag tag-${status.tone} redemption-status`}>{status.label}</Text>
        </View>
        {r.code ? (
          <>
            <View className={`code-qr-wrap${live ? '' : ' is-void'}`}>
              <QrCode text={r.code} className="redemption-qr" />
            </View>
            <Text className={`code-text redemption-code${live ? '' : ' is-void'}`}>{spacedCode(r.code)}</Text>
          </>
        ) : (
          <Text className="code-pending">兑换码生成中…</Text>
        )}
        <Text className="code-note redemption-note">{redemptionNote(r)}</Text>
        {live && r.expiresAt && (
          <Text className="code-expiry">请于 {formatDateTime(r.expiresAt)} 前使用</Text>
        )}
      </View>

      <View className="card redemption-facts">
        <View className="fact-line">
          <Text className="fact-line-label">消耗积分</Text>
          <Text className="points-cost">{r.pointsCost}</Text>
        </View>
        <View className="fact-line">
          <Text className="fact-line-label">兑换时间</Text>
          <Text>{formatDateTime(r.createdAt)}</Text>
        </View>
        {r.fulfilledAt && (
          <View className="fact-line">
            <Text className="fact-line-label">核销时间</Text>
            <Text>{formatDateTime(r.fulfilledAt)}</Text>
          </View>
        )}
        {r.cancelledAt && (
          <View className="fact-line">
            <Text className="fact-line-label">取消时间</Text>
            <Text>{formatDateTime(r.cancelledAt)}</Text>
          </View>
        )}
        {r.cancelReason && (
          <View className="fact-line">
            <Text className="fact-line-label">取消原因</Text>
            <Text>{r.cancelReason}</Text>
          </View>
        )}
      </View>

      {error && <Text className="form-error redemption-error">{error}</Text>}

      {r.status === 'pending' && (
        <Button className="btn btn-secondary redemption-refresh" onClick={reload}>
          刷新
        </Button>
      )}
      <View className="redemption-actions">
        <Button
          className="btn btn-secondary go-redemptions"
          onClick={() => void Taro.redirectTo({ url: PAGES.redemptions })}
        >
          我的兑换
        </Button>
        {canCancel(r) && (
          <Button
            className="btn btn-danger cancel-redemption"
            disabled={busy}
            onClick={() => void onCancel()}
          >
            取消兑换
          </Button>
        )}
      </View>
    </Page>
  )
}

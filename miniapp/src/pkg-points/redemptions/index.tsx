import { useState } from 'react'
import Taro, { useDidShow } from '@tarojs/taro'
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
 * 我的兑换 (F29): the active profile's redemptions, newest first — status (待核销 / 已核销 / 已取消 …),
 * the code with its QR while it can be used, and 取消兑换 before it is checked off (the points come
 * back). A row opens the big code.
 */
export default function RedemptionsPage() {
  const [busy, setBusy] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)

  const { state, load, reload, setData } = usePageData(async (): Promise<Redemption[] | null> => {
    if (hasSession()) return (await api.myRedemptions()).redemptions
    await Taro.reLaunch({ url: PAGES.login })
    return null
  })

  useDidShow(() => {
    void load()
  })

  if (state.kind !== 'ready')
    return <PageStatus className="redemptions-page" state={state} onRetry={reload} />
  const list = state.data
  const go = (url: string) => void Taro.navigateTo({ url })

  const onCancel = async (r: Redemption) => {
    if (busy) return
    const ok = await confirmDialog({
      title: '取消兑换',
      content: `取消「${r.rewardName}」后兑换码作废，${r.pointsCost} 积分将退回。确定取消吗？`,
      confirmText: '取消兑换',
      danger: true,
    })
    if (!ok) return
    setBusy(r.id)
    setError(null)
    try {
      const next = await api.cancelMyRedemption(r.id)
      setData(list.map((x) => (x.id === next.id ? next : x)))
      toast('已取消，积分已退回')
    } catch (e) {
      if (await leaveOnSessionError(e)) return
      setError(messageOf(e, '取消失败，请稍后重试'))
      reload()
    } finally {
      setBusy(null)
    }
  }

  return (
    <Page className="redemptions-page">
      {error && <Text className="form-error redemptions-error">{error}</Text>}
      {list.length === 0 ? (
        <View className="card empty-card redemptions-empty">
          <Text className="empty-card-text">还没有兑换记录</Text>
          <Text className="empty-card-hint">在积分商城用积分兑换礼品和健康服务。</Text>
          <Button className="btn btn-primary go-mall" onClick={() => go(PAGES.mall)}>
            去积分商城
          </Button>
        </View>
      ) : (
        list.map((r) => {
          const status = REDEMPTION_STATUS[r.status]
          const live = r.status === 'issued'
          return (
            <View key={r.id} className={`card redemption-row redemption-${r.status}`}>
              <View className="redemption-row-top" onClick={() => go(`${PAGES.redemption}?id=${r.id}`)}>
                <View className="redemption-row-main">
                  <View className="redemption-row-head">
                    <Text className="redemption-row-name">{r.rewardName}</Text>
                    <Text className={`tag tag-${status.tone} redemption-status`}>{status.label}</Text>
                  </View>
                  <Text className="redemption-row-meta">
                    {formatDateTime(r.createdAt)} · <Text className="points-cost">{r.pointsCost}</Text> 积分
                  </Text>
                  {r.code && (
                    <Text className={`code-text redemption-row-code${live ? '' : ' is-void'}`}>
                      {spacedCode(r.code)}
                    </Text>
                  )}
                  <Text className="redemption-row-note">{redemptionNote(r)}</Text>
                </View>
                {live && r.code && <QrCode text={r.code} size="small" className="redemption-row-qr" />}
              </View>
              {canCancel(r) && (
                <View className="redemption-row-actions">
                  <Text className="redemption-row-open" onClick={() => go(`${PAGES.redemption}?id=${r.id}`)}>
                    出示兑换码 ›
                  </Text>
                  <Button
                    className="btn btn-small btn-danger cancel-redemption"
                    disabled={busy !== null}
                    onClick={() => void onCancel(r)}
                  >
                    取消兑换
                  </Button>
                </View>
              )}
            </View>
          )
        })
      )}
    </Page>
  )
}

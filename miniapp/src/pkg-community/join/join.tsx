import { useRef, useState } from 'react'
import Taro, { useDidShow, useRouter } from '@tarojs/taro'
import { Button, Image, Text, View } from '@tarojs/components'
import type { JoinQrResponse, MyCommunity } from '@careloop/shared'

import { api } from '../../api/endpoints'
import { ApiError } from '../../api/http'
import { hasSession } from '../../api/session'
import { BusyButton } from '../../components/Controls'
import { Page, PageStatus } from '../../components/Page'
import { useClientConfig } from '../../hooks/useClientConfig'
import { usePageData } from '../../hooks/usePageData'
import { platform, simulateScanJoin } from '../../platform'
import { PAGES } from '../../routes'
import { messageOf } from '../../services/auth'
import { findMyCommunity, membersText, reasonOf, waitUntilJoined } from '../../services/community'
import { leaveOnSessionError } from '../../services/guard'
import { toast } from '../../utils/ui'
import './join.css'

interface JoinData {
  community: MyCommunity
  /** The profile's personal join QR; null once joined (or when the group is full). */
  qr: JoinQrResponse | null
}

const NOT_FOUND = new ApiError('COMMUNITY_NOT_FOUND', '该社群不存在或已关闭', 404)

/** The community and, unless the profile is in it (or it is full), the profile's join QR. */
async function loadJoin(id: string): Promise<JoinData | null> {
  if (!hasSession()) {
    await Taro.reLaunch({ url: PAGES.login })
    return null
  }
  const community = await findMyCommunity(id)
  if (!community) throw NOT_FOUND
  if (!community.joinable) return { community, qr: null }
  const qr = await api.communityJoinQr(id)
  return { community: qr.joined ? { ...community, joined: true } : community, qr: qr.joined ? null : qr }
}

const NOT_YET = '暂未查询到您的入群记录。请先扫码加入群聊，加入后再点「我已加入，刷新」。'

/**
 * 加入社群 (F11): the active profile's personal join QR for one community. The patient long-presses
 * it in WeChat (识别图中二维码) or scans it with 扫一扫 and joins the WeCom group; WeCom tells the
 * server, so 刷新 — or coming back to the mini-program — shows 已加入.
 */
export default function CommunityJoinPage() {
  const id = useRouter().params.id ?? ''
  const config = useClientConfig()
  const [checking, setChecking] = useState(false)
  const [simJoining, setSimJoining] = useState(false)
  const [notice, setNotice] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)
  const loaded = useRef(false)

  const { state, load, reload, setData } = usePageData(async () => {
    const data = await loadJoin(id)
    if (data) loaded.current = true
    return data
  })

  /** Re-reads the membership; answers whether the profile is in the group now. */
  const refresh = async (opts: { quiet?: boolean } = {}): Promise<boolean> => {
    if (state.kind !== 'ready') return false
    try {
      const community = await findMyCommunity(id)
      if (!community) throw NOT_FOUND
      setData({ community, qr: community.joined ? null : state.data.qr })
      if (community.joined) {
        setNotice(null)
        if (!state.data.community.joined) toast('已加入社群')
      } else if (!opts.quiet) setNotice(NOT_YET)
      return community.joined
    } catch (e) {
      if (await leaveOnSessionError(e)) return false
      if (!opts.quiet) setError(messageOf(e, '刷新失败，请稍后重试'))
      return false
    }
  }

  // First show: load. Back from WeChat after scanning: check the membership again, quietly.
  useDidShow(() => {
    if (!loaded.current) void load()
    else void refresh({ quiet: true })
  })

  if (state.kind !== 'ready')
    return <PageStatus className="community-join-page" state={state} onRetry={reload} />

  const { community, qr } = state.data

  const onRefresh = async () => {
    if (checking) return
    setChecking(true)
    setError(null)
    setNotice(null)
    await refresh()
    setChecking(false)
  }

  const onSimScan = async () => {
    if (!qr || simJoining) return
    setSimJoining(true)
    setError(null)
    setNotice(null)
    try {
      const me = await api.getMe()
      const self = me.profiles.find((p) => p.relation === 'self')
      await simulateScanJoin({ qrCodeUrl: qr.qrCodeUrl, name: self?.name ?? '微信用户' })
      // WeCom tells the server through the bot, a moment later.
      const joined = await waitUntilJoined(id)
      if (joined) {
        setData({ community: joined, qr: null })
        toast('已加入社群')
      } else setNotice(NOT_YET)
    } catch (e) {
      if (await leaveOnSessionError(e)) return
      setError(messageOf(e, '模拟扫码失败，请稍后重试'))
    } finally {
      setSimJoining(false)
    }
  }

  const showSimPanel =
    platform.kind === 'simulator' && config?.mode === 'simulated' && !!config.simulators?.wecom

  return (
    <Page className="community-join-page">
      <View className="card join-community">
        <View className="join-head">
          <View className="join-avatar">
            <Text className="join-avatar-text">
              {(community.diseaseTagName ?? community.name).slice(0, 1)}
            </Text>
          </View>
          <View className="join-main">
            <Text className="join-name">{community.name}</Text>
            <View className="join-facts">
              {community.diseaseTagName && <Text className="tag tag-teal">{community.diseaseTagName}</Text>}
              <Text className="join-members">{membersText(community)}</Text>
            </View>
          </View>
          {community.joined && <Text className="tag tag-teal join-joined-badge">已加入</Text>}
        </View>
        {community.description && <Text className="join-desc">{community.description}</Text>}
        <Text className="join-reason">{reasonOf(community)}</Text>
      </View>

      {community.joined ? (
        <View className="card join-done">
          <View className="done-icon">
            <View className="done-check" />
          </View>
          <Text className="done-title">您已加入该社群</Text>
          <Text className="done-hint">
            在微信「通讯录 › 群聊」或聊天列表中即可找到本群，与病友和护士交流。
          </Text>
          <Button
            className="btn btn-secondary join-back"
            onClick={() => void Taro.navigateBack().catch(() => Taro.reLaunch({ url: PAGES.communities }))}
          >
            返回社群列表
          </Button>
        </View>
      ) : qr ? (
        <View className="card join-qr-card">
          <Text className="qr-title">扫码加入群聊</Text>
          <Text className="qr-sub">您的专属入群二维码，请勿转发给他人</Text>
          <View className="qr-frame">
            <Image
              className="join-qr-image"
              src={qr.qrCodeUrl}
              mode="aspectFit"
              showMenuByLongpress
              onError={() => setError('二维码加载失败，请点「我已加入，刷新」重试或稍后再来')}
            />
          </View>
          <Text className="qr-caption">
            {platform.kind === 'weapp' ? '长按识别二维码加入群聊' : '请用微信扫一扫二维码加入群聊'}
          </Text>
          <View className="qr-steps">
            <Step n={1} text="长按上方二维码，选择「识别图中的二维码」，进入群聊" />
            <Step n={2} text="或长按保存图片，打开微信「扫一扫」，从相册选择该二维码" />
            <Step n={3} text="加入后回到本页，点击下方「我已加入，刷新」" />
          </View>
          <BusyButton className="join-refresh" busy={checking} onClick={() => void onRefresh()}>
            我已加入，刷新
          </BusyButton>
        </View>
      ) : (
        <Text className="notice notice-warn join-full">
          {community.full
            ? '该社群人数已满，暂时无法加入。护士会另开新群，请稍后再来看看。'
            : '该社群暂不接受新成员加入。'}
        </Text>
      )}

      {notice && <Text className="notice notice-warn join-notice">{notice}</Text>}
      {error && <Text className="form-error join-error">{error}</Text>}

      {showSimPanel && qr && !community.joined && (
        <View className="sim-panel join-sim-panel">
          <View className="sim-panel-head">
            <Text className="sim-badge">测试</Text>
            <Text className="sim-panel-title">模拟器 · 企业微信</Text>
          </View>
          <Text className="sim-panel-desc">
            本地模拟环境，桌面浏览器无法扫码。点击下方按钮，由企业微信模拟器模拟当前微信用户扫此二维码入群。
          </Text>
          <Button
            className="btn btn-secondary sim-scan-join"
            loading={simJoining}
            disabled={simJoining}
            onClick={() => void onSimScan()}
          >
            模拟扫码入群（本地模拟器）
          </Button>
        </View>
      )}
    </Page>
  )
}

function Step({ n, text }: { n: number; text: string }) {
  return (
    <View className="qr-step">
      <Text className="qr-step-no">{n}</Text>
      <Text className="qr-step-text">{text}</Text>
    </View>
  )
}

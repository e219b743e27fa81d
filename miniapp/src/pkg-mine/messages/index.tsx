import { useState } from 'react'
import Taro, { useDidShow } from '@tarojs/taro'
import { Button, Text, View } from '@tarojs/components'
import type { InboxMessage, InboxResponse } from '@careloop/shared'

import { api } from '../../api/endpoints'
import { hasSession } from '../../api/session'
import { Page, PageStatus } from '../../components/Page'
import { usePageData } from '../../hooks/usePageData'
import { PAGES } from '../../routes'
import { messageOf } from '../../services/auth'
import { leaveOnSessionError } from '../../services/guard'
import { messageTime, messageUrl } from '../../services/inbox'
import './index.css'

/**
 * 消息中心 (F20): the account's in-app messages, newest first, unread ones with a dot. Tapping one marks
 * it read and opens its page (a follow-up step, a questionnaire); 全部已读 clears the badge. Older
 * messages load with 加载更多.
 */
export default function MessagesPage() {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)

  const { state, load, reload, setData } = usePageData(async (): Promise<InboxResponse | null> => {
    if (hasSession()) return api.inbox()
    await Taro.reLaunch({ url: PAGES.login })
    return null
  })

  useDidShow(() => {
    void load()
  })

  if (state.kind !== 'ready') return <PageStatus className="messages-page" state={state} onRetry={reload} />
  const inbox = state.data

  const fail = async (e: unknown, fallback: string) => {
    if (await leaveOnSessionError(e)) return
    setError(messageOf(e, fallback))
  }

  const onOpen = async (m: InboxMessage) => {
    setError(null)
    if (!m.readAt) {
      try {
        const { unread } = await api.readInboxMessage(m.id)
        const readAt = new Date().toISOString()
        setData({
          ...inbox,
          unread,
          messages: inbox.messages.map((x) => (x.id === m.id ? { ...x, readAt } : x)),
        })
      } catch (e) {
        // Opening the page matters more than the dot: go on.
        if (await leaveOnSessionError(e)) return
      }
    }
    const url = messageUrl(m)
    if (url) await Taro.navigateTo({ url }).catch(() => setError('该页面暂时无法打开，请稍后重试'))
  }

  const onReadAll = async () => {
    if (busy || inbox.unread === 0) return
    setBusy(true)
    setError(null)
    try {
      const { unread } = await api.readAllInbox()
      const readAt = new Date().toISOString()
      setData({ ...inbox, unread, messages: inbox.messages.map((m) => (m.readAt ? m : { ...m, readAt })) })
    } catch (e) {
      await fail(e, '操作失败，请稍后重试')
    } finally {
      setBusy(false)
    }
  }

  const onMore = async () => {
    if (busy || !inbox.nextCursor) return
    setBusy(true)
    setError(null)
    try {
      const next = await api.inbox(inbox.nextCursor)
      const seen = new Set(inbox.messages.map((m) => m.id))
      setData({
        messages: [...inbox.messages, ...next.messages.filter((m) => !seen.has(m.id))],
        nextCursor: next.nextCursor,
        unread: next.unread,
      })
    } catch (e) {
      await fail(e, '加载失败，请稍后重试')
    } finally {
      setBusy(false)
    }
  }

  return (
    <Page className="messages-page">
      <View className="card messages-head">
        <View className="messages-head-main">
          <Text className="messages-title">消息中心</Text>
          <Text className="messages-unread">
            {inbox.unread > 0 ? `${inbox.unread} 条未读` : '没有未读消息'}
          </Text>
        </View>
        <Button
          className={`btn btn-small btn-plain read-all${inbox.unread === 0 ? ' is-disabled' : ''}`}
          disabled={busy || inbox.unread === 0}
          onClick={() => void onReadAll()}
        >
          全部已读
        </Button>
      </View>

      {error && <Text className="form-error messages-error">{error}</Text>}

      {inbox.messages.length === 0 ? (
        <View className="card messages-empty">
          <Text className="messages-empty-text">暂无消息</Text>
          <Text className="messages-empty-hint">随访提醒、问卷和健康通知会显示在这里。</Text>
        </View>
      ) : (
        <View className="card message-list">
          {inbox.messages.map((m) => (
            <View
              key={m.id}
              className={`message-row${m.readAt ? '' : ' is-unread'}`}
              onClick={() => void onOpen(m)}
            >
              <View className="message-dot-col">{!m.readAt && <View className="unread-dot" />}</View>
              <View className="message-main">
                <View className="message-top">
                  <Text className="message-title">{m.title}</Text>
                  <Text className="message-time">{messageTime(m.createdAt)}</Text>
                </View>
                <Text className="message-body">{m.body}</Text>
                {messageUrl(m) && <Text className="message-go">查看详情 ›</Text>}
              </View>
            </View>
          ))}
        </View>
      )}

      {inbox.nextCursor && (
        <Button className="btn btn-plain messages-more" disabled={busy} onClick={() => void onMore()}>
          加载更多
        </Button>
      )}
    </Page>
  )
}

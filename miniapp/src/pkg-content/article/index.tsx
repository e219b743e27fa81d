import { useEffect, useRef } from 'react'
import Taro, { useDidHide, useDidShow, useLoad, useReachBottom, useRouter } from '@tarojs/taro'
import { Image, RichText, Text, View } from '@tarojs/components'
import type { PatientArticle } from '@careloop/shared'

import { api } from '../../api/endpoints'
import { hasSession } from '../../api/session'
import { Page, PageStatus } from '../../components/Page'
import { usePageData } from '../../hooks/usePageData'
import { PAGES } from '../../routes'
import { ArticleReadTracker, campaignRunIdOf, richTextHtml } from '../../services/content'
import { formatDate } from '../../utils/date'
import { toast } from '../../utils/ui'
import './index.css'

/**
 * 健康科普 article (`pkg-content/article/index?id=…[&campaignRunId=…]`, the page inbox and campaign
 * messages link): the approved version — title, date, the sanitised rich text, the disclaimer — and
 * read tracking while it is open (open, progress every 10 visible seconds, to the end, close).
 */
export default function ArticlePage() {
  const params = useRouter().params
  const id = params.id ?? ''
  const tracker = useRef<ArticleReadTracker | null>(null)

  const { state, load, reload } = usePageData(async (): Promise<PatientArticle | null> => {
    if (!hasSession()) {
      await Taro.reLaunch({ url: PAGES.login })
      return null
    }
    return api.myArticle(id)
  })

  useLoad(() => {
    void load()
  })

  const ready = state.kind === 'ready'
  useEffect(() => {
    if (!ready || tracker.current) return
    tracker.current = new ArticleReadTracker(id, {
      campaignRunId: campaignRunIdOf(params.campaignRunId),
      onPoints: (n) => toast(`阅读奖励 +${n} 积分`),
    })
    tracker.current.open()
  }, [ready])

  // leaving the page (back, or another page replacing it) ends the opening
  useEffect(() => () => tracker.current?.close(), [])
  useDidShow(() => tracker.current?.show())
  useDidHide(() => tracker.current?.hide())
  useReachBottom(() => tracker.current?.reachEnd())

  if (state.kind !== 'ready') return <PageStatus className="article-page" state={state} onRetry={reload} />
  const a = state.data

  return (
    <Page className="article-page">
      <View className="card article-card">
        <Text className="article-title">{a.title}</Text>
        <View className="article-meta">
          <Text className="tag tag-teal article-category">{a.category}</Text>
          <Text className="article-date">{formatDate(a.publishedAt)}</Text>
        </View>
        {a.coverUrl && <Image className="article-cover" src={a.coverUrl} mode="widthFix" />}
        <RichText className="article-body" nodes={richTextHtml(a.bodyHtml)} />
      </View>
      <View className="card article-disclaimer">
        <Text className="article-disclaimer-title">免责声明</Text>
        <Text className="article-disclaimer-text">{a.disclaimer}</Text>
      </View>
      <Text className="article-foot muted">本文经临床审核与合规审核后发布</Text>
    </Page>
  )
}

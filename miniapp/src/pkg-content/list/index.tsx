import Taro, { useDidShow } from '@tarojs/taro'
import { Image, Text, View } from '@tarojs/components'
import type { MyArticlesResponse } from '@careloop/shared'

import { api } from '../../api/endpoints'
import { hasSession } from '../../api/session'
import { Page, PageStatus } from '../../components/Page'
import { usePageData } from '../../hooks/usePageData'
import { PAGES } from '../../routes'
import { formatDate } from '../../utils/date'
import './index.css'

/** 健康科普: the hospital's approved health-education articles, newest first. */
export default function ContentListPage() {
  const { state, load, reload } = usePageData(async (): Promise<MyArticlesResponse | null> => {
    if (hasSession()) return api.myArticles()
    await Taro.reLaunch({ url: PAGES.login })
    return null
  })

  useDidShow(() => {
    void load()
  })

  if (state.kind !== 'ready')
    return <PageStatus className="content-list-page" state={state} onRetry={reload} />
  const { articles } = state.data

  const open = (id: string) => {
    void Taro.navigateTo({ url: `${PAGES.contentArticle}?id=${encodeURIComponent(id)}` })
  }

  return (
    <Page className="content-list-page">
      <View className="card content-list-head">
        <Text className="card-title">健康科普</Text>
        <Text className="card-desc">由医院护理团队撰写，经临床与合规审核</Text>
      </View>
      {articles.length === 0 ? (
        <View className="card content-empty">
          <Text className="content-empty-text">暂无文章，敬请期待</Text>
        </View>
      ) : (
        articles.map((a) => (
          <View key={a.id} className="card content-row" onClick={() => open(a.id)}>
            {a.coverUrl && <Image className="content-row-cover" src={a.coverUrl} mode="aspectFill" />}
            <View className="content-row-text">
              <Text className="content-row-title">{a.title}</Text>
              {a.summary && <Text className="content-row-summary">{a.summary}</Text>}
              <View className="content-row-meta">
                <Text className="tag tag-teal">{a.category}</Text>
                <Text className="content-row-date">{formatDate(a.publishedAt)}</Text>
              </View>
            </View>
          </View>
        ))
      )}
    </Page>
  )
}

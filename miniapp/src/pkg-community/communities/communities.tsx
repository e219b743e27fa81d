import Taro, { useDidShow } from '@tarojs/taro'
import { Button, Text, View } from '@tarojs/components'
import type { MyCommunity } from '@careloop/shared'

import { api } from '../../api/endpoints'
import { hasSession } from '../../api/session'
import { Page, PageStatus } from '../../components/Page'
import { usePageData } from '../../hooks/usePageData'
import { PAGES } from '../../routes'
import { fillPercent, groupCommunities, membersText, reasonOf, statusOf } from '../../services/community'
import './communities.css'

/**
 * 病友社群 (F11): the WeCom disease groups recommended for the active profile — those matching its
 * health tags first — with who is in them and whether the profile has joined. 加入 opens the join
 * page (the profile's personal QR). Coming back here reloads, so a fresh join shows 已加入.
 */
export default function CommunitiesPage() {
  const { state, load, reload } = usePageData(async () => {
    if (hasSession()) return api.myCommunities()
    await Taro.reLaunch({ url: PAGES.login })
    return null
  })

  useDidShow(() => {
    void load()
  })

  if (state.kind !== 'ready')
    return <PageStatus className="communities-page" state={state} onRetry={reload} />

  const { recommended, others } = groupCommunities(state.data.communities)
  const open = (c: MyCommunity) => {
    void Taro.navigateTo({ url: `${PAGES.communityJoin}?id=${encodeURIComponent(c.id)}` })
  }

  return (
    <Page className="communities-page">
      <View className="card communities-intro">
        <Text className="intro-title">病友社群</Text>
        <Text className="intro-desc">
          由医院护士建立和管理的企业微信群。与同病种的病友交流经验，护士会在群内分享健康知识、解答常见问题。
        </Text>
      </View>

      {state.data.communities.length === 0 ? (
        <View className="card communities-empty">
          <View className="empty-icon">
            <Text className="empty-icon-text">群</Text>
          </View>
          <Text className="empty-text">暂无可加入的社群</Text>
          <Text className="empty-hint">护士为您添加健康标签后，匹配的病友社群会显示在这里。</Text>
        </View>
      ) : (
        <>
          {recommended.length > 0 && <Text className="section-title">为您推荐</Text>}
          {recommended.map((c) => (
            <CommunityCard key={c.id} c={c} onOpen={open} />
          ))}
          {others.length > 0 && (
            <Text className="section-title">{recommended.length > 0 ? '更多社群' : '医院社群'}</Text>
          )}
          {others.map((c) => (
            <CommunityCard key={c.id} c={c} onOpen={open} />
          ))}
        </>
      )}

      <Text className="communities-footnote">
        入群即表示您同意遵守群规。群内请勿发布身份证号、病历等个人隐私信息，如有紧急情况请及时就医。
      </Text>
    </Page>
  )
}

function CommunityCard({ c, onOpen }: { c: MyCommunity; onOpen: (c: MyCommunity) => void }) {
  const status = statusOf(c)
  const initial = (c.diseaseTagName ?? c.name).slice(0, 1)
  return (
    <View className={`card community-card is-${status}${c.matchesMyTags ? ' is-match' : ''}`}>
      <View className="community-head">
        <View className={`community-avatar${c.matchesMyTags ? ' avatar-match' : ''}`}>
          <Text className="community-avatar-text">{initial}</Text>
        </View>
        <View className="community-main">
          <Text className="community-name">{c.name}</Text>
          <View className="community-facts">
            {c.diseaseTagName && <Text className="tag tag-teal community-tag">{c.diseaseTagName}</Text>}
            <Text className="community-members">{membersText(c)}</Text>
          </View>
          {c.ownerNurseName && <Text className="community-nurse">{c.ownerNurseName}护士 管理</Text>}
        </View>
        {status === 'joined' && <Text className="tag tag-teal community-joined">已加入</Text>}
        {status === 'full' && <Text className="tag tag-grey community-full">已满员</Text>}
      </View>

      {c.description && <Text className="community-desc">{c.description}</Text>}

      <View className="community-bar">
        <View className="community-bar-fill" style={{ width: `${fillPercent(c)}%` }} />
      </View>

      <View className="community-foot">
        <Text className={`community-reason${c.matchesMyTags ? ' is-match' : ''}`}>{reasonOf(c)}</Text>
        {status === 'joinable' && (
          <Button className="btn btn-small btn-primary community-join" onClick={() => onOpen(c)}>
            加入
          </Button>
        )}
        {status === 'joined' && (
          <Button className="btn btn-small btn-plain community-open" onClick={() => onOpen(c)}>
            查看
          </Button>
        )}
      </View>
    </View>
  )
}

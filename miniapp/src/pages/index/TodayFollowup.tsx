import { Text, View } from '@tarojs/components'
import type { MyFollowupResponse } from '@careloop/shared'

import { formatLocalDue, STEP_STATUS, stepPage } from '../../services/followup'

/** How many of the next steps 首页 lists (the rest are on 我的随访). */
const SHOWN = 3

/**
 * 今日随访 on 首页: the active profile's due and next steps (soonest first), each opening its page; the
 * empty state while there are none (or the follow-up could not be loaded).
 */
export function TodayFollowup(props: { followup: MyFollowupResponse | null; go: (url: string) => void }) {
  const next = (props.followup?.next ?? []).filter((s) => s.kind !== 'nurse_task').slice(0, SHOWN)
  if (next.length === 0)
    return (
      <View className="empty">
        <View className="empty-icon">
          <View className="empty-check" />
        </View>
        <Text className="empty-text">暂无待完成的随访任务</Text>
        <Text className="empty-hint">医生或护士为您安排随访后，任务会显示在这里。</Text>
      </View>
    )
  return (
    <View className="today-list">
      {next.map((s) => {
        const status = STEP_STATUS[s.status]
        const url = stepPage(s)
        return (
          <View key={s.id} className={`today-step today-${s.status}`} onClick={() => url && props.go(url)}>
            <View className="today-main">
              <Text className="today-title">{s.title}</Text>
              <Text className="today-meta">
                {s.planName} · {formatLocalDue(s.dueAtLocal)}
              </Text>
            </View>
            <Text className={`tag tag-${status.tone} today-status`}>{status.label}</Text>
          </View>
        )
      })}
    </View>
  )
}

import { Button, Text, View } from '@tarojs/components'
import type { MyAnswer } from '@careloop/shared'

import { BusyButton } from '../../components/Controls'
import { formatDateTime } from '../../utils/date'

/**
 * A submitted answer: the score (and its band) or the satisfaction, and — when an answer raised a red
 * flag — the server's calm note that the nurse has been told. Then 提醒我下次随访 (F21) while the
 * patient has not been asked on this page, and the way back to 我的随访.
 */
export function AnswerResult(props: {
  answer: MyAnswer
  canRemind: boolean
  reminding: boolean
  onRemind: () => void
  onBack: () => void
}) {
  const { answer, canRemind, reminding, onRemind, onBack } = props
  return (
    <>
      <View className="card answer-result">
        <View className="result-mark">
          <View className="result-mark-check" />
        </View>
        <Text className="result-title">感谢您的填写</Text>
        <Text className="result-time">提交于 {formatDateTime(answer.createdAt)}</Text>
        {answer.score !== null && (
          <View className="result-score">
            <Text className="result-score-label">本次得分</Text>
            <Text className="result-score-value">{answer.score}</Text>
            {answer.band && <Text className="tag tag-blue result-band">{answer.band}</Text>}
          </View>
        )}
        {answer.satisfaction !== null && (
          <View className="result-score">
            <Text className="result-score-label">满意度</Text>
            <Text className="result-score-value result-satisfaction">{answer.satisfaction}</Text>
            <Text className="result-score-unit">/ 100</Text>
          </View>
        )}
      </View>

      {answer.notice && (
        <View className="nurse-notice red-flag-notice">
          <View className="nurse-notice-icon">
            <Text className="nurse-notice-icon-text">护</Text>
          </View>
          <View className="nurse-notice-main">
            <Text className="nurse-notice-title">已通知您的护士</Text>
            <Text className="nurse-notice-body">{answer.notice}</Text>
          </View>
        </View>
      )}

      {canRemind && (
        <View className="card fu-remind-card result-remind">
          <Text className="fu-remind-title">提醒我下次随访</Text>
          <Text className="fu-remind-desc">下次随访任务到期时，通过微信服务通知提醒您。</Text>
          <BusyButton className="remind-next" busy={reminding} onClick={onRemind}>
            提醒我下次随访
          </BusyButton>
        </View>
      )}

      <Button className="btn btn-secondary result-back" onClick={onBack}>
        返回我的随访
      </Button>
    </>
  )
}

import { useState } from 'react'
import { Image, Text, View } from '@tarojs/components'
import type { PatientReward } from '@careloop/shared'

import { CATEGORY_ICONS } from '../services/rewards'

/** A reward's picture, or a placeholder in its category's colours (also when the picture fails). */
export function RewardThumb(props: {
  reward: Pick<PatientReward, 'imageUrl' | 'category' | 'name'>
  /** Sizes the box and its placeholder character (page CSS). */
  className: string
}) {
  const { reward, className } = props
  const [broken, setBroken] = useState(false)
  return (
    <View className={`reward-thumb reward-thumb-${reward.category} ${className}`}>
      {reward.imageUrl && !broken ? (
        <Image
          className="reward-thumb-image"
          src={reward.imageUrl}
          mode="aspectFill"
          onError={() => setBroken(true)}
        />
      ) : (
        <Text className="reward-thumb-icon">{CATEGORY_ICONS[reward.category]}</Text>
      )}
    </View>
  )
}

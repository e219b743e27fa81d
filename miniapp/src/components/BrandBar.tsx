import { Text, View } from '@tarojs/components'

import './BrandBar.css'

/** The hospital brand strip at the top of every page. */
export function BrandBar() {
  return (
    <View className="brand-bar">
      <View className="brand-mark">
        <View className="brand-mark-v" />
        <View className="brand-mark-h" />
      </View>
      <Text className="brand-name">CareLoop</Text>
      <Text className="brand-sub">患者服务</Text>
    </View>
  )
}

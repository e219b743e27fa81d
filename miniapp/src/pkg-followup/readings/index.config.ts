export default definePageConfig({
  navigationBarTitleText: '健康指标',
})

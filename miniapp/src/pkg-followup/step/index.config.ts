export default definePageConfig({
  navigationBarTitleText: '随访任务',
})

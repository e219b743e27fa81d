export default definePageConfig({
  navigationBarTitleText: '病友社群',
})

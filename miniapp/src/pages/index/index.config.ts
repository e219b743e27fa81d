export default definePageConfig({
  navigationBarTitleText: 'CareLoop',
})

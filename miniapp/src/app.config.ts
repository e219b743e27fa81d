export default defineAppConfig({
  // The first page is the entry: it sends visitors without a session to the login page.
  pages: ['pages/index/index', 'pages/login/login', 'pages/profile-setup/profile-setup'],
  window: {
    backgroundTextStyle: 'light',
    backgroundColor: '#f2f7f8',
    navigationBarBackgroundColor: '#ffffff',
    navigationBarTitleText: 'CareLoop',
    navigationBarTextStyle: 'black',
  },
})

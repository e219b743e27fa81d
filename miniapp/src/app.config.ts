export default defineAppConfig({
  // The first page is the entry: it sends visitors without a session to the login page, and a
  // profile without care consent to the consent page.
  pages: [
    'pages/index/index',
    'pages/login/login',
    'pages/consent/consent',
    'pages/profile-setup/profile-setup',
    'pages/profile/profile',
    'pages/family/family',
    'pages/settings/settings',
  ],
  // Rarely used pages load on demand and keep the main package small.
  subPackages: [
    { root: 'pkg-mine', pages: ['my-data/my-data', 'policy/policy', 'messages/index'] },
    { root: 'pkg-community', pages: ['communities/communities', 'join/join'] },
    // 随访: page paths the server's subscribe messages and inbox link to (followup/materialise.ts)
    {
      root: 'pkg-followup',
      pages: ['plan/index', 'step/index', 'questionnaire/index', 'readings/index'],
    },
  ],
  window: {
    backgroundTextStyle: 'light',
    backgroundColor: '#f2f7f8',
    navigationBarBackgroundColor: '#ffffff',
    navigationBarTitleText: 'CareLoop',
    navigationBarTextStyle: 'black',
  },
})

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
    // 健康科普 (F22): the article page campaign messages link to, and the list
    { root: 'pkg-content', pages: ['list/index', 'article/index'] },
    // 积分 / 积分商城 / 我的兑换 (F26–F30); the expiry reminder links pkg-points/index/index
    {
      root: 'pkg-points',
      pages: ['index/index', 'mall/index', 'reward/index', 'redemption/index', 'redemptions/index'],
    },
    // 付费会员 / 我的订单 (F31, F32)
    { root: 'pkg-member', pages: ['index/index', 'orders/index', 'order/index'] },
  ],
  window: {
    backgroundTextStyle: 'light',
    backgroundColor: '#f2f7f8',
    navigationBarBackgroundColor: '#ffffff',
    navigationBarTitleText: 'CareLoop',
    navigationBarTextStyle: 'black',
  },
})

/** Page paths, as Taro navigation expects them. Keep in sync with app.config.ts. */
export const PAGES = {
  home: '/pages/index/index',
  login: '/pages/login/login',
  consent: '/pages/consent/consent',
  profileSetup: '/pages/profile-setup/profile-setup',
  profile: '/pages/profile/profile',
  family: '/pages/family/family',
  settings: '/pages/settings/settings',
  // subpackage `pkg-mine`: rarely used, loaded on first visit
  myData: '/pkg-mine/my-data/my-data',
  policy: '/pkg-mine/policy/policy',
  messages: '/pkg-mine/messages/index',
  // subpackage `pkg-community`: 病友社群 (F11)
  communities: '/pkg-community/communities/communities',
  communityJoin: '/pkg-community/join/join',
  // subpackage `pkg-followup`: 随访 (F15–F21). The server's messages link `pkg-followup/step/index?id=`
  // and `pkg-followup/questionnaire/index?step=` (followup/materialise.ts): keep these paths.
  followupPlan: '/pkg-followup/plan/index',
  followupStep: '/pkg-followup/step/index',
  followupQuestionnaire: '/pkg-followup/questionnaire/index',
  readings: '/pkg-followup/readings/index',
  // subpackage `pkg-content`: 健康科普 (F22). Campaign messages link `pkg-content/article/index?id=`
  // (server content.port.ts `articlePage`): keep this path.
  contentList: '/pkg-content/list/index',
  contentArticle: '/pkg-content/article/index',
  // subpackage `pkg-points`: 积分 and 积分商城 (F26–F30). The server's expiry reminder links
  // `pkg-points/index/index` (points-expiry.service.ts): keep this path.
  points: '/pkg-points/index/index',
  mall: '/pkg-points/mall/index',
  reward: '/pkg-points/reward/index',
  redemption: '/pkg-points/redemption/index',
  redemptions: '/pkg-points/redemptions/index',
  // subpackage `pkg-member`: 付费会员 and 我的订单 (F31, F32)
  member: '/pkg-member/index/index',
  orders: '/pkg-member/orders/index',
  order: '/pkg-member/order/index',
} as const

export type PagePath = (typeof PAGES)[keyof typeof PAGES]

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
} as const

export type PagePath = (typeof PAGES)[keyof typeof PAGES]

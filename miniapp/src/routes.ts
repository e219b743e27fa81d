/** Page paths, as Taro navigation expects them. Keep in sync with app.config.ts. */
export const PAGES = {
  home: '/pages/index/index',
  login: '/pages/login/login',
  profileSetup: '/pages/profile-setup/profile-setup',
} as const

export type PagePath = (typeof PAGES)[keyof typeof PAGES]

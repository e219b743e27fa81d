import Taro from '@tarojs/taro'

/** A one-time message for the next page (e.g. the login page after the account was erased). */
const NOTICE_KEY = 'careloop.notice'

export function setNotice(message: string) {
  Taro.setStorageSync(NOTICE_KEY, message)
}

/** The pending notice, removed as it is read. */
export function takeNotice(): string | null {
  const value: unknown = Taro.getStorageSync(NOTICE_KEY)
  if (typeof value !== 'string' || value === '') return null
  Taro.removeStorageSync(NOTICE_KEY)
  return value
}

/** Shown on the login page after the account was erased. */
export const ERASED_NOTICE = '您的账号已注销，个人信息已删除。如需再次使用，请重新登录。'

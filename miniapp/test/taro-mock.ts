// The mocked @tarojs/taro (see __mocks__/taro.ts), typed for assertions.
import Taro from '@tarojs/taro'

type MockedApi =
  | 'request'
  | 'login'
  | 'requestPayment'
  | 'requestSubscribeMessage'
  | 'reLaunch'
  | 'navigateTo'
  | 'redirectTo'
  | 'navigateBack'
  | 'showModal'
  | 'showToast'
  | 'setClipboardData'
  | 'getStorageSync'
  | 'setStorageSync'
  | 'removeStorageSync'

export const taro = Taro as unknown as Record<MockedApi, jest.Mock>

/** What the app stored under `key` ('' when nothing, as wx.getStorageSync answers). */
export const stored = (key: string): unknown => taro.getStorageSync(key) as unknown

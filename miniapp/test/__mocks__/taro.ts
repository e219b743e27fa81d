// A stand-in for @tarojs/taro: storage in a Map, every API a jest.fn, page hooks run on mount.
import { useEffect } from 'react'

const storage = new Map<string, unknown>()

const Taro = {
  request: jest.fn(),
  login: jest.fn(),
  requestPayment: jest.fn(),
  requestSubscribeMessage: jest.fn(),
  reLaunch: jest.fn(() => Promise.resolve({ errMsg: 'reLaunch:ok' })),
  navigateTo: jest.fn(() => Promise.resolve({ errMsg: 'navigateTo:ok' })),
  redirectTo: jest.fn(() => Promise.resolve({ errMsg: 'redirectTo:ok' })),
  navigateBack: jest.fn(() => Promise.resolve({ errMsg: 'navigateBack:ok' })),
  showToast: jest.fn(() => Promise.resolve({ errMsg: 'showToast:ok' })),
  // Confirms by default; a test answers 取消 with showModal.mockResolvedValueOnce({ confirm: false, ... }).
  showModal: jest.fn(() => Promise.resolve({ errMsg: 'showModal:ok', confirm: true, cancel: false })),
  setClipboardData: jest.fn(() => Promise.resolve({ errMsg: 'setClipboardData:ok' })),
  getStorageSync: jest.fn((key: string) => (storage.has(key) ? storage.get(key) : '')),
  setStorageSync: jest.fn((key: string, value: unknown) => {
    storage.set(key, value)
  }),
  removeStorageSync: jest.fn((key: string) => {
    storage.delete(key)
  }),
}

/** Tests: forget stored values and reset every mock to its default behaviour. */
export function __resetTaro() {
  storage.clear()
  Taro.request.mockReset()
  Taro.login.mockReset()
  Taro.requestPayment.mockReset()
  Taro.requestSubscribeMessage.mockReset()
  Taro.reLaunch.mockClear()
  Taro.navigateTo.mockClear()
  Taro.redirectTo.mockClear()
  Taro.navigateBack.mockClear()
  routerParams = {}
  Taro.showToast.mockClear()
  Taro.showModal.mockClear()
  Taro.setClipboardData.mockClear()
  Taro.getStorageSync.mockClear()
  Taro.setStorageSync.mockClear()
  Taro.removeStorageSync.mockClear()
}

const runOnMount = (fn: () => void) => {
  useEffect(() => {
    fn()
  }, [])
}

let routerParams: Record<string, string> = {}

/** Tests: the query of the page being rendered (what useRouter().params answers). */
export function __setRouterParams(params: Record<string, string>) {
  routerParams = params
}

export const useRouter = () => ({ params: routerParams, path: '' })

export const useLoad = runOnMount
export const useDidShow = runOnMount
export const useLaunch = runOnMount

/** Page events a test fires with `__firePage` (the latest registered handler of each). */
type PageEvent = 'hide' | 'reachBottom'
const pageHandlers: Partial<Record<PageEvent, () => void>> = {}
export const useDidHide = (fn: () => void) => {
  pageHandlers.hide = fn
}
export const useReachBottom = (fn: () => void) => {
  pageHandlers.reachBottom = fn
}

/** Tests: the page goes to the background (`hide`) or is scrolled to its end (`reachBottom`). */
export function __firePage(event: PageEvent) {
  pageHandlers[event]?.()
}

export default Taro

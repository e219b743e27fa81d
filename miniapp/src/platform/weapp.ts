import Taro from '@tarojs/taro'

import { errMsgOf, PlatformError, type Platform, type SubscribeDecision } from './types'

const DECISIONS: readonly SubscribeDecision[] = ['accept', 'reject', 'ban', 'filter']

/** The real WeChat client (weapp build). */
export const weappPlatform: Platform = {
  kind: 'weapp',

  async login() {
    let res: Taro.login.SuccessCallbackResult
    try {
      res = await Taro.login()
    } catch (e) {
      throw new PlatformError('微信登录失败，请稍后重试', errMsgOf(e))
    }
    if (!res.code) throw new PlatformError('微信登录失败，请稍后重试', res.errMsg)
    return { code: res.code }
  },

  async requestPayment(p) {
    try {
      await Taro.requestPayment({
        timeStamp: p.timeStamp,
        nonceStr: p.nonceStr,
        package: p.package,
        signType: p.signType,
        paySign: p.paySign,
      })
      return 'ok'
    } catch (e) {
      const msg = errMsgOf(e)
      if (msg.includes('cancel')) return 'cancel'
      throw new PlatformError('支付未完成，请稍后重试', msg)
    }
  },

  async requestSubscribeMessage(ids) {
    if (ids.length === 0) return {}
    if (ids.length > 3) throw new Error('requestSubscribeMessage takes at most 3 template ids per call')
    let res: Record<string, unknown>
    try {
      res = (await Taro.requestSubscribeMessage({ tmplIds: ids, entityIds: [] })) as unknown as Record<
        string,
        unknown
      >
    } catch (e) {
      throw new PlatformError('订阅消息授权失败，请稍后重试', errMsgOf(e))
    }
    const out: Record<string, SubscribeDecision> = {}
    for (const id of ids) {
      const v = res[id]
      if (typeof v === 'string' && (DECISIONS as readonly string[]).includes(v))
        out[id] = v as SubscribeDecision
    }
    return out
  },

  phoneCode(detail) {
    if (detail?.code) return Promise.resolve(detail.code)
    return Promise.reject(new PlatformError('未获得手机号授权', detail?.errMsg))
  },

  async setClipboard(text) {
    try {
      await Taro.setClipboardData({ data: text })
    } catch (e) {
      throw new PlatformError('复制失败，请长按内容手动复制', errMsgOf(e))
    }
  },
}

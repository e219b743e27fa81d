import Taro from '@tarojs/taro'

import { getClientConfig } from '../api/endpoints'
import { ApiError, httpRequest } from '../api/http'
import { askPay } from './pay-sheet'
import { askSubscribe, type SheetTemplate } from './subscribe-sheet'
import { errMsgOf, PlatformError, type Platform, type SubscribeDecision } from './types'

/** Storage key of the simulated WeChat user this browser logs in as. */
export const SIM_USER_KEY = 'careloop.simUser'

function randomKey(): string {
  return Math.random().toString(36).slice(2, 10).padEnd(8, '0')
}

/** The simulated WeChat user of this browser: a stable `sim-xxxxxxxx` until the tester picks another. */
export function getSimUser(): string {
  const stored: unknown = Taro.getStorageSync(SIM_USER_KEY)
  if (typeof stored === 'string' && stored.trim() !== '') return stored
  const fresh = `sim-${randomKey()}`
  Taro.setStorageSync(SIM_USER_KEY, fresh)
  return fresh
}

export function setSimUser(user: string) {
  const key = user.trim()
  if (key === '') throw new PlatformError('请输入模拟用户标识')
  Taro.setStorageSync(SIM_USER_KEY, key)
}

/** Storage key of the phone number the simulator's getPhoneNumber hands out. */
export const SIM_PHONE_KEY = 'careloop.simPhone'
/** The simulator's default phone number (what WeChat would return for the demo user). */
export const DEFAULT_SIM_PHONE = '13812345678'

export const isMainlandMobile = (phone: string) => /^1\d{10}$/.test(phone)

/** The phone number the simulated getPhoneNumber returns for this browser. */
export function getSimPhone(): string {
  const stored: unknown = Taro.getStorageSync(SIM_PHONE_KEY)
  return typeof stored === 'string' && isMainlandMobile(stored) ? stored : DEFAULT_SIM_PHONE
}

export function setSimPhone(phone: string) {
  const p = phone.trim()
  if (!isMainlandMobile(p)) throw new PlatformError('请输入 11 位手机号')
  Taro.setStorageSync(SIM_PHONE_KEY, p)
}

interface SimLoginResponse {
  code: string
  openid: string
  unionid?: string
}

/** The WeChat simulator's base URL, learnt from the server (ports differ between tests and `npm start`). */
async function wechatSimulatorBase(): Promise<string> {
  const config = await getClientConfig()
  const base = config.mode === 'simulated' ? config.simulators?.wechat : undefined
  if (!base) {
    throw new PlatformError('请在微信中打开小程序登录', `server mode is ${config.mode}: no WeChat simulator`)
  }
  return base.replace(/\/+$/, '')
}

/** The WeCom simulator's base URL, when the server's WeCom client talks to a local one; else null. */
export async function wecomSimulatorBase(): Promise<string | null> {
  const config = await getClientConfig()
  const base = config.mode === 'simulated' ? config.simulators?.wecom : undefined
  return base ? base.replace(/\/+$/, '') : null
}

/** The join way a simulator QR image URL names (`…/_sim/wecom/qr.png?config_id=…`), or null. */
export function simConfigIdOf(qrCodeUrl: string): string | null {
  const m = /[?&]config_id=([^&#]+)/.exec(qrCodeUrl)
  if (!m) return null
  try {
    return decodeURIComponent(m[1]!)
  } catch {
    return null
  }
}

/**
 * Demo only (h5 against the local simulators): what scanning a community's join QR in WeChat does —
 * the WeCom simulator puts this browser's simulated WeChat user (same unionid as its login) into the
 * group through the QR's join way (`POST {wecom}/_sim/wecom/groups/join`), and WeCom then tells the
 * server. Already in the group counts as done.
 */
export async function simulateScanJoin(input: { qrCodeUrl: string; name: string }): Promise<void> {
  const base = await wecomSimulatorBase()
  if (!base) throw new PlatformError('当前环境未连接企业微信模拟器，请用微信扫码加入')
  const configId = simConfigIdOf(input.qrCodeUrl)
  if (!configId) throw new PlatformError('二维码不是模拟器生成的，无法模拟扫码', input.qrCodeUrl)
  // The WeChat user this browser logs in as: the simulator answers its (deterministic) unionid.
  const { users } = await httpRequest<{ users?: { user: string; unionid: string }[] }>({
    method: 'GET',
    url: `${await wechatSimulatorBase()}/_sim/wx/users`,
  })
  const unionid = users?.find((u) => u.user === getSimUser())?.unionid
  try {
    await httpRequest<unknown>({
      method: 'POST',
      url: `${base}/_sim/wecom/groups/join`,
      data: { config_id: configId, name: input.name, ...(unionid ? { unionid } : {}) },
    })
  } catch (e) {
    if (e instanceof ApiError && e.status === 409 && /already in the group/.test(errorText(e))) return
    throw new PlatformError(`模拟扫码入群失败：${errorText(e)}`, errMsgOf(e))
  }
}

/** The openid the WeChat simulator gave this browser's simulated user at login, or null. */
async function simOpenid(base: string): Promise<string | null> {
  const { users } = await httpRequest<{ users?: { user: string; openid: string }[] }>({
    method: 'GET',
    url: `${base}/_sim/wx/users`,
  })
  return users?.find((u) => u.user === getSimUser())?.openid ?? null
}

/** The titles WeChat would show: the simulator's registered templates (the id when unknown). */
async function templateTitles(base: string, ids: readonly string[]): Promise<SheetTemplate[]> {
  let known: { id: string; title: string }[] = []
  try {
    const res = await httpRequest<{ templates?: { id: string; title: string }[] }>({
      method: 'GET',
      url: `${base}/_sim/wx/templates`,
    })
    known = res.templates ?? []
  } catch {
    // Titles are cosmetic: ask with the ids.
  }
  return ids.map((id) => ({ id, title: known.find((t) => t.id === id)?.title ?? id }))
}

/**
 * Demo only: what `wx.requestSubscribeMessage` does, answered by the patient in the simulator's
 * sheet. The WeChat simulator is told the decisions (`POST {wechat}/_sim/wx/subscribe`), so its
 * platform-side credits match the ones the server records from the same answer.
 */
async function simulateSubscribe(ids: string[]): Promise<Record<string, SubscribeDecision>> {
  if (ids.length === 0) return {}
  if (ids.length > 3) throw new Error('requestSubscribeMessage takes at most 3 template ids per call')
  const base = await wechatSimulatorBase()
  const templates = await templateTitles(base, ids)
  const decisions: Record<string, SubscribeDecision> = await askSubscribe(templates)
  const openid = await simOpenid(base)
  if (!openid) throw new PlatformError('模拟器中没有当前微信用户，请重新登录后再试')
  try {
    await httpRequest<unknown>({
      method: 'POST',
      url: `${base}/_sim/wx/subscribe`,
      data: { openid, decisions },
    })
  } catch (e) {
    throw new PlatformError(`订阅消息授权失败：${errorText(e)}`, errMsgOf(e))
  }
  return decisions
}

/** A simulator hook's own words (`{error}`), else the error's message. */
function errorText(e: unknown): string {
  return e instanceof ApiError ? (e.serverMessage ?? e.message) : errMsgOf(e)
}

const notAvailable = (call: string, what: string) =>
  new PlatformError(`${call}() is not available in this build（当前版本暂不支持${what}）`)

/**
 * The h5 build and tests: the same calls, answered by the local platform simulators (platform.md §7.4).
 * Login, the phone code, subscribe messages and payment (the 「微信支付」 sheet, then the WeChat Pay
 * simulator's client hook) are wired; without a pay simulator, payment fails loudly instead of
 * pretending success.
 */
export const simulatorPlatform: Platform = {
  kind: 'simulator',

  async login() {
    const base = await wechatSimulatorBase()
    const res = await httpRequest<SimLoginResponse>({
      method: 'POST',
      url: `${base}/_sim/wx/login`,
      data: { user: getSimUser() },
    })
    if (typeof res.code !== 'string' || res.code === '') {
      throw new PlatformError('模拟器未返回登录凭证', JSON.stringify(res))
    }
    return { code: res.code }
  },

  async requestPayment(p) {
    // What WeChat's client does with these parameters: it shows its 「微信支付」 sheet (here the
    // simulator's PaySheet); on 确认支付 the WeChat Pay simulator checks package and paySign against
    // the order, marks it paid and sends the server its notify (platform.md §7.4). 取消 answers
    // 'cancel' and leaves the order unpaid, as WeChat's requestPayment:fail cancel does.
    const config = await getClientConfig()
    const base = config.mode === 'simulated' ? config.simulators?.pay : undefined
    if (!base) throw notAvailable('requestPayment', '微信支付')
    const confirmed = await askPay({
      amountFen: p.amountFen ?? null,
      description: p.description ?? 'CareLoop 患者服务',
      outTradeNo: p.outTradeNo,
    })
    if (!confirmed) return 'cancel'
    try {
      await httpRequest<unknown>({
        method: 'POST',
        url: `${base.replace(/\/+$/, '')}/_sim/pay/${encodeURIComponent(p.outTradeNo)}/pay`,
        data: {
          timeStamp: p.timeStamp,
          nonceStr: p.nonceStr,
          package: p.package,
          signType: p.signType,
          paySign: p.paySign,
        },
      })
    } catch (e) {
      throw new PlatformError(`支付失败：${errorText(e)}`, errMsgOf(e))
    }
    return 'ok'
  },

  requestSubscribeMessage(ids) {
    return simulateSubscribe(ids)
  },

  async phoneCode() {
    const base = await wechatSimulatorBase()
    const res = await httpRequest<{ code?: unknown }>({
      method: 'POST',
      url: `${base}/_sim/wx/phone`,
      data: { user: getSimUser(), phone: getSimPhone() },
    })
    if (typeof res.code !== 'string' || res.code === '') {
      throw new PlatformError('模拟器未返回手机号授权码', JSON.stringify(res))
    }
    return res.code
  },

  async setClipboard(text) {
    // Taro h5 copies through a hidden textarea and shows its own 内容已复制 toast, like WeChat.
    try {
      await Taro.setClipboardData({ data: text })
    } catch (e) {
      throw new PlatformError('复制失败，请长按内容手动复制', errMsgOf(e))
    }
  },
}

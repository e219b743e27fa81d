/**
 * The JSAPI payment parameters the server returns with a prepay order (WeChat Pay v3), plus our
 * order number, which the simulator pays by.
 */
export interface PayParams {
  outTradeNo: string
  timeStamp: string
  nonceStr: string
  /** `prepay_id=…` */
  package: string
  signType: 'RSA'
  paySign: string
  /**
   * What the h5 simulator's 「微信支付」 sheet shows (fen, and the order's description); WeChat shows
   * its own from the prepay order, so the weapp adapter ignores them.
   */
  amountFen?: number
  description?: string
}

export type SubscribeDecision = 'accept' | 'reject' | 'ban' | 'filter'

/** Every WeChat client capability the app uses. Pages and services call these, never `Taro.*` directly. */
export interface Platform {
  /** `weapp`: the real WeChat client. `simulator`: the local platform simulators (h5 build, tests). */
  readonly kind: 'weapp' | 'simulator'
  /** A fresh single-use login code for `POST /api/v1/auth/wechat/login`. */
  login(): Promise<{ code: string }>
  requestPayment(p: PayParams): Promise<'ok' | 'cancel'>
  /** At most 3 template ids per call; must run inside a tap handler. */
  requestSubscribeMessage(ids: string[]): Promise<Record<string, SubscribeDecision>>
  /**
   * A single-use getPhoneNumber code for `POST /api/v1/me/phone` (not the login code). On weapp it
   * comes from `<Button openType='getPhoneNumber'>`'s event detail; the simulator mints one for the
   * phone number the tester typed.
   */
  phoneCode(detail?: { code?: string; errMsg?: string }): Promise<string>
  /** Puts text on the system clipboard (wx.setClipboardData; WeChat shows its own 内容已复制 toast). */
  setClipboard(text: string): Promise<void>
}

/** A platform call that failed; `message` is Chinese and meant for the patient. */
export class PlatformError extends Error {
  override readonly name = 'PlatformError'
  constructor(
    message: string,
    /** What the platform said (errMsg), for logs. */
    readonly detail?: string,
  ) {
    super(message)
  }
}

export function errMsgOf(e: unknown): string {
  if (typeof e === 'object' && e !== null && typeof (e as { errMsg?: unknown }).errMsg === 'string') {
    return (e as { errMsg: string }).errMsg
  }
  if (e instanceof Error) return e.message
  return String(e)
}

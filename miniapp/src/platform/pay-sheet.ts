import Taro from '@tarojs/taro'

/**
 * The simulator's stand-in for WeChat's payment sheet (h5 build): `askPay` shows the amount in the
 * `PaySheet` of the current page (确认支付 / 取消) and resolves true on 确认支付. A page that pays
 * renders `<PaySheet />`; without one, a plain confirm dialog asks instead.
 */

export interface PaySheetRequest {
  /** Fen. */
  amountFen: number | null
  description: string
  outTradeNo: string
  answer: (confirmed: boolean) => void
}

type Host = (request: PaySheetRequest | null) => void

const hosts = new Set<Host>()
let current: PaySheetRequest | null = null

const notify = () => {
  for (const host of hosts) host(current)
}

/** A sheet component registers here while mounted; answers the unregister function. */
export function hostPaySheet(host: Host): () => void {
  hosts.add(host)
  host(current)
  return () => {
    hosts.delete(host)
  }
}

/** `¥29.90` of an amount in fen. */
export const yuan = (fen: number): string => `¥${(fen / 100).toFixed(2)}`

/** Asks the patient to confirm a payment; resolves once they answered (true: 确认支付). */
export function askPay(input: {
  amountFen: number | null
  description: string
  outTradeNo: string
}): Promise<boolean> {
  if (hosts.size === 0) {
    const amount = input.amountFen === null ? '' : `\n${yuan(input.amountFen)}`
    return Taro.showModal({
      title: '微信支付',
      content: `${input.description}${amount}`,
      confirmText: '确认支付',
      cancelText: '取消',
      confirmColor: '#07c160',
    }).then((r) => r.confirm)
  }
  // A request still open (a double tap) is answered as cancelled before the new one shows.
  current?.answer(false)
  return new Promise((resolve) => {
    const request: PaySheetRequest = {
      ...input,
      answer: (confirmed) => {
        if (current !== request) return
        current = null
        notify()
        resolve(confirmed)
      },
    }
    current = request
    notify()
  })
}

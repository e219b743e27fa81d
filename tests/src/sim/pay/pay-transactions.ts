import { createHash } from 'node:crypto'
import type { SimRequest, SimResponse } from '../sim-server'
import { beijingTime, rsaVerify } from './pay-keys'
import {
  canonical,
  isObj,
  isRfc3339,
  notifyUrlIssue,
  paramError,
  payError,
  posInt,
  str,
  type PayContext,
  type SimOrder,
} from './pay-state'

/**
 * JSAPI transactions (platform.md §5.1, §5.6): prepay with the §5.1 field rules (400 PARAM_ERROR
 * naming the field, APPID_MCHID_NOT_MATCH, 403 OUT_TRADE_NO_USED when a known out_trade_no comes
 * with other params, the same prepay_id for the same params), query by out_trade_no or
 * transaction_id (404 ORDER_NOT_EXIST), close (204; 400 ORDERPAID once paid).
 *
 * Hook `POST /_sim/pay/{out_trade_no}/pay {timeStamp, nonceStr, package, paySign, signType?, openid?}`:
 * what the WeChat client does on `wx.requestPayment` — it checks the package against the order's
 * prepay_id (valid 2 h, before time_expire) and paySign against the merchant key, marks the order
 * paid and sends the TRANSACTION.SUCCESS notify; it answers `{errMsg: 'requestPayment:ok',
 * transaction_id, notify: {id, status}}` once our server has answered the first delivery, or
 * `{errMsg: 'requestPayment:fail …'}` with 400/404. It works as soon as the order exists (also while
 * the prepay answer is held by `/_sim/pay/prepay/delay`).
 */

const OUT_TRADE_NO = /^[0-9A-Za-z_\-|*]{6,32}$/
const PREPAY_TTL_MS = 2 * 3_600_000

const digits = (seed: string, n: number): string => {
  const h = createHash('sha256').update(seed).digest()
  return Array.from(h.subarray(0, n), (b) => String(b % 10)).join('')
}

/** The query answer of an order (an unpaid one carries no total, as WeChat Pay's does). */
export const transactionView = (o: SimOrder): Record<string, unknown> => {
  const base = {
    appid: o.appid,
    mchid: o.mchid,
    out_trade_no: o.outTradeNo,
    ...(o.attach !== undefined ? { attach: o.attach } : {}),
    trade_state: o.state,
    trade_state_desc: { SUCCESS: '支付成功', REFUND: '转入退款', NOTPAY: '订单未支付', CLOSED: '订单已关闭' }[
      o.state as 'SUCCESS'
    ],
    promotion_detail: [],
  }
  if (!o.transactionId) return { ...base, amount: { payer_currency: 'CNY' } }
  return {
    ...base,
    transaction_id: o.transactionId,
    trade_type: 'JSAPI',
    bank_type: 'OTHERS',
    success_time: o.successTime,
    payer: { openid: o.openid },
    amount: { total: o.total, payer_total: o.total, currency: 'CNY', payer_currency: 'CNY' },
  }
}

const validatePrepay = (b: Record<string, unknown>): SimResponse | undefined => {
  if (!str(b.appid, 1, 32)) return paramError('appid', '必填且长度不超过32')
  if (!str(b.mchid, 1, 32)) return paramError('mchid', '必填且长度不超过32')
  if (!str(b.description, 1, 127)) return paramError('description', '必填且长度不超过127')
  if (typeof b.out_trade_no !== 'string' || !OUT_TRADE_NO.test(b.out_trade_no))
    return paramError('out_trade_no', '必填，6-32位数字、大小写字母、_-|*')
  if (b.time_expire !== undefined && !isRfc3339(b.time_expire))
    return paramError('time_expire', '须为rfc3339格式')
  if (b.attach !== undefined && !str(b.attach, 0, 128)) return paramError('attach', '长度不超过128')
  const urlIssue = notifyUrlIssue(b.notify_url)
  if (urlIssue) return paramError('notify_url', urlIssue)
  if (!isObj(b.amount)) return paramError('amount', '必填')
  if (!posInt(b.amount.total)) return paramError('amount.total', '必填，正整数（分）')
  if (b.amount.currency !== undefined && b.amount.currency !== 'CNY')
    return paramError('amount.currency', '只支持CNY')
  if (!isObj(b.payer) || !str(b.payer.openid, 1, 128))
    return paramError('payer.openid', '必填且长度不超过128')
  return undefined
}

export function mountTransactions(ctx: PayContext): void {
  const { state, keys } = ctx

  ctx.route('POST', '/v3/pay/transactions/jsapi', async (r) => {
    const denied = ctx.auth(r)
    if (denied) return denied
    if (!isObj(r.json)) return payError(400, 'PARAM_ERROR', '请求体不是合法的JSON对象')
    const b = r.json
    const bad = validatePrepay(b)
    if (bad) return bad
    if (b.mchid !== keys.mchid) return payError(400, 'MCH_NOT_EXISTS', '商户号不存在')
    if (b.appid !== keys.appid) return payError(400, 'APPID_MCHID_NOT_MATCH', 'appid和mch_id不匹配')
    const no = b.out_trade_no as string
    const params = canonical(b)
    const now = ctx.now()
    const existing = state.orders.get(no)
    if (existing) {
      if (existing.params !== params)
        return payError(403, 'OUT_TRADE_NO_USED', '商户订单号重复（参数与原订单不一致）')
      if (existing.state === 'SUCCESS' || existing.state === 'REFUND')
        return payError(400, 'ORDERPAID', '该订单已支付')
      if (existing.state === 'CLOSED') return payError(400, 'ORDER_CLOSED', '订单已关闭')
      if (now - existing.prepayAt >= PREPAY_TTL_MS) {
        existing.prepayId = prepayId(now, no, state.next())
        existing.prepayAt = now
      }
      await ctx.prepayDelay()
      return { body: { prepay_id: existing.prepayId } }
    }
    const amount = b.amount as { total: number }
    const order: SimOrder = {
      appid: b.appid,
      mchid: b.mchid,
      outTradeNo: no,
      description: b.description as string,
      notifyUrl: b.notify_url as string,
      ...(typeof b.attach === 'string' ? { attach: b.attach } : {}),
      ...(typeof b.time_expire === 'string' ? { timeExpire: b.time_expire } : {}),
      total: amount.total,
      openid: (b.payer as { openid: string }).openid,
      params,
      prepayId: prepayId(now, no, state.next()),
      prepayAt: now,
      createdAt: now,
      state: 'NOTPAY',
    }
    state.orders.set(no, order)
    await ctx.prepayDelay()
    return { body: { prepay_id: order.prepayId } }
  })

  const query = (r: SimRequest, order: SimOrder | undefined): SimResponse => {
    const denied = ctx.auth(r)
    if (denied) return denied
    const mchid = r.query.get('mchid')
    if (!mchid)
      return payError(400, 'PARAM_ERROR', '输入源“/query/mchid”映射到字段“mchid”必填', { field: 'mchid' })
    if (mchid !== keys.mchid) return payError(400, 'MCH_NOT_EXISTS', '商户号不存在')
    if (!order) return payError(404, 'ORDER_NOT_EXIST', '订单不存在')
    return { body: transactionView(order) }
  }
  ctx.routeMatch('GET', /\/v3\/pay\/transactions\/out-trade-no\/([^/]+)/, (r, m) =>
    query(r, state.orders.get(decodeURIComponent(m[1]!))),
  )
  ctx.routeMatch('GET', /\/v3\/pay\/transactions\/id\/([^/]+)/, (r, m) =>
    query(r, state.byTransactionId(decodeURIComponent(m[1]!))),
  )

  ctx.routeMatch('POST', /\/v3\/pay\/transactions\/out-trade-no\/([^/]+)\/close/, (r, m) => {
    const denied = ctx.auth(r)
    if (denied) return denied
    if (!isObj(r.json) || typeof r.json.mchid !== 'string') return paramError('mchid', '必填')
    if (r.json.mchid !== keys.mchid) return payError(400, 'MCH_NOT_EXISTS', '商户号不存在')
    const order = state.orders.get(decodeURIComponent(m[1]!))
    if (!order) return payError(404, 'ORDER_NOT_EXIST', '订单不存在')
    if (order.state === 'SUCCESS' || order.state === 'REFUND') return payError(400, 'ORDERPAID', '订单已支付')
    order.state = 'CLOSED'
    return { status: 204 }
  })

  ctx.routeMatch('POST', /\/_sim\/pay\/([^/]+)\/pay/, async (r, m) => {
    // `error` too: the h5 adapter shows a hook's `{error}` (miniapp/src/api/http.ts)
    const fail = (status: number, why: string): SimResponse => ({
      status,
      body: { errMsg: `requestPayment:fail ${why}`, error: `requestPayment:fail ${why}` },
    })
    const order = state.orders.get(decodeURIComponent(m[1]!))
    if (!order) return fail(404, 'order not found')
    const b = isObj(r.json) ? r.json : {}
    const { timeStamp, nonceStr, paySign } = b
    const pkg = b.package
    if (
      typeof timeStamp !== 'string' ||
      typeof nonceStr !== 'string' ||
      typeof pkg !== 'string' ||
      typeof paySign !== 'string'
    )
      return fail(400, 'parameter error: timeStamp, nonceStr, package and paySign are required')
    if (b.signType !== undefined && b.signType !== 'RSA') return fail(400, 'signType must be RSA')
    if (pkg !== `prepay_id=${order.prepayId}`)
      return fail(400, 'package does not carry the order’s prepay_id')
    if (!rsaVerify(`${order.appid}\n${timeStamp}\n${nonceStr}\n${pkg}\n`, paySign, keys.merchant.publicKey))
      return fail(400, 'invalid paySign')
    if (b.openid !== undefined && b.openid !== order.openid) return fail(400, 'the payer is not this user')
    const now = ctx.now()
    if (order.state === 'SUCCESS' || order.state === 'REFUND') return fail(400, 'order already paid')
    if (order.state !== 'NOTPAY') return fail(400, `order ${order.state.toLowerCase()}`)
    if (now - order.prepayAt >= PREPAY_TTL_MS) return fail(400, 'prepay_id expired')
    if (order.timeExpire && now > Date.parse(order.timeExpire)) return fail(400, 'order expired')
    order.state = 'SUCCESS'
    order.transactionId = `42000${digits(`${order.outTradeNo}:${state.next()}`, 23)}`
    order.successTime = beijingTime(now)
    const { notification, delivery } = await ctx.notifier.emit({
      eventType: 'TRANSACTION.SUCCESS',
      outTradeNo: order.outTradeNo,
      url: order.notifyUrl,
      resource: { ...transactionView(order), bank_type: 'OTHERS' },
    })
    return {
      body: {
        errMsg: 'requestPayment:ok',
        transaction_id: order.transactionId,
        notify: { id: notification.id, status: delivery.status },
      },
    }
  })
}

const prepayId = (now: number, no: string, seq: number): string => {
  const d = new Date(now + 8 * 3_600_000).toISOString()
  const stamp = d.slice(0, 19).replace(/[-T:]/g, '')
  return `wx${stamp}${createHash('sha256').update(`${no}:${seq}`).digest('hex').slice(0, 18)}${String(seq % 10000).padStart(4, '0')}`
}

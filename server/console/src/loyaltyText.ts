import type {
  MembershipPeriod,
  OrderStatus,
  PointsEntryKind,
  PointsTierId,
  RedemptionStatus,
  RefundStatus,
  RewardCategory,
} from '@careloop/shared'
import { ApiError, errorText } from './api'

/** Labels, money and wording of 积分, 奖品, 核销, 订单与退款 and 会员方案. */

export const TIER_LABEL: Record<PointsTierId, string> = {
  standard: '普通',
  silver: '银卡',
  gold: '金卡',
  platinum: '白金',
}

export const ENTRY_KIND_LABEL: Record<PointsEntryKind, string> = {
  earn: '获得',
  spend: '消耗',
  refund: '退还',
  adjust: '人工调整',
  expire: '过期',
}

export const REWARD_CATEGORY_LABEL: Record<RewardCategory, string> = {
  physical: '实物',
  service: '服务',
  coupon: '优惠券',
}

export const REDEMPTION_STATUS_LABEL: Record<RedemptionStatus, string> = {
  pending: '处理中',
  issued: '待核销',
  fulfilled: '已核销',
  cancelling: '取消中',
  cancelled: '已取消',
  expired: '已过期',
  failed: '未成功',
}

export const ORDER_STATUS_LABEL: Record<OrderStatus, string> = {
  PENDING: '待支付',
  PAID: '已支付',
  CLOSED: '已关闭',
  REFUNDED: '已全额退款',
  FLAGGED: '异常待处理',
}

export const REFUND_STATUS_LABEL: Record<RefundStatus, string> = {
  CREATED: '待提交',
  PROCESSING: '退款处理中',
  SUCCESS: '退款成功',
  CLOSED: '退款关闭',
  ABNORMAL: '退款异常',
}

export const PERIOD_LABEL: Record<MembershipPeriod, string> = { month: '月度', year: '年度' }

export const QUOTA_LABEL: Record<string, string> = { nurse_consult: '护士咨询' }

/** Why an order was flagged (the platform's report did not match it). */
export const FLAG_LABEL: Record<string, string> = {
  amount_mismatch: '支付金额与订单不符',
  merchant_mismatch: '商户号或 AppID 与订单不符',
  paid_after_close: '订单关闭后才收到支付',
}

/** How a verified notify was handled. */
export const NOTIFY_RESULT_LABEL: Record<string, string> = {
  paid: '已确认支付并开通会员',
  already_paid: '订单此前已确认（无变化）',
  flagged: '金额或商户不符，已标记异常',
  ignored: '非支付成功状态，未处理',
  duplicate: '重复通知（无变化）',
  refund_success: '退款成功',
  refund_processing: '退款处理中',
  refund_closed: '退款关闭',
  refund_abnormal: '退款异常',
}

export const NOTIFY_EVENT_LABEL: Record<string, string> = {
  'TRANSACTION.SUCCESS': '支付成功',
  'REFUND.SUCCESS': '退款成功',
  'REFUND.ABNORMAL': '退款异常',
  'REFUND.CLOSED': '退款关闭',
}

// ---- money and numbers --------------------------------------------------------------------------

/** 1234 fen → ¥12.34 (thousands grouped: ¥1,299.00). */
export const yuan = (fen: number): string => {
  const sign = fen < 0 ? '-' : ''
  const abs = Math.abs(Math.trunc(fen))
  const whole = Math.floor(abs / 100).toLocaleString('en-US')
  return `${sign}¥${whole}.${String(abs % 100).padStart(2, '0')}`
}

/** The ¥ amount staff typed (12, 12.3, 12.34, ¥12.34) as whole fen; null when it is not an amount. */
export const parseYuan = (text: string): number | null => {
  const m = /^\s*¥?\s*(\d{1,9})(?:\.(\d{0,2}))?\s*$/.exec(text)
  if (!m) return null
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'))
}

/** An amount for an input field: 2990 fen → "29.90". */
export const yuanInput = (fen: number): string => (fen / 100).toFixed(2)

/** 12,345 */
export const points = (n: number): string => n.toLocaleString('zh-CN')

/** +20 / -300 */
export const signed = (n: number): string => (n > 0 ? `+${points(n)}` : points(n))

/** A whole number typed into a field; null for empty, NaN for anything else. */
export const parseWhole = (text: string): number | null => {
  const t = text.trim()
  if (t === '') return null
  return /^-?\d+$/.test(t) ? Number(t) : Number.NaN
}

/** A redemption code as printed: ABCDE FGHJK. */
export const codeText = (code: string | null): string => (code ? `${code.slice(0, 5)} ${code.slice(5)}` : '—')

/** A code in a list: only its last 3 characters (the card, not the list, is what staff check off). */
export const maskedCode = (code: string | null): string => (code ? `•••••••${code.slice(-3)}` : '—')

/** YYYY-MM of the browser's (the hospital's) month. */
export const thisMonth = (d = new Date()): string =>
  `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`

/** A date input (YYYY-MM-DD, local) as the ISO instant its day starts, or the next day starts (`end`). */
export const dayStartIso = (day: string, end = false): string | undefined => {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day)
  if (!m) return undefined
  return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + (end ? 1 : 0)).toISOString()
}

// ---- errors -------------------------------------------------------------------------------------

/** The errors of the points, rewards and membership routes in Chinese. */
export const loyaltyErrorText = (e: unknown): string => {
  if (!(e instanceof ApiError)) return errorText(e)
  switch (e.code) {
    case 'POINTS_INSUFFICIENT': {
      const balance = e.detailNumber('balance')
      return `积分不足，扣减后余额不能为负${balance !== null ? `（当前余额 ${points(balance)}）` : ''}`
    }
    case 'POINTS_RULE_NOT_FOUND':
      return '未找到该积分规则，请刷新页面'
    case 'POINTS_RULE_INVALID':
      return '每月上限不能低于每日上限'
    case 'POINTS_ADJUSTMENT_INVALID':
      return '该调整与已有记录冲突，请刷新后重新提交'
    case 'REWARD_NOT_FOUND':
      return '未找到该奖品，可能已被删除，请刷新页面'
    case 'REWARD_OUT_OF_STOCK':
      return '库存不足：减少的数量不能超过当前库存'
    case 'REWARD_NOT_AVAILABLE':
      return '该奖品当前不可兑换'
    case 'REWARD_LIMIT_REACHED':
      return '该患者已达到此奖品的兑换上限'
    case 'REDEMPTION_NOT_FOUND':
      return '未找到该兑换记录，或兑换码与记录不符'
    case 'REDEMPTION_STATE':
      return '该兑换当前状态不能进行此操作，请刷新后查看'
    case 'MEMBERSHIP_PLAN_NOT_FOUND':
      return '未找到该会员方案'
    case 'MEMBERSHIP_PLAN_INVALID':
      return '会员方案内容有误，请检查后重试'
    case 'ORDER_NOT_FOUND':
      return '未找到该订单'
    case 'ORDER_STATE':
      return '该订单当前状态不能退款（只有已支付或异常待处理的订单可以退款）'
    case 'REFUND_INVALID':
      return '退款金额超过可退金额，请刷新订单后重试'
    case 'PAY_NOT_CONFIGURED':
      return '微信支付尚未配置，暂时无法退款'
    case 'PAY_UPSTREAM_ERROR':
      return '微信支付暂时无法处理，请稍后重试（重试不会重复退款）'
    default:
      return errorText(e)
  }
}

/** The server's English field messages of these forms in Chinese (unknown ones as they are). */
const FIELD_MESSAGES: [RegExp, string][] = [
  [/is required/, '必填'],
  [/must be a number|must be a whole number|Expected number/, '请填写整数'],
  [/must be (\d+)–(\d+)/, '须在 $1–$2 之间'],
  [/must be at least (\d+)/, '不能小于 $1'],
  [/at most (\d+) characters/, '不能超过 $1 个字'],
  [/must be an http/, '须为 http(s) 开头的网址'],
  [/validUntil must be after validFrom/, '结束日期须晚于开始日期'],
  [/must not be 0/, '不能为 0'],
  [/must be 2–32 lower-case/, '须为 2–32 位小写字母、数字、_ 或 -，以字母开头'],
  [/thresholds must increase/, '门槛须逐级升高'],
  [/standard starts at 0/, '普通等级门槛须为 0'],
  [/must not multiply less/, '高等级的倍数不能低于低等级'],
  [/multiplier must be/, '倍数须在 1–5 之间'],
  [/at most 2 decimals/, '倍数最多两位小数'],
]

export const loyaltyFieldMessage = (message: string): string => {
  for (const [re, zh] of FIELD_MESSAGES) {
    const m = re.exec(message)
    if (m) return zh.replace('$1', m[1] ?? '').replace('$2', m[2] ?? '')
  }
  return message
}

/** Field errors of a form call, by full path (tiers.1.threshold), else one sentence. */
export const loyaltyFormErrors = (e: unknown): { fields: Record<string, string>; rest: string | null } => {
  if (e instanceof ApiError && e.code === 'VALIDATION_FAILED') {
    const fields: Record<string, string> = {}
    for (const { path, message } of e.issues()) fields[path] ??= loyaltyFieldMessage(message)
    if (Object.keys(fields).length > 0) return { fields, rest: null }
  }
  return { fields: {}, rest: loyaltyErrorText(e) }
}

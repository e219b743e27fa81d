import type { ErrorCode } from '@careloop/shared'

/** Client-side codes, next to the server's stable ones. */
export type ClientErrorCode = 'NETWORK_ERROR' | 'BAD_RESPONSE'

/** What the patient reads for each stable error code. */
const MESSAGES: Partial<Record<ErrorCode | ClientErrorCode, string>> = {
  VALIDATION_FAILED: '填写的信息有误，请检查后重试',
  MALFORMED_JSON: '请求格式有误，请稍后重试',
  NOT_FOUND: '请求的内容不存在',
  RATE_LIMITED: '操作过于频繁，请稍后再试',
  INTERNAL: '服务器开小差了，请稍后重试',
  NOT_READY: '服务正在启动，请稍后重试',
  AUTH_REQUIRED: '请先登录',
  AUTH_TOKEN_INVALID: '登录状态已失效，请重新登录',
  AUTH_TOKEN_EXPIRED: '登录已过期，请重新登录',
  AUTH_CODE_INVALID: '微信登录凭证无效，请重新登录',
  AUTH_CODE_USED: '微信登录凭证已失效，请重新登录',
  AUTH_RATE_LIMITED: '登录尝试过于频繁，请稍后再试',
  FORBIDDEN: '您没有权限进行此操作',
  AUTH_REFRESH_INVALID: '登录已过期，请重新登录',
  AUTH_REFRESH_REUSED: '登录状态异常，为保护您的账号安全，请重新登录',
  CONSENT_REQUIRED: '请先阅读并同意隐私政策',
  POLICY_VERSION_STALE: '隐私政策已更新，请阅读最新版本后再确认',
  PHONE_CODE_INVALID: '手机号授权已失效，请重新获取',
  FAMILY_LIMIT_REACHED: '最多可添加 5 位家庭成员',
  PROFILE_NOT_FOUND: '该就诊人不存在或已被移除',
  PROFILE_IS_SELF: '本人档案不能移除',
  PATIENT_NOT_FOUND: '未找到就诊人信息',
  COMMUNITY_NOT_FOUND: '该社群不存在或已关闭',
  COMMUNITY_FULL: '该社群人数已满，暂时无法加入',
  WECOM_NOT_CONFIGURED: '医院暂未开通病友社群服务',
  FOLLOWUP_STEP_NOT_FOUND: '该随访任务不存在或已取消',
  FOLLOWUP_STEP_STATE: '该随访任务当前不能标记完成（未到时间或已结束）',
  QUESTIONNAIRE_NOT_FOUND: '该问卷不存在或已停用',
  QUESTIONNAIRE_ANSWER_INVALID: '有题目填写不正确，请检查后重新提交',
  QUESTIONNAIRE_ALREADY_ANSWERED: '您已填写过这份问卷',
  QUESTIONNAIRE_STEP_NOT_FOUND: '该随访问卷不存在或已取消',
  READING_INVALID: '测量数值超出可能的范围，请检查后重新填写',
  INBOX_MESSAGE_NOT_FOUND: '该消息不存在或已删除',
  CONTENT_NOT_FOUND: '该文章不存在或已下线',
  SUBSCRIBE_TEMPLATE_UNKNOWN: '提醒设置已更新，请重新进入页面后再试',
  UPSTREAM_BUSY: '微信服务繁忙，请稍后重试',
  UPSTREAM_UNAVAILABLE: '微信服务暂时不可用，请稍后重试',
  UPSTREAM_MISCONFIGURED: '服务配置异常，请联系医院工作人员',
  POINTS_INSUFFICIENT: '积分不足，暂时无法兑换',
  REWARD_NOT_FOUND: '该礼品不存在或已下架',
  REWARD_NOT_AVAILABLE: '该礼品当前不可兑换',
  REWARD_OUT_OF_STOCK: '该礼品已兑完',
  REWARD_LIMIT_REACHED: '您已达到该礼品的兑换上限',
  REDEMPTION_NOT_FOUND: '该兑换记录不存在',
  REDEMPTION_STATE: '该兑换已核销或已取消，不能再取消',
  MEMBERSHIP_PLAN_NOT_FOUND: '该会员方案已下架，请刷新后重试',
  ORDER_NOT_FOUND: '该订单不存在',
  ORDER_STATE: '订单状态已变化，请刷新后重试',
  PAY_NOT_CONFIGURED: '医院暂未开通在线支付',
  PAY_UPSTREAM_ERROR: '微信支付暂时不可用，请稍后重试',
  NETWORK_ERROR: '网络连接失败，请检查网络后重试',
  BAD_RESPONSE: '服务返回了无法识别的数据，请稍后重试',
}

const HAS_CHINESE = /[\u4e00-\u9fff]/

/**
 * The Chinese message to show for an error. A Chinese message from the server is the most specific
 * and wins; otherwise the code's message; otherwise a generic one that names the code for support.
 */
export function userMessageFor(code: string, serverMessage?: string): string {
  if (serverMessage && HAS_CHINESE.test(serverMessage)) return serverMessage
  const known = (MESSAGES as Record<string, string | undefined>)[code]
  return known ?? `服务暂时不可用，请稍后重试（${code}）`
}

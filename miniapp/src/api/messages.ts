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
  UPSTREAM_BUSY: '微信服务繁忙，请稍后重试',
  UPSTREAM_UNAVAILABLE: '微信服务暂时不可用，请稍后重试',
  UPSTREAM_MISCONFIGURED: '服务配置异常，请联系医院工作人员',
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

import type { SegmentPreviewResponse } from '@careloop/shared'
import { api, ApiError, errorText } from './api'
import type { ExpressionError } from './components/ExpressionEditor'
import { useLive } from './useLive'

/** The live count of a segment expression (人群分群, 营销活动's audience) and its parse errors in Chinese. */

/** Wait this long after the last keystroke before asking for a preview. */
const DEBOUNCE_MS = 300

/** The server's parse error (English) as a short Chinese sentence. */
export const explain = (message: string): string => {
  const rules: [RegExp, (m: RegExpExecArray) => string][] = [
    [/^unknown tag "(.*)"/, (m) => `标签“${m[1]}”不存在`],
    [/^expected AND\/OR/, () => '两个条件之间缺少 AND 或 OR'],
    [/^unexpected end of expression/, () => '表达式不完整，这里缺少标签或条件'],
    [/^missing "\)"/, () => '括号没有闭合，缺少 )'],
    [/^unexpected "\)"/, () => '多余的右括号 )'],
    [/^empty parentheses/, () => '括号里没有内容'],
    [/^unterminated quoted/, () => '引号没有闭合'],
    [/must be quoted/, () => '以数字开头的标签名需要加引号，例如 "2型糖尿病"'],
    [/^unknown attribute/, () => '未知属性，可用 age、birthYear、gender、relation、tier、consent'],
    [/^unknown (gender|relation|tier|consent) /, (m) => `${m[1]} 的取值无效`],
    [/^unexpected (AND|OR|NOT)\b/i, (m) => `${m[1]} 前面缺少标签或条件`],
    [/^unexpected character/, () => '无法识别的字符'],
    [/whole number/, () => '比较符号后面需要一个整数'],
    [/is compared with/, () => '数值属性要用 =、!=、<、<=、>、>= 比较'],
    [/takes ":"/, () => '该属性要用冒号写，例如 gender:female'],
    [/too large/, () => '数字过大'],
    [/nested too deeply/, () => '括号嵌套层数过多'],
    [/too long/, () => '表达式过长（最多 4000 个字符）'],
  ]
  for (const [re, f] of rules) {
    const m = re.exec(message)
    if (m) return f(m)
  }
  return '表达式有误'
}

/**
 * A SEGMENT_INVALID error placed in the text as typed: the server trims the expression before parsing,
 * so its positions start after the leading whitespace.
 */
export const locate = (e: ApiError, typed: string): ExpressionError | null => {
  const d = e.details
  if (!d || typeof d !== 'object') return null
  const { position, length, message } = d as Record<string, unknown>
  if (typeof position !== 'number' || typeof length !== 'number') return null
  const lead = typed.length - typed.trimStart().length
  return { position: position + lead, length, message: typeof message === 'string' ? message : e.message }
}

/** 第 N 个字符 (1-based, what a person counts), or 末尾 for an error at the end. */
export const where = (err: ExpressionError, typed: string): string =>
  err.position >= typed.trimEnd().length && err.length === 0 ? '表达式末尾' : `第 ${err.position + 1} 个字符`

export interface PreviewState {
  /** The expression the result or error belongs to (the input may have moved on since). */
  source: string
  result: SegmentPreviewResponse | null
  invalid: ExpressionError | null
  failure: string | null
  pending: boolean
}

/** Live preview of `expression`: debounced, and a newer keystroke cancels the request in flight. */
export const usePreview = (expression: string): PreviewState => {
  const live = useLive(
    expression.trim() === '' ? '' : expression,
    (signal) => api.previewSegment(expression, signal),
    DEBOUNCE_MS,
  )
  const e = live.error
  const invalid = e instanceof ApiError && e.code === 'SEGMENT_INVALID' ? locate(e, live.key) : null
  return {
    source: live.key,
    result: live.data,
    invalid,
    failure:
      e === null || invalid
        ? null
        : e instanceof ApiError && e.code === 'VALIDATION_FAILED'
          ? '表达式过长（最多 4000 个字符）'
          : errorText(e),
    pending: live.pending,
  }
}

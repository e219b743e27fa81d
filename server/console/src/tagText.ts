import { ApiError, errorText } from './api'

/** What a tag name may be (shared/src/api/tags.ts TagName), as shown under the name field. */
export const TAG_NAME_RULES = '不超过 20 个字；可用文字、数字和 _ - ·，不能以数字开头，不能是 AND / OR / NOT'

/** The server's (English) validation messages for names and reasons, in Chinese. */
const MESSAGES: [RegExp, string][] = [
  [/name (is required|must not be empty)/, '请填写名称'],
  [/name must be at most (\d+)/, '名称不能超过 $1 个字'],
  [/name may contain/, '名称只能包含文字、数字和 _ - ·，不能有空格或其他符号'],
  [/name must not start with a digit/, '名称不能以数字开头'],
  [/name must not be AND, OR or NOT/, '名称不能是 AND、OR 或 NOT（分群表达式的关键词）'],
  [/reason (is required|must not be empty)/, '请填写原因'],
  [/reason must be at most (\d+)/, '原因不能超过 $1 个字'],
  [/description/, '说明不能超过 100 个字'],
  [/String must contain at most (\d+)/, '不能超过 $1 个字'],
]

/** A server message in Chinese when we know it; otherwise the server's own words. */
export const fieldMessage = (message: string): string => {
  for (const [re, zh] of MESSAGES) {
    const m = re.exec(message)
    if (m) return zh.replace('$1', m[1] ?? '')
  }
  return message
}

/**
 * Errors of a name form (tag group, tag): per field when the server named one, else one sentence.
 * `what` names the thing for TAG_NAME_TAKEN (分组 / 标签).
 */
export const nameFormErrors = (
  e: unknown,
  name: string,
  what: '分组' | '标签',
): { fields: Record<string, string>; rest: string | null } => {
  if (e instanceof ApiError && e.code === 'TAG_NAME_TAKEN')
    return {
      fields: {
        name:
          what === '标签'
            ? `已存在名为“${name.trim()}”的标签（标签名在所有分组中唯一）`
            : `已存在名为“${name.trim()}”的分组`,
      },
      rest: null,
    }
  if (e instanceof ApiError && e.code === 'VALIDATION_FAILED') {
    const fields: Record<string, string> = {}
    for (const [k, v] of Object.entries(e.fieldErrors())) fields[k] = fieldMessage(v)
    if (Object.keys(fields).length > 0) return { fields, rest: null }
  }
  return { fields: {}, rest: errorText(e) }
}

import type {
  CommunityMembership,
  CommunityStatus,
  GroupSendQuota,
  GroupSopItem,
  PatientEventKind,
} from '@careloop/shared'
import { ApiError, errorText } from './api'

/** Labels and wording of 病友社群, 群内容排期 and 临床记录. */

export const COMMUNITY_STATUS_LABEL: Record<CommunityStatus, string> = {
  active: '运营中',
  archived: '已归档',
  dismissed: '群已解散',
}

/** groupchat/list status of a customer group. */
export const wecomGroupStatusText = (status: number): string | null =>
  status === 0
    ? null
    : status === 1
      ? '群主已离职'
      : status === 2
        ? '离职继承中'
        : status === 3
          ? '离职继承完成'
          : `状态 ${status}`

export const VIA_LABEL: Record<CommunityMembership['via'], string> = {
  ticket: '专属入群码',
  qr: '其他二维码',
  invite: '成员邀请',
  link: '链接邀请',
  unknown: '未知',
}

export const END_REASON_LABEL: Record<NonNullable<CommunityMembership['endReason']>, string> = {
  left: '主动退群',
  removed: '被移出群',
  dismissed: '群已解散',
  missing: '同步时已不在群中',
}

export const EVENT_KIND_HINT: Record<PatientEventKind, string> = {
  visit: '门诊或复诊',
  diagnosis: '需填写 ICD-10 编码',
  surgery: '可填手术操作编码',
  discharge: '出院日期',
  admission: '入院日期',
}

export type SopTone = 'scheduled' | 'working' | 'pending' | 'overdue' | 'sent' | 'failed' | 'cancelled'

/** How a scheduled item reads in the list: 待发送, 待护士确认, 已逾期 · 已提醒护士长 … */
export const sopState = (it: GroupSopItem, now: number): { label: string; tone: SopTone } => {
  switch (it.status) {
    case 'SCHEDULED':
      return { label: '待发送', tone: 'scheduled' }
    case 'CREATING':
      return { label: '正在生成群发任务', tone: 'working' }
    case 'PENDING_CONFIRMATION': {
      if (it.escalatedAt) return { label: '已逾期 · 已提醒护士长', tone: 'overdue' }
      if (it.deadline && Date.parse(it.deadline) < now)
        return { label: '已逾期 · 待提醒护士长', tone: 'overdue' }
      return { label: '待护士确认', tone: 'pending' }
    }
    case 'SENT':
      return { label: '已发送', tone: 'sent' }
    case 'FAILED':
      return { label: '发送失败', tone: 'failed' }
    case 'CANCELLED':
      return { label: '已取消', tone: 'cancelled' }
    case 'EXPIRED':
      return { label: '已过期 · 未确认', tone: 'failed' }
  }
}

/** 2026-05 → 2026 年 5 月 */
export const monthLabel = (month: string): string => {
  const [y, m] = month.split('-')
  return `${y} 年 ${Number(m)} 月`
}

export const quotaText = (q: GroupSendQuota): string => `已用 ${q.used} / 上限 ${q.cap}`

/** UTF-8 length, as the server counts the 4000-byte limit of a group message. */
export const utf8Length = (s: string): number => new TextEncoder().encode(s).length

/** A fresh idempotency key for one form submission (retrying the same submission reuses it). */
export const newRequestKey = (prefix: string): string => {
  const bytes = crypto.getRandomValues(new Uint8Array(12))
  return `${prefix}-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`
}

const pad = (n: number): string => String(n).padStart(2, '0')

/** 2026-05-03 09:00 (browser time, which is the hospital's in practice). */
export const formatMinute = (iso: string | null): string => {
  if (!iso) return '—'
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return '—'
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`
}

/** A datetime-local value (YYYY-MM-DDTHH:mm) for `d`. */
export const localInputValue = (d: Date): string =>
  `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`

/** The errors of the community and SOP routes in Chinese; anything else through errorText. */
export const communityErrorText = (e: unknown): string => {
  if (!(e instanceof ApiError)) return errorText(e)
  switch (e.code) {
    case 'COMMUNITY_NOT_FOUND':
      return '未找到该社群，或您无权查看（护士只能查看自己负责的社群）'
    case 'COMMUNITY_NOT_ACTIVE':
      return '该社群已归档或企业微信群已解散，不能进行此操作'
    case 'COMMUNITY_CHAT_TAKEN':
      return '该企业微信群已关联到其他社群，请选择另一个群'
    case 'COMMUNITY_CHAT_INVALID':
      return '所选的群不是该群主护士的企业微信客户群，请刷新群列表后重新选择'
    case 'COMMUNITY_OWNER_INVALID':
      return '群主须是在职的护士或护士长，且账号已绑定企业微信'
    case 'GROUP_SEND_CAP_REACHED':
      return '该月的群发次数已达企业微信上限，请改到下个月或取消其他排期'
    case 'GROUP_SOP_NOT_FOUND':
      return '未找到该排期内容，请刷新页面'
    case 'GROUP_SOP_NOT_CANCELLABLE':
      return '该内容已发送或正在发送，无法取消'
    case 'TAG_NOT_FOUND':
      return '所选病种标签不存在，可能已被删除，请刷新后重试'
    case 'WECOM_NOT_CONFIGURED':
      return '服务器尚未配置企业微信，无法读取客户群'
    case 'UPSTREAM_UNAVAILABLE':
      return '企业微信接口暂时不可用，请稍后重试'
    case 'UPSTREAM_BUSY':
      return '企业微信正忙，请稍后重试'
    default:
      return errorText(e)
  }
}

/** The server's validation messages of these forms, in Chinese. */
const FIELD_MESSAGES: [RegExp, string][] = [
  [/name (is required|must not be empty)/, '请填写社群名称'],
  [/name must be at most (\d+)/, '社群名称不能超过 $1 个字'],
  [/description must be at most (\d+)/, '简介不能超过 $1 个字'],
  [/capacity must be at least/, '容量至少为 1 人'],
  [/capacity must be at most (\d+)/, '容量不能超过 $1 人'],
  [/chatId|customer group/, '请选择一个企业微信客户群'],
  [/text (is required|must not be empty)/, '请填写群发内容'],
  [/text must be at most (\d+) bytes/, '内容不能超过 $1 字节（约 1300 个汉字）'],
  [/sendAt must not be in the past/, '发送时间不能早于现在'],
  [/sendAt must be within a year/, '发送时间须在一年以内'],
  [/sendAt/, '请选择发送时间'],
  [/code is required for a diagnosis/, '诊断需要填写 ICD-10 编码，例如 E11.9'],
  [/ICD-10/, 'ICD-10 编码格式不正确，例如 E11.9、I10'],
  [/code may contain/, '编码只能包含字母、数字、. 和 -，不超过 20 个字符'],
  [/at must not be in the future/, '日期不能晚于现在'],
  [/at must be after/, '日期不能早于 1900 年'],
  [/note must be at most (\d+)/, '备注不能超过 $1 个字'],
]

export const formFieldMessage = (message: string): string => {
  for (const [re, zh] of FIELD_MESSAGES) {
    const m = re.exec(message)
    if (m) return zh.replace('$1', m[1] ?? '')
  }
  return message
}

/** Field errors of a form call (per field when the server named one), else one sentence. */
export const formErrors = (e: unknown): { fields: Record<string, string>; rest: string | null } => {
  if (e instanceof ApiError && e.code === 'VALIDATION_FAILED') {
    const fields: Record<string, string> = {}
    for (const [k, v] of Object.entries(e.fieldErrors())) fields[k] = formFieldMessage(v)
    if (Object.keys(fields).length > 0) return { fields, rest: null }
  }
  if (e instanceof ApiError && e.code === 'COMMUNITY_CHAT_INVALID')
    return { fields: { chatId: communityErrorText(e) }, rest: null }
  if (e instanceof ApiError && e.code === 'COMMUNITY_CHAT_TAKEN')
    return { fields: { chatId: communityErrorText(e) }, rest: null }
  if (e instanceof ApiError && e.code === 'COMMUNITY_OWNER_INVALID')
    return { fields: { ownerNurseId: communityErrorText(e) }, rest: null }
  if (e instanceof ApiError && e.code === 'TAG_NOT_FOUND')
    return { fields: { diseaseTagId: communityErrorText(e) }, rest: null }
  return { fields: {}, rest: communityErrorText(e) }
}

// Nurse commands sent to the WeCom app: 帮助, 标签/去标签, 群, 待发, 今日随访, 完成, 入组. The others are listed as coming so
// nobody mistakes the list for working features. Parsing is in command-parse.ts, reply texts in
// command-format.ts; this module runs a command against the server and turns failures into polite
// replies (a thrown error would make WeCom retry and the nurse see nothing).
import { ServiceEnrolRequest, ServicePatientTagRequest, type Staff } from '@careloop/shared'
import type { MessageHandler } from './callback.routes'
import { systemClock, type Clock } from './clock'
import {
  formatCommunities,
  formatPendingSends,
  formatTagResult,
  truncateBytes,
  utf8Bytes,
  WECOM_TEXT_MAX_BYTES,
} from './command-format'
import { parseNurseCommand, type NurseCommand, type TagAction } from './command-parse'
import { ENROL_USAGE_TEXT, formatComplete, formatEnrol, formatToday } from './followup-format'
import { ServerCallError, type ServerClient } from './server-client'

export interface NurseCommandInfo {
  usage: string
  description: string
  available: boolean
}

export const NURSE_COMMANDS: readonly NurseCommandInfo[] = [
  { usage: '帮助', description: '查看指令说明（也可发送 help 或 ?）', available: true },
  { usage: '标签 <患者> <标签名> [原因]', description: '给你负责的患者打标签', available: true },
  {
    usage: '去标签 <患者> <标签名> [原因]',
    description: '去掉患者的标签（也可写 标签 <患者> -<标签名>）',
    available: true,
  },
  {
    usage: '群',
    description: '你负责的社群：人数/上限、近7天入群与退群、待确认群发（也可发送 群统计）',
    available: true,
  },
  { usage: '待发', description: '待你确认的群发：内容、群、截止时间（也可发送 待群发）', available: true },
  {
    usage: '今日随访',
    description: '今天到期和已漏访的随访任务，紧急的在前（也可发送 随访 或 jr）',
    available: true,
  },
  {
    usage: '完成 <序号>',
    description: '把「今日随访」列表中的一项标记为已处理（也可写提醒里的任务号，如 完成 a1b2c3）',
    available: true,
  },
  {
    usage: '入组 <患者> <方案名> [日期]',
    description: '让患者加入随访方案；日期为手术/出院/首诊日，如 2026-03-05',
    available: true,
  },
  { usage: '查患者 <姓名/手机尾号>', description: '查找你负责的患者', available: false },
]

const PATIENT_HINT = '<患者> 可写姓名、手机尾号（4 位）、完整手机号或住院号。'
const REASON_HINT = '[原因] 可省略，省略时记为“企业微信机器人”操作。'
const ECHO_LIMIT = 20

export const HELP_TEXT = [
  'CareLoop 护士助手',
  '',
  '现在可用：',
  ...NURSE_COMMANDS.filter((command) => command.available).map(line),
  PATIENT_HINT,
  REASON_HINT,
  '',
  '即将上线（暂不可用）：',
  ...NURSE_COMMANDS.filter((command) => !command.available).map(line),
].join('\n')

export const TAG_USAGE_TEXT = (action: TagAction): string =>
  [
    action === 'tag' ? '打标签请这样写：' : '去标签请这样写：',
    action === 'tag' ? '标签 <患者> <标签名> [原因]' : '去标签 <患者> <标签名> [原因]',
    action === 'tag' ? '例如：标签 张三 糖尿病 门诊确诊' : '例如：去标签 张三 糖尿病 复查排除',
    PATIENT_HINT,
    REASON_HINT,
  ].join('\n')

export const NOT_BOUND_TEXT = (userid: string): string =>
  `您的企业微信账号（${userid}）尚未绑定 CareLoop 员工账号，暂不能使用护士助手。请联系管理员在控制台「员工管理」中填写您的企业微信 userid。`
export const SERVER_DOWN_TEXT = 'CareLoop 服务暂时不可用，请稍后再试。'
export const SERVER_ERROR_TEXT = '处理失败，请稍后再试；如果一直这样，请联系管理员。'
export const BUSY_TEXT = '操作太频繁，请稍等一分钟再试。'
export const NEEDS_SERVER_TEXT = '护士助手暂未连接 CareLoop 服务，这条指令现在不能用。请联系管理员。'
export const TAG_TIMEOUT_TEXT =
  'CareLoop 服务响应超时，标签可能已经处理。请稍后再发一次同样的指令确认（重复发送不会重复打标签）。'
export const REPEAT_SAFE_TIMEOUT_TEXT =
  'CareLoop 服务响应超时，可能已经处理。请稍后再发一次同样的指令确认（重复发送不会重复处理）。'
export const COMPLETE_USAGE_TEXT = [
  '标记完成请这样写：',
  '完成 <序号>，序号是「今日随访」列表里的编号，例如：完成 1',
  '也可以写提醒消息里的任务号，例如：完成 a1b2c3',
].join('\n')
export const LIST_EXPIRED_TEXT = '序号对应今天的「今日随访」列表：请先发送「今日随访」，再用「完成 序号」。'

const unsupported = (text: string): string => {
  const chars = Array.from(text.replace(/\s+/g, ' '))
  const echo = chars.length > ECHO_LIMIT ? `${chars.slice(0, ECHO_LIMIT).join('')}…` : chars.join('')
  return `暂不支持「${echo}」。发送「帮助」查看可用指令。`
}

/**
 * Reply text for a nurse's message without a server (no SERVICE_TOKEN): help and usage only; the
 * commands that need the server say so.
 */
export function handleNurseCommand(_userId: string, text: string): string {
  const command = parseNurseCommand(text)
  switch (command.kind) {
    case 'help':
      return HELP_TEXT
    case 'unknown':
      return unsupported(command.text)
    case 'tagUsage':
      return TAG_USAGE_TEXT(command.action)
    case 'completeUsage':
      return COMPLETE_USAGE_TEXT
    case 'enrolUsage':
      return ENROL_USAGE_TEXT
    default:
      return NEEDS_SERVER_TEXT
  }
}

/** The bot's handler without a server: text messages get a command reply; other messages none. */
export const nurseMessageHandler: MessageHandler = (message) =>
  message.msgType === 'text' ? handleNurseCommand(message.fromUserName, message.content ?? '') : null

const ROLE_LABEL: Record<Staff['role'], string> = {
  nurse: '护士',
  head_nurse: '护士长',
  marketer: '运营',
  admin: '管理员',
}

const FIELD_LABEL: Record<string, string> = { patient: '<患者>', tag: '<标签名>', reason: '[原因]' }
const FIELD_LIMIT: Record<string, number> = { patient: 40, tag: 20, reason: 100 }

type Log = { warn(obj: object, msg: string): void }

/** A failed service call as a reply; the command chooses the texts (标签, 完成, 入组 have their own). */
function failureReply(err: unknown, userid: string, log: Log | undefined, command?: NurseCommand): string {
  if (!(err instanceof ServerCallError)) {
    log?.warn({ err: String(err) }, 'nurse command failed')
    return SERVER_ERROR_TEXT
  }
  log?.warn({ status: err.status, code: err.code }, 'nurse command refused or failed')
  const tag = command?.kind === 'tag' ? command : undefined
  const followup = followupFailure(err, command)
  if (followup) return followup
  switch (err.code) {
    case 'STAFF_NOT_FOUND':
      return NOT_BOUND_TEXT(userid)
    case 'PATIENT_NOT_FOUND':
      return `在您负责的患者中没有找到「${tag?.patient ?? ''}」。${PATIENT_HINT}`
    case 'TAG_NOT_FOUND':
      return `没有名为「${tag?.tag ?? ''}」的标签。标签名要与控制台「标签」中的完全一致；新标签请联系护士长或运营添加。`
    case 'FORBIDDEN':
      return '您的角色不能给患者打标签。'
    case 'VALIDATION_FAILED':
      return tag ? `指令内容不符合要求。\n${TAG_USAGE_TEXT(tag.action)}` : SERVER_ERROR_TEXT
    case 'RATE_LIMITED':
      return BUSY_TEXT
    case 'TIMEOUT':
      return tag
        ? TAG_TIMEOUT_TEXT
        : command?.kind === 'complete'
          ? REPEAT_SAFE_TIMEOUT_TEXT
          : SERVER_DOWN_TEXT
  }
  if (err.status === 429) return BUSY_TEXT
  if (err.status === null || err.status === 401 || err.status >= 500) return SERVER_DOWN_TEXT
  return SERVER_ERROR_TEXT
}

/** The replies particular to 完成 and 入组 failures; undefined for the common ones. */
function followupFailure(err: ServerCallError, command: NurseCommand | undefined): string | undefined {
  if (command?.kind === 'complete')
    switch (err.code) {
      case 'FOLLOWUP_LIST_EXPIRED':
        return LIST_EXPIRED_TEXT
      case 'TASK_NOT_FOUND':
        return /^\d+$/.test(command.item)
          ? `今天的列表里没有第 ${command.item} 项。发送「今日随访」查看最新列表。`
          : `没有找到任务号 ${command.item}。发送「今日随访」查看最新列表。`
      case 'TASK_NOT_OPEN':
        return '该任务已取消（例如随访方案已停止），无需处理。'
      case 'FOLLOWUP_STEP_STATE':
        return '该随访项已关闭（已漏访或已取消），不能再标记完成。'
    }
  if (command?.kind === 'enrol')
    switch (err.code) {
      case 'PATIENT_NOT_FOUND':
        return `在您负责的患者中没有找到「${command.patient}」。${PATIENT_HINT}`
      case 'FOLLOWUP_PLAN_NOT_FOUND':
        return `没有名为「${command.plan}」的随访方案（或已停用）。方案由护士长在控制台「随访方案」中维护。`
      case 'FOLLOWUP_PLAN_ARCHIVED':
        return `随访方案「${command.plan}」已停用，不能再加入新患者。`
      case 'FOLLOWUP_ANCHOR_REQUIRED':
        return `该方案从手术、出院或首诊日算起，而这位患者还没有登记这个日期。请在指令末尾写上日期，例如：入组 ${command.patient} ${command.plan} 2026-03-05`
      case 'FORBIDDEN':
        return '您的角色不能为患者加入随访方案。'
      case 'VALIDATION_FAILED':
        return `指令内容不符合要求。\n${ENROL_USAGE_TEXT}`
    }
  return undefined
}

/** Runs a parsed command for a bound nurse; the reply fits `maxBytes`. */
export async function runNurseCommand(
  command: NurseCommand,
  userid: string,
  deps: { server: ServerClient; clock: Clock; log?: Log },
  maxBytes = WECOM_TEXT_MAX_BYTES,
): Promise<string> {
  switch (command.kind) {
    case 'help':
      return HELP_TEXT
    case 'unknown':
      return unsupported(command.text)
    case 'tagUsage':
      return TAG_USAGE_TEXT(command.action)
    case 'groups':
      try {
        return formatCommunities(await deps.server.nurseCommunities(userid), maxBytes)
      } catch (err) {
        return failureReply(err, userid, deps.log)
      }
    case 'pendingSends':
      try {
        return formatPendingSends(await deps.server.nursePendingSends(userid), deps.clock.now(), maxBytes)
      } catch (err) {
        return failureReply(err, userid, deps.log)
      }
    case 'completeUsage':
      return COMPLETE_USAGE_TEXT
    case 'enrolUsage':
      return ENROL_USAGE_TEXT
    case 'today':
      try {
        return formatToday(await deps.server.nurseToday(userid), deps.clock.now(), maxBytes)
      } catch (err) {
        return failureReply(err, userid, deps.log, command)
      }
    case 'complete':
      try {
        const body = { item: command.item, ...(command.note ? { note: command.note.slice(0, 200) } : {}) }
        return formatComplete(await deps.server.nurseComplete(userid, body), maxBytes)
      } catch (err) {
        return failureReply(err, userid, deps.log, command)
      }
    case 'enrol': {
      const body = {
        patient: command.patient,
        plan: command.plan,
        ...(command.anchorDate ? { anchorDate: command.anchorDate } : {}),
      }
      const checked = ServiceEnrolRequest.safeParse(body)
      if (!checked.success)
        return `指令内容不符合要求（日期要是真实的日期，姓名和方案名最多 40 个字）。\n${ENROL_USAGE_TEXT}`
      try {
        return formatEnrol(await deps.server.nurseEnrol(userid, checked.data), command, maxBytes)
      } catch (err) {
        return failureReply(err, userid, deps.log, command)
      }
    }
    case 'tag': {
      const body = {
        patient: command.patient,
        tag: command.tag,
        action: command.action,
        reason: command.reason,
      }
      const checked = ServicePatientTagRequest.safeParse(body)
      if (!checked.success) {
        const field = String(checked.error.issues[0]?.path[0] ?? '')
        const limit = FIELD_LIMIT[field]
        return `${FIELD_LABEL[field] ?? '指令'}太长${limit ? `（最多 ${limit} 个字）` : ''}。\n${TAG_USAGE_TEXT(command.action)}`
      }
      try {
        return formatTagResult(await deps.server.patientTag(userid, checked.data), command, maxBytes)
      } catch (err) {
        return failureReply(err, userid, deps.log, command)
      }
    }
  }
}

/**
 * The handler when the bot can reach the server: every text message first identifies the nurse by
 * her WeCom userid (only active, bound staff may use the bot), then runs the command, greeting her
 * by name. A server outage answers politely instead of failing (a failure would make WeCom retry).
 */
export const createNurseHandler =
  (server: ServerClient, log?: Log, clock: Clock = systemClock): MessageHandler =>
  async (message) => {
    if (message.msgType !== 'text') return null
    let staff: Staff | null
    try {
      staff = await server.staffByWecomUserId(message.fromUserName)
    } catch (err) {
      log?.warn({ err: String(err) }, 'server unreachable while identifying a nurse')
      return SERVER_DOWN_TEXT
    }
    if (!staff) return NOT_BOUND_TEXT(message.fromUserName)
    const greeting = `${addressOf(staff)}，您好。\n`
    const budget = WECOM_TEXT_MAX_BYTES - utf8Bytes(greeting)
    const command = parseNurseCommand(message.content ?? '')
    const reply = await runNurseCommand(command, message.fromUserName, { server, clock, log }, budget)
    return truncateBytes(greeting + reply, WECOM_TEXT_MAX_BYTES)
  }

function line(command: NurseCommandInfo): string {
  return `· ${command.usage}：${command.description}`
}

/** How the bot addresses staff: name plus role (李娜护士), unless the name already says it (王护士长). */
export function addressOf(staff: Pick<Staff, 'name' | 'role'>): string {
  const label = ROLE_LABEL[staff.role]
  return staff.name.endsWith(label) || staff.name.endsWith('护士长') ? staff.name : `${staff.name}${label}`
}

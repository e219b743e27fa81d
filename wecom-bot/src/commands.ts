// Nurse commands sent to the WeCom app: 帮助, 标签/去标签, 群, 待发. The others are listed as coming so
// nobody mistakes the list for working features. Parsing is in command-parse.ts, reply texts in
// command-format.ts; this module runs a command against the server and turns failures into polite
// replies (a thrown error would make WeCom retry and the nurse see nothing).
import { ServicePatientTagRequest, type Staff } from '@careloop/shared'
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
  { usage: '今日随访', description: '查看今天到期的随访任务', available: false },
  { usage: '查患者 <姓名/手机尾号>', description: '查找你负责的患者', available: false },
  { usage: '完成 <任务号>', description: '把随访任务标记为完成', available: false },
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

/** A failed service call as a reply; `tag` chooses the texts of the 标签 command. */
function failureReply(
  err: unknown,
  userid: string,
  log: Log | undefined,
  tag?: Extract<NurseCommand, { kind: 'tag' }>,
): string {
  if (!(err instanceof ServerCallError)) {
    log?.warn({ err: String(err) }, 'nurse command failed')
    return SERVER_ERROR_TEXT
  }
  log?.warn({ status: err.status, code: err.code }, 'nurse command refused or failed')
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
      return tag ? TAG_TIMEOUT_TEXT : SERVER_DOWN_TEXT
  }
  if (err.status === 429) return BUSY_TEXT
  if (err.status === null || err.status === 401 || err.status >= 500) return SERVER_DOWN_TEXT
  return SERVER_ERROR_TEXT
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

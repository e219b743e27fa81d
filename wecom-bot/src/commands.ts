// Nurse commands sent to the WeCom app. Only 帮助 works in this issue; the rest are listed as coming
// so nobody mistakes the list for working features.
import type { Staff } from '@careloop/shared'
import type { MessageHandler } from './callback.routes'
import type { ServerClient } from './server-client'

export interface NurseCommandInfo {
  usage: string
  description: string
  available: boolean
}

export const NURSE_COMMANDS: readonly NurseCommandInfo[] = [
  { usage: '帮助', description: '查看指令说明（也可发送 help 或 ?）', available: true },
  { usage: '今日随访', description: '查看今天到期的随访任务', available: false },
  { usage: '查患者 <姓名/手机尾号>', description: '查找你负责的患者', available: false },
  { usage: '打标签', description: '给患者打标签', available: false },
  { usage: '群统计', description: '查看你的患者群人数与活跃情况', available: false },
  { usage: '待群发', description: '查看待你确认的群发', available: false },
  { usage: '完成 <任务号>', description: '把随访任务标记为完成', available: false },
]

const HELP_WORDS = new Set(['帮助', 'help', '?', '？'])
const ECHO_LIMIT = 20

export const HELP_TEXT = [
  'CareLoop 护士助手',
  '',
  '现在可用：',
  ...NURSE_COMMANDS.filter((command) => command.available).map(line),
  '',
  '即将上线（暂不可用）：',
  ...NURSE_COMMANDS.filter((command) => !command.available).map(line),
].join('\n')

/** Reply text for a nurse's message. Pure; the userid will scope commands once they exist. */
export function handleNurseCommand(_userId: string, text: string): string {
  const trimmed = text.trim()
  if (trimmed === '' || HELP_WORDS.has(trimmed.toLowerCase())) return HELP_TEXT
  const chars = Array.from(trimmed.replace(/\s+/g, ' '))
  const echo = chars.length > ECHO_LIMIT ? `${chars.slice(0, ECHO_LIMIT).join('')}…` : chars.join('')
  return `暂不支持「${echo}」。发送「帮助」查看可用指令。`
}

/** The bot's handler: text messages get a command reply; other messages and events get none. */
export const nurseMessageHandler: MessageHandler = (message) =>
  message.msgType === 'text' ? handleNurseCommand(message.fromUserName, message.content ?? '') : null

const ROLE_LABEL: Record<Staff['role'], string> = {
  nurse: '护士',
  head_nurse: '护士长',
  marketer: '运营',
  admin: '管理员',
}

export const NOT_BOUND_TEXT = (userid: string): string =>
  `您的企业微信账号（${userid}）尚未绑定 CareLoop 员工账号，暂不能使用护士助手。请联系管理员在控制台「员工管理」中填写您的企业微信 userid。`
export const SERVER_DOWN_TEXT = 'CareLoop 服务暂时不可用，请稍后再试。'

/**
 * The handler when the bot can reach the server: every text message first identifies the nurse by
 * her WeCom userid (only active, bound staff may use the bot), then runs the command, greeting her
 * by name. A server outage answers politely instead of failing (a failure would make WeCom retry).
 */
export const createNurseHandler =
  (server: ServerClient, log?: { warn(obj: object, msg: string): void }): MessageHandler =>
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
    return `${staff.name}${ROLE_LABEL[staff.role]}，您好。\n${handleNurseCommand(message.fromUserName, message.content ?? '')}`
  }

function line(command: NurseCommandInfo): string {
  return `· ${command.usage}：${command.description}`
}

import { createHash } from 'node:crypto'

/**
 * The in-memory corp the WeCom simulator serves: members, external contacts, corp tags, customer
 * groups, join ways, mass-message tasks and the logs the `/_sim/wecom/*` hooks expose. Every id comes
 * from a per-kind counter, so a run is reproducible after `/_sim/reset`.
 */

/** Who created a corp tag / join way: an app (identified by the secret its token came from) or the admin. */
export const ADMIN = 'admin'

export interface Member {
  userid: string
  name: string
}

export interface FollowUser {
  userid: string
  remark: string
  description: string
  /** Unix seconds. */
  createtime: number
  tags: Set<string>
  state?: string
  add_way: number
  oper_userid: string
}

export interface ExternalContact {
  external_userid: string
  name: string
  /** 1 WeChat user, 2 WeCom user. */
  type: 1 | 2
  /** 0 unknown, 1 male, 2 female. */
  gender: 0 | 1 | 2
  unionid?: string
  avatar: string
  /** The staff members who have this customer as a contact (insertion order = add order). */
  follows: Map<string, FollowUser>
}

export interface TagGroup {
  group_id: string
  group_name: string
  create_time: number
  order: number
  creator: string
}

export interface CorpTag {
  id: string
  group_id: string
  name: string
  create_time: number
  order: number
  creator: string
}

export interface ChatMember {
  userid: string
  /** 1 staff member, 2 external contact. */
  type: 1 | 2
  join_time: number
  /** groupchat/get codes: 1 invited directly, 2 invited by link, 3 scanned a QR code. */
  join_scene: 1 | 2 | 3
  invitor?: string
  unionid?: string
  name: string
  state?: string
}

export interface GroupChat {
  chat_id: string
  name: string
  owner: string
  create_time: number
  notice: string
  /** groupchat/list status: 0 normal, 1 owner left, 2 inheriting, 3 inherited. */
  status: 0 | 1 | 2 | 3
  dismissed: boolean
  admin_list: string[]
  members: ChatMember[]
  /** Bumped on every membership change; member_version is derived from it. */
  rev: number
}

export interface JoinWay {
  config_id: string
  app: string
  scene: 1 | 2
  remark: string
  auto_create_room: 0 | 1
  room_base_name: string
  room_base_id: number
  chat_id_list: string[]
  state: string
  mark_source: 0 | 1
  qr_code: string
}

export interface WelcomeCode {
  code: string
  userid: string
  external_userid: string
  issuedAt: number
  used: boolean
}

export interface SendResult {
  external_userid?: string
  chat_id?: string
  userid: string
  /** 0 unsent, 1 sent, 2 not a friend (any more), 3 already received another mass message (monthly cap). */
  status: 0 | 1 | 2 | 3
  send_time?: number
}

export interface GroupMsgTask {
  userid: string
  /** 0 unsent, 2 sent. */
  status: 0 | 2
  send_time?: number
}

export interface GroupMsg {
  msgid: string
  app: string
  chat_type: 'single' | 'group'
  creator: string
  /** 0 created by the corp (API), 1 by a member. */
  create_type: 0 | 1
  text?: { content: string }
  attachments: unknown[]
  create_time: number
  cancelled: boolean
  tasks: Map<string, GroupMsgTask>
  results: SendResult[]
}

export interface AppMessage {
  msgid: string
  at: string
  agentid: number
  msgtype: string
  /** The members it reached (the others were invalid or dropped). */
  touser: string[]
  content: unknown
}

export interface DroppedAppMessage {
  msgid: string
  at: string
  agentid: number
  userid: string
  msgtype: string
  reason: 'per-minute' | 'per-hour'
}

/** A `message/send` copy not delivered because `enable_duplicate_check` found the same content. */
export interface DuplicateAppMessage {
  msgid: string
  at: string
  agentid: number
  userid: string
  msgtype: string
  /** The msgid and time of the earlier delivery it duplicates. */
  duplicate_of: { msgid: string; at: string }
  /** The effective check interval, seconds. */
  interval: number
}

export interface WebhookMessage {
  key: string
  at: string
  msgtype: string
  body: unknown
}

export interface WelcomeMessage {
  welcome_code: string
  userid: string
  external_userid: string
  at: string
  text?: { content: string }
  attachments: unknown[]
}

export const digest = (s: string, len: number): string =>
  createHash('sha256').update(s).digest('hex').slice(0, len)

export const pad = (n: number, width = 6): string => String(n).padStart(width, '0')

export class WecomState {
  private counters = new Map<string, number>()
  members = new Map<string, Member>()
  contacts = new Map<string, ExternalContact>()
  groups = new Map<string, TagGroup>()
  tags = new Map<string, CorpTag>()
  chats = new Map<string, GroupChat>()
  joinWays = new Map<string, JoinWay>()
  welcomeCodes = new Map<string, WelcomeCode>()
  groupMsgs = new Map<string, GroupMsg>()
  /** `YYYY-MM|recipient` → mass messages received that calendar month (Asia/Shanghai). */
  monthly = new Map<string, number>()
  /** remind_groupmsg_send calls per msgid (ms timestamps). */
  reminds = new Map<string, number[]>()
  /** Deliveries per `agentid|userid` (ms timestamps), for the 30/min and 1000/h limits. */
  appDeliveries = new Map<string, number[]>()
  appMessages: AppMessage[] = []
  dropped: DroppedAppMessage[] = []
  /** Last delivery per `agentid|userid|content digest`, for `enable_duplicate_check`. */
  appContentSent = new Map<string, { msgid: string; at: number }>()
  duplicates: DuplicateAppMessage[] = []
  robots = new Set<string>()
  /** Accepted sends per robot key (ms timestamps), for the 20/min limit. */
  robotSends = new Map<string, number[]>()
  webhookMessages: WebhookMessage[] = []
  welcomeMessages: WelcomeMessage[] = []

  /** The next number of a counter (1, 2, …). */
  next(kind: string): number {
    const n = (this.counters.get(kind) ?? 0) + 1
    this.counters.set(kind, n)
    return n
  }

  reset(): void {
    this.counters.clear()
    this.members.clear()
    this.contacts.clear()
    this.groups.clear()
    this.tags.clear()
    this.chats.clear()
    this.joinWays.clear()
    this.welcomeCodes.clear()
    this.groupMsgs.clear()
    this.monthly.clear()
    this.reminds.clear()
    this.appDeliveries.clear()
    this.appMessages = []
    this.dropped = []
    this.appContentSent.clear()
    this.duplicates = []
    this.robots.clear()
    this.robotSends.clear()
    this.webhookMessages = []
    this.welcomeMessages = []
  }

  memberVersion(chat: GroupChat): string {
    return digest(`member_version:${chat.chat_id}:${chat.rev}`, 32)
  }

  /** Live (not deleted) tags of a group, highest order first. */
  tagsOf(groupId: string): CorpTag[] {
    return [...this.tags.values()].filter((t) => t.group_id === groupId).sort(byOrder)
  }
}

/** WeCom lists bigger `order` first; ties keep creation order. */
export const byOrder = <T extends { order: number }>(a: T, b: T): number => b.order - a.order

/** `YYYY-MM` of an instant in Asia/Shanghai (UTC+8, no DST) and the number of days in that month. */
export function shanghaiMonth(ms: number): { key: string; days: number } {
  const d = new Date(ms + 8 * 3600_000)
  const y = d.getUTCFullYear()
  const m = d.getUTCMonth()
  return { key: `${y}-${String(m + 1).padStart(2, '0')}`, days: new Date(Date.UTC(y, m + 1, 0)).getUTCDate() }
}

/** Keeps only the timestamps newer than `windowMs` before `now`. */
export function within(list: number[], now: number, windowMs: number): number[] {
  return list.filter((t) => t > now - windowMs)
}

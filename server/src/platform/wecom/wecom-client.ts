import { z } from '@careloop/shared'
import type { Clock } from '../../clock'
import { callPlatform, ErrFields } from '../platform-call'

/**
 * The server's WeCom (企业微信) server API client (platform.md §4). The same code talks to
 * https://qyapi.weixin.qq.com in production and to the simulator locally; only `apiBase` differs.
 * WeCom answers errors as HTTP 200 with `errcode` ≠ 0, so every call branches on `errcode`.
 * access_tokens are per app secret (§4.1): cached per secret until 5 minutes before expiry, fetched
 * single-flight, and refreshed once when a call answers 40014/42001.
 */

export class WecomApiError extends Error {
  constructor(
    readonly errcode: number,
    readonly errmsg: string,
    readonly api: string,
  ) {
    super(`${api}: errcode ${errcode} ${errmsg}`)
    this.name = 'WecomApiError'
  }
}

/** Stale-token codes of a token-protected call: refresh once and retry (§4.1). */
export const WECOM_STALE_TOKEN_CODES = new Set([40014, 42001])
/** `getuserinfo`: the login code is invalid, used or expired. */
export const WECOM_INVALID_CODE = 40029

const TokenResponse = ErrFields.extend({
  access_token: z.string().optional(),
  expires_in: z.number().optional(),
})
const UserInfoResponse = ErrFields.extend({
  userid: z.string().min(1).optional(),
  openid: z.string().min(1).optional(),
  external_userid: z.string().optional(),
})

const ExternalContactResponse = ErrFields.extend({
  external_contact: z
    .object({
      external_userid: z.string(),
      name: z.string().optional(),
      type: z.number().optional(),
      gender: z.number().optional(),
      unionid: z.string().optional(),
    })
    .passthrough(),
  follow_user: z
    .array(
      z
        .object({
          userid: z.string(),
          createtime: z.number().optional(),
          state: z.string().optional(),
          tags: z
            .array(
              z
                .object({
                  tag_id: z.string().optional(),
                  tag_name: z.string().optional(),
                  type: z.number().optional(),
                })
                .passthrough(),
            )
            .optional(),
        })
        .passthrough(),
    )
    .default([]),
  next_cursor: z.string().optional(),
})
export type ExternalContact = Omit<z.infer<typeof ExternalContactResponse>['external_contact'], never> & {
  follow_user: z.infer<typeof ExternalContactResponse>['follow_user']
}

const CorpTagGroupSchema = z
  .object({
    group_id: z.string(),
    group_name: z.string(),
    deleted: z.boolean().optional(),
    tag: z
      .array(z.object({ id: z.string(), name: z.string(), deleted: z.boolean().optional() }).passthrough())
      .default([]),
  })
  .passthrough()
export type CorpTagGroup = z.infer<typeof CorpTagGroupSchema>
const CorpTagListResponse = ErrFields.extend({ tag_group: z.array(CorpTagGroupSchema).default([]) })
const AddCorpTagResponse = ErrFields.extend({ tag_group: CorpTagGroupSchema })

const GroupChatListResponse = ErrFields.extend({
  group_chat_list: z.array(z.object({ chat_id: z.string(), status: z.number() })).default([]),
  next_cursor: z.string().optional(),
})
const GroupChatMemberSchema = z
  .object({
    userid: z.string(),
    type: z.number(),
    join_time: z.number().optional(),
    join_scene: z.number().optional(),
    name: z.string().optional(),
    unionid: z.string().optional(),
    state: z.string().optional(),
  })
  .passthrough()
export type GroupChatMember = z.infer<typeof GroupChatMemberSchema>
const GroupChatSchema = z
  .object({
    chat_id: z.string(),
    name: z.string().default(''),
    owner: z.string(),
    create_time: z.number().optional(),
    notice: z.string().optional(),
    member_version: z.string().optional(),
    member_list: z.array(GroupChatMemberSchema).default([]),
  })
  .passthrough()
export type GroupChat = z.infer<typeof GroupChatSchema>
const GroupChatResponse = ErrFields.extend({ group_chat: GroupChatSchema })
const AddJoinWayResponse = ErrFields.extend({ config_id: z.string() })
const JoinWaySchema = z
  .object({
    config_id: z.string(),
    qr_code: z.string().optional(),
    state: z.string().optional(),
    chat_id_list: z.array(z.string()).default([]),
  })
  .passthrough()
export type JoinWay = z.infer<typeof JoinWaySchema>
const GetJoinWayResponse = ErrFields.extend({ join_way: JoinWaySchema })
const AddMsgTemplateResponse = ErrFields.extend({
  msgid: z.string(),
  fail_list: z.array(z.string()).optional(),
})
const GroupMsgTaskResponse = ErrFields.extend({
  task_list: z
    .array(z.object({ userid: z.string(), status: z.number(), send_time: z.number().optional() }))
    .default([]),
  next_cursor: z.string().optional(),
})
const GroupMsgSendResultSchema = z
  .object({
    userid: z.string().optional(),
    chat_id: z.string().optional(),
    external_userid: z.string().optional(),
    status: z.number(),
    send_time: z.number().optional(),
  })
  .passthrough()
export type GroupMsgSendResult = z.infer<typeof GroupMsgSendResultSchema>
const GroupMsgSendResultResponse = ErrFields.extend({
  send_list: z.array(GroupMsgSendResultSchema).default([]),
  next_cursor: z.string().optional(),
})
const GroupMsgListV2Response = ErrFields.extend({
  group_msg_list: z
    .array(
      z
        .object({
          msgid: z.string(),
          creator: z.string().optional(),
          create_type: z.number().optional(),
          create_time: z.number().optional(),
          text: z.object({ content: z.string().optional() }).passthrough().optional(),
        })
        .passthrough(),
    )
    .default([]),
  next_cursor: z.string().optional(),
})
export type GroupMsgListItem = z.infer<typeof GroupMsgListV2Response>['group_msg_list'][number]
const MessageSendResponse = ErrFields.extend({
  invaliduser: z.string().optional(),
  msgid: z.string().optional(),
})

/** `duplicate_check_interval` is at most 4 hours (§4.7). */
const MAX_DUPLICATE_CHECK_S = 14_400

/** A group robot message (§4.6): text ≤2048 B, markdown ≤4096 B. */
export type RobotMessage =
  | { msgtype: 'text'; text: { content: string; mentioned_list?: string[] } }
  | { msgtype: 'markdown'; markdown: { content: string } }

export interface WecomClientOptions {
  corpId: string
  /** The self-built app's secret: the default for calls made on behalf of the app. */
  agentSecret: string
  apiBase: string
  clock: Clock
  timeoutMs?: number
  fetchImpl?: typeof fetch
}

/** Who a WeCom web-login code belongs to: a member of the corp, or an outsider (openid only). */
export type WecomIdentity = { kind: 'member'; userid: string } | { kind: 'outsider'; openid: string }

const REFRESH_MARGIN_S = 300

export class WecomClient {
  private readonly cache = new Map<string, { token: string; refreshAt: number }>()
  private readonly inflight = new Map<string, Promise<string>>()

  constructor(private readonly o: WecomClientOptions) {}

  /**
   * Web login (网页授权登录 / 扫码登录): `GET /cgi-bin/auth/getuserinfo?access_token&code`. Members
   * come back with `userid`, non-members with `openid`. An invalid, used or expired code throws
   * WecomApiError 40029.
   */
  async getUserInfo(code: string): Promise<WecomIdentity> {
    const r = await this.withAccessToken(this.o.agentSecret, (token) =>
      this.call(
        'getuserinfo',
        UserInfoResponse,
        `/cgi-bin/auth/getuserinfo?${new URLSearchParams({ access_token: token, code }).toString()}`,
      ),
    )
    if (r.userid) return { kind: 'member', userid: r.userid }
    if (r.openid) return { kind: 'outsider', openid: r.openid }
    throw new WecomApiError(-2, 'response without userid or openid', 'getuserinfo')
  }

  /** The access_token of an app secret, cached until 5 minutes before expiry; single-flight per secret. */
  async accessToken(secret: string = this.o.agentSecret): Promise<string> {
    const now = this.o.clock.now().getTime()
    const cached = this.cache.get(secret)
    if (cached && now < cached.refreshAt) return cached.token
    let p = this.inflight.get(secret)
    if (!p) {
      p = this.fetchToken(secret).finally(() => this.inflight.delete(secret))
      this.inflight.set(secret, p)
    }
    return p
  }

  /** Runs a token-protected call; on 40014/42001 drops the cached token, fetches a new one and retries once. */
  async withAccessToken<T>(secret: string, run: (token: string) => Promise<T>): Promise<T> {
    const token = await this.accessToken(secret)
    try {
      return await run(token)
    } catch (e) {
      if (!(e instanceof WecomApiError) || !WECOM_STALE_TOKEN_CODES.has(e.errcode)) throw e
      if (this.cache.get(secret)?.token === token) this.cache.delete(secret)
      return run(await this.accessToken(secret))
    }
  }

  private async fetchToken(secret: string): Promise<string> {
    const q = new URLSearchParams({ corpid: this.o.corpId, corpsecret: secret })
    const r = await this.call('gettoken', TokenResponse, `/cgi-bin/gettoken?${q.toString()}`)
    if (!r.access_token || !r.expires_in)
      throw new WecomApiError(-2, 'response without access_token', 'gettoken')
    const now = this.o.clock.now().getTime()
    this.cache.set(secret, {
      token: r.access_token,
      refreshAt: now + Math.max(0, r.expires_in - REFRESH_MARGIN_S) * 1000,
    })
    return r.access_token
  }

  private call<O extends z.infer<typeof ErrFields>>(
    api: string,
    schema: z.ZodType<O, z.ZodTypeDef, unknown>,
    pathAndQuery: string,
    body?: unknown,
  ): Promise<O> {
    return callPlatform({
      platform: 'WeCom',
      apiBase: this.o.apiBase,
      fetchImpl: this.o.fetchImpl,
      timeoutMs: this.o.timeoutMs,
      api,
      schema,
      pathAndQuery,
      body,
      apiError: (errcode, errmsg, name) => new WecomApiError(errcode, errmsg, name),
    })
  }

  /** A token-protected call with the app secret: GET when `body` is undefined, else POST JSON. */
  private api<O extends z.infer<typeof ErrFields>>(
    api: string,
    schema: z.ZodType<O, z.ZodTypeDef, unknown>,
    path: string,
    body?: unknown,
    query: Record<string, string> = {},
  ): Promise<O> {
    return this.withAccessToken(this.o.agentSecret, (token) =>
      this.call(
        api,
        schema,
        `${path}?${new URLSearchParams({ access_token: token, ...query }).toString()}`,
        body,
      ),
    )
  }

  // ---- customers (§4.2) ----

  /** `externalcontact/get`: a customer, its unionid and every member following it (all pages). */
  async getExternalContact(externalUserId: string): Promise<ExternalContact> {
    let cursor = ''
    let contact: ExternalContact | undefined
    for (let page = 0; page < 50; page++) {
      const r = await this.api(
        'externalcontact/get',
        ExternalContactResponse,
        '/cgi-bin/externalcontact/get',
        undefined,
        {
          external_userid: externalUserId,
          ...(cursor ? { cursor } : {}),
        },
      )
      if (!contact) contact = { ...r.external_contact, follow_user: [] }
      contact.follow_user.push(...r.follow_user)
      if (!r.next_cursor) break
      cursor = r.next_cursor
    }
    return contact!
  }

  /** `send_welcome_msg`: the code is valid 20 s and single-use (41051 when already used). */
  async sendWelcomeMsg(welcomeCode: string, text: string): Promise<void> {
    await this.api('send_welcome_msg', ErrFields, '/cgi-bin/externalcontact/send_welcome_msg', {
      welcome_code: welcomeCode,
      text: { content: text },
    })
  }

  // ---- corp tags (§4.2) ----

  /** `get_corp_tag_list`: all groups, or only those named by id. */
  async getCorpTags(groupIds: string[] = []): Promise<CorpTagGroup[]> {
    const r = await this.api(
      'get_corp_tag_list',
      CorpTagListResponse,
      '/cgi-bin/externalcontact/get_corp_tag_list',
      {
        ...(groupIds.length ? { group_id: groupIds } : {}),
      },
    )
    return r.tag_group
  }

  /** `add_corp_tag`: adds tags to a group (by id), or creates the group (by name) with them. */
  async addCorpTags(
    group: { group_id: string } | { group_name: string },
    tags: { name: string; order?: number }[],
  ): Promise<CorpTagGroup> {
    const r = await this.api('add_corp_tag', AddCorpTagResponse, '/cgi-bin/externalcontact/add_corp_tag', {
      ...group,
      tag: tags,
    })
    return r.tag_group
  }

  async editCorpTag(id: string, name: string): Promise<void> {
    await this.api('edit_corp_tag', ErrFields, '/cgi-bin/externalcontact/edit_corp_tag', { id, name })
  }

  async deleteCorpTags(o: { tagIds?: string[]; groupIds?: string[] }): Promise<void> {
    await this.api('del_corp_tag', ErrFields, '/cgi-bin/externalcontact/del_corp_tag', {
      ...(o.tagIds?.length ? { tag_id: o.tagIds } : {}),
      ...(o.groupIds?.length ? { group_id: o.groupIds } : {}),
    })
  }

  /** `mark_tag` on one member–customer pair (fires no callback). */
  async markTag(o: {
    userid: string
    externalUserId: string
    add?: string[]
    remove?: string[]
  }): Promise<void> {
    await this.api('mark_tag', ErrFields, '/cgi-bin/externalcontact/mark_tag', {
      userid: o.userid,
      external_userid: o.externalUserId,
      ...(o.add?.length ? { add_tag: o.add } : {}),
      ...(o.remove?.length ? { remove_tag: o.remove } : {}),
    })
  }

  // ---- customer groups and join ways (§4.3) ----

  /** `groupchat/list`: every group (all pages), optionally of some owners. */
  async listGroupChats(
    o: { owners?: string[]; statusFilter?: 0 | 1 | 2 | 3 } = {},
  ): Promise<{ chat_id: string; status: number }[]> {
    const out: { chat_id: string; status: number }[] = []
    let cursor = ''
    for (let page = 0; page < 1000; page++) {
      const r = await this.api(
        'groupchat/list',
        GroupChatListResponse,
        '/cgi-bin/externalcontact/groupchat/list',
        {
          status_filter: o.statusFilter ?? 0,
          ...(o.owners?.length ? { owner_filter: { userid_list: o.owners } } : {}),
          ...(cursor ? { cursor } : {}),
          limit: 1000,
        },
      )
      out.push(...r.group_chat_list)
      if (!r.next_cursor) break
      cursor = r.next_cursor
    }
    return out
  }

  /** `groupchat/get` with names: members carry `state` and (for customers) `unionid`. */
  async getGroupChat(chatId: string): Promise<GroupChat> {
    const r = await this.api('groupchat/get', GroupChatResponse, '/cgi-bin/externalcontact/groupchat/get', {
      chat_id: chatId,
      need_name: 1,
    })
    return r.group_chat
  }

  /** `groupchat/add_join_way`: a QR (scene 2) into the given groups carrying `state` (≤30 chars). */
  async addJoinWay(o: { chatIds: string[]; state: string; remark?: string }): Promise<string> {
    const r = await this.api(
      'groupchat/add_join_way',
      AddJoinWayResponse,
      '/cgi-bin/externalcontact/groupchat/add_join_way',
      {
        scene: 2,
        ...(o.remark ? { remark: o.remark } : {}),
        auto_create_room: 0,
        chat_id_list: o.chatIds,
        state: o.state,
      },
    )
    return r.config_id
  }

  /** `groupchat/get_join_way`: the join way with its `qr_code` URL. */
  async getJoinWay(configId: string): Promise<JoinWay> {
    const r = await this.api(
      'groupchat/get_join_way',
      GetJoinWayResponse,
      '/cgi-bin/externalcontact/groupchat/get_join_way',
      {
        config_id: configId,
      },
    )
    return r.join_way
  }

  async deleteJoinWay(configId: string): Promise<void> {
    await this.api('groupchat/del_join_way', ErrFields, '/cgi-bin/externalcontact/groupchat/del_join_way', {
      config_id: configId,
    })
  }

  // ---- mass messages (§4.4) ----

  /** `add_msg_template` to groups: creates a task the sender must confirm in the client. */
  async addGroupMsgTemplate(o: {
    sender: string
    chatIds: string[]
    text: string
  }): Promise<{ msgid: string; failList: string[] }> {
    const r = await this.api(
      'add_msg_template',
      AddMsgTemplateResponse,
      '/cgi-bin/externalcontact/add_msg_template',
      {
        chat_type: 'group',
        sender: o.sender,
        chat_id_list: o.chatIds,
        text: { content: o.text },
      },
    )
    return { msgid: r.msgid, failList: r.fail_list ?? [] }
  }

  /** `get_groupmsg_task`: per member, 0 not yet sent, 2 sent (all pages). */
  async getGroupMsgTasks(msgid: string): Promise<{ userid: string; status: number; send_time?: number }[]> {
    const out: { userid: string; status: number; send_time?: number }[] = []
    let cursor = ''
    for (let page = 0; page < 100; page++) {
      const r = await this.api(
        'get_groupmsg_task',
        GroupMsgTaskResponse,
        '/cgi-bin/externalcontact/get_groupmsg_task',
        {
          msgid,
          limit: 1000,
          ...(cursor ? { cursor } : {}),
        },
      )
      out.push(...r.task_list)
      if (!r.next_cursor) break
      cursor = r.next_cursor
    }
    return out
  }

  /** `get_groupmsg_send_result` of one sender: per recipient 0 unsent, 1 sent, 2 not a friend, 3 capped. */
  async getGroupMsgSendResult(msgid: string, userid: string): Promise<GroupMsgSendResult[]> {
    const out: GroupMsgSendResult[] = []
    let cursor = ''
    for (let page = 0; page < 100; page++) {
      const r = await this.api(
        'get_groupmsg_send_result',
        GroupMsgSendResultResponse,
        '/cgi-bin/externalcontact/get_groupmsg_send_result',
        {
          msgid,
          userid,
          limit: 1000,
          ...(cursor ? { cursor } : {}),
        },
      )
      out.push(...r.send_list)
      if (!r.next_cursor) break
      cursor = r.next_cursor
    }
    return out
  }

  /**
   * `get_groupmsg_list_v2`: mass messages created in `[startTime, endTime]` (unix seconds, ≤ 1 month
   * apart), optionally by one creator; `filterType` 0 created by the corp (API), 1 by members, 2 all.
   */
  async listGroupMsgsV2(o: {
    chatType: 'single' | 'group'
    startTime: number
    endTime: number
    creator?: string
    filterType?: 0 | 1 | 2
  }): Promise<GroupMsgListItem[]> {
    const out: GroupMsgListItem[] = []
    let cursor = ''
    for (let page = 0; page < 100; page++) {
      const r = await this.api(
        'get_groupmsg_list_v2',
        GroupMsgListV2Response,
        '/cgi-bin/externalcontact/get_groupmsg_list_v2',
        {
          chat_type: o.chatType,
          start_time: o.startTime,
          end_time: o.endTime,
          ...(o.creator ? { creator: o.creator } : {}),
          filter_type: o.filterType ?? 2,
          limit: 100,
          ...(cursor ? { cursor } : {}),
        },
      )
      out.push(...r.group_msg_list)
      if (!r.next_cursor) break
      cursor = r.next_cursor
    }
    return out
  }

  async remindGroupMsg(msgid: string): Promise<void> {
    await this.api('remind_groupmsg_send', ErrFields, '/cgi-bin/externalcontact/remind_groupmsg_send', {
      msgid,
    })
  }

  async cancelGroupMsg(msgid: string): Promise<void> {
    await this.api('cancel_groupmsg_send', ErrFields, '/cgi-bin/externalcontact/cancel_groupmsg_send', {
      msgid,
    })
  }

  // ---- app messages (§4.7) ----

  /**
   * `message/send` text to members. WeCom drops messages over 30/min or 1000/h per member silently
   * (errcode 0), so callers must keep each member under those limits. All recipients invalid → 81013.
   * `duplicateCheckSeconds` turns on WeCom's duplicate check: the same text from this app to the same
   * member within that many seconds (≤ 4 h, clamped) is not delivered again — a retry of a send whose
   * answer was lost then reaches nobody twice.
   */
  async sendAppText(o: {
    agentId: number
    touser: string[]
    content: string
    duplicateCheckSeconds?: number
  }): Promise<{ invalidUsers: string[] }> {
    const dup = o.duplicateCheckSeconds
    const r = await this.api('message/send', MessageSendResponse, '/cgi-bin/message/send', {
      touser: o.touser.join('|'),
      msgtype: 'text',
      agentid: o.agentId,
      text: { content: o.content },
      ...(dup !== undefined
        ? {
            enable_duplicate_check: 1,
            duplicate_check_interval: Math.min(MAX_DUPLICATE_CHECK_S, Math.max(1, Math.round(dup))),
          }
        : {}),
    })
    return { invalidUsers: r.invaliduser ? r.invaliduser.split('|').filter(Boolean) : [] }
  }

  // ---- group robots (§4.6) ----

  /**
   * `webhook/send?key=`: a group robot message. No access_token: the key is the secret (keep it out of
   * logs). ≤20 messages per minute per key (45009 past that); a bad key is 93000. Both surface as
   * WecomApiError.
   */
  async sendRobotMessage(key: string, msg: RobotMessage): Promise<void> {
    await this.call('webhook/send', ErrFields, `/cgi-bin/webhook/send?key=${encodeURIComponent(key)}`, msg)
  }
}

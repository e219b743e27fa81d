import type { SimResponse } from '../sim-server'
import {
  ERR,
  decodeCursor,
  hookBody,
  hookError,
  isJson,
  page,
  readInt,
  readString,
  readStrings,
  type Json,
  type WecomCall,
  type WecomContext,
} from './wecom-api'
import { checkContent } from './wecom-contacts'
import {
  pad,
  shanghaiMonth,
  within,
  type ExternalContact,
  type FollowUser,
  type GroupMsg,
  type SendResult,
} from './wecom-state'

/**
 * Mass messages to customers and customer groups (platform.md §4.4): `add_msg_template` only creates a
 * task per sending member, which stays unsent until the member confirms it in the WeCom client (hook
 * `groupmsg/confirm {msgid, userid}`). At confirmation each recipient (external_userid or chat) that
 * already received as many mass messages this calendar month (Asia/Shanghai, simulator clock) as the
 * month has days gets status 3; a customer who is no longer the member's contact gets status 2.
 * Results: `get_groupmsg_list_v2`, `get_groupmsg_task`, `get_groupmsg_send_result`; also
 * `cancel_groupmsg_send` and `remind_groupmsg_send` (≤3 per 24 h → 45009, the simulator's choice).
 * Hook `GET groupmsg` lists every task.
 */

const MAX_EXTERNAL = 10_000
const MAX_CHATS = 2000
const DAY_MS = 86_400_000

export function mountGroupMsg(ctx: WecomContext): void {
  ctx.api('POST', '/cgi-bin/externalcontact/add_msg_template', (call) => addTemplate(ctx, call))
  ctx.api('POST', '/cgi-bin/externalcontact/get_groupmsg_list_v2', (call) => listV2(ctx, call))
  ctx.api('POST', '/cgi-bin/externalcontact/get_groupmsg_task', (call) => {
    const found = findMsg(ctx, call.body)
    if (!('msgid' in found)) return found
    const paged = paging(ctx, call.body, 1000, 500, [...found.tasks.values()])
    if (!('items' in paged)) return paged
    return ctx.ok({
      task_list: paged.items.map((t) => ({
        userid: t.userid,
        status: t.status,
        ...(t.send_time ? { send_time: t.send_time } : {}),
      })),
      ...(paged.next_cursor ? { next_cursor: paged.next_cursor } : {}),
    })
  })
  ctx.api('POST', '/cgi-bin/externalcontact/get_groupmsg_send_result', (call) => {
    const found = findMsg(ctx, call.body)
    if (!('msgid' in found)) return found
    const userid = readString(call.body, 'userid')
    if (!userid) return ctx.err(ERR.missingUserid, 'missing userid')
    const paged = paging(
      ctx,
      call.body,
      1000,
      500,
      found.results.filter((r) => r.userid === userid),
    )
    if (!('items' in paged)) return paged
    return ctx.ok({
      send_list: paged.items.map((r) => ({ ...r })),
      ...(paged.next_cursor ? { next_cursor: paged.next_cursor } : {}),
    })
  })
  ctx.api('POST', '/cgi-bin/externalcontact/cancel_groupmsg_send', ({ body }) => {
    const found = findMsg(ctx, body)
    if (!('msgid' in found)) return found
    found.cancelled = true
    return ctx.ok()
  })
  ctx.api('POST', '/cgi-bin/externalcontact/remind_groupmsg_send', ({ body }) => {
    const found = findMsg(ctx, body)
    if (!('msgid' in found)) return found
    const now = ctx.now()
    const recent = within(ctx.state.reminds.get(found.msgid) ?? [], now, DAY_MS)
    if (recent.length >= 3) return ctx.err(ERR.freqLimit, 'remind at most 3 times per 24 hours')
    ctx.state.reminds.set(found.msgid, [...recent, now])
    return ctx.ok()
  })

  ctx.hook('GET', 'groupmsg', () => ({
    body: { messages: [...ctx.state.groupMsgs.values()].map(renderTask) },
  }))
  ctx.hook('POST', 'groupmsg/confirm', (r) => confirm(ctx, hookBody(r)))
}

function renderTask(m: GroupMsg): Json {
  return {
    msgid: m.msgid,
    chat_type: m.chat_type,
    creator: m.creator,
    text: m.text,
    attachments: m.attachments,
    create_time: m.create_time,
    cancelled: m.cancelled,
    tasks: [...m.tasks.values()],
    results: m.results,
  }
}

function findMsg(ctx: WecomContext, body: Json): GroupMsg | SimResponse {
  const id = readString(body, 'msgid')
  const m = id ? ctx.state.groupMsgs.get(id) : undefined
  return m ?? ctx.err(ERR.invalidParameter, `invalid msgid: ${id ?? ''}`)
}

function paging<T>(
  ctx: WecomContext,
  body: Json,
  max: number,
  dflt: number,
  items: T[],
): { items: T[]; next_cursor: string } | SimResponse {
  const limit = readInt(body, 'limit')
  if (limit === null || (limit !== undefined && (limit < 1 || limit > max)))
    return ctx.err(ERR.invalidParameter, `limit must be 1..${max}`)
  const offset = decodeCursor(readString(body, 'cursor'))
  if (offset === null) return ctx.err(ERR.invalidParameter, 'invalid cursor')
  return page(items, offset, limit ?? dflt)
}

/** The follow relation a mass message to `c` goes out through: the sender's, else the latest one. */
function viaFollow(c: ExternalContact, sender: string | undefined): FollowUser | undefined {
  if (sender) return c.follows.get(sender)
  let best: FollowUser | undefined
  for (const f of c.follows.values()) if (!best || f.createtime >= best.createtime) best = f
  return best
}

/** tag_filter: OR within a group_list entry, AND across entries. */
function matchesTags(follow: FollowUser, filter: string[][]): boolean {
  return filter.every((any) => any.some((t) => follow.tags.has(t)))
}

function readTagFilter(body: Json): string[][] | null {
  const f = body.tag_filter
  if (f === undefined || f === null) return []
  if (!isJson(f) || !Array.isArray(f.group_list)) return null
  const out: string[][] = []
  for (const g of f.group_list) {
    const list = isJson(g) ? readStrings(g, 'tag_list') : null
    if (!list) return null
    if (list.length) out.push(list)
  }
  return out
}

function addTemplate(ctx: WecomContext, { app, body }: WecomCall): SimResponse {
  const { state } = ctx
  const chatType = readString(body, 'chat_type') ?? 'single'
  if (chatType !== 'single' && chatType !== 'group') return ctx.err(ERR.invalidParameter, 'invalid chat_type')
  const externals = readStrings(body, 'external_userid')
  const chatIds = readStrings(body, 'chat_id_list')
  const sender = readString(body, 'sender')
  const tagFilter = readTagFilter(body)
  if (externals === null || chatIds === null || sender === null || tagFilter === null)
    return ctx.err(ERR.invalidParameter, 'invalid external_userid / chat_id_list / sender / tag_filter')
  if ((externals?.length ?? 0) > MAX_EXTERNAL)
    return ctx.err(ERR.invalidParameter, `external_userid exceeds ${MAX_EXTERNAL}`)
  if ((chatIds?.length ?? 0) > MAX_CHATS)
    return ctx.err(ERR.invalidParameter, `chat_id_list exceeds ${MAX_CHATS}`)
  if (sender && !state.members.has(sender)) return ctx.err(ERR.useridNotFound, `userid not found: ${sender}`)
  if (chatType === 'group' && !sender)
    return ctx.err(ERR.invalidParameter, 'sender is required for chat_type group')
  const bad = checkContent(ctx, body)
  if (bad) return bad

  const failList: string[] = []
  const results: SendResult[] = []
  if (chatType === 'single') {
    let targets: { id: string; contact?: ExternalContact }[]
    if (externals?.length)
      targets = [...new Set(externals)].map((id) => ({ id, contact: state.contacts.get(id) }))
    else
      targets = [...state.contacts.values()]
        .filter((c) => (sender ? c.follows.has(sender) : c.follows.size > 0))
        .map((c) => ({ id: c.external_userid, contact: c }))
    for (const t of targets) {
      const follow = t.contact ? viaFollow(t.contact, sender) : undefined
      if (!follow) failList.push(t.id)
      else if (matchesTags(follow, tagFilter))
        results.push({ external_userid: t.id, userid: follow.userid, status: 0 })
    }
  } else {
    const chats = chatIds?.length
      ? [...new Set(chatIds)]
      : [...state.chats.values()].filter((c) => !c.dismissed && c.owner === sender).map((c) => c.chat_id)
    for (const id of chats) {
      const chat = state.chats.get(id)
      if (!chat || chat.dismissed || chat.owner !== sender) failList.push(id)
      else results.push({ chat_id: id, userid: chat.owner, status: 0 })
    }
  }
  if (results.length === 0) return ctx.err(ERR.noCustomers, 'no customer to send to')

  const msgid = `msgSimGroupMsg${pad(state.next('groupmsg'))}`
  const tasks = new Map<string, { userid: string; status: 0 | 2 }>()
  for (const r of results) tasks.set(r.userid, { userid: r.userid, status: 0 })
  const text = body.text as { content?: string } | undefined
  state.groupMsgs.set(msgid, {
    msgid,
    app,
    chat_type: chatType,
    creator: sender ?? '',
    create_type: 0,
    ...(text?.content ? { text: { content: text.content } } : {}),
    attachments: Array.isArray(body.attachments) ? body.attachments : [],
    create_time: Math.floor(ctx.now() / 1000),
    cancelled: false,
    tasks,
    results,
  })
  return ctx.ok({ fail_list: failList, msgid })
}

function listV2(ctx: WecomContext, { body }: WecomCall): SimResponse {
  const chatType = readString(body, 'chat_type')
  const start = readInt(body, 'start_time')
  const end = readInt(body, 'end_time')
  const creator = readString(body, 'creator')
  const filterType = readInt(body, 'filter_type') ?? 2
  if (chatType !== 'single' && chatType !== 'group') return ctx.err(ERR.invalidParameter, 'invalid chat_type')
  if (start === null || end === null || start === undefined || end === undefined || end < start)
    return ctx.err(ERR.invalidParameter, 'invalid start_time / end_time')
  if (end - start > 31 * 86_400) return ctx.err(ERR.invalidParameter, 'the time range exceeds one month')
  if (creator === null || filterType === null || ![0, 1, 2].includes(filterType))
    return ctx.err(ERR.invalidParameter, 'invalid creator / filter_type')
  const msgs = [...ctx.state.groupMsgs.values()].filter(
    (m) =>
      m.chat_type === chatType &&
      m.create_time >= start &&
      m.create_time <= end &&
      (!creator || m.creator === creator) &&
      (filterType === 2 || m.create_type === filterType),
  )
  const paged = paging(ctx, body, 100, 50, msgs)
  if (!('items' in paged)) return paged
  return ctx.ok({
    group_msg_list: paged.items.map((m) => ({
      msgid: m.msgid,
      creator: m.creator,
      create_type: m.create_type,
      ...(m.text ? { text: m.text } : {}),
      attachments: m.attachments,
      create_time: m.create_time,
    })),
    ...(paged.next_cursor ? { next_cursor: paged.next_cursor } : {}),
  })
}

function confirm(ctx: WecomContext, b: Json): SimResponse {
  const { state } = ctx
  const msg = typeof b.msgid === 'string' ? state.groupMsgs.get(b.msgid) : undefined
  if (!msg) return hookError('no such msgid', 404)
  if (msg.cancelled) return hookError('the mass message was cancelled', 409)
  const userid =
    typeof b.userid === 'string' ? b.userid : msg.tasks.size === 1 ? [...msg.tasks.keys()][0]! : ''
  const task = msg.tasks.get(userid)
  if (!task) return hookError(`${userid || 'userid'} has no task in ${msg.msgid}`, 404)
  if (task.status === 2) return hookError(`${userid} already sent ${msg.msgid}`, 409)
  const now = ctx.now()
  const sec = Math.floor(now / 1000)
  const month = shanghaiMonth(now)
  task.status = 2
  task.send_time = sec
  for (const r of msg.results) {
    if (r.userid !== userid) continue
    r.send_time = sec
    const gone = r.external_userid
      ? !state.contacts.get(r.external_userid)?.follows.has(userid)
      : !state.chats.get(r.chat_id!) || state.chats.get(r.chat_id!)!.dismissed
    if (gone) {
      r.status = 2
      continue
    }
    const key = `${month.key}|${r.external_userid ?? r.chat_id!}`
    const count = state.monthly.get(key) ?? 0
    if (count >= month.days) r.status = 3
    else {
      r.status = 1
      state.monthly.set(key, count + 1)
    }
  }
  return {
    body: { ok: true, msgid: msg.msgid, userid, results: msg.results.filter((r) => r.userid === userid) },
  }
}

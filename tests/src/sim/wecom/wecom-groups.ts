import QRCode from 'qrcode'
import type { SimRequest, SimResponse } from '../sim-server'
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
import { createContact, eventSummary } from './wecom-contacts'
import type { ChatUpdateDetail } from './wecom-events'
import { pad, type ChatMember, type GroupChat, type JoinWay } from './wecom-state'

/**
 * Customer groups and join-way QR codes (platform.md §4.3): `groupchat/list`, `groupchat/get` (members
 * with `state`), `groupchat/add_join_way|get_join_way|update_join_way|del_join_way` (≤5 chats,
 * state ≤30 chars, an app sees only its own configs). No API creates a group or pulls a customer in.
 *
 * Hooks (patients and nurses in the WeCom client): `groups/create {owner, name}` → chat_id;
 * `groups/join {config_id, external_userid}` (scanned the join QR: join_scene 3, the join way's
 * state, JoinScene 3 — a full group rolls over to an auto-created one), `groups/join {chat_id,
 * external_userid|userid, invitor?}` (invited: JoinScene 0); `groups/leave {chat_id, external_userid|
 * userid, removed?}` (QuitScene 0 / 1); `groups/update {chat_id, name?, notice?, owner?}`;
 * `groups/dismiss {chat_id}`. Each fires change_external_chat with LastMemVer/CurMemVer.
 *
 * A join way's `qr_code` is `<sim base URL>/_sim/wecom/qr.png?config_id=…` (the host the API call came
 * in on): `GET` answers a real PNG QR code (it encodes `https://work.weixin.qq.com/gm/sim/<config_id>`),
 * so an h5 page can show it offline; an unknown config answers 404.
 */

/** When a join-way group holds this many members the next scan goes to the next group. */
export const GROUP_CAPACITY = 200
const MAX_LIST_LIMIT = 1000

export function mountGroups(ctx: WecomContext): void {
  ctx.api('POST', '/cgi-bin/externalcontact/groupchat/list', (call) => listChats(ctx, call))
  ctx.api('POST', '/cgi-bin/externalcontact/groupchat/get', (call) => getChat(ctx, call))
  ctx.api('POST', '/cgi-bin/externalcontact/groupchat/add_join_way', (call) =>
    saveJoinWay(ctx, call, undefined),
  )
  ctx.api('POST', '/cgi-bin/externalcontact/groupchat/get_join_way', (call) => {
    const jw = ownJoinWay(ctx, call)
    return 'config_id' in jw ? ctx.ok({ join_way: renderJoinWay(jw) }) : jw
  })
  ctx.api('POST', '/cgi-bin/externalcontact/groupchat/update_join_way', (call) => {
    const jw = ownJoinWay(ctx, call)
    return 'config_id' in jw ? saveJoinWay(ctx, call, jw) : jw
  })
  ctx.api('POST', '/cgi-bin/externalcontact/groupchat/del_join_way', (call) => {
    const jw = ownJoinWay(ctx, call)
    if (!('config_id' in jw)) return jw
    ctx.state.joinWays.delete(jw.config_id)
    return ctx.ok()
  })

  ctx.hook('POST', 'groups/create', async (r) => {
    const b = hookBody(r)
    if (typeof b.owner !== 'string' || !ctx.state.members.has(b.owner))
      return hookError('owner must be a seeded member')
    if (typeof b.name !== 'string' || !b.name) return hookError('name is required')
    const chat = createChat(ctx, b.owner, b.name, typeof b.notice === 'string' ? b.notice : '')
    const ev = await ctx.emit({ event: 'change_external_chat', changeType: 'create', chatId: chat.chat_id })
    return {
      body: { chat_id: chat.chat_id, member_version: ctx.state.memberVersion(chat), event: eventSummary(ev) },
    }
  })
  ctx.hook('GET', 'qr.png', async (r) => {
    const id = r.query.get('config_id') ?? ''
    if (!ctx.state.joinWays.has(id)) return hookError(`no join way ${id}`, 404)
    const png = await QRCode.toBuffer(joinWayQrText(id), { type: 'png', margin: 2, width: 280 })
    return { body: png, headers: { 'content-type': 'image/png', 'cache-control': 'no-store' } }
  })
  ctx.hook('POST', 'groups/join', (r) => join(ctx, hookBody(r)))
  ctx.hook('POST', 'groups/leave', (r) => leave(ctx, hookBody(r)))
  ctx.hook('POST', 'groups/update', (r) => update(ctx, hookBody(r)))
  ctx.hook('POST', 'groups/dismiss', async (r) => {
    const chat = liveChat(ctx, hookBody(r).chat_id)
    if (!chat) return hookError('no such group', 404)
    chat.dismissed = true
    const ev = await ctx.emit({ event: 'change_external_chat', changeType: 'dismiss', chatId: chat.chat_id })
    return { body: { ok: true, event: eventSummary(ev) } }
  })
}

function liveChat(ctx: WecomContext, id: unknown): GroupChat | undefined {
  const chat = typeof id === 'string' ? ctx.state.chats.get(id) : undefined
  return chat && !chat.dismissed ? chat : undefined
}

function createChat(ctx: WecomContext, owner: string, name: string, notice: string): GroupChat {
  const now = Math.floor(ctx.now() / 1000)
  const chat: GroupChat = {
    chat_id: `wrSimChat${pad(ctx.state.next('chat_id'))}`,
    name,
    owner,
    create_time: now,
    notice,
    status: 0,
    dismissed: false,
    admin_list: [],
    members: [{ userid: owner, type: 1, join_time: now, join_scene: 1, name: memberName(ctx, owner) }],
    rev: 1,
  }
  ctx.state.chats.set(chat.chat_id, chat)
  return chat
}

const memberName = (ctx: WecomContext, userid: string): string =>
  ctx.state.members.get(userid)?.name ?? userid

function listChats(ctx: WecomContext, { body }: WecomCall): SimResponse {
  const statusFilter = readInt(body, 'status_filter')
  const limit = readInt(body, 'limit')
  const cursor = readString(body, 'cursor')
  const owner = body.owner_filter
  if (statusFilter === null || ![undefined, 0, 1, 2, 3].includes(statusFilter))
    return ctx.err(ERR.invalidParameter, 'invalid status_filter')
  if (limit === null || limit === undefined || limit < 1 || limit > MAX_LIST_LIMIT)
    return ctx.err(ERR.invalidParameter, `limit must be 1..${MAX_LIST_LIMIT}`)
  let owners: string[] | undefined
  if (owner !== undefined && owner !== null) {
    const list = isJson(owner) ? readStrings(owner, 'userid_list') : null
    if (list === null) return ctx.err(ERR.invalidParameter, 'invalid owner_filter')
    if (list && list.length > 100)
      return ctx.err(ERR.invalidParameter, 'owner_filter.userid_list exceeds 100')
    owners = list?.length ? list : undefined
  }
  const offset = decodeCursor(cursor)
  if (offset === null) return ctx.err(ERR.invalidParameter, 'invalid cursor')
  const chats = [...ctx.state.chats.values()].filter(
    (c) =>
      !c.dismissed && (!statusFilter || c.status === statusFilter) && (!owners || owners.includes(c.owner)),
  )
  const { items, next_cursor } = page(chats, offset, limit)
  return ctx.ok({
    group_chat_list: items.map((c) => ({ chat_id: c.chat_id, status: c.status })),
    ...(next_cursor ? { next_cursor } : {}),
  })
}

function getChat(ctx: WecomContext, { body }: WecomCall): SimResponse {
  const id = readString(body, 'chat_id')
  const needName = readInt(body, 'need_name')
  if (!id) return ctx.err(ERR.invalidChatid, 'invalid chatid')
  const chat = liveChat(ctx, id)
  if (!chat) return ctx.err(ERR.invalidChatid, `invalid chatid: ${id}`)
  return ctx.ok({
    group_chat: {
      chat_id: chat.chat_id,
      name: chat.name,
      owner: chat.owner,
      create_time: chat.create_time,
      notice: chat.notice,
      member_list: chat.members.map((m) => renderMember(m, needName === 1)),
      admin_list: chat.admin_list.map((userid) => ({ userid })),
      member_version: ctx.state.memberVersion(chat),
    },
  })
}

function renderMember(m: ChatMember, withName: boolean): Json {
  return {
    userid: m.userid,
    type: m.type,
    join_time: m.join_time,
    join_scene: m.join_scene,
    ...(m.invitor ? { invitor: { userid: m.invitor } } : {}),
    group_nickname: '',
    ...(withName ? { name: m.name } : {}),
    ...(m.type === 2 && m.unionid ? { unionid: m.unionid } : {}),
    ...(m.state ? { state: m.state } : {}),
  }
}

/** What a join way's QR code encodes (WeCom's are `https://work.weixin.qq.com/gm/…` links). */
export const joinWayQrText = (configId: string): string => `https://work.weixin.qq.com/gm/sim/${configId}`

/** The PNG URL of a join way's QR code, on the host the API call came in on. */
const qrCodeUrl = (req: SimRequest, configId: string): string =>
  `http://${req.headers.host ?? '127.0.0.1'}/_sim/wecom/qr.png?config_id=${encodeURIComponent(configId)}`

function renderJoinWay(jw: JoinWay): Json {
  return {
    config_id: jw.config_id,
    scene: jw.scene,
    remark: jw.remark,
    auto_create_room: jw.auto_create_room,
    room_base_name: jw.room_base_name,
    room_base_id: jw.room_base_id,
    chat_id_list: [...jw.chat_id_list],
    qr_code: jw.qr_code,
    state: jw.state,
    mark_source: jw.mark_source,
  }
}

/** The join way named by `config_id` if the calling app created it, else 40058. */
function ownJoinWay(ctx: WecomContext, { app, body }: WecomCall): JoinWay | SimResponse {
  const id = readString(body, 'config_id')
  const jw = id ? ctx.state.joinWays.get(id) : undefined
  if (!jw || jw.app !== app) return ctx.err(ERR.invalidParameter, `invalid config_id: ${id ?? ''}`)
  return jw
}

/** add_join_way (existing undefined) or update_join_way (which overwrites every field). */
function saveJoinWay(
  ctx: WecomContext,
  { app, body, req }: WecomCall,
  existing: JoinWay | undefined,
): SimResponse {
  const scene = readInt(body, 'scene')
  const remark = readString(body, 'remark')
  const auto = readInt(body, 'auto_create_room')
  const baseName = readString(body, 'room_base_name')
  const baseId = readInt(body, 'room_base_id')
  const chats = readStrings(body, 'chat_id_list')
  const st = readString(body, 'state')
  const markSource = readInt(body, 'mark_source')
  if (scene !== 1 && scene !== 2) return ctx.err(ERR.invalidParameter, 'scene must be 1 or 2')
  if (remark === null || (remark && [...remark].length > 30))
    return ctx.err(ERR.invalidParameter, 'invalid remark')
  if (auto === null || (auto !== undefined && auto !== 0 && auto !== 1))
    return ctx.err(ERR.invalidParameter, 'invalid auto_create_room')
  if (baseName === null || (baseName && [...baseName].length > 40))
    return ctx.err(ERR.invalidParameter, 'invalid room_base_name')
  if (baseId === null) return ctx.err(ERR.invalidParameter, 'invalid room_base_id')
  if (!chats || chats.length === 0 || chats.length > 5)
    return ctx.err(ERR.invalidParameter, 'chat_id_list must hold 1..5 chat ids')
  const missing = chats.find((c) => !liveChat(ctx, c))
  if (missing) return ctx.err(ERR.invalidChatid, `invalid chatid: ${missing}`)
  if (st === null || (st && [...st].length > 30))
    return ctx.err(ERR.invalidParameter, 'state exceeds 30 characters')
  if (markSource === null || (markSource !== undefined && markSource !== 0 && markSource !== 1))
    return ctx.err(ERR.invalidParameter, 'invalid mark_source')
  const configId = existing?.config_id ?? `cfgSimJoinWay${pad(ctx.state.next('config_id'))}`
  const jw: JoinWay = {
    config_id: configId,
    app,
    scene,
    remark: remark ?? '',
    auto_create_room: auto ?? 1,
    room_base_name: baseName ?? '',
    room_base_id: baseId ?? 0,
    chat_id_list: [...chats],
    state: st ?? '',
    mark_source: markSource ?? 0,
    qr_code: existing?.qr_code ?? qrCodeUrl(req, configId),
  }
  ctx.state.joinWays.set(configId, jw)
  return existing ? ctx.ok() : ctx.ok({ config_id: configId })
}

/** Bumps the member version and fires the update event (§3.7). */
async function memberChange(
  ctx: WecomContext,
  chat: GroupChat,
  detail: 'add_member' | 'del_member',
  who: string,
  scene: number,
): Promise<SimResponse> {
  const last = ctx.state.memberVersion(chat)
  chat.rev += 1
  const cur = ctx.state.memberVersion(chat)
  const ev = await ctx.emit({
    event: 'change_external_chat',
    changeType: 'update',
    chatId: chat.chat_id,
    updateDetail: detail,
    ...(detail === 'add_member' ? { joinScene: scene } : { quitScene: scene }),
    memChangeList: [who],
    lastMemVer: last,
    curMemVer: cur,
  })
  return { body: { chat_id: chat.chat_id, member_version: cur, event: eventSummary(ev) } }
}

async function join(ctx: WecomContext, b: Json): Promise<SimResponse> {
  const { state } = ctx
  // Who joins: a staff member, a known external contact, or a new external identity (unionid + name).
  let member: Omit<ChatMember, 'join_time' | 'join_scene'>
  if (typeof b.userid === 'string') {
    if (!state.members.has(b.userid)) return hookError('userid must be a seeded member')
    member = { userid: b.userid, type: 1, name: memberName(ctx, b.userid) }
  } else {
    let contact = typeof b.external_userid === 'string' ? state.contacts.get(b.external_userid) : undefined
    if (!contact && typeof b.unionid === 'string' && b.unionid)
      contact = [...state.contacts.values()].find((c) => c.unionid === b.unionid)
    if (!contact && typeof b.external_userid === 'string')
      return hookError(`unknown external_userid ${b.external_userid}`, 404)
    if (!contact) {
      if (typeof b.name !== 'string' || !b.name)
        return hookError('external_userid, or unionid and name, are required')
      contact = createContact(ctx, {
        name: b.name,
        unionid: typeof b.unionid === 'string' ? b.unionid : undefined,
      })
    }
    member = { userid: contact.external_userid, type: 2, name: contact.name, unionid: contact.unionid }
  }
  const now = Math.floor(ctx.now() / 1000)

  if (typeof b.config_id === 'string') {
    const jw = state.joinWays.get(b.config_id)
    if (!jw) return hookError(`no join way ${b.config_id}`, 404)
    const lists = jw.chat_id_list.map((id) => liveChat(ctx, id)).filter((c): c is GroupChat => !!c)
    if (lists.some((c) => c.members.some((m) => m.userid === member.userid)))
      return hookError(`${member.userid} is already in the group`, 409)
    let chat = lists.find((c) => c.members.length < GROUP_CAPACITY)
    if (!chat) {
      if (!jw.auto_create_room || lists.length === 0)
        return hookError('every group of this join way is full', 409)
      jw.room_base_id += 1
      chat = createChat(ctx, lists[0]!.owner, `${jw.room_base_name}${jw.room_base_id}`, '')
      jw.chat_id_list.push(chat.chat_id)
      await ctx.emit({ event: 'change_external_chat', changeType: 'create', chatId: chat.chat_id })
    }
    chat.members.push({ ...member, join_time: now, join_scene: 3, ...(jw.state ? { state: jw.state } : {}) })
    return memberChange(ctx, chat, 'add_member', member.userid, 3)
  }

  const chat = liveChat(ctx, b.chat_id)
  if (!chat) return hookError('config_id or chat_id of a live group is required', 404)
  if (chat.members.some((m) => m.userid === member.userid))
    return hookError(`${member.userid} is already in the group`, 409)
  const invitor = typeof b.invitor === 'string' ? b.invitor : chat.owner
  chat.members.push({ ...member, join_time: now, join_scene: 1, invitor })
  return memberChange(ctx, chat, 'add_member', member.userid, 0)
}

async function leave(ctx: WecomContext, b: Json): Promise<SimResponse> {
  const chat = liveChat(ctx, b.chat_id)
  if (!chat) return hookError('no such group', 404)
  const who = typeof b.external_userid === 'string' ? b.external_userid : b.userid
  const i = chat.members.findIndex((m) => m.userid === who)
  if (typeof who !== 'string' || i < 0) return hookError(`${String(who)} is not in the group`, 404)
  chat.members.splice(i, 1)
  return memberChange(ctx, chat, 'del_member', who, b.removed === true ? 1 : 0)
}

async function update(ctx: WecomContext, b: Json): Promise<SimResponse> {
  const chat = liveChat(ctx, b.chat_id)
  if (!chat) return hookError('no such group', 404)
  const changes: ChatUpdateDetail[] = []
  if (typeof b.name === 'string' && b.name !== chat.name) {
    chat.name = b.name
    changes.push('change_name')
  }
  if (typeof b.notice === 'string' && b.notice !== chat.notice) {
    chat.notice = b.notice
    changes.push('change_notice')
  }
  if (typeof b.owner === 'string' && b.owner !== chat.owner) {
    if (!ctx.state.members.has(b.owner)) return hookError('owner must be a seeded member')
    chat.owner = b.owner
    changes.push('change_owner')
  }
  const events = []
  for (const detail of changes)
    events.push(
      eventSummary(
        await ctx.emit({
          event: 'change_external_chat',
          changeType: 'update',
          chatId: chat.chat_id,
          updateDetail: detail,
        }),
      ),
    )
  return { body: { ok: true, events } }
}

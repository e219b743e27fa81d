import type { SimResponse } from '../sim-server'
import {
  ERR,
  bytes,
  decodeCursor,
  hookBody,
  hookError,
  page,
  readObject,
  readString,
  readStrings,
  type WecomCall,
  type WecomContext,
} from './wecom-api'
import { pad, type ExternalContact, type FollowUser } from './wecom-state'

/**
 * Customers (platform.md §4.2, §4.5): `externalcontact/list`, `externalcontact/get`,
 * `get_follow_user_list` and `send_welcome_msg` (20 s, single-use codes → 41051).
 *
 * Hooks (the patient's side): `customers/add` (adds a member as a contact → add_external_contact
 * with State and WelcomeCode), `customers/remove` (`by: 'staff'` → del_external_contact,
 * `by: 'customer'` → del_follow_user), `customers/tag` (the member edits tags in the client →
 * edit_external_contact), `GET welcome-messages`.
 */

export const WELCOME_CODE_TTL_MS = 20_000
const FOLLOW_PAGE = 500

export function mountContacts(ctx: WecomContext): void {
  const { state } = ctx
  const sec = (): number => Math.floor(ctx.now() / 1000)

  ctx.api('GET', '/cgi-bin/externalcontact/list', ({ query }) => {
    const userid = query.get('userid')
    if (!userid) return ctx.err(ERR.missingUserid, 'missing userid')
    if (!state.members.has(userid)) return ctx.err(ERR.useridNotFound, `userid not found: ${userid}`)
    const ids = [...state.contacts.values()]
      .flatMap((c) => {
        const f = c.follows.get(userid)
        return f ? [{ id: c.external_userid, at: f.createtime }] : []
      })
      .sort((a, b) => a.at - b.at)
      .map((x) => x.id)
    // WeCom answers a member without customers with 84061, not an empty list.
    if (ids.length === 0) return ctx.err(ERR.notExternalContact, 'not external contact')
    return ctx.ok({ external_userid: ids })
  })

  ctx.api('GET', '/cgi-bin/externalcontact/get', ({ query }) => {
    const id = query.get('external_userid')
    if (!id) return ctx.err(ERR.invalidExternalUserid, 'invalid external userid')
    const c = state.contacts.get(id)
    if (!c) return ctx.err(ERR.invalidExternalUserid, `invalid external userid: ${id}`)
    if (c.follows.size === 0) return ctx.err(ERR.notExternalContact, 'not external contact')
    const offset = decodeCursor(query.get('cursor'))
    if (offset === null) return ctx.err(ERR.invalidParameter, 'invalid cursor')
    const { items, next_cursor } = page([...c.follows.values()], offset, FOLLOW_PAGE)
    return ctx.ok({
      external_contact: renderContact(c),
      follow_user: items.map((f) => renderFollow(ctx, f)),
      ...(next_cursor ? { next_cursor } : {}),
    })
  })

  ctx.api('GET', '/cgi-bin/externalcontact/get_follow_user_list', () =>
    ctx.ok({ follow_user: [...state.members.keys()] }),
  )

  ctx.api('POST', '/cgi-bin/externalcontact/send_welcome_msg', (call) => sendWelcome(ctx, call))

  ctx.hook('GET', 'welcome-messages', () => ({ body: { messages: state.welcomeMessages } }))

  ctx.hook('POST', 'customers/add', async (r) => {
    const b = hookBody(r)
    const userid = b.userid
    if (typeof userid !== 'string' || !state.members.has(userid))
      return hookError('userid must be a seeded member (POST /_sim/wecom/seed {members})')
    const name = typeof b.name === 'string' && b.name ? b.name : undefined
    const unionid = typeof b.unionid === 'string' && b.unionid ? b.unionid : undefined
    const given = typeof b.external_userid === 'string' && b.external_userid ? b.external_userid : undefined
    const st = typeof b.state === 'string' && b.state ? b.state : undefined
    if (st !== undefined && st.length > 30) return hookError('state is at most 30 characters')
    let contact =
      (given ? state.contacts.get(given) : undefined) ??
      (unionid && !given ? [...state.contacts.values()].find((c) => c.unionid === unionid) : undefined)
    if (!contact) {
      if (!name) return hookError('name is required for a new customer')
      contact = createContact(ctx, { external_userid: given, name, unionid, gender: b.gender })
    }
    if (contact.follows.has(userid))
      return hookError(`${contact.external_userid} is already ${userid}'s contact`, 409)
    contact.follows.set(userid, {
      userid,
      remark: '',
      description: '',
      createtime: sec(),
      tags: new Set(),
      state: st,
      add_way: typeof b.add_way === 'number' ? b.add_way : st ? 1 : 0,
      oper_userid: contact.external_userid,
    })
    let welcomeCode: string | undefined
    if (b.welcome !== false) {
      welcomeCode = `WELCOMECODE_SIM_${pad(state.next('welcome'))}`
      state.welcomeCodes.set(welcomeCode, {
        code: welcomeCode,
        userid,
        external_userid: contact.external_userid,
        issuedAt: ctx.now(),
        used: false,
      })
    }
    const ev = await ctx.emit({
      event: 'change_external_contact',
      changeType: 'add_external_contact',
      userId: userid,
      externalUserId: contact.external_userid,
      state: st,
      welcomeCode,
    })
    return {
      body: {
        external_userid: contact.external_userid,
        ...(welcomeCode ? { welcome_code: welcomeCode } : {}),
        event: eventSummary(ev),
      },
    }
  })

  ctx.hook('POST', 'customers/remove', async (r) => {
    const b = hookBody(r)
    const f = findFollow(ctx, b.userid, b.external_userid)
    if (typeof f === 'string') return hookError(f, 404)
    const by = b.by === 'customer' ? 'customer' : 'staff'
    f.contact.follows.delete(f.follow.userid)
    const ev = await ctx.emit({
      event: 'change_external_contact',
      changeType: by === 'customer' ? 'del_follow_user' : 'del_external_contact',
      userId: f.follow.userid,
      externalUserId: f.contact.external_userid,
    })
    return { body: { ok: true, event: eventSummary(ev) } }
  })

  ctx.hook('POST', 'customers/tag', async (r) => {
    const b = hookBody(r)
    const f = findFollow(ctx, b.userid, b.external_userid)
    if (typeof f === 'string') return hookError(f, 404)
    const add = readStrings(b, 'add_tag') ?? []
    const remove = readStrings(b, 'remove_tag') ?? []
    const unknown = [...add, ...remove].filter((t) => !state.tags.has(t))
    if (unknown.length) return hookError(`unknown tag ids: ${unknown.join(', ')}`)
    for (const t of add) f.follow.tags.add(t)
    for (const t of remove) f.follow.tags.delete(t)
    const ev = await ctx.emit({
      event: 'change_external_contact',
      changeType: 'edit_external_contact',
      userId: f.follow.userid,
      externalUserId: f.contact.external_userid,
    })
    return { body: { ok: true, event: eventSummary(ev) } }
  })
}

export function eventSummary(ev: { seq: number; delivery?: { delivered: boolean }; skipped?: string }): {
  seq: number
  delivered: boolean
} {
  return { seq: ev.seq, delivered: ev.delivery?.delivered ?? false }
}

/** A new external identity (a WeChat user as the corp sees them); no member follows it yet. */
export function createContact(
  ctx: WecomContext,
  input: { external_userid?: string; name: string; unionid?: string; gender?: unknown },
): ExternalContact {
  const id = input.external_userid ?? `wmSimExt${pad(ctx.state.next('external_userid'))}`
  const c: ExternalContact = {
    external_userid: id,
    name: input.name,
    type: 1,
    gender: input.gender === 1 || input.gender === 2 ? input.gender : 0,
    unionid: input.unionid,
    avatar: `https://wx.qlogo.cn/mmhead/sim/${id}/0`,
    follows: new Map(),
  }
  ctx.state.contacts.set(id, c)
  return c
}

function findFollow(
  ctx: WecomContext,
  userid: unknown,
  externalUserid: unknown,
): { contact: ExternalContact; follow: FollowUser } | string {
  if (typeof userid !== 'string' || typeof externalUserid !== 'string')
    return 'userid and external_userid are required'
  const contact = ctx.state.contacts.get(externalUserid)
  const follow = contact?.follows.get(userid)
  if (!contact || !follow) return `${externalUserid} is not ${userid}'s contact`
  return { contact, follow }
}

function renderContact(c: ExternalContact): Record<string, unknown> {
  return {
    external_userid: c.external_userid,
    name: c.name,
    avatar: c.avatar,
    type: c.type,
    gender: c.gender,
    ...(c.unionid ? { unionid: c.unionid } : {}),
  }
}

function renderFollow(ctx: WecomContext, f: FollowUser): Record<string, unknown> {
  const tags = [...f.tags].flatMap((id) => {
    const t = ctx.state.tags.get(id)
    const g = t ? ctx.state.groups.get(t.group_id) : undefined
    return t && g ? [{ group_name: g.group_name, tag_name: t.name, tag_id: t.id, type: 1 }] : []
  })
  return {
    userid: f.userid,
    remark: f.remark,
    description: f.description,
    createtime: f.createtime,
    tags,
    remark_mobiles: [],
    add_way: f.add_way,
    oper_userid: f.oper_userid,
    ...(f.state ? { state: f.state } : {}),
  }
}

/** Validates a message body shared by send_welcome_msg and add_msg_template. */
export function checkContent(ctx: WecomContext, body: WecomCall['body']): SimResponse | undefined {
  const text = readObject(body, 'text')
  if (text === null) return ctx.err(ERR.invalidParameter, 'invalid text')
  const content = text ? readString(text, 'content') : undefined
  if (content === null) return ctx.err(ERR.invalidParameter, 'invalid text.content')
  const attachments = body.attachments
  if (attachments !== undefined && attachments !== null && !Array.isArray(attachments))
    return ctx.err(ERR.invalidParameter, 'invalid attachments')
  const n = Array.isArray(attachments) ? attachments.length : 0
  if (!content && n === 0) return ctx.err(ERR.emptyContent, 'text.content and attachments are both empty')
  if (content && bytes(content) > 4000)
    return ctx.err(ERR.invalidParameter, 'text.content exceed max length 4000')
  if (n > 9) return ctx.err(ERR.invalidParameter, 'attachments exceed max count 9')
  return undefined
}

function sendWelcome(ctx: WecomContext, { body }: WecomCall): SimResponse {
  const code = readString(body, 'welcome_code')
  if (!code) return ctx.err(ERR.invalidParameter, 'invalid welcome_code')
  const bad = checkContent(ctx, body)
  if (bad) return bad
  const w = ctx.state.welcomeCodes.get(code)
  if (!w) return ctx.err(ERR.invalidParameter, 'invalid welcome_code')
  if (w.used || ctx.now() - w.issuedAt > WELCOME_CODE_TTL_MS)
    return ctx.err(ERR.welcomeUsed, 'welcome msg has been sent or external contact has started chatting')
  w.used = true
  ctx.state.welcomeMessages.push({
    welcome_code: code,
    userid: w.userid,
    external_userid: w.external_userid,
    at: new Date(ctx.now()).toISOString(),
    text: body.text as { content: string } | undefined,
    attachments: Array.isArray(body.attachments) ? body.attachments : [],
  })
  return ctx.ok()
}

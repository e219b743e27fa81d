import type { SimResponse } from '../sim-server'
import {
  ERR,
  hookBody,
  hookError,
  isJson,
  readInt,
  readString,
  readStrings,
  type EventRecord,
  type Json,
  type WecomCall,
  type WecomContext,
} from './wecom-api'
import { eventSummary } from './wecom-contacts'
import { ADMIN, byOrder, pad, type CorpTag, type TagGroup, type WecomState } from './wecom-state'

/**
 * Corp tags (platform.md §4.2): `get_corp_tag_list`, `add_corp_tag`, `edit_corp_tag`, `del_corp_tag`,
 * `mark_tag`. At most 3000 live corp tags; an app edits and deletes only the tags and groups it created
 * (admin-created ones are read-only to it → 40068); API-driven changes fire no callback (W-92130).
 *
 * Hook: `tags/admin {action: create|update|delete, …}` acts as an admin in the admin console and
 * fires change_external_tag. Seeding admin tags without events goes through `POST /_sim/wecom/seed {tags}`.
 */

export const MAX_CORP_TAGS = 3000
const MAX_NAME = 30

export interface TagSeed {
  group_name: string
  order?: number
  tags: readonly (string | { name: string; order?: number })[]
}

export function mountTags(ctx: WecomContext): void {
  ctx.api('POST', '/cgi-bin/externalcontact/get_corp_tag_list', (call) => list(ctx, call))
  ctx.api('POST', '/cgi-bin/externalcontact/add_corp_tag', (call) => add(ctx, call))
  ctx.api('POST', '/cgi-bin/externalcontact/edit_corp_tag', (call) => edit(ctx, call))
  ctx.api('POST', '/cgi-bin/externalcontact/del_corp_tag', (call) => del(ctx, call))
  ctx.api('POST', '/cgi-bin/externalcontact/mark_tag', (call) => mark(ctx, call))
  ctx.hook('POST', 'tags/admin', (r) => adminAction(ctx, hookBody(r)))
}

/** Creates admin-owned groups and tags (the read-only ones an app finds in the corp). No events. */
export function seedTags(state: WecomState, seeds: readonly TagSeed[], nowSec: number): TagGroup[] {
  return seeds.map((s) => {
    const g =
      [...state.groups.values()].find((x) => x.group_name === s.group_name) ??
      newGroup(state, s.group_name, s.order ?? 0, ADMIN, nowSec)
    for (const t of s.tags) {
      const name = typeof t === 'string' ? t : t.name
      if (!state.tagsOf(g.group_id).some((x) => x.name === name))
        newTag(state, g.group_id, name, typeof t === 'string' ? 0 : (t.order ?? 0), ADMIN, nowSec)
    }
    return g
  })
}

function newGroup(state: WecomState, name: string, order: number, creator: string, now: number): TagGroup {
  const g: TagGroup = {
    group_id: `etSimGroup${pad(state.next('tag_group'))}`,
    group_name: name,
    create_time: now,
    order,
    creator,
  }
  state.groups.set(g.group_id, g)
  return g
}

function newTag(
  state: WecomState,
  groupId: string,
  name: string,
  order: number,
  creator: string,
  now: number,
): CorpTag {
  const t: CorpTag = {
    id: `etSimTag${pad(state.next('tag'))}`,
    group_id: groupId,
    name,
    create_time: now,
    order,
    creator,
  }
  state.tags.set(t.id, t)
  return t
}

const renderTag = (t: CorpTag, deleted = true): Json => ({
  id: t.id,
  name: t.name,
  create_time: t.create_time,
  order: t.order,
  ...(deleted ? { deleted: false } : {}),
})

const renderGroup = (g: TagGroup, tags: CorpTag[], deleted = true): Json => ({
  group_id: g.group_id,
  group_name: g.group_name,
  create_time: g.create_time,
  order: g.order,
  ...(deleted ? { deleted: false } : {}),
  tag: tags.map((t) => renderTag(t, deleted)),
})

function list(ctx: WecomContext, { body }: WecomCall): SimResponse {
  const { state } = ctx
  const tagIds = readStrings(body, 'tag_id')
  const groupIds = readStrings(body, 'group_id')
  if (tagIds === null || groupIds === null) return ctx.err(ERR.invalidParameter, 'invalid tag_id / group_id')
  const groups = [...state.groups.values()].sort(byOrder)
  let out: Json[]
  if (groupIds?.length) {
    out = groups
      .filter((g) => groupIds.includes(g.group_id))
      .map((g) => renderGroup(g, state.tagsOf(g.group_id)))
  } else if (tagIds?.length) {
    out = groups.flatMap((g) => {
      const tags = state.tagsOf(g.group_id).filter((t) => tagIds.includes(t.id))
      return tags.length ? [renderGroup(g, tags)] : []
    })
  } else {
    out = groups.map((g) => renderGroup(g, state.tagsOf(g.group_id)))
  }
  return ctx.ok({ tag_group: out })
}

const badName = (name: string): boolean => name.trim().length === 0 || [...name].length > MAX_NAME

function add(ctx: WecomContext, { app, body }: WecomCall): SimResponse {
  const { state } = ctx
  const now = Math.floor(ctx.now() / 1000)
  const groupId = readString(body, 'group_id')
  const groupName = readString(body, 'group_name')
  const groupOrder = readInt(body, 'order')
  if (groupId === null || groupName === null || groupOrder === null)
    return ctx.err(ERR.invalidParameter, 'invalid group_id / group_name / order')
  const raw = body.tag
  if (!Array.isArray(raw) || raw.length === 0) return ctx.err(ERR.invalidParameter, 'tag is required')
  const tags: { name: string; order: number }[] = []
  for (const t of raw) {
    if (!isJson(t) || typeof t.name !== 'string') return ctx.err(ERR.invalidParameter, 'invalid tag.name')
    const order = readInt(t, 'order')
    if (order === null) return ctx.err(ERR.invalidParameter, 'invalid tag.order')
    if (badName(t.name)) return ctx.err(ERR.invalidTagNameLength, 'invalid tag name length')
    if (tags.some((x) => x.name === t.name)) return ctx.err(ERR.tagNameExists, `tag name exists: ${t.name}`)
    tags.push({ name: t.name, order: order ?? 0 })
  }
  let group: TagGroup | undefined
  if (groupId) {
    group = state.groups.get(groupId)
    if (!group) return ctx.err(ERR.invalidTagId, `invalid group_id: ${groupId}`)
  } else if (groupName) {
    if (badName(groupName)) return ctx.err(ERR.invalidTagNameLength, 'invalid group name length')
    group = [...state.groups.values()].find((g) => g.group_name === groupName)
  } else {
    return ctx.err(ERR.invalidParameter, 'group_id or group_name is required')
  }
  if (group) {
    const existing = state.tagsOf(group.group_id)
    const dup = tags.find((t) => existing.some((e) => e.name === t.name))
    if (dup) return ctx.err(ERR.tagNameExists, `tag name exists: ${dup.name}`)
  }
  if (state.tags.size + tags.length > MAX_CORP_TAGS)
    return ctx.err(ERR.tagCap, `corp tag count exceeds the limit of ${MAX_CORP_TAGS}`)
  group ??= newGroup(state, groupName!, groupOrder ?? 0, app, now)
  const created = tags.map((t) => newTag(state, group.group_id, t.name, t.order, app, now))
  return ctx.ok({ tag_group: renderGroup(group, created, false) })
}

/** The tag or group `id` if this app may change it, else an error. */
function owned(
  ctx: WecomContext,
  app: string,
  id: string,
): { tag?: CorpTag; group?: TagGroup } | SimResponse {
  const tag = ctx.state.tags.get(id)
  const group = tag ? undefined : ctx.state.groups.get(id)
  const item = tag ?? group
  if (!item) return ctx.err(ERR.invalidTagId, `invalid tagid: ${id}`)
  if (item.creator !== app)
    return ctx.err(ERR.invalidTagId, `invalid tagid: ${id} was not created by this app`)
  return { tag, group }
}

const isResponse = (x: object): x is SimResponse => 'body' in x

function edit(ctx: WecomContext, { app, body }: WecomCall): SimResponse {
  const id = readString(body, 'id')
  const name = readString(body, 'name')
  const order = readInt(body, 'order')
  if (!id) return ctx.err(ERR.invalidTagId, 'invalid tagid')
  if (name === null || order === null) return ctx.err(ERR.invalidParameter, 'invalid name / order')
  const found = owned(ctx, app, id)
  if (isResponse(found)) return found
  if (name !== undefined) {
    if (badName(name)) return ctx.err(ERR.invalidTagNameLength, 'invalid tag name length')
    const clash = found.tag
      ? ctx.state.tagsOf(found.tag.group_id).some((t) => t.id !== id && t.name === name)
      : [...ctx.state.groups.values()].some((g) => g.group_id !== id && g.group_name === name)
    if (clash) return ctx.err(ERR.tagNameExists, `tag name exists: ${name}`)
  }
  if (found.tag) {
    if (name !== undefined) found.tag.name = name
    if (order !== undefined) found.tag.order = order
  } else if (found.group) {
    if (name !== undefined) found.group.group_name = name
    if (order !== undefined) found.group.order = order
  }
  return ctx.ok()
}

/** Deletes tags and whole groups; a group left without tags goes too. Returns what was removed. */
function remove(
  state: WecomState,
  tagIds: string[],
  groupIds: string[],
): { tags: string[]; groups: string[] } {
  const gone = { tags: [] as string[], groups: [] as string[] }
  for (const gid of groupIds) {
    for (const t of state.tagsOf(gid)) state.tags.delete(t.id)
    state.groups.delete(gid)
    gone.groups.push(gid)
  }
  for (const tid of tagIds) {
    const t = state.tags.get(tid)
    if (!t) continue
    state.tags.delete(tid)
    gone.tags.push(tid)
    if (state.groups.has(t.group_id) && state.tagsOf(t.group_id).length === 0) {
      state.groups.delete(t.group_id)
      gone.groups.push(t.group_id)
    }
  }
  const live = new Set(state.tags.keys())
  for (const c of state.contacts.values())
    for (const f of c.follows.values()) for (const t of [...f.tags]) if (!live.has(t)) f.tags.delete(t)
  return gone
}

function del(ctx: WecomContext, { app, body }: WecomCall): SimResponse {
  const tagIds = readStrings(body, 'tag_id')
  const groupIds = readStrings(body, 'group_id')
  if (tagIds === null || groupIds === null) return ctx.err(ERR.invalidParameter, 'invalid tag_id / group_id')
  if (!tagIds?.length && !groupIds?.length)
    return ctx.err(ERR.invalidParameter, 'tag_id and group_id are both empty')
  for (const id of tagIds ?? []) {
    const t = ctx.state.tags.get(id)
    if (!t) return ctx.err(ERR.invalidTagId, `invalid tagid: ${id}`)
    if (t.creator !== app)
      return ctx.err(ERR.invalidTagId, `invalid tagid: ${id} was not created by this app`)
  }
  for (const id of groupIds ?? []) {
    const g = ctx.state.groups.get(id)
    if (!g) return ctx.err(ERR.invalidTagId, `invalid group_id: ${id}`)
    if (g.creator !== app)
      return ctx.err(ERR.invalidTagId, `invalid group_id: ${id} was not created by this app`)
  }
  remove(ctx.state, tagIds ?? [], groupIds ?? [])
  return ctx.ok()
}

function mark(ctx: WecomContext, { body }: WecomCall): SimResponse {
  const { state } = ctx
  const userid = readString(body, 'userid')
  const ext = readString(body, 'external_userid')
  const add = readStrings(body, 'add_tag')
  const rm = readStrings(body, 'remove_tag')
  if (!userid) return ctx.err(ERR.missingUserid, 'missing userid')
  if (!state.members.has(userid)) return ctx.err(ERR.useridNotFound, `userid not found: ${userid}`)
  if (!ext) return ctx.err(ERR.invalidExternalUserid, 'invalid external userid')
  const contact = state.contacts.get(ext)
  if (!contact) return ctx.err(ERR.invalidExternalUserid, `invalid external userid: ${ext}`)
  const follow = contact.follows.get(userid)
  if (!follow) return ctx.err(ERR.notExternalContact, 'not external contact')
  if (add === null || rm === null) return ctx.err(ERR.invalidParameter, 'invalid add_tag / remove_tag')
  if (!add?.length && !rm?.length)
    return ctx.err(ERR.invalidParameter, 'add_tag and remove_tag are both empty')
  const unknown = [...(add ?? []), ...(rm ?? [])].find((t) => !state.tags.has(t))
  if (unknown) return ctx.err(ERR.invalidTagId, `invalid tagid: ${unknown}`)
  if (new Set([...follow.tags, ...(add ?? [])]).size > MAX_CORP_TAGS)
    return ctx.err(ERR.tagCap, `tags per customer exceed ${MAX_CORP_TAGS}`)
  for (const t of add ?? []) follow.tags.add(t)
  for (const t of rm ?? []) follow.tags.delete(t)
  return ctx.ok()
}

/** The admin console: changes anything and fires change_external_tag (§3.7). */
async function adminAction(ctx: WecomContext, b: Json): Promise<SimResponse> {
  const { state } = ctx
  const now = Math.floor(ctx.now() / 1000)
  const events: EventRecord[] = []
  const emit = async (
    id: string,
    tagType: 'tag' | 'tag_group',
    changeType: 'create' | 'update' | 'delete',
  ) => {
    events.push(await ctx.emit({ event: 'change_external_tag', changeType, id, tagType }))
  }
  if (b.action === 'create') {
    if (typeof b.group_name !== 'string' || !b.group_name) return hookError('group_name is required')
    const names = (Array.isArray(b.tags) ? (b.tags as unknown[]) : []).map((t): unknown =>
      isJson(t) ? t.name : t,
    )
    if (names.length === 0 || !names.every((n): n is string => typeof n === 'string' && n.length > 0))
      return hookError('tags must be a non-empty list of names')
    if (state.tags.size + names.length > MAX_CORP_TAGS) return hookError('the corp already has 3000 tags')
    const existing = [...state.groups.values()].find((g) => g.group_name === b.group_name)
    const group = existing ?? newGroup(state, b.group_name, 0, ADMIN, now)
    const created = names
      .filter((n) => !state.tagsOf(group.group_id).some((t) => t.name === n))
      .map((n) => newTag(state, group.group_id, n, 0, ADMIN, now))
    // A new group with its tags is one tag_group event; tags added to an existing group are one each.
    if (existing) for (const t of created) await emit(t.id, 'tag', 'create')
    else await emit(group.group_id, 'tag_group', 'create')
    return {
      body: { group_id: group.group_id, tag_ids: created.map((t) => t.id), events: events.map(eventSummary) },
    }
  }
  if (b.action === 'update') {
    const id = typeof b.id === 'string' ? b.id : ''
    const tag = state.tags.get(id)
    const group = state.groups.get(id)
    if (!tag && !group) return hookError(`no tag or group ${id}`, 404)
    if (typeof b.name === 'string' && b.name) {
      if (tag) tag.name = b.name
      if (group) group.group_name = b.name
    }
    if (typeof b.order === 'number') {
      if (tag) tag.order = b.order
      if (group) group.order = b.order
    }
    await emit(id, tag ? 'tag' : 'tag_group', 'update')
    return { body: { ok: true, events: events.map(eventSummary) } }
  }
  if (b.action === 'delete') {
    const tagIds = readStrings(b, 'tag_id') ?? []
    const groupIds = readStrings(b, 'group_id') ?? []
    const gone = remove(state, tagIds, groupIds)
    // Deleting a group sends no per-tag events.
    for (const id of gone.tags) await emit(id, 'tag', 'delete')
    for (const id of gone.groups) await emit(id, 'tag_group', 'delete')
    return { body: { ...gone, events: events.map(eventSummary) } }
  }
  return hookError('action must be create, update or delete')
}

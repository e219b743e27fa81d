import { randomBytes } from 'node:crypto'
import {
  AppError,
  type CommunitiesResponse,
  type Community,
  type CommunityDetail,
  type CommunityMembership,
  type CreateCommunityRequest,
  type JoinQrResponse,
  type MyCommunitiesResponse,
  type MyCommunity,
  type UpdateCommunityRequest,
  type WecomGroupsResponse,
} from '@careloop/shared'
import type { Clock } from '../../clock'
import type { StaffPrincipal } from '../../http/context'
import type { Logger } from '../../logger'
import type { WecomClient } from '../../platform/wecom/wecom-client'
import type { AuditLog } from '../audit/audit.repo'
import type { StaffRecord, StaffRepo } from '../staff/staff.repo'
import { staffActor, type RequestMeta } from '../staff/staff.service'
import type { TagRepo } from '../tags/tag.repo'
import { communityFor, ownerFilterOf, upstream, wecomNotConfigured } from './community-access'
import type { CommunityDoc, JoinTicketDoc, MembershipDoc } from './community.model'
import { CommunityChatTakenError, type CommunityRepo } from './community.repo'
import type { CommunitySync } from './community-sync.service'
import type { SopRepo } from './group-sop.repo'
import type { GroupSopService } from './group-sop.service'
import { monthKeyOf } from './zoned-time'

/**
 * Communities for staff (F10: list with statistics, detail, create from one of the owner's WeCom
 * groups, update) and for patients (F11: recommendations by the active profile's tags, and the
 * profile's personal join QR).
 *
 * Join QR: one `add_join_way` per (community, profile). Its `state` is a random opaque ticket
 * (`cj` + 22 base64url characters, never personal data) stored in `join_tickets` with the unique key
 * (communityId, patientId); concurrent first requests share the ticket, and a lease on the ticket
 * lets exactly one of them call add_join_way while the others wait for its QR. A crash between
 * add_join_way and storing the config id leaves an unused join way in WeCom (harmless: it carries
 * the same ticket); the next request creates the one that is kept.
 */
export interface CommunityService {
  list(p: StaffPrincipal): Promise<CommunitiesResponse>
  get(p: StaffPrincipal, id: string, meta: RequestMeta): Promise<CommunityDetail>
  create(p: StaffPrincipal, body: CreateCommunityRequest, meta: RequestMeta): Promise<Community>
  update(p: StaffPrincipal, id: string, body: UpdateCommunityRequest, meta: RequestMeta): Promise<Community>
  wecomGroups(p: StaffPrincipal, ownerNurseId: string): Promise<WecomGroupsResponse>
  myCommunities(profileId: string): Promise<MyCommunitiesResponse>
  joinQr(profileId: string, communityId: string): Promise<JoinQrResponse>
  /** The communities a staff member sees, presented (the bot's 群). */
  listFor(p: Pick<StaffPrincipal, 'role' | 'staffId'>): Promise<Community[]>
}

const TICKET_LEASE_MS = 30_000
const TICKET_WAIT_ROUNDS = 100
const TICKET_WAIT_MS = 100

const sleep = (ms: number): Promise<void> => new Promise((ok) => setTimeout(ok, ms))

/** An opaque join ticket: 24 characters, random, no personal data (WeCom allows 30). */
export const newJoinState = (): string => `cj${randomBytes(16).toString('base64url')}`

export const createCommunityService = (deps: {
  communities: CommunityRepo
  sop: SopRepo
  sopService: Pick<GroupSopService, 'quota'>
  sync: Pick<CommunitySync, 'sync'>
  tags: TagRepo
  staff: StaffRepo
  audit: AuditLog
  wecom: WecomClient | undefined
  clock: Clock
  logger: Logger
  timezone: string
}): CommunityService => {
  const { communities: repo, clock } = deps

  const needWecom = (): WecomClient => {
    if (!deps.wecom) throw wecomNotConfigured()
    return deps.wecom
  }

  const present = async (
    c: CommunityDoc,
    names: { tags: Map<string, string>; staff: Map<string, StaffRecord> },
  ): Promise<Community> => {
    const now = clock.now()
    const counts = await repo.counts(c._id.toHexString(), now)
    const owner = names.staff.get(c.ownerNurseId.toHexString())
    const sends = await deps.sopService.quota(c._id, monthKeyOf(now, deps.timezone))
    return {
      id: c._id.toHexString(),
      name: c.name,
      description: c.description ?? null,
      diseaseTag: { id: c.diseaseTagId, name: names.tags.get(c.diseaseTagId) ?? null },
      ownerNurse: {
        id: c.ownerNurseId.toHexString(),
        name: owner?.name ?? null,
        wecomUserId: owner?.wecomUserId ?? null,
      },
      chatId: c.chatId,
      groupName: c.groupName ?? null,
      groupOwnerUserId: c.groupOwnerUserId ?? null,
      capacity: c.capacity,
      status: c.status,
      lastSyncedAt: c.lastSyncedAt ? c.lastSyncedAt.toISOString() : null,
      createdAt: c.createdAt.toISOString(),
      stats: {
        ...counts,
        capacity: c.capacity,
        capacityUsePercent: Math.round((counts.membersNow * 100) / c.capacity),
        full: counts.membersNow >= c.capacity,
        sendsThisMonth: sends,
        pendingSends: await deps.sop.countPending(c._id),
      },
    }
  }

  const presentAll = async (list: CommunityDoc[]): Promise<Community[]> => {
    const [tags, staff] = await Promise.all([
      deps.tags.tags(),
      deps.staff.findByIds([...new Set(list.map((c) => c.ownerNurseId.toHexString()))]),
    ])
    const names = {
      tags: new Map(tags.map((t) => [t._id.toHexString(), t.name])),
      staff: new Map(staff.map((s) => [s.id, s])),
    }
    const out: Community[] = []
    for (const c of list) out.push(await present(c, names))
    return out
  }

  const presentOne = async (c: CommunityDoc): Promise<Community> => (await presentAll([c]))[0]!

  const presentStint = (m: MembershipDoc, names: Map<string, string | null>): CommunityMembership => ({
    memberType: m.memberType,
    name: m.name ?? null,
    patientId: m.patientId ? m.patientId.toHexString() : null,
    patientName: m.patientId ? (names.get(m.patientId.toHexString()) ?? null) : null,
    via: m.via,
    invitor: m.invitor ?? null,
    joinedAt: m.joinedAt.toISOString(),
    leftAt: m.leftAt ? m.leftAt.toISOString() : null,
    endReason: m.endReason ?? null,
  })

  /** An owner must be an active nurse or head nurse with a WeCom account (she owns the group). */
  const validOwner = async (id: string): Promise<StaffRecord & { wecomUserId: string }> => {
    const s = await deps.staff.findById(id)
    if (!s || !s.active || (s.role !== 'nurse' && s.role !== 'head_nurse') || !s.wecomUserId)
      throw new AppError(
        'COMMUNITY_OWNER_INVALID',
        'The owner must be an active nurse or head nurse linked to a WeCom account',
      )
    return s as StaffRecord & { wecomUserId: string }
  }

  /** The chat must be one of the owner's customer groups in WeCom. */
  const ownedChat = async (owner: string, chatId: string): Promise<void> => {
    const wecom = needWecom()
    const chats = await upstream('groupchat/list', () => wecom.listGroupChats({ owners: [owner] }))
    if (!chats.some((g) => g.chat_id === chatId))
      throw new AppError(
        'COMMUNITY_CHAT_INVALID',
        `${chatId} is not one of ${owner}'s customer groups in WeCom`,
        [{ path: 'chatId', message: 'not a customer group of the owner' }],
      )
  }

  const tagExists = async (tagId: string): Promise<void> => {
    if (!(await deps.tags.findTag(tagId))) throw new AppError('TAG_NOT_FOUND', 'No such tag')
  }

  /** Creates the ticket's join way once (lease), or waits for the request that is creating it. */
  const ensureJoinWay = async (t: JoinTicketDoc, c: CommunityDoc): Promise<JoinTicketDoc> => {
    const wecom = needWecom()
    let ticket: JoinTicketDoc | null = t
    for (let round = 0; round < TICKET_WAIT_ROUNDS && ticket; round++) {
      if (ticket.configId) {
        if (ticket.qrCode) return ticket
        const configId = ticket.configId
        const jw = await upstream('groupchat/get_join_way', () => wecom.getJoinWay(configId))
        if (!jw.qr_code)
          throw new AppError('UPSTREAM_UNAVAILABLE', 'WeCom returned a join way without a QR code')
        await repo.setTicketJoinWay(ticket._id, configId, jw.qr_code)
        return { ...ticket, qrCode: jw.qr_code }
      }
      const now = clock.now()
      if (await repo.claimTicketCreation(ticket._id, now, new Date(now.getTime() + TICKET_LEASE_MS))) {
        const state = ticket.state
        let configId: string
        try {
          configId = await upstream('groupchat/add_join_way', () =>
            wecom.addJoinWay({
              chatIds: [c.chatId],
              state,
              remark: `社群入群码 ${c._id.toHexString().slice(-8)}`,
            }),
          )
        } catch (e) {
          await repo.releaseTicketCreation(ticket._id)
          throw e
        }
        await repo.setTicketJoinWay(ticket._id, configId, null)
        ticket = { ...ticket, configId }
        continue
      }
      await sleep(TICKET_WAIT_MS)
      ticket = await repo.findTicket(ticket._id)
    }
    throw new AppError('UPSTREAM_BUSY', 'The join QR code is being prepared; try again shortly')
  }

  return {
    async list(p) {
      return { communities: await presentAll(await repo.list({ ownerNurseId: ownerFilterOf(p) })) }
    },

    listFor: async (p) =>
      presentAll(await repo.list({ ownerNurseId: ownerFilterOf(p), statuses: ['active'] })),

    async get(p, id, meta) {
      const c = await communityFor(repo, p, id)
      const community = await presentOne(c)
      if (p.role === 'marketer') return { community, members: null, history: null }
      const [open, history] = await Promise.all([repo.openMembers(id), repo.history(id, 50)])
      const ids = [...open, ...history].flatMap((m) => (m.patientId ? [m.patientId] : []))
      const names = await repo.patientNames(ids)
      const members = open
        .sort((a, b) => a.joinedAt.getTime() - b.joinedAt.getTime())
        .map((m) => presentStint(m, names))
      await deps.audit.record({
        actor: staffActor(p),
        action: 'community.read_members',
        detail: {
          communityId: id,
          patientIds: [...new Set(ids.map((x) => x.toHexString()))],
        },
        ...meta,
      })
      return { community, members, history: history.map((m) => presentStint(m, names)) }
    },

    async create(p, body, meta) {
      const owner = await validOwner(body.ownerNurseId)
      await tagExists(body.diseaseTagId)
      await ownedChat(owner.wecomUserId, body.chatId)
      let c: CommunityDoc
      try {
        c = await repo.create({
          name: body.name,
          description: body.description ?? null,
          diseaseTagId: body.diseaseTagId,
          ownerNurseId: owner.id,
          chatId: body.chatId,
          capacity: body.capacity,
          createdBy: p.staffId,
        })
      } catch (e) {
        if (e instanceof CommunityChatTakenError)
          throw new AppError('COMMUNITY_CHAT_TAKEN', 'This WeCom group already backs a community')
        throw e
      }
      await deps.audit.record({
        actor: staffActor(p),
        action: 'community.create',
        detail: { communityId: c._id.toHexString(), chatId: c.chatId, ownerNurseId: owner.id },
        ...meta,
      })
      // first read of the group: members already in it are recorded (and linked, tagged) now
      try {
        await deps.sync.sync(c._id.toHexString())
      } catch (err) {
        deps.logger.warn({ err, communityId: c._id.toHexString() }, 'first community sync failed')
      }
      return presentOne((await repo.findById(c._id.toHexString())) ?? c)
    },

    async update(p, id, body, meta) {
      const c = await communityFor(repo, p, id)
      if (body.status && c.status === 'dismissed')
        throw new AppError(
          'COMMUNITY_NOT_ACTIVE',
          'The WeCom group was dismissed; the community cannot be reactivated',
        )
      if (body.diseaseTagId) await tagExists(body.diseaseTagId)
      if (body.ownerNurseId && body.ownerNurseId !== c.ownerNurseId.toHexString()) {
        const owner = await validOwner(body.ownerNurseId)
        await ownedChat(owner.wecomUserId, c.chatId)
      }
      const updated = await repo.update(id, {
        ...(body.name !== undefined ? { name: body.name } : {}),
        ...(body.description !== undefined ? { description: body.description } : {}),
        ...(body.diseaseTagId !== undefined ? { diseaseTagId: body.diseaseTagId } : {}),
        ...(body.ownerNurseId !== undefined ? { ownerNurseId: body.ownerNurseId } : {}),
        ...(body.capacity !== undefined ? { capacity: body.capacity } : {}),
        ...(body.status !== undefined ? { status: body.status } : {}),
      })
      if (!updated) throw new AppError('COMMUNITY_NOT_FOUND', 'No such community in your scope')
      await deps.audit.record({
        actor: staffActor(p),
        action: 'community.update',
        detail: { communityId: id, fields: Object.keys(body) },
        ...meta,
      })
      return presentOne(updated)
    },

    async wecomGroups(_p, ownerNurseId) {
      const owner = await validOwner(ownerNurseId)
      const wecom = needWecom()
      const chats = await upstream('groupchat/list', () =>
        wecom.listGroupChats({ owners: [owner.wecomUserId] }),
      )
      const linked = new Map(
        (await repo.findByChatIds(chats.map((g) => g.chat_id))).map((c) => [c.chatId, c._id.toHexString()]),
      )
      const groups: WecomGroupsResponse['groups'] = []
      for (const g of chats.slice(0, 200)) {
        const detail = await upstream('groupchat/get', () => wecom.getGroupChat(g.chat_id))
        groups.push({
          chatId: g.chat_id,
          name: detail.name,
          memberCount: detail.member_list.length,
          status: g.status,
          communityId: linked.get(g.chat_id) ?? null,
        })
      }
      return { ownerNurse: { id: owner.id, name: owner.name, wecomUserId: owner.wecomUserId }, groups }
    },

    async myCommunities(profileId) {
      const [active, mine, tags] = await Promise.all([
        repo.list({ statuses: ['active'] }),
        deps.tags.patientTags(profileId),
        deps.tags.tags(),
      ])
      const myTags = new Set(mine.map((t) => t.tagId))
      const tagNames = new Map(tags.map((t) => [t._id.toHexString(), t.name]))
      const [joined, owners] = await Promise.all([
        repo.joinedBy(
          profileId,
          active.map((c) => c._id),
        ),
        deps.staff.findByIds([...new Set(active.map((c) => c.ownerNurseId.toHexString()))]),
      ])
      const ownerName = new Map(owners.map((s) => [s.id, s.name]))
      const counts = await Promise.all(active.map((c) => repo.memberCount(c._id)))
      const out: MyCommunity[] = active.map((c, i) => {
        const memberCount = counts[i]!
        const full = memberCount >= c.capacity
        const isIn = joined.has(c._id.toHexString())
        return {
          id: c._id.toHexString(),
          name: c.name,
          description: c.description ?? null,
          diseaseTagName: tagNames.get(c.diseaseTagId) ?? null,
          ownerNurseName: ownerName.get(c.ownerNurseId.toHexString()) ?? null,
          memberCount,
          capacity: c.capacity,
          full,
          joined: isIn,
          matchesMyTags: myTags.has(c.diseaseTagId),
          joinable: !isIn && !full,
        }
      })
      const rank = (m: MyCommunity): number => (m.matchesMyTags ? 0 : 2) + (m.joinable || m.joined ? 0 : 1)
      out.sort((a, b) => rank(a) - rank(b) || b.memberCount - a.memberCount || a.name.localeCompare(b.name))
      return { communities: out }
    },

    async joinQr(profileId, communityId) {
      const c = await repo.findById(communityId)
      if (!c || c.status !== 'active') throw new AppError('COMMUNITY_NOT_FOUND', 'No such community')
      const joined = (await repo.joinedBy(profileId, [c._id])).has(communityId)
      if (!joined && (await repo.memberCount(c._id)) >= c.capacity)
        throw new AppError('COMMUNITY_FULL', `「${c.name}」已满员（${c.capacity} 人），暂时无法加入`)
      needWecom()
      const ticket = await ensureJoinWay(
        await repo.ensureTicket(communityId, profileId, newJoinState(), clock.now()),
        c,
      )
      return { communityId, qrCodeUrl: ticket.qrCode!, expiresAt: null, state: ticket.state, joined }
    },
  }
}

import { randomUUID } from 'node:crypto'
import { AppError, type WecomEventInput } from '@careloop/shared'
import type { Clock } from '../../clock'
import type { Logger } from '../../logger'
import {
  WecomApiError,
  type GroupChat,
  type GroupChatMember,
  type WecomClient,
} from '../../platform/wecom/wecom-client'
import type { StaffRepo } from '../staff/staff.repo'
import type { TagRepo } from '../tags/tag.repo'
import type { ChatEventSink, StateResolver } from '../wecom/wecom-events'
import type { WecomIdentityRepo } from '../wecom/wecom-identity.repo'
import type { CommunityDoc, JoinTicketDoc, MembershipDoc, MembershipViaValue } from './community.model'
import type { CommunityRepo } from './community.repo'

/**
 * Membership sync (F12) and join linking (F11). Every change to a community's membership runs under
 * the community's sync lease, so one sync at a time applies a snapshot; an event arriving while a
 * sync runs asks the holder to re-read once more instead of racing it.
 *
 * `change_external_chat` (platform §3.7):
 * - `update` add/del_member whose `LastMemVer` equals our stored member_version: apply
 *   `MemChangeList` (adds read each member's `state`/`unionid` from groupchat/get) and store
 *   `CurMemVer`. Otherwise (a missed, duplicated or reordered event) re-read the whole group with
 *   groupchat/get and reconcile: open a stay for every member we lack, close every stay of a member
 *   no longer there. A full re-read is always right, so order and repetition change nothing.
 * - `dismiss`: the community becomes `dismissed`, every stay ends. `create` and change_owner/name/
 *   notice of a linked group: re-read. Events of chats that are no community are ignored.
 * Joining customers are linked to a profile through `identities.resolve` (the join QR's ticket in
 * `state` first, then unionid) and receive the community's disease tag (source `wecom`).
 */
export interface CommunitySync extends ChatEventSink, StateResolver {
  /** Re-reads one community now (or asks the running sync to). */
  sync(communityId: string): Promise<string>
  /** The periodic reconciliation: every active community, one after another. */
  reconcileAll(): Promise<{ synced: number; failed: number }>
}

type ChatEvent = WecomEventInput & { event: 'change_external_chat' }
type Step = { kind: 'full' } | { kind: 'event'; e: ChatEvent }

const LEASE_MS = 60_000
/** groupchat/get errcodes meaning the group no longer exists (the simulator answers 40050). */
const GROUP_GONE = new Set([40050])

export const createCommunitySync = (deps: {
  communities: CommunityRepo
  identities: WecomIdentityRepo
  tags: TagRepo
  staff: StaffRepo
  wecom: WecomClient | undefined
  clock: Clock
  logger: Logger
}): CommunitySync => {
  const { communities: repo, clock } = deps

  const readGroup = async (c: CommunityDoc): Promise<GroupChat | null> => {
    if (!deps.wecom) throw new AppError('WECOM_NOT_CONFIGURED', 'WeCom is not configured on this server')
    try {
      return await deps.wecom.getGroupChat(c.chatId)
    } catch (e) {
      if (e instanceof WecomApiError && GROUP_GONE.has(e.errcode)) return null
      throw e
    }
  }

  const viaOf = (m: GroupChatMember, ticket: JoinTicketDoc | null): MembershipViaValue => {
    if (ticket) return 'ticket'
    switch (m.join_scene) {
      case 1:
        return 'invite'
      case 2:
        return 'link'
      case 3:
        return 'qr'
      default:
        return 'unknown'
    }
  }

  /** Links a customer's stay to a profile (ticket first, then unionid) and tags the profile. */
  const linkAndTag = async (
    c: CommunityDoc,
    stint: MembershipDoc,
    m: GroupChatMember,
    ticket: JoinTicketDoc | null,
    at: Date,
  ): Promise<void> => {
    const patientId = await deps.identities.resolve({
      externalUserId: m.userid,
      unionid: m.unionid ?? null,
      statePatientId: ticket ? ticket.patientId.toHexString() : null,
      at,
    })
    if (!patientId || !(await repo.livePatient(patientId))) return
    await repo.setStintPatient(stint._id, patientId)
    if (!(await deps.tags.findTag(c.diseaseTagId))) return
    await deps.tags.assign(patientId, {
      tagId: c.diseaseTagId,
      source: 'wecom',
      reason: `加入社群「${c.name}」`,
      by: { kind: 'system', id: null },
      at,
    })
  }

  const ticketOf = async (m: GroupChatMember): Promise<JoinTicketDoc | null> =>
    m.type === 2 && m.state ? repo.findTicketByState(m.state) : null

  /** Opens a stay for a member seen in the group (no-op when open), then links and tags customers. */
  const openMember = async (c: CommunityDoc, m: GroupChatMember, at: Date): Promise<boolean> => {
    const ticket = await ticketOf(m)
    const invitor = (m as { invitor?: { userid?: string } }).invitor?.userid ?? null
    const { opened, stint } = await repo.openStint(c._id.toHexString(), m.userid, {
      memberType: m.type === 1 ? 'staff' : 'customer',
      name: m.name ?? null,
      state: m.state ?? null,
      joinScene: m.join_scene ?? 0,
      via: viaOf(m, ticket),
      invitor,
      joinedAt: m.join_time ? new Date(m.join_time * 1000) : at,
    })
    if (stint && stint.memberType === 'customer' && !stint.patientId)
      await linkAndTag(c, stint, m, ticket, at)
    return opened
  }

  const dismiss = async (c: CommunityDoc, at: Date): Promise<string> => {
    await repo.markDismissed(c._id.toHexString(), at)
    const n = await repo.closeAll(c._id.toHexString(), at, 'dismissed')
    return `dismissed; ${n} stays ended`
  }

  /** The group's owner changed in WeCom: the staff member with that userid becomes the owner nurse. */
  const followOwner = async (c: CommunityDoc, owner: string): Promise<void> => {
    if (owner === c.groupOwnerUserId) return
    const s = await deps.staff.findByWecomUserId(owner)
    if (s?.active && s.id !== c.ownerNurseId.toHexString())
      await repo.update(c._id.toHexString(), { ownerNurseId: s.id })
  }

  /** Re-reads the group and makes our stays match it. */
  const fullSync = async (c: CommunityDoc, at: Date): Promise<string> => {
    const g = await readGroup(c)
    if (!g) return `group gone: ${await dismiss(c, at)}`
    const id = c._id.toHexString()
    const open = new Map((await repo.openMembers(id)).map((s) => [s.memberId, s]))
    const seen = new Set<string>()
    let added = 0
    let removed = 0
    for (const m of g.member_list) {
      seen.add(m.userid)
      const stint = open.get(m.userid)
      if (!stint) {
        if (await openMember(c, m, at)) added++
      } else if (stint.memberType === 'customer' && !stint.patientId) {
        // not linked when it joined: a later login or ticket may link it now
        await linkAndTag(c, stint, m, await ticketOf(m), at)
      }
    }
    for (const s of open.values())
      if (!seen.has(s.memberId)) {
        await repo.closeStint(id, s.memberId, { leftAt: at, quitScene: null, endReason: 'missing' })
        removed++
      }
    await followOwner(c, g.owner)
    await repo.recordSync(id, {
      memberVersion: g.member_version ?? null,
      groupName: g.name,
      groupOwnerUserId: g.owner,
      at: clock.now(),
    })
    return `reconciled: +${added} -${removed}`
  }

  const applyEvent = async (c: CommunityDoc, e: ChatEvent, at: Date): Promise<string> => {
    const id = c._id.toHexString()
    if (e.changeType === 'dismiss') return dismiss(c, at)
    const detail = e.updateDetail
    if (e.changeType !== 'update' || (detail !== 'add_member' && detail !== 'del_member'))
      return fullSync(c, at)
    const inOrder = !!c.memberVersion && !!e.curMemVer && e.lastMemVer === c.memberVersion
    if (!inOrder) return `out of sequence, ${await fullSync(c, at)}`
    const who = e.memChangeList ?? []
    if (detail === 'del_member') {
      for (const m of who)
        await repo.closeStint(id, m, {
          leftAt: at,
          quitScene: e.quitScene ?? null,
          endReason: e.quitScene === 1 ? 'removed' : 'left',
        })
      await repo.recordSync(id, { memberVersion: e.curMemVer!, at: clock.now() })
      return `applied del_member x${who.length}`
    }
    // add_member: groupchat/get tells each new member's state (our ticket) and unionid
    const g = await readGroup(c)
    if (!g) return `group gone: ${await dismiss(c, at)}`
    for (const userid of who) {
      const m = g.member_list.find((x) => x.userid === userid)
      if (m) await openMember(c, m, at)
    }
    await followOwner(c, g.owner)
    await repo.recordSync(id, {
      memberVersion: e.curMemVer!,
      groupName: g.name,
      groupOwnerUserId: g.owner,
      at: clock.now(),
    })
    return `applied add_member x${who.length}`
  }

  const apply = async (c: CommunityDoc, step: Step, at: Date): Promise<string> => {
    if (c.status === 'dismissed') return 'ignored: community dismissed'
    return step.kind === 'full' ? fullSync(c, at) : applyEvent(c, step.e, at)
  }

  /** Runs a step under the community's sync lease, then any re-sync requested meanwhile. */
  const run = async (c: CommunityDoc, step: Step, at: Date): Promise<string> => {
    const id = c._id.toHexString()
    const owner = randomUUID()
    const leaseEnd = (): Date => new Date(clock.now().getTime() + LEASE_MS)
    const held = await repo.acquireSync(id, owner, clock.now(), leaseEnd())
    if (!held) {
      await repo.requestSync(id)
      return 'queued: the running sync will re-read the group'
    }
    try {
      let outcome = await apply(held, step, at)
      for (let round = 0; round < 10; round++) {
        if (await repo.releaseSync(id, owner)) return outcome
        if (!(await repo.renewSync(id, owner, leaseEnd()))) return outcome
        const fresh = await repo.findById(id)
        if (fresh) outcome += `; then ${await apply(fresh, { kind: 'full' }, clock.now())}`
      }
      await repo.dropSync(id, owner)
      return outcome
    } catch (err) {
      await repo.dropSync(id, owner)
      throw err
    }
  }

  return {
    async onChatEvent(e, at) {
      if (!e.chatId) return 'ignored: no chat id'
      const c = await repo.findByChatId(e.chatId)
      if (!c) return 'ignored: not a community'
      return run(c, { kind: 'event', e }, at)
    },
    async patientOfState(state) {
      const t = await repo.findTicketByState(state)
      if (!t) return null
      const id = t.patientId.toHexString()
      return (await repo.livePatient(id)) ? id : null
    },
    async sync(communityId) {
      const c = await repo.findById(communityId)
      if (!c) throw new AppError('COMMUNITY_NOT_FOUND', 'No such community')
      return run(c, { kind: 'full' }, clock.now())
    },
    async reconcileAll() {
      let synced = 0
      let failed = 0
      for (const c of await repo.list({ statuses: ['active', 'archived'] })) {
        try {
          const outcome = await run(c, { kind: 'full' }, clock.now())
          deps.logger.debug({ communityId: c._id.toHexString(), outcome }, 'community reconciled')
          synced++
        } catch (err) {
          failed++
          deps.logger.warn({ communityId: c._id.toHexString(), err }, 'community reconciliation failed')
        }
      }
      return { synced, failed }
    },
  }
}

import { randomUUID } from 'node:crypto'
import {
  AppError,
  type CreateGroupSopRequest,
  type GroupSendQuota,
  type GroupSopItem,
  type GroupSopItemResponse,
  type GroupSopListResponse,
  type PendingGroupSend,
  type PendingGroupSendsResponse,
} from '@careloop/shared'
import type { Types } from 'mongoose'
import type { Clock } from '../../clock'
import type { StaffPrincipal } from '../../http/context'
import type { Logger } from '../../logger'
import { WecomApiError, type WecomClient } from '../../platform/wecom/wecom-client'
import type { AuditLog } from '../audit/audit.repo'
import type { StaffRepo } from '../staff/staff.repo'
import { staffActor, type RequestMeta } from '../staff/staff.service'
import { communityFor, ownerFilterOf, wecomNotConfigured } from './community-access'
import type { CommunityDoc, SopItemDoc } from './community.model'
import type { CommunityRepo } from './community.repo'
import { DuplicateSopRequestError, PENDING, type SopRepo } from './group-sop.repo'
import { daysInMonth, formatLocal, monthKeyOf, nextMonthKey, parseSendAt } from './zoned-time'

/**
 * Group SOP (F13): scheduled group content becomes a WeCom mass-send task (`add_msg_template`,
 * chat_type group, sender = the group's owner) that the owner must confirm in the WeCom client.
 *
 * The tick (every minute) does, in order:
 * 1. **Create** — claims due items one at a time (SCHEDULED → CREATING with a lease, atomic, so two
 *    ticks never claim the same item) and calls add_msg_template once. The msgid is stored with
 *    PENDING_CONFIRMATION and a deadline (`confirmHours`, default 24 h). If a worker dies (or the
 *    call's outcome is unknown: timeout, network) between the claim and recording the msgid, the
 *    lease expires and the next claimer first looks the task up with `get_groupmsg_list_v2` (same
 *    creator, API-created, same text, created since sendAt, msgid not yet ours) and adopts it; only
 *    when none exists does it create the task again. A worker that lost its lease while calling
 *    WeCom cancels the task it created, so the group gets one. WeCom's definitive refusals fail the
 *    item (quota released); after 5 attempts it fails too.
 * 2. **Poll** — every 5 minutes per pending item: get_groupmsg_task / get_groupmsg_send_result;
 *    status 1 → SENT, 3 (monthly cap hit in WeCom) or 2 (group gone) → FAILED.
 * 3. **Escalate** — a pending item past its deadline is claimed once (escalationState) and the head
 *    nurses (role head_nurse, active, with a WeCom userid) get one app message; the owner gets a
 *    `remind_groupmsg_send`. A send that fails transiently is retried next tick; a claim left
 *    `sending` by a dead worker is retried after 10 minutes (the one window for a duplicate).
 * 4. **Expire** — 7 days past the deadline the task is cancelled in WeCom and the item EXPIRED.
 *
 * Monthly cap (platform §4.4): each group may receive as many mass messages per month as the month
 * has days (hospital zone). Scheduling reserves one in a per-community-month counter under a
 * `used < cap` guard (atomic); cancelling, failing before WeCom had the task, and expiring give it back.
 */
export interface GroupSopService {
  list(p: StaffPrincipal, communityId: string): Promise<GroupSopListResponse>
  create(
    p: StaffPrincipal,
    communityId: string,
    body: CreateGroupSopRequest,
    meta: RequestMeta,
  ): Promise<GroupSopItemResponse>
  cancel(
    p: StaffPrincipal,
    communityId: string,
    itemId: string,
    meta: RequestMeta,
  ): Promise<GroupSopItemResponse>
  pending(p: StaffPrincipal, nurseId: string | undefined): Promise<PendingGroupSendsResponse>
  quota(communityId: Types.ObjectId, month: string): Promise<GroupSendQuota>
  tick(): Promise<SopTickReport>
}

export interface SopTickReport {
  created: number
  adopted: number
  retried: number
  failed: number
  sent: number
  escalated: number
  expired: number
}

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR
const CREATE_LEASE_MS = 2 * MINUTE
const POLL_EVERY_MS = 5 * MINUTE
const ESCALATION_STALE_MS = 10 * MINUTE
const EXPIRE_AFTER_DEADLINE_MS = 7 * DAY
const MAX_CREATE_ATTEMPTS = 5
const BATCH = 50
/** WeCom errcodes worth retrying: system busy, frequency limit. */
const TRANSIENT = new Set([-1, 45009, 45033])
/** message/send: every recipient invalid. */
const ALL_RECIPIENTS_INVALID = 81013

const utf8Slice = (s: string, maxChars: number): string => {
  const chars = [...s.replace(/\s+/g, ' ')]
  return chars.length > maxChars ? `${chars.slice(0, maxChars).join('')}…` : chars.join('')
}

export const createGroupSopService = (deps: {
  sop: SopRepo
  communities: CommunityRepo
  staff: StaffRepo
  audit: AuditLog
  wecom: WecomClient | undefined
  clock: Clock
  logger: Logger
  timezone: string
  agentId: number
}): GroupSopService => {
  const { sop, communities, clock, timezone: tz } = deps

  const quota = async (communityId: Types.ObjectId, month: string): Promise<GroupSendQuota> => {
    const used = await sop.used(communityId, month)
    const cap = daysInMonth(month)
    return { month, used, cap, remaining: Math.max(0, cap - used) }
  }

  const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null)

  const present = async (it: SopItemDoc, c?: CommunityDoc | null): Promise<GroupSopItem> => {
    const community = c ?? (await communities.findById(it.communityId.toHexString()))
    const creator = it.createdBy ? await deps.staff.findById(it.createdBy) : null
    return {
      id: it._id.toHexString(),
      communityId: it.communityId.toHexString(),
      communityName: community?.name ?? '',
      text: it.text,
      sendAt: it.sendAt.toISOString(),
      sendAtLocal: formatLocal(it.sendAt, tz),
      confirmHours: it.confirmHours,
      status: it.status,
      msgid: it.msgid ?? null,
      taskCreatedAt: iso(it.taskCreatedAt),
      deadline: iso(it.deadline),
      sentAt: iso(it.sentAt),
      escalatedAt:
        it.escalationState === 'sent' || it.escalationState === 'no_recipient' ? iso(it.escalationAt) : null,
      failure: it.failure ?? null,
      createdBy: it.createdBy ? { id: it.createdBy, name: creator?.name ?? null } : null,
      createdAt: it.createdAt.toISOString(),
    }
  }

  const badSendAt = (message: string): AppError =>
    new AppError('VALIDATION_FAILED', message, [{ path: 'sendAt', message }])

  const withQuota = async (it: SopItemDoc, c: CommunityDoc): Promise<GroupSopItemResponse> => ({
    item: await present(it, c),
    quota: await quota(c._id, it.month),
  })

  // ---- tick: create ----

  /** A task an earlier (dead or timed-out) attempt may have created: same creator, text, window. */
  const findExistingTask = async (
    wecom: WecomClient,
    it: SopItemDoc,
    sender: string,
  ): Promise<{ msgid: string; createdAt: Date } | null> => {
    const end = Math.floor(clock.now().getTime() / 1000) + 60
    const start = Math.max(Math.floor(it.sendAt.getTime() / 1000) - 60, end - 30 * 86_400)
    const list = await wecom.listGroupMsgsV2({
      chatType: 'group',
      startTime: start,
      endTime: end,
      creator: sender,
      filterType: 0,
    })
    const candidates = list
      .filter((m) => m.text?.content === it.text)
      .sort((a, b) => (a.create_time ?? 0) - (b.create_time ?? 0))
    for (const m of candidates)
      if (!(await sop.msgidTaken(m.msgid)))
        return { msgid: m.msgid, createdAt: m.create_time ? new Date(m.create_time * 1000) : clock.now() }
    return null
  }

  const senderOf = async (c: CommunityDoc): Promise<string | null> => {
    if (c.groupOwnerUserId) return c.groupOwnerUserId
    return (await deps.staff.findById(c.ownerNurseId.toHexString()))?.wecomUserId ?? null
  }

  const failClaimed = async (it: SopItemDoc, owner: string, failure: string): Promise<void> => {
    if (await sop.fail(it._id, 'CREATING', failure, owner)) await sop.release(it.communityId, it.month)
    deps.logger.warn({ itemId: it._id.toHexString(), failure }, 'group SOP item failed')
  }

  type CreateOutcome = 'created' | 'adopted' | 'retried' | 'failed'

  const createTask = async (wecom: WecomClient, it: SopItemDoc, owner: string): Promise<CreateOutcome> => {
    const c = await communities.findById(it.communityId.toHexString())
    if (!c || c.status !== 'active') {
      await failClaimed(it, owner, c ? `社群已${c.status === 'dismissed' ? '解散' : '归档'}` : '社群不存在')
      return 'failed'
    }
    const sender = await senderOf(c)
    if (!sender) {
      await failClaimed(it, owner, '群主没有企业微信账号')
      return 'failed'
    }
    try {
      if (it.attempts > 1) {
        const found = await findExistingTask(wecom, it, sender)
        if (found) {
          await sop.toPending(it._id, owner, {
            msgid: found.msgid,
            sender,
            taskCreatedAt: found.createdAt,
            deadline: new Date(found.createdAt.getTime() + it.confirmHours * HOUR),
          })
          return 'adopted'
        }
      }
      if (it.attempts > MAX_CREATE_ATTEMPTS) {
        await failClaimed(it, owner, `企业微信群发任务创建失败（已尝试 ${MAX_CREATE_ATTEMPTS} 次）`)
        return 'failed'
      }
      const { msgid } = await wecom.addGroupMsgTemplate({ sender, chatIds: [c.chatId], text: it.text })
      const now = clock.now()
      const recorded = await sop.toPending(it._id, owner, {
        msgid,
        sender,
        taskCreatedAt: now,
        deadline: new Date(now.getTime() + it.confirmHours * HOUR),
      })
      if (!recorded) {
        // our lease ran out while WeCom answered and another worker took the item: withdraw ours
        await wecom
          .cancelGroupMsg(msgid)
          .catch((err: unknown) =>
            deps.logger.error({ err, msgid }, 'could not cancel a duplicate group send task'),
          )
        return 'retried'
      }
      return 'created'
    } catch (err) {
      if (err instanceof WecomApiError && !TRANSIENT.has(err.errcode)) {
        await failClaimed(it, owner, `企业微信拒绝：${err.errcode} ${err.errmsg}`)
        return 'failed'
      }
      // unknown outcome (network, timeout, busy): the next claim looks the task up before retrying
      const retryAt = new Date(clock.now().getTime() + MINUTE)
      await sop.retryLater(it._id, owner, retryAt, String(err instanceof Error ? err.message : err))
      return 'retried'
    }
  }

  // ---- tick: poll, escalate, expire ----

  const poll = async (wecom: WecomClient, report: SopTickReport): Promise<void> => {
    const chats = new Map<string, string | null>()
    for (const it of await sop.pollDue(clock.now(), 100)) {
      const key = it.communityId.toHexString()
      if (!chats.has(key)) chats.set(key, (await communities.findById(key))?.chatId ?? null)
      try {
        const tasks = await wecom.getGroupMsgTasks(it.msgid!)
        const task = tasks.find((t) => t.userid === it.sender)
        if (task?.status === 2) {
          const results = await wecom.getGroupMsgSendResult(it.msgid!, it.sender!)
          const r = results.find((x) => x.chat_id === chats.get(key)) ?? results[0]
          const at = new Date(
            (r?.send_time ?? task.send_time ?? Math.floor(clock.now().getTime() / 1000)) * 1000,
          )
          if (r?.status === 1) {
            if (await sop.finish(it._id, 'SENT', { sentAt: at })) report.sent++
            continue
          }
          if (r?.status === 3 || r?.status === 2) {
            const failure = r.status === 3 ? '本群本月群发次数已达上限，企业微信未发送' : '客户群已不存在'
            if (await sop.finish(it._id, 'FAILED', { failure })) report.failed++
            continue
          }
        }
      } catch (err) {
        deps.logger.warn({ err, itemId: it._id.toHexString() }, 'group send status poll failed')
      }
      await sop.setNextPoll(it._id, new Date(clock.now().getTime() + POLL_EVERY_MS))
    }
  }

  const escalate = async (wecom: WecomClient, report: SopTickReport): Promise<void> => {
    const now = clock.now()
    const staleBefore = new Date(now.getTime() - ESCALATION_STALE_MS)
    const due = await sop.overdue(now, staleBefore, BATCH)
    if (due.length === 0) return
    const heads = (await deps.staff.list()).filter(
      (s) => s.role === 'head_nurse' && s.active && s.wecomUserId,
    )
    for (const it of due) {
      if (!(await sop.claimEscalation(it._id, now, staleBefore))) continue
      if (heads.length === 0) {
        await sop.setEscalation(it._id, 'no_recipient', [])
        deps.logger.warn(
          { itemId: it._id.toHexString() },
          'overdue group send: no head nurse with a WeCom account',
        )
        continue
      }
      const c = await communities.findById(it.communityId.toHexString())
      const nurse = c ? await deps.staff.findById(c.ownerNurseId.toHexString()) : null
      const content =
        `【群发待确认超时】${nurse?.name ?? '群主'}负责的社群「${c?.name ?? ''}」有一条群发` +
        `（计划 ${formatLocal(it.sendAt, tz)}）已超过确认期限 ${formatLocal(it.deadline!, tz)}，仍未在企业微信中确认发送。` +
        `请提醒处理。内容：${utf8Slice(it.text, 60)}`
      try {
        const r = await wecom.sendAppText({
          agentId: deps.agentId,
          touser: heads.map((h) => h.wecomUserId!),
          content,
        })
        const to = heads.map((h) => h.wecomUserId!).filter((u) => !r.invalidUsers.includes(u))
        await sop.setEscalation(it._id, 'sent', to)
        report.escalated++
        // best effort: remind the owner in the WeCom client too (≤3 per 24 h)
        await wecom
          .remindGroupMsg(it.msgid!)
          .catch((err: unknown) => deps.logger.warn({ err, msgid: it.msgid }, 'remind_groupmsg_send failed'))
      } catch (err) {
        const definitive = err instanceof WecomApiError && err.errcode === ALL_RECIPIENTS_INVALID
        await sop.setEscalation(it._id, definitive ? 'failed' : null, [])
        deps.logger.warn({ err, itemId: it._id.toHexString() }, 'escalation app message failed')
      }
    }
  }

  const expire = async (wecom: WecomClient, report: SopTickReport): Promise<void> => {
    const before = new Date(clock.now().getTime() - EXPIRE_AFTER_DEADLINE_MS)
    for (const it of await sop.stale(before, BATCH)) {
      await wecom
        .cancelGroupMsg(it.msgid!)
        .catch((err: unknown) => deps.logger.warn({ err, msgid: it.msgid }, 'cancel_groupmsg_send failed'))
      if (await sop.finish(it._id, 'EXPIRED', { failure: '超过确认期限 7 天仍未发送，任务已撤回' })) {
        await sop.release(it.communityId, it.month)
        report.expired++
      }
    }
  }

  const presentPending = async (items: SopItemDoc[]): Promise<PendingGroupSend[]> => {
    const now = clock.now()
    const out: PendingGroupSend[] = []
    const cache = new Map<string, CommunityDoc | null>()
    for (const it of items) {
      const key = it.communityId.toHexString()
      if (!cache.has(key)) cache.set(key, await communities.findById(key))
      const c = cache.get(key)
      if (!c) continue
      const nurse = await deps.staff.findById(c.ownerNurseId.toHexString())
      out.push({
        itemId: it._id.toHexString(),
        communityId: key,
        communityName: c.name,
        chatId: c.chatId,
        text: it.text,
        msgid: it.msgid!,
        ownerNurse: { id: c.ownerNurseId.toHexString(), name: nurse?.name ?? null },
        taskCreatedAt: it.taskCreatedAt!.toISOString(),
        deadline: it.deadline!.toISOString(),
        deadlineLocal: formatLocal(it.deadline!, tz),
        overdue: it.deadline!.getTime() <= now.getTime(),
        escalatedAt:
          it.escalationState === 'sent' || it.escalationState === 'no_recipient'
            ? iso(it.escalationAt)
            : null,
      })
    }
    return out
  }

  return {
    quota,

    async list(p, communityId) {
      const c = await communityFor(communities, p, communityId)
      const month = monthKeyOf(clock.now(), tz)
      const items = await sop.list(communityId, 200)
      return {
        items: await Promise.all(items.map((it) => present(it, c))),
        quota: await quota(c._id, month),
        nextMonthQuota: await quota(c._id, nextMonthKey(month)),
      }
    },

    async create(p, communityId, body, meta) {
      const c = await communityFor(communities, p, communityId)
      if (c.status !== 'active') throw new AppError('COMMUNITY_NOT_ACTIVE', `The community is ${c.status}`)
      const sendAt = parseSendAt(body.sendAt, tz)
      if (!sendAt) throw badSendAt('sendAt is not a valid date-time')
      const now = clock.now()
      if (sendAt.getTime() < now.getTime() - 5 * MINUTE) throw badSendAt('sendAt must not be in the past')
      if (sendAt.getTime() > now.getTime() + 366 * DAY) throw badSendAt('sendAt must be within a year')
      const dedupeKey = body.requestId ? `${communityId}:${body.requestId}` : undefined
      if (dedupeKey) {
        const existing = await sop.findByDedupeKey(dedupeKey)
        if (existing) return withQuota(existing, c)
      }
      const month = monthKeyOf(sendAt, tz)
      const cap = daysInMonth(month)
      if (!(await sop.reserve(communityId, month, cap))) {
        const q = await quota(c._id, month)
        throw new AppError(
          'GROUP_SEND_CAP_REACHED',
          `「${c.name}」${month} 的群发已达上限（${q.used}/${q.cap}）：WeCom allows ${cap} mass messages to a group that month`,
          q,
        )
      }
      let item: SopItemDoc
      try {
        item = await sop.create({
          communityId,
          text: body.text,
          sendAt,
          month,
          confirmHours: body.confirmHours,
          createdBy: p.staffId,
          dedupeKey,
        })
      } catch (e) {
        await sop.release(c._id, month)
        if (e instanceof DuplicateSopRequestError && dedupeKey) {
          const existing = await sop.findByDedupeKey(dedupeKey)
          if (existing) return withQuota(existing, c)
        }
        throw e
      }
      await deps.audit.record({
        actor: staffActor(p),
        action: 'community.sop_create',
        detail: { communityId, itemId: item._id.toHexString(), sendAt: sendAt.toISOString() },
        ...meta,
      })
      return withQuota(item, c)
    },

    async cancel(p, communityId, itemId, meta) {
      const c = await communityFor(communities, p, communityId)
      const notCancellable = (status: string): AppError =>
        new AppError('GROUP_SOP_NOT_CANCELLABLE', `The item is ${status} and cannot be cancelled`)
      let it = await sop.findById(itemId)
      if (!it || !it.communityId.equals(c._id)) throw new AppError('GROUP_SOP_NOT_FOUND', 'No such SOP item')
      if (it.status === 'CANCELLED') return withQuota(it, c)
      let done: SopItemDoc | null = null
      if (it.status === 'SCHEDULED') {
        done = await sop.cancel(it._id, 'SCHEDULED', p.staffId, clock.now())
      } else if (it.status === PENDING) {
        if (!deps.wecom) throw wecomNotConfigured()
        // confirmed already? then it is sent, not cancellable
        const tasks = await deps.wecom.getGroupMsgTasks(it.msgid!)
        if (tasks.some((t) => t.userid === it!.sender && t.status === 2)) throw notCancellable('sent')
        await deps.wecom.cancelGroupMsg(it.msgid!)
        done = await sop.cancel(it._id, PENDING, p.staffId, clock.now())
      }
      if (!done) {
        it = (await sop.findById(itemId))!
        if (it.status === 'CANCELLED') return withQuota(it, c)
        throw notCancellable(it.status)
      }
      await sop.release(c._id, done.month)
      await deps.audit.record({
        actor: staffActor(p),
        action: 'community.sop_cancel',
        detail: { communityId, itemId, from: it.status },
        ...meta,
      })
      return withQuota(done, c)
    },

    async pending(p, nurseId) {
      const owner = ownerFilterOf(p) ?? nurseId
      const ids = owner ? (await communities.list({ ownerNurseId: owner })).map((c) => c._id) : null
      return { sends: await presentPending(await sop.pending(ids)) }
    },

    async tick() {
      const report: SopTickReport = {
        created: 0,
        adopted: 0,
        retried: 0,
        failed: 0,
        sent: 0,
        escalated: 0,
        expired: 0,
      }
      const wecom = deps.wecom
      if (!wecom) return report
      const owner = randomUUID()
      for (let i = 0; i < BATCH; i++) {
        const now = clock.now()
        const it = await sop.claimDue(owner, now, new Date(now.getTime() + CREATE_LEASE_MS))
        if (!it) break
        report[await createTask(wecom, it, owner)]++
      }
      await poll(wecom, report)
      await escalate(wecom, report)
      await expire(wecom, report)
      return report
    },
  }
}

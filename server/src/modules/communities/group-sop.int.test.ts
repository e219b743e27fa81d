import { randomBytes } from 'node:crypto'
import {
  Community,
  CommunityDetail,
  ErrorBody,
  GroupSopItemResponse,
  GroupSopListResponse,
  PendingGroupSendsResponse,
  ServicePendingSendsResponse,
  TagGroupsResponse,
} from '@careloop/shared'
import { createSimGroup } from '../../../../tests/src/harness/community-fixture'
import { useStaffHarness } from '../../../../tests/src/harness/server-harness'
import { SIM_WECOM } from '../../../../tests/src/sim/wecom/wecom-sim'
import { createLogger } from '../../logger'
import { WecomClient } from '../../platform/wecom/wecom-client'
import { staffModel } from '../staff/staff.model'
import { createCommunitiesModule } from './community.module'
import { createSopRepo } from './group-sop.repo'
import { daysInMonth, monthKeyOf, nextMonthKey } from './zoned-time'

/**
 * Group SOP (F13) against the WeCom simulator: scheduling within the monthly cap, the tick turning
 * due items into exactly one mass-send task, confirmation, escalation, cancellation, and a worker
 * dying between the claim and recording the task.
 */
const SERVICE_TOKEN = randomBytes(24).toString('base64url')
const h = useStaffHarness({ env: { SERVICE_TOKEN } })
const code = (b: unknown): string => ErrorBody.parse(b).error.code
const tokens = { admin: '', head: '', nurse: '' }
let nurseLiId = ''
let tagId = ''
const MIN = 60_000
const HOUR = 60 * MIN

const newClient = () =>
  new WecomClient({
    corpId: SIM_WECOM.corpId,
    agentSecret: SIM_WECOM.agentSecret,
    apiBase: h.wecom.url,
    clock: h.clock,
  })
/** A worker: its own module instance (own WeCom client) on the shared database. */
const worker = () =>
  createCommunitiesModule({
    config: h.config,
    clock: h.clock,
    db: h.db,
    logger: createLogger('silent'),
    wecom: newClient(),
  })

/** Moves the server's clock and keeps the simulator's in step (task create_time, monthly counts). */
const advance = (ms: number) => {
  h.clock.advance(ms)
  h.wecom.clock.set({ now: h.clock.now().toISOString() })
}

interface SimGroupMsg {
  msgid: string
  chat_type: string
  creator: string
  text?: { content: string }
  cancelled: boolean
  results: { chat_id?: string; status: number }[]
}
const simGet = async <T>(name: string): Promise<T> =>
  (await (await fetch(`${h.wecom.url}/_sim/wecom/${name}`)).json()) as T
const tasksFor = async (chatId: string) =>
  (await simGet<{ messages: SimGroupMsg[] }>('groupmsg')).messages.filter((m) =>
    m.results.some((r) => r.chat_id === chatId),
  )
const confirm = async (msgid: string) => {
  const r = await fetch(`${h.wecom.url}/_sim/wecom/groupmsg/confirm`, {
    method: 'POST',
    body: JSON.stringify({ msgid, userid: 'LiNa' }),
  })
  expect(r.status).toBe(200)
}
const appMessages = async () =>
  (await simGet<{ messages: { touser: string[]; content: { content: string } }[] }>('app-messages')).messages

const newCommunity = async (name: string): Promise<Community> => {
  const chatId = await createSimGroup(h, 'LiNa', name)
  const r = await h.request('POST', '/api/v1/staff/communities', {
    token: tokens.head,
    body: { name, chatId, diseaseTagId: tagId, ownerNurseId: nurseLiId },
  })
  expect(r.status).toBe(201)
  return Community.parse(r.body)
}
const schedule = (communityId: string, body: Record<string, unknown>, token = tokens.nurse) =>
  h.request('POST', `/api/v1/staff/communities/${communityId}/sop`, { token, body })
const scheduled = async (communityId: string, body: Record<string, unknown>) => {
  const r = await schedule(communityId, body)
  if (r.status !== 201) throw new Error(`schedule: ${r.status} ${JSON.stringify(r.body)}`)
  return GroupSopItemResponse.parse(r.body)
}
const list = async (communityId: string, token = tokens.nurse) =>
  GroupSopListResponse.parse(
    (await h.request('GET', `/api/v1/staff/communities/${communityId}/sop`, { token })).body,
  )
const item = async (communityId: string, id: string) =>
  (await list(communityId)).items.find((i) => i.id === id)!
const cancel = (communityId: string, id: string, token = tokens.nurse) =>
  h.request('DELETE', `/api/v1/staff/communities/${communityId}/sop/${id}`, { token })
const soon = () => new Date(h.clock.now().getTime() + MIN).toISOString()

beforeAll(async () => {
  await h.seedStaff()
  tokens.admin = (await h.staffLogin('admin')).accessToken
  tokens.head = (await h.staffLogin('headnurse.wang')).accessToken
  tokens.nurse = (await h.staffLogin('nurse.li')).accessToken
  nurseLiId = (await staffModel(h.db).findOne({ username: 'nurse.li' }).lean())!._id.toHexString()
  const seed = await fetch(`${h.wecom.url}/_sim/wecom/seed`, {
    method: 'POST',
    body: JSON.stringify({
      members: [
        { userid: 'LiNa', name: '李娜' },
        { userid: 'WangFang', name: '王芳' },
      ],
    }),
  })
  expect(seed.status).toBe(200)
  const g = TagGroupsResponse.parse(
    (
      await h.request('POST', '/api/v1/staff/tag-groups', {
        token: tokens.admin,
        body: { name: '病种', kind: 'disease' },
      })
    ).body,
  ).groups[0]!
  tagId = TagGroupsResponse.parse(
    (
      await h.request('POST', `/api/v1/staff/tag-groups/${g.id}/tags`, {
        token: tokens.admin,
        body: { name: '糖尿病' },
      })
    ).body,
  ).groups[0]!.tags[0]!.id
  h.wecom.clock.set({ now: h.clock.now().toISOString() })
})

describe('scheduling (F13)', () => {
  it('shows used/cap before scheduling, refuses beyond the monthly cap, and concurrency cannot exceed it', async () => {
    const c = await newCommunity('限额测试群')
    const month = nextMonthKey(monthKeyOf(h.clock.now(), h.config.timezone))
    const cap = daysInMonth(month)
    const before = await list(c.id)
    expect(before.nextMonthQuota).toEqual({ month, used: 0, cap, remaining: cap })
    expect(before.quota.month).toBe(monthKeyOf(h.clock.now(), h.config.timezone))
    const at = (day: number) => `${month}-${String(day).padStart(2, '0')}T09:00`
    for (let i = 0; i < cap - 3; i++) await scheduled(c.id, { text: `第${i}条`, sendAt: at((i % 28) + 1) })
    const burst = await Promise.all(
      [0, 1, 2, 3, 4, 5].map((i) => schedule(c.id, { text: `并发${i}`, sendAt: at(20) })),
    )
    expect(burst.map((r) => r.status).sort()).toEqual([201, 201, 201, 409, 409, 409])
    const refused = burst.find((r) => r.status === 409)!
    expect(code(refused.body)).toBe('GROUP_SEND_CAP_REACHED')
    expect(ErrorBody.parse(refused.body).error.details).toEqual({ month, used: cap, cap, remaining: 0 })
    expect((await list(c.id)).nextMonthQuota).toEqual({ month, used: cap, cap, remaining: 0 })

    // cancelling gives the send back
    const first = (await list(c.id)).items.find((i) => i.text === '第0条')!
    const r = await cancel(c.id, first.id)
    expect(GroupSopItemResponse.parse(r.body)).toMatchObject({
      item: { status: 'CANCELLED' },
      quota: { used: cap - 1 },
    })
    expect(GroupSopItemResponse.parse((await cancel(c.id, first.id)).body).quota.used).toBe(cap - 1)
    expect((await scheduled(c.id, { text: '补一条', sendAt: at(28) })).quota).toMatchObject({
      used: cap,
      remaining: 0,
    })
  })

  it('reads local times in the hospital zone, refuses bad times and over-long text by field', async () => {
    const c = await newCommunity('校验测试群')
    const month = nextMonthKey(monthKeyOf(h.clock.now(), h.config.timezone))
    const local = await scheduled(c.id, { text: '早安', sendAt: `${month}-05T09:30` })
    expect(local.item.sendAt).toBe(`${month}-05T01:30:00.000Z`)
    expect(local.item).toMatchObject({
      sendAtLocal: `${month}-05 09:30`,
      confirmHours: 24,
      status: 'SCHEDULED',
    })
    const again = await scheduled(c.id, { text: '幂等', sendAt: `${month}-06T09:30`, requestId: 'req-1' })
    const repeat = await scheduled(c.id, { text: '幂等', sendAt: `${month}-06T09:30`, requestId: 'req-1' })
    expect(repeat.item.id).toBe(again.item.id)
    expect(repeat.quota.used).toBe(2)

    const fieldOf = (b: unknown) =>
      (ErrorBody.parse(b).error.details as { path: string }[]).map((d) => d.path)
    for (const [body, field] of [
      [{ text: '过去', sendAt: new Date(h.clock.now().getTime() - HOUR).toISOString() }, 'sendAt'],
      [{ text: '不存在的日子', sendAt: `${month}-31T25:00` }, 'sendAt'],
      [
        { text: '明年以后', sendAt: new Date(h.clock.now().getTime() + 400 * 24 * HOUR).toISOString() },
        'sendAt',
      ],
      [{ text: '太长'.repeat(667), sendAt: `${month}-05T09:30` }, 'text'],
      [{ text: '确认时间', sendAt: `${month}-05T09:30`, confirmHours: 0 }, 'confirmHours'],
    ] as const) {
      const r = await schedule(c.id, body)
      expect([field, r.status, code(r.body)]).toEqual([field, 400, 'VALIDATION_FAILED'])
      expect(fieldOf(r.body)).toContain(field)
    }
    expect((await list(c.id)).items).toHaveLength(2)

    const other = await h.request('POST', '/api/v1/staff/communities', {
      token: tokens.admin,
      body: {
        name: '护士长的群',
        chatId: await createSimGroup(h, 'WangFang', '护士长的群'),
        diseaseTagId: tagId,
        ownerNurseId: (await staffModel(h.db)
          .findOne({ username: 'headnurse.wang' })
          .lean())!._id.toHexString(),
      },
    })
    const notHers = await schedule(Community.parse(other.body).id, { text: 'x', sendAt: soon() })
    expect([notHers.status, code(notHers.body)]).toEqual([404, 'COMMUNITY_NOT_FOUND'])

    await h.request('PUT', `/api/v1/staff/communities/${c.id}`, {
      token: tokens.head,
      body: { status: 'archived' },
    })
    const archived = await schedule(c.id, { text: '归档后', sendAt: soon() })
    expect([archived.status, code(archived.body)]).toEqual([409, 'COMMUNITY_NOT_ACTIVE'])
  })
})

describe('the group SOP tick (F13)', () => {
  it('turns a due item into exactly one task even when two workers tick at once; confirmation → SENT', async () => {
    const c = await newCommunity('发送测试群')
    const { item: it } = await scheduled(c.id, { text: '周一控糖小贴士', sendAt: soon() })
    advance(2 * MIN)
    const [r1, r2] = await Promise.all([worker().sop.tick(), worker().sop.tick()])
    expect(r1.created + r2.created).toBe(1)
    const tasks = await tasksFor(c.chatId)
    expect(tasks).toHaveLength(1)
    expect(tasks[0]).toMatchObject({
      chat_type: 'group',
      creator: 'LiNa',
      text: { content: '周一控糖小贴士' },
    })
    expect(await worker().sop.tick()).toMatchObject({ created: 0 })
    expect(await tasksFor(c.chatId)).toHaveLength(1)

    const pending = await item(c.id, it.id)
    expect(pending).toMatchObject({ status: 'PENDING_CONFIRMATION', msgid: tasks[0]!.msgid })
    expect(Date.parse(pending.deadline!) - Date.parse(pending.taskCreatedAt!)).toBe(24 * HOUR)
    const mine = PendingGroupSendsResponse.parse(
      (await h.request('GET', '/api/v1/staff/group-sends/pending', { token: tokens.nurse })).body,
    ).sends
    expect(mine.find((s) => s.itemId === it.id)).toMatchObject({
      communityName: '发送测试群',
      msgid: tasks[0]!.msgid,
      overdue: false,
      ownerNurse: { id: nurseLiId, name: '李娜' },
    })
    const byHead = PendingGroupSendsResponse.parse(
      (
        await h.request('GET', `/api/v1/staff/group-sends/pending?nurseId=${nurseLiId}`, {
          token: tokens.head,
        })
      ).body,
    ).sends
    expect(byHead.map((s) => s.itemId)).toContain(it.id)
    const bot = (userid: string) =>
      h.request('GET', `/api/v1/service/nurses/${userid}/group-sends/pending`, { token: SERVICE_TOKEN })
    expect(ServicePendingSendsResponse.parse((await bot('LiNa')).body).sends.map((s) => s.itemId)).toContain(
      it.id,
    )
    expect(
      ServicePendingSendsResponse.parse((await bot('WangFang')).body).sends.map((s) => s.itemId),
    ).not.toContain(it.id)
    const detail = CommunityDetail.parse(
      (await h.request('GET', `/api/v1/staff/communities/${c.id}`, { token: tokens.nurse })).body,
    )
    expect(detail.community.stats.pendingSends).toBe(1)

    await confirm(tasks[0]!.msgid)
    advance(5 * MIN)
    expect(await worker().sop.tick()).toMatchObject({ sent: 1 })
    expect(await item(c.id, it.id)).toMatchObject({ status: 'SENT', sentAt: expect.any(String) as string })
    const after = await cancel(c.id, it.id)
    expect([after.status, code(after.body)]).toEqual([409, 'GROUP_SOP_NOT_CANCELLABLE'])
  })

  it('a worker that died after creating the task: the next claim adopts it instead of sending twice', async () => {
    const c = await newCommunity('崩溃恢复群')
    const { item: created } = await scheduled(c.id, { text: '已创建未记录', sendAt: soon() })
    const { item: notCreated } = await scheduled(c.id, { text: '未创建', sendAt: soon() })
    advance(2 * MIN)
    // the dead worker claimed both, created the first task in WeCom, and died before recording it
    const repo = createSopRepo(h.db)
    const lease = new Date(h.clock.now().getTime() + 2 * MIN)
    const claimed = [
      await repo.claimDue('dead-worker', h.clock.now(), lease),
      await repo.claimDue('dead-worker', h.clock.now(), lease),
    ]
    expect(claimed.map((x) => x!._id.toHexString()).sort()).toEqual([created.id, notCreated.id].sort())
    const { msgid } = await newClient().addGroupMsgTemplate({
      sender: 'LiNa',
      chatIds: [c.chatId],
      text: '已创建未记录',
    })

    expect(await worker().sop.tick()).toMatchObject({ created: 0, adopted: 0 }) // leases still held
    advance(3 * MIN)
    expect(await worker().sop.tick()).toMatchObject({ created: 1, adopted: 1 })
    expect(await item(c.id, created.id)).toMatchObject({ status: 'PENDING_CONFIRMATION', msgid })
    expect((await item(c.id, notCreated.id)).status).toBe('PENDING_CONFIRMATION')
    const tasks = await tasksFor(c.chatId)
    expect(tasks.map((t) => t.text?.content).sort()).toEqual(['已创建未记录', '未创建'].sort())
  })

  it('past the deadline: one escalation to the head nurses and one reminder to the owner', async () => {
    const c = await newCommunity('超时提醒群')
    const { item: it } = await scheduled(c.id, { text: '请按时测血糖', sendAt: soon(), confirmHours: 1 })
    advance(2 * MIN)
    await worker().sop.tick()
    const before = (await appMessages()).length
    const reminds = () => h.wecom.requests('/cgi-bin/externalcontact/remind_groupmsg_send').length
    const remindsBefore = reminds()
    advance(HOUR)
    const [t1, t2] = await Promise.all([worker().sop.tick(), worker().sop.tick()])
    expect(t1.escalated + t2.escalated).toBe(1)
    advance(15 * MIN)
    expect(await worker().sop.tick()).toMatchObject({ escalated: 0 })
    const sent = (await appMessages()).slice(before)
    expect(sent).toHaveLength(1)
    expect(sent[0]!.touser).toEqual(['WangFang'])
    expect(sent[0]!.content.content).toContain('超时提醒群')
    expect(sent[0]!.content.content).toContain('李娜')
    expect(reminds() - remindsBefore).toBe(1)
    const overdue = PendingGroupSendsResponse.parse(
      (await h.request('GET', '/api/v1/staff/group-sends/pending', { token: tokens.head })).body,
    ).sends.find((s) => s.itemId === it.id)!
    expect(overdue).toMatchObject({ overdue: true, escalatedAt: expect.any(String) as string })

    // the nurse confirms late: still SENT
    await confirm((await item(c.id, it.id)).msgid!)
    advance(5 * MIN)
    await worker().sop.tick()
    expect((await item(c.id, it.id)).status).toBe('SENT')
  })

  it('cancelling a pending task withdraws it in WeCom and frees the quota', async () => {
    const c = await newCommunity('撤回测试群')
    const { item: it } = await scheduled(c.id, { text: '将被撤回', sendAt: soon() })
    advance(2 * MIN)
    await worker().sop.tick()
    const r = await cancel(c.id, it.id)
    expect(GroupSopItemResponse.parse(r.body)).toMatchObject({
      item: { status: 'CANCELLED' },
      quota: { used: 0 },
    })
    expect((await tasksFor(c.chatId))[0]!.cancelled).toBe(true)
    const wrong = await cancel(
      c.id,
      (await scheduled(c.id, { text: '别的', sendAt: soon() })).item.communityId,
    )
    expect([wrong.status, code(wrong.body)]).toEqual([404, 'GROUP_SOP_NOT_FOUND'])
  })

  it('an item of an archived community fails when due and gives its send back', async () => {
    const c = await newCommunity('归档失败群')
    const { item: it } = await scheduled(c.id, { text: '归档后到期', sendAt: soon() })
    await h.request('PUT', `/api/v1/staff/communities/${c.id}`, {
      token: tokens.head,
      body: { status: 'archived' },
    })
    advance(2 * MIN)
    expect(await worker().sop.tick()).toMatchObject({ failed: 1 })
    expect(await item(c.id, it.id)).toMatchObject({ status: 'FAILED', failure: '社群已归档' })
    expect((await list(c.id)).quota.used + (await list(c.id)).nextMonthQuota.used).toBe(0)
    expect(await tasksFor(c.chatId)).toEqual([])
  })

  it('a task never confirmed expires 7 days after its deadline and is withdrawn', async () => {
    const c = await newCommunity('过期测试群')
    const { item: it } = await scheduled(c.id, { text: '无人确认', sendAt: soon(), confirmHours: 1 })
    advance(2 * MIN)
    await worker().sop.tick()
    advance(HOUR + 7 * 24 * HOUR + MIN)
    tokens.nurse = (await h.staffLogin('nurse.li')).accessToken // the old token expired meanwhile
    // (other tasks left unconfirmed by earlier tests expire in the same tick)
    expect((await worker().sop.tick()).expired).toBeGreaterThanOrEqual(1)
    expect((await item(c.id, it.id)).status).toBe('EXPIRED')
    expect((await tasksFor(c.chatId))[0]!.cancelled).toBe(true)
  })
})

import { useStaffHarness } from '../../../../tests/src/harness/server-harness'
import { cancelQueued, pushWorkerFor, rowOf, shanghai, simHook } from '../../../../tests/src/harness/push-kit'
import { outboxModel } from './outbox.model'
import { staffModel } from '../staff/staff.model'
import type { PushModule } from './push.module'
import type { PushMessage } from './push.port'

/**
 * The staff channels end to end against the WeCom simulator: app messages to nurses (per-member
 * limits that WeCom enforces by dropping silently), group robots, their error classes, and a server
 * without WeCom.
 */
const h = useStaffHarness()
let worker: PushModule
let nurseId = ''
let ghostId = ''
let seq = 0

beforeAll(async () => {
  worker = pushWorkerFor(h)
  await h.seedStaff()
  await simHook(h.wecom.url, '/_sim/wecom/seed', { members: [{ userid: 'LiNa', name: '李娜' }] })
  nurseId = (await staffModel(h.db).findOne({ username: 'nurse.li' }).lean())!._id.toHexString()
  ghostId = (
    await staffModel(h.db).create({
      username: 'ghost.nurse',
      name: '离职护士',
      role: 'nurse',
      passwordHash: 'x',
      wecomUserId: 'GhostUser',
    })
  )._id.toHexString()
  h.clock.set(shanghai('2030-04-01T23:30')) // at night: staff messages ignore patient quiet hours
})
afterEach(async () => {
  await cancelQueued(h)
  await fetch(`${h.wecom.url}/_sim/faults/clear`, { method: 'POST' })
})

const alert = (over: Partial<PushMessage> = {}): PushMessage => ({
  dedupeKey: `alert-${++seq}`,
  purpose: 'staff',
  dueAt: h.clock.now(),
  staffId: nurseId,
  channels: ['wecom-app'],
  urgent: true,
  content: { title: '【红旗预警】王秀英', body: `【红旗预警】王秀英：伤口渗液 #${seq}` },
  source: { kind: 'alert', id: `task-${seq}` },
  ...over,
})
const appMessagesTo = (userid: string) => h.wecom.state.appMessages.filter((m) => m.touser.includes(userid))

describe('WeCom app messages to nurses', () => {
  it('delivers to the nurse’s WeCom account', async () => {
    const m = alert()
    await worker.port.enqueue([m])
    await worker.worker.dispatchDue()
    expect(await rowOf(h, m.dedupeKey)).toMatchObject({ status: 'sent', outcome: { channel: 'wecom-app' } })
    expect(appMessagesTo('LiNa').at(-1)!.content).toEqual({ content: m.content.body })
  })

  it('81013 (the nurse left the corp): permanent failure naming touser', async () => {
    const m = alert({ staffId: ghostId })
    await worker.port.enqueue([m])
    await worker.worker.dispatchDue()
    expect(await rowOf(h, m.dedupeKey)).toMatchObject({
      status: 'failed',
      outcome: { channel: 'wecom-app', code: '81013', field: 'touser' },
    })
  })

  it('45009 (frequency): backs off a minute or more, then delivers', async () => {
    const m = alert()
    await simHook(h.wecom.url, '/_sim/faults', { route: '/cgi-bin/message/send', errcode: 45009, times: 1 })
    await worker.port.enqueue([m])
    await worker.worker.dispatchDue()
    const row = await rowOf(h, m.dedupeKey)
    expect(row).toMatchObject({
      status: 'pending',
      history: [expect.objectContaining({ result: 'backoff', code: '45009' })],
    })
    expect(row!.nextAt.getTime() - h.clock.now().getTime()).toBeGreaterThanOrEqual(60_000)
    h.clock.set(row!.nextAt)
    await worker.worker.dispatchDue()
    expect((await rowOf(h, m.dedupeKey))!.status).toBe('sent')
  })

  it('without WeCom configured the row fails visibly with WECOM_NOT_CONFIGURED', async () => {
    const bare = pushWorkerFor(h, { owner: 'no-wecom', wecom: 'none' })
    const m = alert()
    await bare.port.enqueue([m])
    await bare.worker.dispatchDue()
    expect(await rowOf(h, m.dedupeKey)).toMatchObject({
      status: 'failed',
      outcome: { code: 'WECOM_NOT_CONFIGURED' },
    })
  })
})

describe('group robots', () => {
  it('posts to the robot; a bad key fails permanently naming the key', async () => {
    const { key } = (await simHook(h.wecom.url, '/_sim/wecom/robots', {})) as { key: string }
    const ok = alert({ staffId: undefined, robotKey: key, channels: ['robot'] })
    const bad = alert({ staffId: undefined, robotKey: 'no-such-key', channels: ['robot'] })
    await worker.port.enqueue([ok, bad])
    await worker.worker.dispatchDue()
    expect(await rowOf(h, ok.dedupeKey)).toMatchObject({ status: 'sent', outcome: { channel: 'robot' } })
    expect(h.wecom.state.webhookMessages.filter((w) => w.key === key)).toHaveLength(1)
    expect(await rowOf(h, bad.dedupeKey)).toMatchObject({
      status: 'failed',
      outcome: { channel: 'robot', code: '93000', field: 'key' },
    })
  })
})

describe('the per-nurse limiter', () => {
  it('100 alerts to one nurse: never more than 30 in any 60 s, none dropped, all delivered once', async () => {
    // The simulator judges WeCom's limits on its own clock: run it on the server's ManualClock.
    const sync = (): void => h.wecom.clock.set({ now: h.clock.now().getTime(), freeze: true })
    const start = h.clock.now()
    sync()
    const msgs = Array.from({ length: 100 }, () => alert())
    const before = appMessagesTo('LiNa').length
    await worker.port.enqueue(msgs)
    for (let round = 0; round < 60; round++) {
      await worker.worker.dispatchDue()
      const next = await outboxModel(h.db)
        .findOne({ dedupeKey: { $in: msgs.map((m) => m.dedupeKey) }, status: 'pending' })
        .sort({ nextAt: 1 })
        .lean()
      if (!next) break
      expect(next.history.at(-1)).toMatchObject({ result: 'delayed', code: 'RATE_LIMITED' })
      h.clock.set(next.nextAt)
      sync()
    }
    const sent = await outboxModel(h.db).countDocuments({
      dedupeKey: { $in: msgs.map((m) => m.dedupeKey) },
      status: 'sent',
    })
    expect(sent).toBe(100)
    const times = appMessagesTo('LiNa')
      .slice(before)
      .map((m) => Date.parse(m.at))
    expect(times).toHaveLength(100)
    const worstMinute = Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + 60_000).length))
    expect(worstMinute).toBeLessThanOrEqual(30)
    expect(h.wecom.state.dropped.filter((d) => d.userid === 'LiNa')).toEqual([])
    // it took about as long as the limits require: 100 at ≤4 per 10 s
    expect(h.clock.now().getTime() - start.getTime()).toBeGreaterThanOrEqual(240_000)
    h.wecom.clock.reset()
  }, 30_000)
})

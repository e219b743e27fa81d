import { Types } from 'mongoose'
import { ManualClock } from '../../clock'
import { WechatApiError } from '../../platform/wechat/wechat-client'
import { PRIVACY_POLICY } from '../consent/privacy-policy'
import type { OutboxDoc } from './outbox.model'
import { deliveryKey, toRowDoc, type DeliveryRepo } from './outbox.repo'
import type { Channel, Prepared } from './push-channels'
import { dispatchRow, type BatchContext, type DispatchDeps } from './push-dispatcher'
import type { PushPreferenceRepo } from './push-preference.repo'
import type { PushChannel, PushMessage } from './push.port'

/** The dispatch rules with fake channels and in-memory repos (the real ones: push-*.int.test.ts). */

const clock = new ManualClock(new Date('2025-03-11T02:00:00Z')) // 10:00 in Shanghai
const patientId = new Types.ObjectId()
const accountId = new Types.ObjectId()

const caps = new Map<string, number>()
const prefs: PushPreferenceRepo = {
  get: () => Promise.resolve(null),
  set: () => Promise.resolve(),
  quietHoursOf: () => Promise.resolve(new Map()),
  reserveCap(key, max) {
    const n = caps.get(key) ?? 0
    if (n >= max) return Promise.resolve(false)
    caps.set(key, n + 1)
    return Promise.resolve(true)
  },
  releaseCap(key) {
    caps.set(key, Math.max(0, (caps.get(key) ?? 0) - 1))
    return Promise.resolve()
  },
}
const records = new Map<string, 'attempting' | 'sent'>()
const deliveries: DeliveryRepo = {
  sentOf: () => Promise.resolve(new Set()),
  attempting(key, ch) {
    if (records.get(deliveryKey(key, ch)) === 'sent') return Promise.resolve(false)
    records.set(deliveryKey(key, ch), 'attempting')
    return Promise.resolve(true)
  },
  sent(key, ch) {
    records.set(deliveryKey(key, ch), 'sent')
    return Promise.resolve()
  },
}

/** A channel whose prepare answers `prep` and whose send runs `send` (counting calls). */
const fake = (name: PushChannel, prep: () => Prepared['kind'] | Prepared, send?: () => Promise<void>) => {
  const calls = { prepare: 0, send: 0, settled: [] as (string | null)[] }
  const channel: Channel = {
    name,
    recorded: name !== 'inbox',
    prepare() {
      calls.prepare++
      const p = prep()
      if (typeof p !== 'string') return Promise.resolve(p)
      if (p !== 'ready') throw new Error('use an object for non-ready answers')
      return Promise.resolve({
        kind: 'ready',
        async send() {
          calls.send++
          await send?.()
          return { msgid: null }
        },
        settle(v) {
          calls.settled.push(v?.kind ?? null)
          return Promise.resolve()
        },
      })
    },
  }
  return { channel, calls }
}

const deps = (
  channels: Partial<Record<PushChannel, Channel>>,
  over: Partial<DispatchDeps> = {},
): DispatchDeps => ({
  clock,
  channels,
  deliveries,
  prefs,
  owner: 'w1',
  timeZone: 'Asia/Shanghai',
  defaultQuietHours: { start: '22:00', end: '07:00' },
  capPerDay: { care: 2, marketing: 1 },
  maxAttempts: 3,
  random: () => 0.5,
  ...over,
})

const consents = {
  care: { granted: true, policyVersion: PRIVACY_POLICY.version, at: new Date(), by: 'self' as const },
}
const ctx = (over: Partial<BatchContext> = {}): BatchContext => ({
  patients: new Map([[patientId.toHexString(), { _id: patientId, accountId, consents, erasedAt: null }]]),
  accounts: new Map([[accountId.toHexString(), { _id: accountId, openid: 'o1' }]]),
  quietHours: new Map(),
  staff: new Map(),
  sent: new Set(),
  ...over,
})

let seq = 0
const row = (over: Partial<PushMessage> = {}, state: Partial<OutboxDoc> = {}): OutboxDoc => ({
  _id: new Types.ObjectId(),
  ...toRowDoc(
    {
      dedupeKey: `k${++seq}`,
      purpose: 'care',
      dueAt: clock.now(),
      patientId: patientId.toHexString(),
      channels: ['subscribe', 'inbox'],
      content: { title: '复诊提醒', body: '明天上午复诊' },
      source: { kind: 'test', id: String(seq) },
      ...over,
    },
    clock.now(),
  ),
  status: 'sending',
  claimId: 'c1',
  owner: 'w1',
  ...state,
})

beforeEach(() => {
  caps.clear()
  records.clear()
  clock.set(new Date('2025-03-11T02:00:00Z'))
})

describe('dispatchRow', () => {
  it('falls back to the next channel at once when one is unavailable, and says why', async () => {
    const sub = fake('subscribe', () => ({
      kind: 'unavailable',
      code: 'NO_SUBSCRIBE_CREDIT',
      reason: 'none',
    }))
    const inbox = fake('inbox', () => 'ready')
    const u = await dispatchRow(deps({ subscribe: sub.channel, inbox: inbox.channel }), row(), ctx())
    expect(u.set.status).toBe('sent')
    expect(u.set.outcome).toMatchObject({ channel: 'inbox', code: null })
    expect(u.history.map((h) => [h.channel, h.result, h.code])).toEqual([
      ['subscribe', 'fallback', 'NO_SUBSCRIBE_CREDIT'],
      ['inbox', 'sent', null],
    ])
    expect(inbox.calls.send).toBe(1)
  })

  it('does not call a channel whose delivery record says sent (the previous owner died after the call)', async () => {
    const sub = fake('subscribe', () => 'ready')
    const r = row()
    const u = await dispatchRow(
      deps({ subscribe: sub.channel }),
      r,
      ctx({ sent: new Set([deliveryKey(r.dedupeKey, 'subscribe')]) }),
    )
    expect(u.set.status).toBe('sent')
    expect(sub.calls.prepare).toBe(0)
  })

  it('skips without sending: expired, no consent, erased', async () => {
    const inbox = fake('inbox', () => 'ready')
    const d = deps({ inbox: inbox.channel })
    const expired = await dispatchRow(
      d,
      row({ channels: ['inbox'], expiresAt: new Date(clock.now().getTime() - 1) }),
      ctx(),
    )
    expect([expired.set.status, expired.set.outcome?.code]).toEqual(['skipped', 'EXPIRED'])
    const marketing = await dispatchRow(d, row({ purpose: 'marketing', channels: ['inbox'] }), ctx())
    expect([marketing.set.status, marketing.set.outcome?.code]).toEqual(['skipped', 'NO_CONSENT'])
    const erased = await dispatchRow(
      d,
      row({ channels: ['inbox'] }),
      ctx({
        patients: new Map([
          [patientId.toHexString(), { _id: patientId, accountId, consents, erasedAt: new Date() }],
        ]),
      }),
    )
    expect([erased.set.status, erased.set.outcome?.code]).toEqual(['skipped', 'ERASED'])
    expect(inbox.calls.send).toBe(0)
  })

  it('delays to the end of quiet hours, unless urgent', async () => {
    clock.set(new Date('2025-03-11T15:30:00Z')) // 23:30 in Shanghai
    const inbox = fake('inbox', () => 'ready')
    const u = await dispatchRow(deps({ inbox: inbox.channel }), row({ channels: ['inbox'] }), ctx())
    expect(u.set).toMatchObject({ status: 'pending', nextAt: new Date('2025-03-11T23:00:00Z') })
    const urgent = await dispatchRow(
      deps({ inbox: inbox.channel }),
      row({ channels: ['inbox'], urgent: true }),
      ctx(),
    )
    expect(urgent.set.status).toBe('sent')
  })

  it('counts the cap once per message and gives the count back when nothing was delivered', async () => {
    const inbox = fake('inbox', () => 'ready')
    const dead = fake('inbox', () => ({ kind: 'permanent', code: 'X', reason: 'bad', field: null }))
    await dispatchRow(deps({ inbox: inbox.channel }), row({ channels: ['inbox'] }), ctx())
    const failed = await dispatchRow(deps({ inbox: dead.channel }), row({ channels: ['inbox'] }), ctx())
    expect(failed.set.status).toBe('failed')
    expect([...caps.values()]).toEqual([1])
    await dispatchRow(deps({ inbox: inbox.channel }), row({ channels: ['inbox'] }), ctx())
    const third = await dispatchRow(deps({ inbox: inbox.channel }), row({ channels: ['inbox'] }), ctx())
    // cap 2 reached: tomorrow 00:00 is quiet, so 07:00 tomorrow
    expect(third.set).toMatchObject({ status: 'pending', nextAt: new Date('2025-03-11T23:00:00Z') })
  })

  it('retries with backoff, keeps the channel, refunds what prepare took, and dead-letters after max attempts', async () => {
    const sub = fake(
      'subscribe',
      () => 'ready',
      () => Promise.reject(new WechatApiError(-1, 'system busy', 'subscribe/send')),
    )
    const r = row()
    const first = await dispatchRow(deps({ subscribe: sub.channel }), r, ctx())
    expect(first.set).toMatchObject({ status: 'pending', attempts: 1, channelIndex: 0 })
    expect(first.set.nextAt!.getTime()).toBeGreaterThan(clock.now().getTime())
    expect(sub.calls.settled).toEqual(['retry'])
    const last = await dispatchRow(
      deps({ subscribe: sub.channel }),
      { ...r, attempts: 2, capKey: first.set.capKey! },
      ctx(),
    )
    expect(last.set).toMatchObject({ status: 'dead', attempts: 3 })
    expect(last.set.outcome).toMatchObject({ channel: 'subscribe', code: '-1' })
    expect([...caps.values()]).toEqual([0])
  })

  it('a back-off counts as an attempt at most once a minute', async () => {
    const sub = fake(
      'subscribe',
      () => 'ready',
      () => Promise.reject(new WechatApiError(45009, 'freq', 'x')),
    )
    const r = row({}, { attempts: 1, lastCountedAt: new Date(clock.now().getTime() - 30_000) })
    const u = await dispatchRow(deps({ subscribe: sub.channel }), r, ctx())
    expect(u.set).toMatchObject({ status: 'pending', attempts: 1 })
    expect(u.set.nextAt!.getTime() - clock.now().getTime()).toBeGreaterThanOrEqual(60_000)
  })

  it('a limited channel delays the row without an attempt; a permanent error fails it naming the field', async () => {
    const at = new Date(clock.now().getTime() + 7_000)
    const limited = fake('wecom-app', () => ({ kind: 'limited', retryAt: at }))
    const staffRow = row({ purpose: 'staff', patientId: undefined, staffId: 's1', channels: ['wecom-app'] })
    const u = await dispatchRow(deps({ 'wecom-app': limited.channel }), staffRow, ctx())
    expect(u.set).toMatchObject({ status: 'pending', nextAt: at, channelIndex: 0 })
    expect(u.set.attempts).toBeUndefined()
    const bad = fake(
      'subscribe',
      () => 'ready',
      () =>
        Promise.reject(new WechatApiError(47003, 'argument invalid! data.thing1.value exceeds limit', 'x')),
    )
    const f = await dispatchRow(deps({ subscribe: bad.channel }), row(), ctx())
    expect(f.set.status).toBe('failed')
    expect(f.set.outcome).toMatchObject({ code: '47003', field: 'thing1' })
    expect(bad.calls.settled).toEqual(['permanent'])
  })
})

import { ErrorBody, RetryOutboxResponse } from '@careloop/shared'
import { useServerHarness } from '../../../../tests/src/harness/server-harness'
import {
  acceptTemplate,
  cancelQueued,
  consentedPatient,
  pushWorkerFor,
  rowOf,
  shanghai,
  simHook,
  type TestPatient,
} from '../../../../tests/src/harness/push-kit'
import { seedDemoStaff, DEMO_STAFF_PASSWORD } from '../staff/staff-bootstrap.service'
import { inboxModel } from './inbox.model'
import { subscribeCreditModel } from './subscribe-credit.model'
import type { PushModule } from './push.module'
import type { PushMessage } from './push.port'

/**
 * The push engine end to end on the patient channels: the real WeChat client against the simulator
 * (which keeps WeChat's own credit counter, so over-sending fails here), the inbox, credits, error
 * classes, quiet hours, the frequency cap, consent and lease recovery.
 */
const h = useServerHarness()
const SEND = '/cgi-bin/message/subscribe/send'
const REMINDER = 'tmpl-followup-reminder'
let worker: PushModule
let users = 0
/** Each test moves the clock to a new day (10:00 in Shanghai unless it says otherwise). */
let day = Date.parse('2030-03-01T00:00:00+08:00')
const newDay = (hhmm = '10:00'): Date => {
  day += 86_400_000
  const ymd = new Date(day + 8 * 3_600_000).toISOString().slice(0, 10)
  h.clock.set(shanghai(`${ymd}T${hhmm}`))
  return h.clock.now()
}

beforeAll(() => {
  worker = pushWorkerFor(h)
})
beforeEach(() => newDay())
afterEach(async () => {
  await cancelQueued(h)
  await fetch(`${h.sim.url}/_sim/faults/clear`, { method: 'POST' })
})

const patient = (o: { marketing?: boolean } = {}): Promise<TestPatient> =>
  consentedPatient(h, `push-user-${++users}`, o)
let keys = 0
const reminder = (p: TestPatient, over: Partial<PushMessage> = {}): PushMessage => ({
  dedupeKey: `test-${++keys}`,
  purpose: 'care',
  dueAt: h.clock.now(),
  patientId: p.patientId,
  channels: ['subscribe', 'inbox'],
  content: {
    title: '术后复诊提醒',
    body: '请于明天上午到门诊复诊',
    page: 'pages/index/index',
    subscribe: { kind: 'followup_reminder', fields: { time: '2030-03-12 09:00', note: '请空腹' } },
  },
  source: { kind: 'followup-step', id: `step-${keys}`, groupId: `enrol-${p.patientId}` },
  ...over,
})
const sentTo = (p: TestPatient) => h.sim.subscriptions.messages.filter((m) => m.touser === p.openid)
const inboxOf = (p: TestPatient) => inboxModel(h.db).find({ patientId: p.patientId }).lean()
const ledger = async (p: TestPatient) =>
  (await subscribeCreditModel(h.db).findOne({ openid: p.openid, templateId: REMINDER }).lean())?.credits
const fault = (f: Record<string, unknown>) => simHook(h.sim.url, '/_sim/faults', { route: SEND, ...f })

describe('subscribe credits (F21)', () => {
  it('two accepts → two subscribe messages; the third falls back to the inbox saying why', async () => {
    const p = await patient()
    await acceptTemplate(h, p, REMINDER, 2)
    expect(await ledger(p)).toBe(2)
    const msgs = [reminder(p), reminder(p), reminder(p)]
    await worker.port.enqueue(msgs)
    await worker.worker.dispatchDue()
    expect(sentTo(p)).toHaveLength(2)
    expect(sentTo(p)[0]!.data).toEqual({
      thing1: { value: '术后复诊提醒' },
      time2: { value: '2030-03-12 09:00' },
      thing3: { value: '请空腹' },
    })
    const rows = await Promise.all(msgs.map((m) => rowOf(h, m.dedupeKey)))
    expect(rows.map((r) => [r!.status, r!.outcome!.channel])).toEqual([
      ['sent', 'subscribe'],
      ['sent', 'subscribe'],
      ['sent', 'inbox'],
    ])
    expect(rows[2]!.history.map((x) => [x.channel, x.result, x.code])).toEqual([
      ['subscribe', 'fallback', 'NO_SUBSCRIBE_CREDIT'],
      ['inbox', 'sent', null],
    ])
    // The message centre holds all three (two copies of the WeChat-delivered ones, one fallback), once each.
    expect((await inboxOf(p)).map((m) => m.dedupeKey).sort()).toEqual(rows.map((r) => r!.dedupeKey).sort())
    expect(await ledger(p)).toBe(0)
    // WeChat's own counter agrees: nothing left there either
    expect(h.sim.subscriptions.creditsOf(p.openid)).toEqual([expect.objectContaining({ credits: 0 })])
  })

  it('a value that cannot be made valid skips WeChat (no 47003) and the inbox delivers, naming the key', async () => {
    const p = await patient()
    await acceptTemplate(h, p, REMINDER)
    const before = h.sim.requests(SEND).length
    const m = reminder(p, {
      content: {
        ...reminder(p).content,
        subscribe: { kind: 'followup_reminder', fields: { time: '明天上午' } },
      },
    })
    await worker.port.enqueue([m])
    await worker.worker.dispatchDue()
    const row = await rowOf(h, m.dedupeKey)
    expect(row).toMatchObject({ status: 'sent', outcome: { channel: 'inbox' } })
    expect(row?.history.map((x) => [x.channel, x.result, x.code])).toEqual([
      ['subscribe', 'fallback', 'SUBSCRIBE_DATA_INVALID'],
      ['inbox', 'sent', null],
    ])
    expect(row?.history[0]?.reason).toContain('data.time2.value')
    expect(await inboxOf(p)).toHaveLength(1)
    expect(h.sim.requests(SEND).length).toBe(before)
    expect(await ledger(p)).toBe(1) // the credit was never taken
  })
})

describe('platform errors', () => {
  it.each([
    ['-1 (system busy)', { errcode: -1 }],
    ['HTTP 502', { status: 502 }],
    ['a timeout', { timeout: true, holdMs: 50 }],
  ])('%s: refund the credit, retry later with backoff, then deliver once', async (_n, kind) => {
    const p = await patient()
    await acceptTemplate(h, p, REMINDER)
    const m = reminder(p)
    await fault({ ...kind, times: 1 })
    await worker.port.enqueue([m])
    await worker.worker.dispatchDue()
    const waiting = await rowOf(h, m.dedupeKey)
    expect(waiting).toMatchObject({ status: 'pending', attempts: 1, channelIndex: 0 })
    expect(waiting!.nextAt.getTime()).toBeGreaterThan(h.clock.now().getTime())
    expect(await ledger(p)).toBe(1)
    h.clock.set(waiting!.nextAt)
    await worker.worker.dispatchDue()
    expect(await rowOf(h, m.dedupeKey)).toMatchObject({ status: 'sent', outcome: { channel: 'subscribe' } })
    expect(sentTo(p)).toHaveLength(1)
    expect(await ledger(p)).toBe(0)
  })

  it('43101 (refused, or no credit on WeChat’s side): ledger to 0, the inbox at once', async () => {
    const p = await patient()
    await acceptTemplate(h, p, REMINDER, 2)
    const m = reminder(p)
    await fault({ errcode: 43101, times: 1 })
    await worker.port.enqueue([m])
    await worker.worker.dispatchDue()
    expect(await rowOf(h, m.dedupeKey)).toMatchObject({ status: 'sent', outcome: { channel: 'inbox' } })
    expect((await rowOf(h, m.dedupeKey))!.history[0]).toMatchObject({ result: 'fallback', code: '43101' })
    expect(await ledger(p)).toBe(0)
  })

  it('40037 (template): permanent failure naming the field, credit given back', async () => {
    const p = await patient()
    await acceptTemplate(h, p, REMINDER)
    const m = reminder(p)
    await fault({ errcode: 40037, times: 1 })
    await worker.port.enqueue([m])
    await worker.worker.dispatchDue()
    expect(await rowOf(h, m.dedupeKey)).toMatchObject({
      status: 'failed',
      outcome: { channel: 'subscribe', code: '40037', field: 'template_id' },
    })
    expect(await ledger(p)).toBe(1)
  })

  it('dead-letters after the maximum attempts; staff retry it from the console and it goes out', async () => {
    const strict = pushWorkerFor(h, { owner: 'strict', push: { maxAttempts: 2 } })
    const p = await patient()
    await acceptTemplate(h, p, REMINDER)
    const m = reminder(p)
    await fault({ errcode: -1, times: 2 })
    await strict.port.enqueue([m])
    await strict.worker.dispatchDue()
    h.clock.set((await rowOf(h, m.dedupeKey))!.nextAt)
    await strict.worker.dispatchDue()
    const dead = await rowOf(h, m.dedupeKey)
    expect(dead).toMatchObject({ status: 'dead', attempts: 2, outcome: { code: '-1' } })
    expect(dead!.outcome!.reason).toMatch(/after 2 attempts/)

    await seedDemoStaff({ db: h.db, clock: h.clock })
    const login = await h.request('POST', '/api/v1/staff/auth/login', {
      body: { username: 'admin', password: DEMO_STAFF_PASSWORD },
    })
    const token = (login.body as { accessToken: string }).accessToken
    const r = await h.request('POST', `/api/v1/staff/push/outbox/${dead!._id.toHexString()}/retry`, { token })
    expect(r.status).toBe(200)
    expect(RetryOutboxResponse.parse(r.body).row).toMatchObject({ status: 'pending', attempts: 0 })
    await strict.worker.dispatchDue()
    expect(await rowOf(h, m.dedupeKey)).toMatchObject({ status: 'sent', outcome: { channel: 'subscribe' } })
    expect(sentTo(p)).toHaveLength(1)
    // a sent row is not sent again
    const again = await h.request('POST', `/api/v1/staff/push/outbox/${dead!._id.toHexString()}/retry`, {
      token,
    })
    expect(again.status).toBe(409)
    expect(ErrorBody.parse(again.body).error.code).toBe('PUSH_NOT_RETRYABLE')
  })
})

describe('rules at dispatch', () => {
  it('quiet hours delay (not drop) until 07:00; an account may set its own; urgent rows go at once', async () => {
    const p = await patient()
    const owl = await patient()
    const r = await h.request('PUT', '/api/v1/me/push-preferences', {
      token: owl.token,
      body: { quietHours: { start: '00:00', end: '00:00' } },
    })
    expect(r.status).toBe(200)
    const night = newDay('23:30')
    const [a, b, c] = [
      reminder(p, { channels: ['inbox'] }),
      reminder(owl, { channels: ['inbox'] }),
      reminder(p, { channels: ['inbox'], urgent: true }),
    ]
    await worker.port.enqueue([a, b, c])
    await worker.worker.dispatchDue()
    expect(await rowOf(h, a.dedupeKey)).toMatchObject({
      status: 'pending',
      nextAt: new Date(night.getTime() + 7.5 * 3_600_000),
      history: [expect.objectContaining({ result: 'delayed', code: 'QUIET_HOURS' })],
    })
    expect((await rowOf(h, b.dedupeKey))!.status).toBe('sent')
    expect((await rowOf(h, c.dedupeKey))!.status).toBe('sent')
    h.clock.advance(7 * 3_600_000)
    await worker.worker.dispatchDue()
    expect((await rowOf(h, a.dedupeKey))!.status).toBe('pending')
    h.clock.advance(30 * 60_000)
    await worker.worker.dispatchDue()
    expect((await rowOf(h, a.dedupeKey))!.status).toBe('sent')
  })

  it('one frequency cap across channels; care and marketing counted apart; marketing that would expire is skipped', async () => {
    const capped = pushWorkerFor(h, { owner: 'capped', push: { capPerDay: { care: 2, marketing: 1 } } })
    const p = await patient({ marketing: true })
    await acceptTemplate(h, p, REMINDER)
    const care = [reminder(p), reminder(p), reminder(p)]
    const mk = (expiresAt?: Date): PushMessage =>
      reminder(p, {
        purpose: 'marketing',
        channels: ['inbox'],
        expiresAt,
        content: { title: '义诊活动', body: '本周六义诊' },
      })
    const marketing = [
      mk(),
      mk(shanghai(`${new Date(day + 8 * 3_600_000).toISOString().slice(0, 10)}T20:00`)),
    ]
    await capped.port.enqueue([...care, ...marketing])
    await capped.worker.dispatchDue()
    const rows = await Promise.all([...care, ...marketing].map((m) => rowOf(h, m.dedupeKey)))
    expect(rows.map((r) => [r!.status, r!.outcome?.channel ?? null, r!.outcome?.code ?? null])).toEqual([
      ['sent', 'subscribe', null],
      ['sent', 'inbox', null],
      ['pending', null, null],
      ['sent', 'inbox', null],
      ['skipped', null, 'FREQUENCY_CAP'],
    ])
    // the capped care message waits for tomorrow's first minute outside quiet hours
    expect(rows[2]!.nextAt).toEqual(new Date(h.clock.now().getTime() + 21 * 3_600_000))
    expect(rows[2]!.history.at(-1)).toMatchObject({ result: 'delayed', code: 'FREQUENCY_CAP' })
  })

  it('consent withdrawn: skipped with NO_CONSENT, nothing sent anywhere', async () => {
    const p = await patient()
    await acceptTemplate(h, p, REMINDER)
    const policy = (await h.request('GET', '/api/v1/privacy-policy')).body as { version: string }
    const w = await h.request('POST', '/api/v1/me/consents', {
      token: p.token,
      body: { purpose: 'care', granted: false, policyVersion: policy.version },
    })
    expect(w.status).toBe(200)
    const m = reminder(p)
    await worker.port.enqueue([m])
    await worker.worker.dispatchDue()
    expect(await rowOf(h, m.dedupeKey)).toMatchObject({ status: 'skipped', outcome: { code: 'NO_CONSENT' } })
    expect(sentTo(p)).toHaveLength(0)
    expect(await inboxOf(p)).toHaveLength(0)
    expect(await ledger(p)).toBe(1)
  })
})

describe('recovery', () => {
  it('a worker dies after claiming: another reclaims after the lease and WeChat gets exactly one message', async () => {
    const a = pushWorkerFor(h, { owner: 'dies' })
    const b = pushWorkerFor(h, { owner: 'survives' })
    const p = await patient()
    await acceptTemplate(h, p, REMINDER)
    const m = reminder(p)
    await a.port.enqueue([m])
    expect(await a.worker.claimBatch()).toHaveLength(1)
    expect((await b.worker.dispatchDue()).claimed).toBe(0)
    h.clock.advance(61_000)
    await b.worker.dispatchDue()
    expect(await rowOf(h, m.dedupeKey)).toMatchObject({ status: 'sent', outcome: { channel: 'subscribe' } })
    expect(sentTo(p)).toHaveLength(1)
    // the same message enqueued again (a retried domain operation) changes nothing
    expect(await b.port.enqueue([m])).toEqual({ created: 0 })
    await b.worker.dispatchDue()
    expect(sentTo(p)).toHaveLength(1)
  })
})

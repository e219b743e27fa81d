import {
  ErrorBody,
  InboxResponse,
  OutboxListResponse,
  PushPreferences,
  PushStatsResponse,
  SubscriptionsResponse,
  UnreadCountResponse,
} from '@careloop/shared'
import { Types } from 'mongoose'
import { useStaffHarness } from '../../../../tests/src/harness/server-harness'
import {
  consentedPatient,
  pushWorkerFor,
  shanghai,
  type TestPatient,
} from '../../../../tests/src/harness/push-kit'
import { auditModel } from '../audit/audit.model'
import { patientModel } from '../patients/patient.model'
import type { PushModule } from './push.module'
import type { PushMessage } from './push.port'

/**
 * The push engine's HTTP side: the patient's message centre (only ever the calling account's
 * messages), quiet-hour preferences and subscribe decisions; the staff console's outbox list,
 * statistics and retry, with role checks.
 */
const h = useStaffHarness()
let worker: PushModule
let alice: TestPatient
let bob: TestPatient
let mother = ''
const staff: Record<string, string> = {}
let seq = 0

const code = (body: unknown): string => ErrorBody.parse(body).error.code
const note = (patientId: string, purpose: 'care' | 'marketing' = 'care'): PushMessage => ({
  dedupeKey: `route-${++seq}`,
  purpose,
  dueAt: h.clock.now(),
  patientId,
  channels: ['inbox'],
  content: { title: `通知 ${seq}`, body: `正文 ${seq}`, page: 'pages/index/index' },
  source: { kind: 'test', id: String(seq) },
})

beforeAll(async () => {
  h.clock.set(shanghai('2030-05-01T10:00'))
  worker = pushWorkerFor(h)
  alice = await consentedPatient(h, 'inbox-alice', { marketing: true })
  bob = await consentedPatient(h, 'inbox-bob')
  // a family profile Alice manages, with consent given by her as proxy
  const created = await h.request('POST', '/api/v1/profiles', {
    token: alice.token,
    body: { name: '母亲', relation: 'parent', proxyConsent: true },
  })
  expect(created.status).toBe(201)
  mother = (created.body as { profiles: { id: string; relation: string }[] }).profiles.find(
    (x) => x.relation === 'parent',
  )!.id
  await patientModel(h.db).updateOne(
    { _id: mother },
    { $set: { consents: (await patientModel(h.db).findById(alice.patientId).lean())!.consents } },
  )
  // one at a time, so the inbox order is known (a batch delivers to different patients in parallel)
  for (const m of [
    note(alice.patientId),
    note(alice.patientId, 'marketing'),
    note(mother),
    note(bob.patientId),
  ]) {
    await worker.port.enqueue([m])
    await worker.worker.dispatchDue()
  }
  await h.seedStaff()
  for (const u of ['admin', 'headnurse.wang', 'marketing.zhao', 'nurse.li'])
    staff[u] = (await h.staffLogin(u)).accessToken
})

describe('the message centre', () => {
  it('lists the account’s messages across its profiles, newest first, with the unread count', async () => {
    const r = await h.request('GET', '/api/v1/me/inbox', { token: alice.token })
    expect(r.status).toBe(200)
    const inbox = InboxResponse.parse(r.body)
    expect(inbox.messages.map((m) => m.title)).toEqual(['通知 3', '通知 2', '通知 1'])
    expect(inbox.unread).toBe(3)
    expect(inbox.messages[0]).toMatchObject({ patientId: mother, page: 'pages/index/index', readAt: null })
    const mine = InboxResponse.parse(
      (await h.request('GET', `/api/v1/me/inbox?patientId=${mother}`, { token: alice.token })).body,
    )
    expect(mine.messages.map((m) => m.title)).toEqual(['通知 3'])
    const page = InboxResponse.parse(
      (await h.request('GET', '/api/v1/me/inbox?limit=2', { token: alice.token })).body,
    )
    expect(page.messages).toHaveLength(2)
    const rest = InboxResponse.parse(
      (await h.request('GET', `/api/v1/me/inbox?limit=2&cursor=${page.nextCursor!}`, { token: alice.token }))
        .body,
    )
    expect(rest.messages.map((m) => m.title)).toEqual(['通知 1'])
  })

  it('never shows or marks another account’s messages', async () => {
    const theirs = InboxResponse.parse(
      (await h.request('GET', '/api/v1/me/inbox', { token: bob.token })).body,
    )
    expect(theirs.messages.map((m) => m.title)).toEqual(['通知 4'])
    const bobs = theirs.messages[0]!.id
    const other = await h.request('GET', `/api/v1/me/inbox?patientId=${bob.patientId}`, {
      token: alice.token,
    })
    expect(InboxResponse.parse(other.body).messages).toEqual([])
    const mark = await h.request('POST', `/api/v1/me/inbox/${bobs}/read`, { token: alice.token })
    expect(mark.status).toBe(404)
    expect(code(mark.body)).toBe('INBOX_MESSAGE_NOT_FOUND')
    expect(
      UnreadCountResponse.parse(
        (await h.request('GET', '/api/v1/me/inbox/unread-count', { token: bob.token })).body,
      ),
    ).toEqual({
      unread: 1,
    })
  })

  it('marks one read (idempotently) and then all', async () => {
    const list = InboxResponse.parse(
      (await h.request('GET', '/api/v1/me/inbox', { token: alice.token })).body,
    )
    const id = list.messages[1]!.id
    for (let i = 0; i < 2; i++) {
      const r = await h.request('POST', `/api/v1/me/inbox/${id}/read`, { token: alice.token })
      expect(UnreadCountResponse.parse(r.body)).toEqual({ unread: 2 })
    }
    const all = await h.request('POST', '/api/v1/me/inbox/read-all', { token: alice.token })
    expect(UnreadCountResponse.parse(all.body)).toEqual({ unread: 0 })
    expect(
      UnreadCountResponse.parse(
        (await h.request('GET', '/api/v1/me/inbox/unread-count', { token: bob.token })).body,
      ),
    ).toEqual({
      unread: 1,
    })
  })
})

describe('preferences and subscriptions', () => {
  it('quiet hours: the hospital default until the account sets its own; null goes back', async () => {
    const get = async () =>
      PushPreferences.parse(
        (await h.request('GET', '/api/v1/me/push-preferences', { token: bob.token })).body,
      )
    expect(await get()).toEqual({ quietHours: null, defaultQuietHours: { start: '22:00', end: '07:00' } })
    const set = await h.request('PUT', '/api/v1/me/push-preferences', {
      token: bob.token,
      body: { quietHours: { start: '21:00', end: '08:30' } },
    })
    expect(PushPreferences.parse(set.body).quietHours).toEqual({ start: '21:00', end: '08:30' })
    expect((await get()).quietHours).toEqual({ start: '21:00', end: '08:30' })
    await h.request('PUT', '/api/v1/me/push-preferences', { token: bob.token, body: { quietHours: null } })
    expect((await get()).quietHours).toBeNull()
    const bad = await h.request('PUT', '/api/v1/me/push-preferences', {
      token: bob.token,
      body: { quietHours: { start: '25:00', end: '07:00' } },
    })
    expect(bad.status).toBe(400)
  })

  it('records decisions: one credit per accept; long-term accept/reject; a repeated requestId counts once', async () => {
    const post = (results: Record<string, string>, requestId?: string) =>
      h.request('POST', '/api/v1/me/subscriptions', {
        token: bob.token,
        body: { results, scene: 'enrol', ...(requestId ? { requestId } : {}) },
      })
    await post({ 'tmpl-followup-reminder': 'accept', 'tmpl-questionnaire-due': 'reject' })
    await post({ 'tmpl-followup-reminder': 'accept' }, 'req-0001-abc')
    const again = await post({ 'tmpl-followup-reminder': 'accept' }, 'req-0001-abc')
    expect(again.status).toBe(200)
    const view = SubscriptionsResponse.parse((await post({ 'tmpl-health-notice': 'accept' })).body)
    expect(view.subscriptions).toEqual([
      {
        kind: 'followup_reminder',
        templateId: 'tmpl-followup-reminder',
        longTerm: false,
        credits: 2,
        subscribed: true,
      },
      {
        kind: 'questionnaire_due',
        templateId: 'tmpl-questionnaire-due',
        longTerm: false,
        credits: 0,
        subscribed: false,
      },
      {
        kind: 'health_notice',
        templateId: 'tmpl-health-notice',
        longTerm: true,
        credits: 0,
        subscribed: true,
      },
    ])
    await post({ 'tmpl-health-notice': 'reject' })
    const listed = SubscriptionsResponse.parse(
      (await h.request('GET', '/api/v1/me/subscriptions', { token: bob.token })).body,
    )
    expect(listed.subscriptions[2]!.subscribed).toBe(false)
  })

  it('an unknown template id is refused with SUBSCRIBE_TEMPLATE_UNKNOWN and nothing is recorded', async () => {
    const r = await h.request('POST', '/api/v1/me/subscriptions', {
      token: alice.token,
      body: { results: { 'tmpl-followup-reminder': 'accept', 'tmpl-nope': 'accept' }, scene: 'enrol' },
    })
    expect(r.status).toBe(400)
    expect(code(r.body)).toBe('SUBSCRIBE_TEMPLATE_UNKNOWN')
    const view = SubscriptionsResponse.parse(
      (await h.request('GET', '/api/v1/me/subscriptions', { token: alice.token })).body,
    )
    expect(view.subscriptions[0]!.credits).toBe(0)
  })

  it('client config names the templates the mini-program asks for', async () => {
    const r = await h.request('GET', '/api/v1/client-config')
    expect((r.body as { subscribeTemplates: unknown }).subscribeTemplates).toEqual({
      followup_reminder: { templateId: 'tmpl-followup-reminder', longTerm: false },
      questionnaire_due: { templateId: 'tmpl-questionnaire-due', longTerm: false },
      health_notice: { templateId: 'tmpl-health-notice', longTerm: true },
    })
  })
})

describe('the outbox console', () => {
  it('admins and head nurses see rows with content and history; marketers only marketing rows, no bodies', async () => {
    const admin = OutboxListResponse.parse(
      (await h.request('GET', '/api/v1/staff/push/outbox', { token: staff.admin })).body,
    )
    expect(admin.rows).toHaveLength(4)
    expect(admin.rows[0]).toMatchObject({
      status: 'sent',
      content: { title: '通知 4' },
      outcome: { channel: 'inbox' },
      history: [expect.objectContaining({ result: 'sent', channel: 'inbox' })],
    })
    const market = OutboxListResponse.parse(
      (await h.request('GET', '/api/v1/staff/push/outbox', { token: staff['marketing.zhao'] })).body,
    )
    expect(market.rows.map((r) => [r.purpose, r.content])).toEqual([['marketing', null]])
    const filtered = OutboxListResponse.parse(
      (
        await h.request('GET', '/api/v1/staff/push/outbox?status=sent&channel=inbox&purpose=care&limit=2', {
          token: staff['headnurse.wang'],
        })
      ).body,
    )
    expect(filtered.rows).toHaveLength(2)
    expect(filtered.nextCursor).toBe(filtered.rows[1]!.id)
    expect(await auditModel(h.db).countDocuments({ action: 'push.outbox.list' })).toBeGreaterThanOrEqual(3)
    const nurse = await h.request('GET', '/api/v1/staff/push/outbox', { token: staff['nurse.li'] })
    expect(nurse.status).toBe(403)
  })

  it('stats count the last 24 hours by status and channel', async () => {
    const r = await h.request('GET', '/api/v1/staff/push/stats', { token: staff.admin })
    const s = PushStatsResponse.parse(r.body)
    expect(s).toMatchObject({ byStatus: { sent: 4 }, sentByChannel: { inbox: 4 }, deadTotal: 0, backlog: 0 })
  })

  it('retry: unknown row 404; a sent row 409', async () => {
    const missing = await h.request(
      'POST',
      `/api/v1/staff/push/outbox/${new Types.ObjectId().toHexString()}/retry`,
      {
        token: staff.admin,
      },
    )
    expect([missing.status, code(missing.body)]).toEqual([404, 'PUSH_MESSAGE_NOT_FOUND'])
    const list = OutboxListResponse.parse(
      (await h.request('GET', '/api/v1/staff/push/outbox', { token: staff.admin })).body,
    )
    const sent = await h.request('POST', `/api/v1/staff/push/outbox/${list.rows[0]!.id}/retry`, {
      token: staff.admin,
    })
    expect([sent.status, code(sent.body)]).toEqual([409, 'PUSH_NOT_RETRYABLE'])
  })
})

describe('erasure', () => {
  it('erasing a profile removes its inbox messages', async () => {
    const r = await h.request('DELETE', `/api/v1/profiles/${mother}`, { token: alice.token })
    expect(r.status).toBeLessThan(300)
    const inbox = InboxResponse.parse(
      (await h.request('GET', '/api/v1/me/inbox', { token: alice.token })).body,
    )
    expect(inbox.messages.map((m) => m.patientId)).not.toContain(mother)
  })
})

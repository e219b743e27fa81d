import { outboxModel, type OutboxDoc } from '../../server/src/modules/push/outbox.model'
import type { PushMessage } from '../../server/src/modules/push/push.port'
import { subscribeCreditModel } from '../../server/src/modules/push/subscribe-credit.model'
import { staffModel } from '../../server/src/modules/staff/staff.model'
import {
  acceptTemplate,
  consentedPatient,
  pushWorkerFor,
  shanghai,
  simHook,
  type TestPatient,
} from '../src/harness/push-kit'
import { useStaffHarness } from '../src/harness/server-harness'

/**
 * Drill (issue 5): 2,000 rows, half subscribe messages to patients who hold the credits, half WeCom
 * app messages to nurses, while both send routes fail 10 % of the calls (timeouts, HTTP 502, 40001,
 * 45009, in turn, from a seeded PRNG). One in-process worker (wired like main.ts by the push kit)
 * dispatches until no row is open; the harness's ManualClock jumps to the next row's `nextAt` (at
 * least 30 s) between rounds, so backoffs cost no real time (only the client's 5 s timeouts do). Then:
 * - every row is `sent` and at the simulator exactly once, or `dead`/`failed` with a code and a
 *   reason and not at the simulator at all: nothing is lost silently, nothing doubled;
 * - the subscribe-credit ledger equals WeChat's own counter for every patient (a faulted send gives
 *   its credit back, a delivered one spends it once).
 * PUSH_MAX_ATTEMPTS=2 makes a row that fails twice dead, so the dead-letter path is exercised too.
 */

const SEND_WECHAT = '/cgi-bin/message/subscribe/send'
const SEND_WECOM = '/cgi-bin/message/send'
const REMINDER = 'tmpl-followup-reminder'
const PATIENTS = 100
const PER_PATIENT = 10
const NURSES = 250
const PER_NURSE = 4
const FAULT_KINDS = [{ timeout: true }, { status: 502 }, { errcode: 40001 }, { errcode: 45009 }]

const h = useStaffHarness({
  env: {
    PUSH_QUIET_HOURS: 'off',
    PUSH_CAP_CARE_PER_DAY: '100',
    PUSH_MAX_ATTEMPTS: '2',
    PUSH_BATCH_SIZE: '1000',
    PUSH_CONCURRENCY: '128',
  },
})

let patients: TestPatient[] = []
let staffIds: string[] = []

beforeAll(async () => {
  h.clock.set(shanghai('2030-04-01T10:00'))
  for (let i = 0; i < PATIENTS; i++) {
    const p = await consentedPatient(h, `fault-drill-${i}`)
    await acceptTemplate(h, p, REMINDER, PER_PATIENT)
    patients.push(p)
  }
  const userids = Array.from({ length: NURSES }, (_, i) => `FaultNurse${String(i).padStart(4, '0')}`)
  await simHook(h.wecom.url, '/_sim/wecom/seed', { members: userids })
  const docs = await staffModel(h.db).insertMany(
    userids.map((u, i) => ({
      username: `fault.nurse.${i}`,
      name: `演练护士${i}`,
      role: 'nurse',
      passwordHash: 'x',
      wecomUserId: u,
      active: true,
    })),
  )
  staffIds = docs.map((d) => d._id.toHexString())
}, 90_000)

afterAll(() => {
  patients = []
})

/** What identifies a row's message at the simulator: the subscribe note, or the app message text. */
const noteOf = (i: number): string => `演练提醒${i}`
const textOf = (i: number): string => `【演练】护士提醒 #${i}`

describe('push engine under platform faults', () => {
  it('delivers every row once or dead-letters it with a reason; credits agree with WeChat', async () => {
    const now = h.clock.now()
    const subscribeRows: PushMessage[] = patients.flatMap((p, pi) =>
      Array.from({ length: PER_PATIENT }, (_, k) => {
        const i = pi * PER_PATIENT + k
        return {
          dedupeKey: `drill-fault-s-${i}`,
          purpose: 'care' as const,
          dueAt: now,
          patientId: p.patientId,
          channels: ['subscribe' as const],
          content: {
            title: '随访提醒',
            body: '请按时复诊',
            page: 'pages/index/index',
            subscribe: {
              kind: 'followup_reminder' as const,
              fields: { time: '2030-04-02 09:00', note: noteOf(i) },
            },
          },
          source: { kind: 'drill', id: `s-${i}` },
        }
      }),
    )
    const wecomRows: PushMessage[] = Array.from({ length: NURSES * PER_NURSE }, (_, i) => ({
      dedupeKey: `drill-fault-w-${i}`,
      purpose: 'staff',
      dueAt: now,
      staffId: staffIds[i % NURSES]!,
      channels: ['wecom-app'],
      urgent: true,
      content: { title: '【演练】护士提醒', body: textOf(i) },
      source: { kind: 'drill', id: `w-${i}` },
    }))
    const all = [...subscribeRows, ...wecomRows]
    const push = pushWorkerFor(h)
    for (let i = 0; i < all.length; i += 1000) await push.port.enqueue(all.slice(i, i + 1000))

    for (const [base, route] of [
      [h.sim.url, SEND_WECHAT],
      [h.wecom.url, SEND_WECOM],
    ] as const)
      await simHook(base, '/_sim/faults', {
        route,
        rate: 0.1,
        kinds: FAULT_KINDS,
        seed: 20300401,
        holdMs: 6000,
      })

    // dispatch until nothing is open; between rounds the clock jumps to the next row's time (or 30 s)
    const Outbox = outboxModel(h.db)
    let rounds = 0
    for (; rounds < 100; rounds++) {
      await push.worker.dispatchDue()
      const next = await Outbox.findOne(
        { status: { $in: ['pending', 'sending'] } },
        { status: 1, nextAt: 1, leaseUntil: 1 },
      )
        .sort({ nextAt: 1 })
        .lean()
      if (!next) break
      // at least 30 s on: retries are jittered, so rows come due a few at a time otherwise
      const at = next.status === 'sending' ? next.leaseUntil! : next.nextAt
      h.clock.set(new Date(Math.max(at.getTime() + 1, h.clock.now().getTime() + 30_000)))
    }
    const hits = await Promise.all(
      [h.sim.url, h.wecom.url].map(async (base) => {
        const r = await fetch(`${base}/_sim/faults`)
        return ((await r.json()) as { hits: Record<string, Record<string, number>> }).hits
      }),
    )
    await Promise.all([h.sim.url, h.wecom.url].map((base) => simHook(base, '/_sim/faults/clear', {})))

    // nothing open, nothing silently lost
    const rows = await Outbox.find({ 'source.kind': 'drill' }).lean<OutboxDoc[]>()
    expect(rows).toHaveLength(all.length)
    const byStatus = (s: string) => rows.filter((r) => r.status === s)
    expect(rows.filter((r) => !['sent', 'dead', 'failed'].includes(r.status))).toEqual([])
    for (const r of [...byStatus('dead'), ...byStatus('failed')]) {
      expect(r.outcome?.code).toEqual(expect.any(String))
      expect(r.outcome?.reason).toEqual(expect.stringMatching(/\S/))
    }

    // sent rows are at the simulator exactly once; the others not at all
    const subscribeCopies = new Map<string, number>()
    for (const m of h.sim.subscriptions.messages) {
      const note = m.data.thing3?.value ?? ''
      subscribeCopies.set(note, (subscribeCopies.get(note) ?? 0) + 1)
    }
    const appCopies = new Map<string, number>()
    for (const m of h.wecom.state.appMessages) {
      const text = (m.content as { content: string }).content
      appCopies.set(text, (appCopies.get(text) ?? 0) + 1)
    }
    const status = new Map(rows.map((r) => [r.dedupeKey, r.status]))
    const wrong: string[] = []
    subscribeRows.forEach((r, i) => {
      const want = status.get(r.dedupeKey) === 'sent' ? 1 : 0
      if ((subscribeCopies.get(noteOf(i)) ?? 0) !== want) wrong.push(r.dedupeKey)
    })
    wecomRows.forEach((r, i) => {
      const want = status.get(r.dedupeKey) === 'sent' ? 1 : 0
      if ((appCopies.get(textOf(i)) ?? 0) !== want) wrong.push(r.dedupeKey)
    })
    expect(wrong).toEqual([])
    expect(h.sim.subscriptions.messages.length + h.wecom.state.appMessages.length).toBe(
      byStatus('sent').length,
    )
    expect(h.wecom.state.dropped).toEqual([])
    expect(h.wecom.state.duplicates).toEqual([])

    // the ledger agrees with WeChat's own counter, patient by patient
    const ledger = new Map(
      (await subscribeCreditModel(h.db).find({ templateId: REMINDER }).lean()).map((c) => [
        c.openid,
        c.credits,
      ]),
    )
    const mismatched = patients.filter((p) => {
      const wechat = h.sim.subscriptions.creditsOf(p.openid).find((c) => c.template_id === REMINDER)
      return ledger.get(p.openid) !== wechat?.credits
    })
    expect(mismatched).toEqual([])
    const spent = PATIENTS * PER_PATIENT - [...ledger.values()].reduce((a, b) => a + b, 0)
    expect(spent).toBe(h.sim.subscriptions.messages.length)

    // the faults really happened, of every kind, on both routes; and the dead-letter path was used
    for (const [k, route] of [
      [0, SEND_WECHAT],
      [1, SEND_WECOM],
    ] as const)
      expect(Object.keys(hits[k]![route] ?? {}).sort()).toEqual(
        ['errcode:40001', 'errcode:45009', 'status:502', 'timeout'].sort(),
      )
    expect(byStatus('dead').length).toBeGreaterThan(0)

    const codes = new Map<string, number>()
    for (const r of [...byStatus('dead'), ...byStatus('failed')])
      codes.set(`${r.status} ${r.outcome!.code}`, (codes.get(`${r.status} ${r.outcome!.code}`) ?? 0) + 1)
    process.stdout.write(
      `push-faults drill: ${all.length} rows in ${rounds + 1} rounds; sent ${byStatus('sent').length}, ` +
        `dead ${byStatus('dead').length}, failed ${byStatus('failed').length} ` +
        `(${[...codes].map(([c, n]) => `${c}: ${n}`).join(', ')}); faults ${JSON.stringify(hits)}\n`,
    )
  }, 110_000)
})

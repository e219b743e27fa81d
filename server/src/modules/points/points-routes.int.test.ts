import {
  AdjustPointsResponse,
  CheckinResponse,
  ErrorBody,
  MyPointsResponse,
  PointsLedgerResponse,
  PointsLiabilityResponse,
  PointsRule,
  PointsRulesResponse,
  PointsTiersResponse,
  PointsWaysResponse,
  StaffPatientPointsResponse,
} from '@careloop/shared'
import { Types } from 'mongoose'
import { satisfactionSurvey } from '../../../../tests/src/harness/questionnaire-fixture'
import { consentingPatient } from '../../../../tests/src/harness/module-app'
import { useStaffHarness } from '../../../../tests/src/harness/server-harness'
import { auditModel } from '../audit/audit.model'
import { DEFAULT_TIERS } from './points-rules'

/** The points API through the real app: check-in, history, ways, hooks, staff rules/tiers/adjust/liability. */
const h = useStaffHarness()
const staff = {} as Record<'admin' | 'head' | 'nurse' | 'marketer', string>
let a = { token: '', patientId: '', familyId: null as string | null }
let b = { token: '', patientId: '' }
let seq = 0

const codeOf = (body: unknown): string => ErrorBody.parse(body).error.code
const pathsOf = (body: unknown): string[] =>
  (ErrorBody.parse(body).error.details as { path: string }[]).map((d) => d.path)
const ok = <T>(schema: { parse(v: unknown): T }, r: { status: number; body: unknown }, status = 200): T => {
  if (r.status !== status) throw new Error(`${r.status} ${JSON.stringify(r.body)}`)
  return schema.parse(r.body)
}
const me = async (token = a.token, patientId?: string) =>
  ok(
    MyPointsResponse,
    await h.request('GET', `/api/v1/me/points${patientId ? `?patientId=${patientId}` : ''}`, { token }),
  )

/** Fresh tokens after the clock moved past their lifetime. */
const login = async (): Promise<void> => {
  staff.admin = (await h.staffLogin('admin')).accessToken
  staff.head = (await h.staffLogin('headnurse.wang')).accessToken
  staff.nurse = (await h.staffLogin('nurse.li')).accessToken
  staff.marketer = (await h.staffLogin('marketing.zhao')).accessToken
  if (a.token) a.token = (await h.login('points-a')).accessToken
  if (b.token) b.token = (await h.login('points-b')).accessToken
}

beforeAll(async () => {
  h.clock.set(new Date('2026-05-03T02:00:00Z'))
  await h.seedStaff()
  await login()
  a = await consentingPatient(h, 'points-a', { family: '母亲' })
  b = await consentingPatient(h, 'points-b')
})

describe('patients', () => {
  it('checks in once per hospital day with a streak', async () => {
    const first = ok(
      CheckinResponse,
      await h.request('POST', '/api/v1/me/points/checkin', { token: a.token, body: {} }),
    )
    expect(first).toEqual({ already: false, awarded: 5, balance: 5, streakDays: 1, limitedBy: null })
    const again = ok(
      CheckinResponse,
      await h.request('POST', '/api/v1/me/points/checkin', { token: a.token, body: {} }),
    )
    expect(again).toMatchObject({ already: true, balance: 5, streakDays: 1 })
    h.clock.advance(86_400_000)
    await login()
    const next = ok(
      CheckinResponse,
      await h.request('POST', '/api/v1/me/points/checkin', { token: a.token, body: {} }),
    )
    expect(next).toMatchObject({ already: false, balance: 10, streakDays: 2 })
    const summary = await me()
    expect(summary).toMatchObject({
      patientId: a.patientId,
      balance: 10,
      earned12m: 10,
      tier: { id: 'standard', source: 'points', multiplier: 1 },
      nextTier: { id: 'silver', threshold: 1000, remaining: 990 },
      checkin: { today: true, streakDays: 2 },
      expiring: { points: 0, withinDays: 30, firstDate: null },
    })
  })

  it('earns for a logged reading and a completed questionnaire (hooks, idempotent by their ids)', async () => {
    const reading = {
      patientId: a.patientId,
      requestId: 'points-reading-1',
      kind: 'bp',
      systolic: 120,
      diastolic: 80,
      measuredAt: new Date(h.clock.now().getTime() - 60_000).toISOString(),
    }
    expect((await h.request('POST', '/api/v1/me/readings', { token: a.token, body: reading })).status).toBe(
      201,
    )
    expect((await h.request('POST', '/api/v1/me/readings', { token: a.token, body: reading })).status).toBe(
      201,
    )
    const created = await h.request('POST', '/api/v1/staff/questionnaires', {
      token: staff.admin,
      body: satisfactionSurvey(),
    })
    const qid = (created.body as { id: string }).id
    await h.request('POST', `/api/v1/staff/questionnaires/${qid}/publish`, { token: staff.admin })
    const answer = await h.request('POST', `/api/v1/me/questionnaires/${qid}/answers`, {
      token: a.token,
      body: {
        patientId: a.patientId,
        requestId: 'points-answer-1',
        answers: { nursing: 5, environment: 4, recommend: 'yes' },
      },
    })
    expect(answer.status).toBe(201)
    expect((await me()).balance).toBe(10 + 2 + 20)
    const ledger = ok(
      PointsLedgerResponse,
      await h.request('GET', '/api/v1/me/points/ledger', { token: a.token }),
    )
    expect(ledger.entries.map((e) => [e.title, e.amount])).toEqual([
      ['完成问卷', 20],
      ['记录健康数据', 2],
      ['每日签到', 5],
      ['每日签到', 5],
    ])
    expect(ledger.entries[0]!.balanceAfter).toBe(32)
  })

  it('pages the history with a cursor', async () => {
    const first = ok(
      PointsLedgerResponse,
      await h.request('GET', '/api/v1/me/points/ledger?limit=3', { token: a.token }),
    )
    expect(first.entries).toHaveLength(3)
    const rest = ok(
      PointsLedgerResponse,
      await h.request('GET', `/api/v1/me/points/ledger?limit=3&cursor=${first.nextCursor}`, {
        token: a.token,
      }),
    )
    expect(rest).toMatchObject({ nextCursor: null, entries: [{ title: '每日签到', amount: 5 }] })
  })

  it("shows ways to earn with today's progress against the caps", async () => {
    const ways = ok(PointsWaysResponse, await h.request('GET', '/api/v1/me/points/ways', { token: a.token }))
    expect(ways.multiplier).toBe(1)
    expect(ways.ways.find((w) => w.rule === 'checkin')).toMatchObject({ points: 5, today: 5, capped: true })
    expect(ways.ways.find((w) => w.rule === 'reading')).toMatchObject({
      today: 2,
      thisMonth: 2,
      dailyCap: 6,
      capped: false,
    })
    expect(ways.ways.map((w) => w.rule)).not.toContain('drug_purchase')
  })

  it("keeps each profile's points apart: a family profile has its own, another account's is not found", async () => {
    expect((await me(a.token, a.familyId!)).balance).toBe(0)
    const r = await h.request('GET', `/api/v1/me/points/ledger?patientId=${b.patientId}`, { token: a.token })
    expect([r.status, codeOf(r.body)]).toEqual([404, 'PROFILE_NOT_FOUND'])
    const c = await h.request('POST', '/api/v1/me/points/checkin', {
      token: a.token,
      body: { patientId: b.patientId },
    })
    expect([c.status, codeOf(c.body)]).toEqual([404, 'PROFILE_NOT_FOUND'])
    expect((await me(b.token)).balance).toBe(0)
    const bLedger = ok(
      PointsLedgerResponse,
      await h.request('GET', '/api/v1/me/points/ledger', { token: b.token }),
    )
    expect(bLedger.entries).toEqual([])
  })
})

describe('staff', () => {
  it('lists and changes earn rules (marketer), checking the caps together', async () => {
    const rules = ok(
      PointsRulesResponse,
      await h.request('GET', '/api/v1/staff/points/rules', { token: staff.marketer }),
    )
    expect(rules.rules.map((r) => r.rule)).toEqual([
      'checkin',
      'questionnaire',
      'content_read',
      'lecture',
      'reading',
      'membership',
    ])
    const bad = await h.request('PUT', '/api/v1/staff/points/rules/reading', {
      token: staff.marketer,
      body: { monthlyCap: 2 },
    })
    expect([bad.status, codeOf(bad.body), pathsOf(bad.body)]).toEqual([
      400,
      'POINTS_RULE_INVALID',
      ['monthlyCap'],
    ])
    const changed = ok(
      PointsRule,
      await h.request('PUT', '/api/v1/staff/points/rules/content_read', {
        token: staff.marketer,
        body: { points: 3, dailyCap: null },
      }),
    )
    expect(changed).toMatchObject({
      rule: 'content_read',
      points: 3,
      dailyCap: null,
      monthlyCap: null,
      enabled: true,
    })
    expect(await auditModel(h.db).countDocuments({ action: 'points.rule_update' })).toBe(1)
    const nurse = await h.request('PUT', '/api/v1/staff/points/rules/content_read', {
      token: staff.nurse,
      body: { points: 1 },
    })
    expect(nurse.status).toBe(403)
  })

  it('replaces the tier definitions (admin), refusing thresholds out of order', async () => {
    const tiers = DEFAULT_TIERS.map((t) => ({ ...t }))
    tiers[2]!.threshold = 500
    const bad = await h.request('PUT', '/api/v1/staff/points/tiers', { token: staff.admin, body: { tiers } })
    expect([bad.status, codeOf(bad.body), pathsOf(bad.body)]).toEqual([
      400,
      'VALIDATION_FAILED',
      ['tiers.2.threshold'],
    ])
    tiers[2]!.threshold = 3000
    tiers[1]!.benefits = ['积分 1.1 倍', '生日礼']
    const saved = ok(
      PointsTiersResponse,
      await h.request('PUT', '/api/v1/staff/points/tiers', { token: staff.admin, body: { tiers } }),
    )
    expect(saved.tiers[1]!.benefits).toEqual(['积分 1.1 倍', '生日礼'])
    expect((await h.request('GET', '/api/v1/staff/points/tiers', { token: staff.marketer })).status).toBe(403)
  })

  it("adjusts a patient's points with a reason, audited, idempotent, never below zero", async () => {
    const adjust = (body: Record<string, unknown>, token = staff.head, id = a.patientId) =>
      h.request('POST', `/api/v1/staff/points/patients/${id}/adjust`, { token, body })
    const body = { amount: 100, reason: '线下活动补发', requestId: `adjust-${++seq}-x` }
    const r1 = ok(AdjustPointsResponse, await adjust(body))
    expect(r1).toMatchObject({
      duplicate: false,
      balance: 132,
      entry: { kind: 'adjust', amount: 100, reason: '线下活动补发' },
    })
    expect(r1.entry.actor?.role).toBe('head_nurse')
    expect(ok(AdjustPointsResponse, await adjust(body))).toMatchObject({ duplicate: true, balance: 132 })
    const audits = await auditModel(h.db).find({ action: 'points.adjust' }).lean()
    expect(audits).toHaveLength(1)
    expect(audits[0]!.detail).toMatchObject({ amount: 100, reason: '线下活动补发' })
    expect(audits[0]!.patientId?.toHexString()).toBe(a.patientId)
    const tooMuch = await adjust({ amount: -1000, reason: '扣回', requestId: 'adjust-too-much' })
    expect([tooMuch.status, codeOf(tooMuch.body)]).toEqual([409, 'POINTS_INSUFFICIENT'])
    const unknown = await adjust(
      { amount: 1, reason: '补发', requestId: 'adjust-unknown' },
      staff.admin,
      new Types.ObjectId().toHexString(),
    )
    expect([unknown.status, codeOf(unknown.body)]).toEqual([404, 'PATIENT_NOT_FOUND'])
    expect((await adjust({ amount: 1, reason: '补发', requestId: 'adjust-nurse' }, staff.nurse)).status).toBe(
      403,
    )
    // the patient sees the adjustment without the staff note
    const ledger = ok(
      PointsLedgerResponse,
      await h.request('GET', '/api/v1/me/points/ledger?limit=1', { token: a.token }),
    )
    expect(ledger.entries[0]).toMatchObject({ kind: 'adjust', title: '积分调整', amount: 100 })
  })

  it("shows a patient's ledger to head nurses with actors and reasons, and audits the read", async () => {
    const r = ok(
      StaffPatientPointsResponse,
      await h.request('GET', `/api/v1/staff/points/patients/${a.patientId}`, { token: staff.head }),
    )
    expect(r).toMatchObject({ patientId: a.patientId, balance: 132, tier: { id: 'standard' } })
    expect(r.entries[0]).toMatchObject({ kind: 'adjust', reason: '线下活动补发' })
    expect(r.entries[0]!.refKey).toMatch(/^adjust:/)
    expect(r.entries.find((e) => e.rule === 'questionnaire')).toMatchObject({ base: 20, multiplier: 1 })
    expect(await auditModel(h.db).countDocuments({ action: 'patient.read_points' })).toBe(1)
  })

  it('reports the liability: outstanding, expiring, the month by rule', async () => {
    const r = ok(
      PointsLiabilityResponse,
      await h.request('GET', '/api/v1/staff/points/liability', { token: staff.marketer }),
    )
    expect(r).toMatchObject({ outstanding: 132, accounts: 1, expiring: { within30Days: 0, within90Days: 0 } })
    expect(r.month).toMatchObject({ key: '2026-05', earned: 32, spent: 0, adjusted: 100 })
    expect(r.month.byRule.find((x) => x.rule === 'checkin')).toMatchObject({ points: 10, count: 2 })
    const april = ok(
      PointsLiabilityResponse,
      await h.request('GET', '/api/v1/staff/points/liability?month=2026-04', { token: staff.admin }),
    )
    expect(april.month).toMatchObject({ key: '2026-04', earned: 0 })
  })
})

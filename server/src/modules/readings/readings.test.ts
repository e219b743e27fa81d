import { checkReading, type SubmitReadingRequest } from '@careloop/shared'
import { parseConfig } from '../../config'
import type { ActiveEnrolment } from './followup-lookup.port'
import { noReadingDaysOf } from './no-reading.service'
import { describeFinding, judgeReading } from './reading-thresholds'

const now = new Date('2026-03-01T08:00:00Z')
const base = { patientId: 'a'.repeat(24), requestId: 'req-00000001', measuredAt: '2026-03-01T07:30:00Z' }
const issues = (r: Partial<SubmitReadingRequest>) =>
  checkReading({ ...base, kind: 'bp', ...r } as SubmitReadingRequest, now).map((i) => i.path)

describe('checkReading', () => {
  it('accepts possible readings', () => {
    expect(issues({ kind: 'bp', systolic: 128, diastolic: 82 })).toEqual([])
    expect(issues({ kind: 'glucose', value: 6.1, context: 'fasting' })).toEqual([])
    expect(issues({ kind: 'weight', value: 68.5 })).toEqual([])
  })

  it('names each impossible or missing field', () => {
    expect(issues({ kind: 'bp', systolic: 350, diastolic: 10 })).toEqual(['systolic', 'diastolic'])
    expect(issues({ kind: 'bp', systolic: 120, diastolic: 120 })).toEqual(['diastolic'])
    expect(issues({ kind: 'bp', systolic: 120 })).toEqual(['diastolic'])
    expect(issues({ kind: 'bp', systolic: 120, diastolic: 80, value: 5 })).toEqual(['value'])
    expect(issues({ kind: 'glucose', value: 0.2 })).toEqual(['value'])
    expect(issues({ kind: 'glucose', value: 51 })).toEqual(['value'])
    expect(issues({ kind: 'glucose', systolic: 120 })).toEqual(['value', 'systolic'])
    expect(issues({ kind: 'weight', value: 600, context: 'fasting' })).toEqual(['value', 'context'])
  })

  it('refuses readings from the future (beyond 5 minutes) and older than a year', () => {
    const bp = { kind: 'bp' as const, systolic: 120, diastolic: 80 }
    expect(issues({ ...bp, measuredAt: '2026-03-01T08:04:00Z' })).toEqual([])
    expect(issues({ ...bp, measuredAt: '2026-03-01T08:06:00Z' })).toEqual(['measuredAt'])
    expect(issues({ ...bp, measuredAt: '2025-02-01T08:00:00Z' })).toEqual(['measuredAt'])
  })
})

describe('judgeReading', () => {
  const defaults = parseConfig({ WECHAT_APPID: 'a', WECHAT_SECRET: 's' }).readings.defaults
  const bp = (systolic: number, diastolic: number) => ({
    kind: 'bp' as const,
    systolic,
    diastolic,
    value: null,
  })
  const glucose = (value: number) => ({ kind: 'glucose' as const, systolic: null, diastolic: null, value })
  const enrolment = (
    thresholds: ActiveEnrolment['thresholds'],
    nurseId: string | null = 'n1',
  ): ActiveEnrolment => ({
    enrolmentId: 'e1',
    planId: 'p1',
    nurseId,
    thresholds,
  })

  it('uses the hospital defaults without plans: BP ≥160/100 or <90/60, glucose ≥11.1 or <3.9', () => {
    expect(judgeReading(bp(159, 99), [], defaults).findings).toEqual([])
    expect(judgeReading(bp(160, 80), [], defaults).findings.map((f) => f.metric)).toEqual(['bpSystolic'])
    expect(judgeReading(bp(120, 100), [], defaults).findings.map((f) => f.metric)).toEqual(['bpDiastolic'])
    expect(judgeReading(bp(88, 58), [], defaults).findings.map((f) => f.metric)).toEqual([
      'bpSystolic',
      'bpDiastolic',
    ])
    expect(judgeReading(glucose(11.1), [], defaults).findings).toHaveLength(1)
    expect(judgeReading(glucose(3.8), [], defaults).findings).toHaveLength(1)
    expect(judgeReading(glucose(6), [], defaults).findings).toEqual([])
    expect(
      judgeReading({ kind: 'weight', systolic: null, diastolic: null, value: 200 }, [], defaults).findings,
    ).toEqual([])
  })

  it('lets a plan decide the metrics it sets and keeps the defaults for the others', () => {
    const plan = [enrolment({ bpSystolic: { max: 140 } }, 'nurse-a')]
    const r = judgeReading(bp(150, 85), plan, defaults)
    expect(r.findings).toEqual([{ metric: 'bpSystolic', value: 150, min: null, max: 140, source: 'plan' }])
    expect(r.nurseId).toBe('nurse-a')
    expect(describeFinding(r.findings[0]!)).toBe('收缩压 150 高于 140（随访方案目标）')
    // the plan allows 175 systolic although the default would not; diastolic still by default
    const loose = [enrolment({ bpSystolic: { max: 180 } })]
    expect(judgeReading(bp(175, 105), loose, defaults).findings).toEqual([
      { metric: 'bpDiastolic', value: 105, min: 60, max: 99, source: 'default' },
    ])
  })

  it('uses the nurse of the enrolment whose threshold fired', () => {
    const plans = [
      enrolment({ glucose: { max: 15 } }, 'nurse-a'),
      enrolment({ glucose: { max: 8 } }, 'nurse-b'),
    ]
    expect(judgeReading(glucose(9), plans, defaults)).toMatchObject({ nurseId: 'nurse-b' })
    expect(judgeReading(glucose(6), plans, defaults)).toEqual({ findings: [], nurseId: 'nurse-a' })
  })

  it('watches plans with noReadingDays, or with any reading threshold (default days)', () => {
    const monitored = (t: ActiveEnrolment['thresholds']) => ({
      ...enrolment(t),
      patientId: 'p',
      enrolledAt: now,
    })
    expect(noReadingDaysOf(monitored({ noReadingDays: 3 }), 14)).toBe(3)
    expect(noReadingDaysOf(monitored({ weight: { max: 90 } }), 14)).toBe(14)
    expect(noReadingDaysOf(monitored({}), 14)).toBeNull()
  })
})

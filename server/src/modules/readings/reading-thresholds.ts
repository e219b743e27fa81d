import type { ReadingFinding, ReadingKind } from '@careloop/shared'
import type { Config, ReadingRange } from '../../config'
import type { ActiveEnrolment, PlanReadingThresholds } from './followup-lookup.port'

export type Metric = ReadingFinding['metric']

export const METRIC_LABEL: Record<Metric, string> = {
  bpSystolic: '收缩压',
  bpDiastolic: '舒张压',
  glucose: '血糖',
  weight: '体重',
}

export const KIND_LABEL: Record<ReadingKind, string> = { bp: '血压', glucose: '血糖', weight: '体重' }

/** The metrics a reading carries, with their values. */
export const metricsOf = (r: {
  kind: ReadingKind
  systolic: number | null
  diastolic: number | null
  value: number | null
}): [Metric, number][] => {
  const out: [Metric, number | null][] =
    r.kind === 'bp'
      ? [
          ['bpSystolic', r.systolic],
          ['bpDiastolic', r.diastolic],
        ]
      : [[r.kind, r.value]]
  return out.filter((m): m is [Metric, number] => m[1] !== null)
}

/** The reading kinds a plan's thresholds watch (empty: none named, e.g. only noReadingDays). */
export const watchedKinds = (t: PlanReadingThresholds): ReadingKind[] => {
  const kinds: ReadingKind[] = []
  if (t.bpSystolic || t.bpDiastolic) kinds.push('bp')
  if (t.glucose) kinds.push('glucose')
  if (t.weight) kinds.push('weight')
  return kinds
}

const outside = (v: number, r: ReadingRange): boolean =>
  (r.min !== undefined && v < r.min) || (r.max !== undefined && v > r.max)

const finding = (
  metric: Metric,
  value: number,
  r: ReadingRange,
  source: 'plan' | 'default',
): ReadingFinding => ({
  metric,
  value,
  min: r.min ?? null,
  max: r.max ?? null,
  source,
})

/**
 * Judges a reading against the patient's active enrolments: per metric, the plans that set a range for
 * it decide (abnormal when outside any of them); a metric no plan sets falls back to the hospital's
 * default. The nurse told is the one of the first enrolment whose range fired, else of the first
 * enrolment, else null (the alert service then finds the responsible nurse).
 */
export const judgeReading = (
  reading: Parameters<typeof metricsOf>[0],
  enrolments: ActiveEnrolment[],
  defaults: Config['readings']['defaults'],
): { findings: ReadingFinding[]; nurseId: string | null } => {
  const findings: ReadingFinding[] = []
  let nurseId: string | null = null
  for (const [metric, value] of metricsOf(reading)) {
    const planned = enrolments.filter((e) => e.thresholds[metric] !== undefined)
    if (planned.length) {
      const hit = planned.find((e) => outside(value, e.thresholds[metric]!))
      if (hit) {
        findings.push(finding(metric, value, hit.thresholds[metric]!, 'plan'))
        nurseId ??= hit.nurseId
      }
    } else {
      const d = defaults[metric]
      if (d && outside(value, d)) findings.push(finding(metric, value, d, 'default'))
    }
  }
  return { findings, nurseId: nurseId ?? enrolments.find((e) => e.nurseId)?.nurseId ?? null }
}

/** 「收缩压 172 高于 159（方案）」 */
export const describeFinding = (f: ReadingFinding): string => {
  const side = f.max !== null && f.value > f.max ? `高于 ${f.max}` : `低于 ${f.min}`
  return `${METRIC_LABEL[f.metric]} ${f.value} ${side}（${f.source === 'plan' ? '随访方案' : '医院默认'}目标）`
}

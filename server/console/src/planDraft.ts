import {
  CreatePlanRequest,
  STEP_DEFAULT_TIME,
  zodIssues,
  type FollowupPlan,
  type PlanAnchor,
  type StepKind,
  type z,
} from '@careloop/shared'

/** The plan builder's form state: every input as typed (strings), converted on save. */

export interface StepDraft {
  /** React key of the row (steps move). */
  uid: string
  /** The step's stable key once saved (kept across edits so enrolments keep their steps). */
  key: string | null
  offsetDays: string
  time: string
  kind: StepKind
  title: string
  body: string
  questionnaireId: string
  link: string
  windowDays: string
}

export const THRESHOLD_METRICS = [
  { key: 'bpSystolic', label: '收缩压', unit: 'mmHg', group: '血压' },
  { key: 'bpDiastolic', label: '舒张压', unit: 'mmHg', group: '血压' },
  { key: 'glucose', label: '血糖', unit: 'mmol/L', group: '血糖' },
  { key: 'weight', label: '体重', unit: 'kg', group: '体重' },
] as const
export type ThresholdMetric = (typeof THRESHOLD_METRICS)[number]['key']

export interface PlanDraft {
  name: string
  description: string
  anchor: PlanAnchor
  steps: StepDraft[]
  /** `glucose.min` → '7.0' */
  ranges: Record<string, string>
  noReadingDays: string
  autoEnrolTagId: string
}

let uidSeq = 0
const uid = (): string => `s${++uidSeq}`

export const newStep = (after: StepDraft | undefined): StepDraft => ({
  uid: uid(),
  key: null,
  offsetDays: after ? String((Number(after.offsetDays) || 0) + 1) : '1',
  time: after?.time || STEP_DEFAULT_TIME,
  kind: 'reminder',
  title: '',
  body: '',
  questionnaireId: '',
  link: '',
  windowDays: '2',
})

export const draftOf = (p: FollowupPlan | null): PlanDraft => {
  if (!p)
    return {
      name: '',
      description: '',
      anchor: 'surgery',
      steps: [newStep(undefined)],
      ranges: {},
      noReadingDays: '',
      autoEnrolTagId: '',
    }
  const ranges: Record<string, string> = {}
  for (const m of THRESHOLD_METRICS) {
    const r = p.thresholds[m.key]
    if (r?.min !== undefined) ranges[`${m.key}.min`] = String(r.min)
    if (r?.max !== undefined) ranges[`${m.key}.max`] = String(r.max)
  }
  return {
    name: p.name,
    description: p.description ?? '',
    anchor: p.anchor,
    steps: p.steps.map((s) => ({
      uid: uid(),
      key: s.key,
      offsetDays: String(s.offsetDays),
      time: s.time,
      kind: s.kind,
      title: s.title,
      body: s.body ?? '',
      questionnaireId: s.questionnaireId ?? '',
      link: s.link ?? '',
      windowDays: String(s.windowDays),
    })),
    ranges,
    noReadingDays: p.thresholds.noReadingDays === undefined ? '' : String(p.thresholds.noReadingDays),
    autoEnrolTagId: p.autoEnrolTag?.id ?? '',
  }
}

type Issue = { path: string; message: string }

/** A typed number, or undefined when blank; a non-number adds an issue at `path`. */
const num = (v: string, path: string, issues: Issue[], int: boolean): number | undefined => {
  const t = v.trim()
  if (t === '') return undefined
  const n = Number(t)
  if (!Number.isFinite(n)) issues.push({ path, message: '请填写数字' })
  else if (int && !Number.isInteger(n)) issues.push({ path, message: '请填写整数' })
  else return n
  return undefined
}

/**
 * The request body of the draft, checked with the shared schema before sending: the issues carry the
 * same paths as the server's (`steps.2.title`, `thresholds.glucose.min`), so both mark the same field.
 */
export const requestOf = (d: PlanDraft): { body: z.input<typeof CreatePlanRequest>; issues: Issue[] } => {
  const issues: Issue[] = []
  const steps = d.steps.map((s, i) => {
    const at = `steps.${i}`
    const offsetDays = num(s.offsetDays, `${at}.offsetDays`, issues, true)
    const windowDays = num(s.windowDays, `${at}.windowDays`, issues, true)
    if (s.offsetDays.trim() === '') issues.push({ path: `${at}.offsetDays`, message: '请填写第几天' })
    if (s.windowDays.trim() === '') issues.push({ path: `${at}.windowDays`, message: '请填写窗口天数' })
    return {
      ...(s.key ? { key: s.key } : {}),
      offsetDays: offsetDays ?? 0,
      time: s.time || STEP_DEFAULT_TIME,
      kind: s.kind,
      title: s.title,
      ...(s.body.trim() ? { body: s.body } : {}),
      ...(s.kind === 'questionnaire' && s.questionnaireId ? { questionnaireId: s.questionnaireId } : {}),
      ...(s.kind === 'content' && s.link.trim() ? { link: s.link.trim() } : {}),
      windowDays: windowDays ?? 0,
    }
  })
  const thresholds: Record<string, unknown> = {}
  for (const m of THRESHOLD_METRICS) {
    const min = num(d.ranges[`${m.key}.min`] ?? '', `thresholds.${m.key}.min`, issues, false)
    const max = num(d.ranges[`${m.key}.max`] ?? '', `thresholds.${m.key}.max`, issues, false)
    if (min !== undefined || max !== undefined)
      thresholds[m.key] = { ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) }
  }
  const noReading = num(d.noReadingDays, 'thresholds.noReadingDays', issues, true)
  if (noReading !== undefined) thresholds.noReadingDays = noReading
  const body = {
    name: d.name,
    description: d.description.trim() ? d.description : null,
    anchor: d.anchor,
    steps,
    thresholds,
    autoEnrolTagId: d.autoEnrolTagId || null,
  }
  const parsed = CreatePlanRequest.safeParse(body)
  if (!parsed.success) {
    const taken = new Set(issues.map((i) => i.path))
    for (const i of zodIssues(parsed.error)) if (!taken.has(i.path)) issues.push(i)
  }
  return { body, issues }
}

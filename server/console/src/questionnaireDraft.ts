import {
  QuestionnaireDefinition,
  validateQuestionnaireDefinition,
  zodIssues,
  type Question,
  type QuestionnaireDefinitionInput,
  type QuestionnaireKind,
  type QuestionType,
  type RedFlagOp,
  type RedFlagRule,
} from '@careloop/shared'

/**
 * The questionnaire builder's form state. Question, option and rule keys are generated and kept
 * (answers and red-flag rules refer to them); staff see texts and labels only.
 */

export interface OptionDraft {
  uid: string
  value: string
  label: string
  score: string
}

export interface QuestionDraft {
  uid: string
  key: string
  type: QuestionType
  text: string
  required: boolean
  options: OptionDraft[]
  min: string
  max: string
  step: string
  unit: string
  scaleMin: string
  scaleMax: string
  minLabel: string
  maxLabel: string
  scored: boolean
}

export interface RuleDraft {
  uid: string
  key: string
  questionKey: string
  op: RedFlagOp
  /** eq/includes/gt…: one value (an option value, a number or a text). */
  value: string
  /** in: the chosen option values, or numbers typed as 1, 2, 3. */
  values: string[]
  label: string
}

export interface BandDraft {
  uid: string
  min: string
  max: string
  label: string
}

export interface QuestionnaireDraft {
  title: string
  kind: QuestionnaireKind
  description: string
  questions: QuestionDraft[]
  redFlags: RuleDraft[]
  bands: BandDraft[]
}

let seq = 0
const uid = (): string => `u${++seq}`

/** The first `prefix<n>` not in `taken`. */
const freshKey = (prefix: string, taken: Iterable<string>): string => {
  const set = new Set(taken)
  for (let n = 1; ; n++) if (!set.has(`${prefix}${n}`)) return `${prefix}${n}`
}

export const newOption = (taken: OptionDraft[], label = ''): OptionDraft => ({
  uid: uid(),
  value: freshKey(
    'o',
    taken.map((o) => o.value),
  ),
  label,
  score: '',
})

export const newQuestion = (taken: QuestionDraft[], type: QuestionType = 'single'): QuestionDraft => {
  const first = newOption([], '')
  return {
    uid: uid(),
    key: freshKey(
      'q',
      taken.map((q) => q.key),
    ),
    type,
    text: '',
    required: true,
    options: [first, newOption([first], '')],
    min: '',
    max: '',
    step: '',
    unit: '',
    scaleMin: '0',
    scaleMax: '10',
    minLabel: '',
    maxLabel: '',
    scored: false,
  }
}

export const newRule = (taken: RuleDraft[], q: QuestionDraft | undefined): RuleDraft => ({
  uid: uid(),
  key: freshKey(
    'r',
    taken.map((r) => r.key),
  ),
  questionKey: q?.key ?? '',
  op: q ? defaultOp(q.type) : 'eq',
  value: '',
  values: [],
  label: '',
})

export const newBand = (): BandDraft => ({ uid: uid(), min: '', max: '', label: '' })

export const defaultOp = (t: QuestionType): RedFlagOp =>
  t === 'single' ? 'eq' : t === 'multiple' || t === 'text' ? 'includes' : 'gte'

const str = (v: number | undefined): string => (v === undefined ? '' : String(v))

export const draftOfQuestionnaire = (d: QuestionnaireDefinitionInput | null): QuestionnaireDraft => {
  if (!d)
    return {
      title: '',
      kind: 'clinical',
      description: '',
      questions: [newQuestion([])],
      redFlags: [],
      bands: [],
    }
  return {
    title: d.title,
    kind: d.kind,
    description: d.description ?? '',
    questions: d.questions.map((q) => ({
      ...newQuestion([], q.type),
      key: q.key,
      text: q.text,
      required: q.required ?? true,
      options: (q.options ?? []).map((o) => ({
        uid: uid(),
        value: o.value,
        label: o.label,
        score: str(o.score),
      })),
      min: str(q.min),
      max: str(q.max),
      step: str(q.step),
      unit: q.unit ?? '',
      scaleMin: q.scale ? String(q.scale.min) : '0',
      scaleMax: q.scale ? String(q.scale.max) : '10',
      minLabel: q.scale?.minLabel ?? '',
      maxLabel: q.scale?.maxLabel ?? '',
      scored: q.scored ?? false,
    })),
    redFlags: (d.redFlags ?? []).map((r) => ({
      uid: uid(),
      key: r.key,
      questionKey: r.questionKey,
      op: r.op,
      value: Array.isArray(r.value) ? '' : String(r.value),
      values: Array.isArray(r.value) ? r.value.map(String) : [],
      label: r.label,
    })),
    bands: (d.scoring?.bands ?? []).map((b) => ({
      uid: uid(),
      min: String(b.min),
      max: String(b.max),
      label: b.label,
    })),
  }
}

type Issue = { path: string; message: string }

const numberOf = (v: string, path: string, issues: Issue[]): number | undefined => {
  const t = v.trim()
  if (t === '') return undefined
  const n = Number(t)
  if (Number.isFinite(n)) return n
  issues.push({ path, message: '请填写数字' })
  return undefined
}

const questionOf = (q: QuestionDraft, at: string, issues: Issue[]): Question => {
  const base = { key: q.key, type: q.type, text: q.text, required: q.required }
  switch (q.type) {
    case 'single':
    case 'multiple':
      return {
        ...base,
        options: q.options.map((o, j) => {
          const score = numberOf(o.score, `${at}.options.${j}.score`, issues)
          return { value: o.value, label: o.label, ...(score !== undefined ? { score } : {}) }
        }),
      }
    case 'number': {
      const min = numberOf(q.min, `${at}.min`, issues)
      const max = numberOf(q.max, `${at}.max`, issues)
      const step = numberOf(q.step, `${at}.step`, issues)
      return {
        ...base,
        ...(min !== undefined ? { min } : {}),
        ...(max !== undefined ? { max } : {}),
        ...(step !== undefined ? { step } : {}),
        ...(q.unit.trim() ? { unit: q.unit.trim() } : {}),
        scored: q.scored,
      }
    }
    case 'scale':
      return {
        ...base,
        scale: {
          min: numberOf(q.scaleMin, `${at}.scale.min`, issues) ?? 0,
          max: numberOf(q.scaleMax, `${at}.scale.max`, issues) ?? 0,
          minLabel: q.minLabel,
          maxLabel: q.maxLabel,
        },
        scored: q.scored,
      }
    case 'text':
      return base
  }
}

const ruleValueOf = (
  r: RuleDraft,
  q: QuestionDraft | undefined,
  at: string,
  issues: Issue[],
): RedFlagRule['value'] => {
  const numeric = q?.type === 'number' || q?.type === 'scale'
  if (r.op === 'in') {
    if (!numeric) return r.values
    const parts = r.value.split(/[,，、\s]+/).filter(Boolean)
    const nums = parts.map(Number)
    if (nums.some((n) => !Number.isFinite(n)))
      issues.push({ path: `${at}.value`, message: '请用逗号分隔数字，例如 1, 2' })
    return nums.filter((n) => Number.isFinite(n))
  }
  if (numeric) {
    if (r.value.trim() === '') {
      issues.push({ path: `${at}.value`, message: '请填写比较的数值' })
      return 0
    }
    return numberOf(r.value, `${at}.value`, issues) ?? 0
  }
  if (r.value === '')
    issues.push({ path: `${at}.value`, message: q?.type === 'text' ? '请填写要匹配的文字' : '请选择选项' })
  return r.value
}

/**
 * The definition of the draft and every problem with it: typed numbers, the shared schema and the
 * shared cross-field rules (the same checks, and paths, as the server's 400 answers).
 */
export const definitionOf = (
  d: QuestionnaireDraft,
): { def: QuestionnaireDefinitionInput; issues: Issue[] } => {
  const issues: Issue[] = []
  const byKey = new Map(d.questions.map((q) => [q.key, q]))
  const def: QuestionnaireDefinitionInput = {
    title: d.title,
    kind: d.kind,
    description: d.description,
    questions: d.questions.map((q, i) => questionOf(q, `questions.${i}`, issues)),
    redFlags: d.redFlags.map((r, i) => ({
      key: r.key,
      questionKey: r.questionKey,
      op: r.op,
      value: ruleValueOf(r, byKey.get(r.questionKey), `redFlags.${i}`, issues),
      label: r.label,
    })),
    scoring: {
      bands: d.bands.map((b, i) => ({
        min: numberOf(b.min, `scoring.bands.${i}.min`, issues) ?? NaN,
        max: numberOf(b.max, `scoring.bands.${i}.max`, issues) ?? NaN,
        label: b.label,
      })),
    },
  }
  d.bands.forEach((b, i) => {
    if (b.min.trim() === '') issues.push({ path: `scoring.bands.${i}.min`, message: '请填写最低分' })
    if (b.max.trim() === '') issues.push({ path: `scoring.bands.${i}.max`, message: '请填写最高分' })
  })
  const parsed = QuestionnaireDefinition.safeParse(def)
  const taken = new Set(issues.map((i) => i.path))
  const more = parsed.success ? validateQuestionnaireDefinition(parsed.data) : zodIssues(parsed.error)
  for (const i of more) if (!taken.has(i.path)) issues.push(i)
  return { def, issues }
}

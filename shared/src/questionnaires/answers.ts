import type {
  AnswerValue,
  AnswerValues,
  Question,
  QuestionnaireDefinition,
  RedFlagRule,
} from '../api/questionnaires'
import { scoreRange } from './definition'

/**
 * Checking, scoring and red-flag evaluation of an answer to one questionnaire version (F17). Pure and
 * shared: the server decides with it, the answering page can pre-check with it.
 */

export type AnswerProblem =
  | 'unknown_question'
  | 'required'
  | 'wrong_type'
  | 'not_an_option'
  | 'duplicate_option'
  | 'out_of_range'
  | 'step'

export interface AnswerIssue {
  questionKey: string
  /** `answers.<key>`: where the problem is in the request body. */
  path: string
  problem: AnswerProblem
  message: string
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v)

const isEmpty = (v: AnswerValue | undefined): boolean =>
  v === undefined || (typeof v === 'string' && v.trim() === '') || (Array.isArray(v) && v.length === 0)

/**
 * Checks every answer against its question. Returns the values to store (text trimmed, empty optional
 * answers dropped) and every problem found (all at once, so the page can mark every field).
 */
export const checkAnswers = (
  questions: readonly Question[],
  answers: AnswerValues,
): { values: AnswerValues; issues: AnswerIssue[] } => {
  const issues: AnswerIssue[] = []
  const values: AnswerValues = {}
  const byKey = new Map(questions.map((q) => [q.key, q]))
  const issue = (key: string, problem: AnswerProblem, message: string): void => {
    issues.push({ questionKey: key, path: `answers.${key}`, problem, message })
  }
  for (const key of Object.keys(answers))
    if (!byKey.has(key)) issue(key, 'unknown_question', `no question "${key}" in this questionnaire`)

  for (const q of questions) {
    const v = answers[q.key]
    if (isEmpty(v)) {
      if (q.required) issue(q.key, 'required', `「${q.text}」is required`)
      continue
    }
    const options = new Map((q.options ?? []).map((o) => [o.value, o]))
    switch (q.type) {
      case 'single':
        if (typeof v !== 'string') issue(q.key, 'wrong_type', 'answer with one option value')
        else if (!options.has(v)) issue(q.key, 'not_an_option', `"${v}" is not an option`)
        else values[q.key] = v
        break
      case 'multiple': {
        if (!Array.isArray(v)) {
          issue(q.key, 'wrong_type', 'answer with a list of option values')
          break
        }
        const bad = v.find((x) => !options.has(x))
        if (bad !== undefined) issue(q.key, 'not_an_option', `"${bad}" is not an option`)
        else if (new Set(v).size !== v.length) issue(q.key, 'duplicate_option', 'an option is chosen twice')
        else values[q.key] = [...v]
        break
      }
      case 'text':
        if (typeof v !== 'string') issue(q.key, 'wrong_type', 'answer with text')
        else values[q.key] = v.trim()
        break
      case 'number': {
        if (!isNum(v)) {
          issue(q.key, 'wrong_type', 'answer with a number')
          break
        }
        const unit = q.unit ?? ''
        if (isNum(q.min) && v < q.min) issue(q.key, 'out_of_range', `must be at least ${q.min}${unit}`)
        else if (isNum(q.max) && v > q.max) issue(q.key, 'out_of_range', `must be at most ${q.max}${unit}`)
        else if (isNum(q.step)) {
          const steps = (v - (q.min ?? 0)) / q.step
          if (Math.abs(steps - Math.round(steps)) > 1e-9)
            issue(q.key, 'step', `must be in steps of ${q.step}`)
          else values[q.key] = v
        } else values[q.key] = v
        break
      }
      case 'scale': {
        const s = q.scale ?? { min: 0, max: 10 }
        if (!isNum(v) || !Number.isInteger(v)) issue(q.key, 'wrong_type', 'answer with a whole number')
        else if (v < s.min || v > s.max) issue(q.key, 'out_of_range', `must be between ${s.min} and ${s.max}`)
        else values[q.key] = v
        break
      }
    }
  }
  return { values, issues }
}

/** What one checked answer adds to the score; null when the question does not count. */
const pointsOf = (q: Question, v: AnswerValue): number | null => {
  if (scoreRange(q) === null) return null
  const scoreOf = (value: string): number => q.options?.find((o) => o.value === value)?.score ?? 0
  if (q.type === 'single' && typeof v === 'string') return scoreOf(v)
  if (q.type === 'multiple' && Array.isArray(v)) return v.reduce((sum, x) => sum + scoreOf(x), 0)
  if ((q.type === 'number' || q.type === 'scale') && isNum(v)) return v
  return null
}

const round1 = (n: number): number => Math.round(n * 10) / 10

export interface AnswerScore {
  /** Sum of the points of the answered scored questions; null when the questionnaire has none. */
  score: number | null
  band: string | null
  /** Satisfaction surveys: the score normalised to 0–100 over the questions answered; else null. */
  satisfaction: number | null
}

export const scoreAnswers = (d: QuestionnaireDefinition, values: AnswerValues): AnswerScore => {
  let score: number | null = null
  let lo = 0
  let hi = 0
  for (const q of d.questions) {
    const v = values[q.key]
    if (v === undefined) continue
    const points = pointsOf(q, v)
    const range = scoreRange(q)
    if (points === null || range === null) continue
    score = (score ?? 0) + points
    lo += range.min
    hi += range.max
  }
  if (score === null && d.questions.some((q) => scoreRange(q) !== null)) score = 0
  const rounded = score === null ? null : round1(score)
  const band =
    rounded === null
      ? null
      : (d.scoring.bands.find((b) => rounded >= b.min && rounded <= b.max)?.label ?? null)
  const satisfaction =
    d.kind === 'satisfaction' && score !== null && hi > lo
      ? round1(Math.min(100, Math.max(0, ((score - lo) / (hi - lo)) * 100)))
      : null
  return { score: rounded, band, satisfaction }
}

const matches = (q: Question, r: RedFlagRule, v: AnswerValue): boolean => {
  const list = Array.isArray(r.value) ? r.value : [r.value]
  switch (r.op) {
    case 'eq':
      return v === r.value
    case 'in':
      return Array.isArray(v) ? v.some((x) => list.includes(x)) : list.includes(v)
    case 'includes':
      if (Array.isArray(v)) return v.includes(String(r.value))
      return typeof v === 'string' && v.toLowerCase().includes(String(r.value).trim().toLowerCase())
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      if (!isNum(v) || !isNum(r.value) || (q.type !== 'number' && q.type !== 'scale')) return false
      const t = r.value
      return r.op === 'gt' ? v > t : r.op === 'gte' ? v >= t : r.op === 'lt' ? v < t : v <= t
    }
  }
}

/** The rules an answer fires, in definition order. */
export const redFlagsOf = (d: QuestionnaireDefinition, values: AnswerValues): RedFlagRule[] => {
  const byKey = new Map(d.questions.map((q) => [q.key, q]))
  return d.redFlags.filter((r) => {
    const q = byKey.get(r.questionKey)
    const v = values[r.questionKey]
    return q !== undefined && v !== undefined && matches(q, r, v)
  })
}

/** An answer as people read it: option labels, the number with its unit. */
export const displayAnswer = (q: Question, v: AnswerValue): string => {
  const labelOf = (value: string): string => q.options?.find((o) => o.value === value)?.label ?? value
  if (Array.isArray(v)) return v.map(labelOf).join('、')
  if (q.type === 'single' && typeof v === 'string') return labelOf(v)
  if (q.type === 'number') return `${v}${q.unit ?? ''}`
  if (q.type === 'scale' && q.scale) return `${v}/${q.scale.max}`
  return String(v)
}

import type { AnswerValue, AnswerValues, PublishedQuestionnaire, QuestionType } from '@careloop/shared'

import { ApiError } from '../api/http'

/**
 * The answering form of a questionnaire (F17): what the patient picked or typed per question, checked
 * before sending with the rules the server applies (shared `checkAnswers`: required, option values,
 * number range and step, whole scale points, text length), so each problem shows at its question.
 */

export type PublicQuestion = PublishedQuestionnaire['questions'][number]

/** single: the option value; multiple: the values; scale: the point; number and text: what was typed. */
export type FormValue = string | string[] | number | null
export type AnswerForm = Record<string, FormValue>
export type AnswerErrors = Record<string, string>

export const QUESTION_TYPE_LABELS: Record<QuestionType, string> = {
  single: '单选',
  multiple: '多选',
  number: '数值',
  text: '文本',
  scale: '量表',
}

/** The server's limit on a text answer. */
export const TEXT_MAX = 2000

export const emptyForm = (questions: readonly PublicQuestion[]): AnswerForm =>
  Object.fromEntries(
    questions.map((q) => [q.key, q.type === 'multiple' ? [] : q.type === 'scale' ? null : '']),
  )

/** The points of a scale question (its range, 0–10 when the definition has none). */
export function scalePoints(q: PublicQuestion): number[] {
  const s = q.scale ?? { min: 0, max: 10 }
  const points: number[] = []
  for (let v = s.min; v <= s.max; v++) points.push(v)
  return points
}

/** `0–10 分` style hint of a number question's accepted range. */
export function numberHint(q: PublicQuestion): string | null {
  const unit = q.unit ?? ''
  const hasMin = typeof q.min === 'number'
  const hasMax = typeof q.max === 'number'
  if (hasMin && hasMax) return `${q.min}–${q.max}${unit}`
  if (hasMin) return `不小于 ${q.min}${unit}`
  if (hasMax) return `不大于 ${q.max}${unit}`
  return null
}

const NUMBER = /^[-+]?(\d+(\.\d*)?|\.\d+)$/

const isEmpty = (v: FormValue) =>
  v === null || (typeof v === 'string' && v.trim() === '') || (Array.isArray(v) && v.length === 0)

const requiredMessage = (type: QuestionType) =>
  type === 'single' || type === 'scale'
    ? '请选择一项'
    : type === 'multiple'
      ? '请至少选择一项'
      : type === 'number'
        ? '请填写数值'
        : '请填写此题'

/** One question's answer as the API takes it, or the problem to show at the question. */
function checkOne(q: PublicQuestion, v: FormValue): { value?: AnswerValue; error?: string } {
  if (isEmpty(v)) return q.required ? { error: requiredMessage(q.type) } : {}
  const options = new Set((q.options ?? []).map((o) => o.value))
  switch (q.type) {
    case 'single':
      return typeof v === 'string' && options.has(v) ? { value: v } : { error: '请选择一项' }
    case 'multiple': {
      if (!Array.isArray(v) || v.some((x) => !options.has(x))) return { error: '请重新选择' }
      return { value: [...new Set(v)] }
    }
    case 'text': {
      const text = typeof v === 'string' ? v.trim() : ''
      if ([...text].length > TEXT_MAX) return { error: `最多 ${TEXT_MAX} 字` }
      return { value: text }
    }
    case 'number': {
      const raw = typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim() : ''
      if (!NUMBER.test(raw)) return { error: '请输入数字' }
      const n = Number(raw)
      const unit = q.unit ?? ''
      if (typeof q.min === 'number' && n < q.min) return { error: `不能小于 ${q.min}${unit}` }
      if (typeof q.max === 'number' && n > q.max) return { error: `不能大于 ${q.max}${unit}` }
      if (typeof q.step === 'number') {
        const steps = (n - (q.min ?? 0)) / q.step
        if (Math.abs(steps - Math.round(steps)) > 1e-9) return { error: `请按 ${q.step} 的间隔填写` }
      }
      return { value: n }
    }
    case 'scale': {
      const s = q.scale ?? { min: 0, max: 10 }
      if (typeof v !== 'number' || !Number.isInteger(v) || v < s.min || v > s.max)
        return { error: `请选择 ${s.min}–${s.max} 之间的分值` }
      return { value: v }
    }
  }
}

/** The answers to send, or every question's problem at once. */
export function checkForm(
  questions: readonly PublicQuestion[],
  form: AnswerForm,
): { ok: true; answers: AnswerValues } | { ok: false; errors: AnswerErrors } {
  const answers: AnswerValues = {}
  const errors: AnswerErrors = {}
  for (const q of questions) {
    const r = checkOne(q, form[q.key] ?? null)
    if (r.error) errors[q.key] = r.error
    else if (r.value !== undefined) answers[q.key] = r.value
  }
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, answers }
}

const PROBLEM_MESSAGES: Record<string, string> = {
  required: '此题必须回答',
  wrong_type: '答案格式不正确',
  not_an_option: '请重新选择',
  duplicate_option: '请重新选择',
  out_of_range: '超出可填写的范围',
  step: '数值间隔不正确',
}

/**
 * The questions a 400 QUESTIONNAIRE_ANSWER_INVALID names (its details are `{questionKey, problem}`),
 * with a Chinese message each; null for any other error.
 */
export function answerErrorsOf(e: unknown): AnswerErrors | null {
  if (!(e instanceof ApiError) || e.code !== 'QUESTIONNAIRE_ANSWER_INVALID' || !Array.isArray(e.details))
    return null
  const errors: AnswerErrors = {}
  for (const d of e.details as unknown[]) {
    if (typeof d !== 'object' || d === null) continue
    const { questionKey, problem } = d as { questionKey?: unknown; problem?: unknown }
    if (typeof questionKey !== 'string') continue
    errors[questionKey] = (typeof problem === 'string' && PROBLEM_MESSAGES[problem]) || '请检查此题的答案'
  }
  return Object.keys(errors).length > 0 ? errors : null
}

/** Toggles one option of a multiple-choice answer. */
export function toggleOption(current: FormValue, value: string): string[] {
  const list = Array.isArray(current) ? current : []
  return list.includes(value) ? list.filter((x) => x !== value) : [...list, value]
}

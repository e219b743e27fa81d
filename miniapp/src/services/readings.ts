import type { GlucoseContext, Reading, ReadingKind, SubmitReadingRequest } from '@careloop/shared'

import { ApiError } from '../api/http'

/**
 * 健康指标 (F18): the reading form, checked before sending with the ranges the server applies
 * (shared `checkReading`): blood pressure 40–300 / 20–200 mmHg with the diastolic below the systolic,
 * glucose 0.5–50 mmol/L, weight 2–500 kg.
 */

export const READING_KIND_LABELS: Record<ReadingKind, string> = {
  bp: '血压',
  glucose: '血糖',
  weight: '体重',
}

export const GLUCOSE_CONTEXT_LABELS: Record<GlucoseContext, string> = {
  fasting: '空腹',
  postprandial: '餐后',
  random: '随机',
}

export const UNIT_LABELS: Record<ReadingKind, string> = { bp: 'mmHg', glucose: 'mmol/L', weight: 'kg' }

export interface ReadingForm {
  kind: ReadingKind
  systolic: string
  diastolic: string
  value: string
  context: GlucoseContext | null
}

export type ReadingField = 'systolic' | 'diastolic' | 'value' | 'context'
export type ReadingErrors = Partial<Record<ReadingField, string>>

export const emptyReadingForm = (kind: ReadingKind = 'bp'): ReadingForm => ({
  kind,
  systolic: '',
  diastolic: '',
  value: '',
  context: null,
})

const DECIMAL = /^(\d+(\.\d*)?|\.\d+)$/

/** The ranges a reading must fall in (as the server checks them). */
export const READING_RANGES = {
  systolic: { min: 40, max: 300 },
  diastolic: { min: 20, max: 200 },
  glucose: { min: 0.5, max: 50 },
  weight: { min: 2, max: 500 },
} as const

function numberIn(raw: string, range: { min: number; max: number }, what: string, unit: string) {
  const s = raw.trim()
  if (s === '') return { error: `请填写${what}` }
  if (!DECIMAL.test(s)) return { error: `${what}请填写数字` }
  const n = Number(s)
  if (n < range.min || n > range.max) return { error: `${what}应在 ${range.min}–${range.max} ${unit} 之间` }
  return { value: n }
}

/** The body fields of a reading (without patientId, requestId and measuredAt), or the problems. */
export function checkReadingForm(
  form: ReadingForm,
):
  | { ok: true; body: Pick<SubmitReadingRequest, 'kind' | 'systolic' | 'diastolic' | 'value' | 'context'> }
  | { ok: false; errors: ReadingErrors } {
  const errors: ReadingErrors = {}
  if (form.kind === 'bp') {
    const sys = numberIn(form.systolic, READING_RANGES.systolic, '收缩压（高压）', 'mmHg')
    const dia = numberIn(form.diastolic, READING_RANGES.diastolic, '舒张压（低压）', 'mmHg')
    if (sys.error) errors.systolic = sys.error
    if (dia.error) errors.diastolic = dia.error
    if (sys.value !== undefined && dia.value !== undefined && dia.value >= sys.value)
      errors.diastolic = '舒张压（低压）应低于收缩压（高压）'
    if (Object.keys(errors).length > 0) return { ok: false, errors }
    return { ok: true, body: { kind: 'bp', systolic: sys.value, diastolic: dia.value } }
  }
  const glucose = form.kind === 'glucose'
  const v = glucose
    ? numberIn(form.value, READING_RANGES.glucose, '血糖', 'mmol/L')
    : numberIn(form.value, READING_RANGES.weight, '体重', 'kg')
  if (v.error) errors.value = v.error
  if (glucose && !form.context) errors.context = '请选择测量时段'
  if (Object.keys(errors).length > 0) return { ok: false, errors }
  return glucose
    ? { ok: true, body: { kind: 'glucose', value: v.value, context: form.context ?? undefined } }
    : { ok: true, body: { kind: 'weight', value: v.value } }
}

const FIELDS: readonly ReadingField[] = ['systolic', 'diastolic', 'value', 'context']

/** The fields a 400 from the server names (`details[].path`), each with a general message. */
export function readingErrorsOf(e: unknown): ReadingErrors | null {
  if (!(e instanceof ApiError) || !Array.isArray(e.details)) return null
  if (e.code !== 'READING_INVALID' && e.code !== 'VALIDATION_FAILED') return null
  const errors: ReadingErrors = {}
  for (const d of e.details as unknown[]) {
    const path = typeof d === 'object' && d !== null ? (d as { path?: unknown }).path : undefined
    const field = FIELDS.find((f) => path === f || (Array.isArray(path) && path[0] === f))
    if (field) errors[field] = '数值超出可能的范围，请检查'
  }
  return Object.keys(errors).length > 0 ? errors : null
}

/** `135/85`, `6.1`, `62.5` — the value part of a reading. */
export function readingValue(r: Pick<Reading, 'kind' | 'systolic' | 'diastolic' | 'value'>): string {
  if (r.kind === 'bp') return `${r.systolic ?? '–'}/${r.diastolic ?? '–'}`
  return r.value === null ? '–' : String(r.value)
}

import {
  AppError,
  type Question,
  type QuestionnaireStatsQuery,
  type QuestionnaireStatsResponse,
  type QuestionStats,
} from '@careloop/shared'
import type { StaffPrincipal } from '../../http/context'
import type { AnswerRepo } from './answer.repo'
import type { QuestionnaireRepo } from './questionnaire.repo'

/** Aggregates of a questionnaire over a period (F17 satisfaction, F36/F39 reporting). */
export interface QuestionnaireStatsService {
  stats(p: StaffPrincipal, id: string, q: QuestionnaireStatsQuery): Promise<QuestionnaireStatsResponse>
}

const round1 = (n: number): number => Math.round(n * 10) / 10

/** Running tallies of one question. */
interface Tally {
  q: Question
  answered: number
  counts: Map<string, number>
  sum: number
  numbers: number
  min: number | null
  max: number | null
}

const newTally = (q: Question): Tally => {
  const counts = new Map<string, number>()
  for (const o of q.options ?? []) counts.set(o.value, 0)
  if (q.type === 'scale' && q.scale) for (let v = q.scale.min; v <= q.scale.max; v++) counts.set(String(v), 0)
  return { q, answered: 0, counts, sum: 0, numbers: 0, min: null, max: null }
}

const add = (t: Tally, v: unknown): void => {
  t.answered++
  const bump = (k: string): void => {
    t.counts.set(k, (t.counts.get(k) ?? 0) + 1)
  }
  if (Array.isArray(v)) for (const x of v) bump(String(x))
  else if (t.q.type === 'single') bump(String(v))
  if (typeof v === 'number' && (t.q.type === 'number' || t.q.type === 'scale')) {
    if (t.q.type === 'scale') bump(String(v))
    t.sum += v
    t.numbers++
    t.min = t.min === null ? v : Math.min(t.min, v)
    t.max = t.max === null ? v : Math.max(t.max, v)
  }
}

const present = (t: Tally): QuestionStats => {
  const base = { key: t.q.key, type: t.q.type, text: t.q.text, answered: t.answered }
  const labelOf = (value: string): string => t.q.options?.find((o) => o.value === value)?.label ?? value
  const counts = [...t.counts].map(([value, count]) => ({ value, label: labelOf(value), count }))
  switch (t.q.type) {
    case 'single':
    case 'multiple':
      return { ...base, counts }
    case 'scale':
      return { ...base, counts, mean: t.numbers ? round1(t.sum / t.numbers) : null, min: t.min, max: t.max }
    case 'number':
      return { ...base, mean: t.numbers ? round1(t.sum / t.numbers) : null, min: t.min, max: t.max }
    case 'text':
      // Free text may hold clinical detail: counted here, read in the patient's 360° view.
      return base
  }
}

export const createQuestionnaireStatsService = (deps: {
  questionnaires: Pick<QuestionnaireRepo, 'findById'>
  answers: Pick<AnswerRepo, 'inRange'>
}): QuestionnaireStatsService => ({
  async stats(p, id, q) {
    const doc = await deps.questionnaires.findById(id)
    if (!doc) throw new AppError('QUESTIONNAIRE_NOT_FOUND', 'No such questionnaire')
    if (p.role === 'marketer' && doc.kind !== 'satisfaction')
      throw new AppError('FORBIDDEN', 'Marketers see satisfaction survey aggregates only')
    const from = q.from ? new Date(q.from) : null
    const to = q.to ? new Date(q.to) : null
    const tallies = doc.definition.questions.map(newTally)
    let count = 0
    let scored = 0
    let scoreSum = 0
    let satisfied = 0
    let satisfactionSum = 0
    let redFlagged = 0
    for await (const a of deps.answers.inRange(id, from, to)) {
      count++
      if (a.score !== null) {
        scored++
        scoreSum += a.score
      }
      if (a.satisfaction !== null) {
        satisfied++
        satisfactionSum += a.satisfaction
      }
      if (a.redFlags.length) redFlagged++
      for (const t of tallies) if (a.values[t.q.key] !== undefined) add(t, a.values[t.q.key])
    }
    return {
      questionnaireId: id,
      title: doc.title,
      kind: doc.kind,
      from: from?.toISOString() ?? null,
      to: to?.toISOString() ?? null,
      count,
      meanScore: scored ? round1(scoreSum / scored) : null,
      satisfaction: doc.kind === 'satisfaction' && satisfied ? round1(satisfactionSum / satisfied) : null,
      redFlagged,
      questions: tallies.map(present),
    }
  },
})

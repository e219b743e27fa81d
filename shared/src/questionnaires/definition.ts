import type { Question, QuestionnaireDefinition, RedFlagRule } from '../api/questionnaires'

/**
 * Cross-field rules of a questionnaire definition (F17), beyond what the zod schema checks: each
 * problem names its path (`questions.2.options`, `redFlags.0.questionKey`) so the console builder can
 * point at it. Shared so the builder can check before saving; the server answers 400
 * QUESTIONNAIRE_INVALID with these issues as details.
 */
export interface DefinitionIssue {
  path: string
  message: string
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v)

/** The lowest and highest score a question can add, or null when it does not count. */
export const scoreRange = (q: Question): { min: number; max: number } | null => {
  if (q.type === 'single' || q.type === 'multiple') {
    // An option without a score adds 0 once any option of the question has one.
    if (!(q.options ?? []).some((o) => isNum(o.score))) return null
    const scores = (q.options ?? []).map((o) => o.score ?? 0)
    if (q.type === 'single') return { min: Math.min(...scores), max: Math.max(...scores) }
    return {
      min: scores.filter((s) => s < 0).reduce((a, b) => a + b, 0),
      max: scores.filter((s) => s > 0).reduce((a, b) => a + b, 0),
    }
  }
  if (!q.scored) return null
  if (q.type === 'scale' && q.scale) return { min: q.scale.min, max: q.scale.max }
  if (q.type === 'number' && isNum(q.min) && isNum(q.max)) return { min: q.min, max: q.max }
  return null
}

const checkRule = (
  r: RedFlagRule,
  i: number,
  questions: Map<string, Question>,
  issues: DefinitionIssue[],
): void => {
  const at = `redFlags.${i}`
  const q = questions.get(r.questionKey)
  if (!q) {
    issues.push({ path: `${at}.questionKey`, message: `no question with key "${r.questionKey}"` })
    return
  }
  const optionValues = new Set((q.options ?? []).map((o) => o.value))
  const list = Array.isArray(r.value) ? r.value : [r.value]
  const allOptions = (): void => {
    const bad = list.find((v) => typeof v !== 'string' || !optionValues.has(v))
    if (bad !== undefined)
      issues.push({ path: `${at}.value`, message: `${JSON.stringify(bad)} is not an option of "${q.key}"` })
  }
  const allNumbers = (): void => {
    if (list.some((v) => !isNum(v)))
      issues.push({
        path: `${at}.value`,
        message: `"${q.key}" is a ${q.type} question: compare with numbers`,
      })
  }
  const allowed: Record<Question['type'], readonly RedFlagRule['op'][]> = {
    single: ['eq', 'in'],
    multiple: ['includes', 'in'],
    text: ['includes'],
    number: ['eq', 'in', 'gt', 'gte', 'lt', 'lte'],
    scale: ['eq', 'in', 'gt', 'gte', 'lt', 'lte'],
  }
  if (!allowed[q.type].includes(r.op)) {
    issues.push({
      path: `${at}.op`,
      message: `op ${r.op} does not apply to a ${q.type} question (use ${allowed[q.type].join(', ')})`,
    })
    return
  }
  if (r.op === 'in' ? !Array.isArray(r.value) || r.value.length === 0 : Array.isArray(r.value)) {
    issues.push({
      path: `${at}.value`,
      message: r.op === 'in' ? 'op in needs a non-empty list of values' : `op ${r.op} needs a single value`,
    })
    return
  }
  if (q.type === 'single' || q.type === 'multiple') allOptions()
  else if (q.type === 'text') {
    if (typeof r.value !== 'string' || r.value.trim() === '')
      issues.push({ path: `${at}.value`, message: 'includes on a text question needs a non-empty text' })
  } else allNumbers()
}

export const validateQuestionnaireDefinition = (d: QuestionnaireDefinition): DefinitionIssue[] => {
  const issues: DefinitionIssue[] = []
  const byKey = new Map<string, Question>()
  d.questions.forEach((q, i) => {
    const at = `questions.${i}`
    if (byKey.has(q.key)) issues.push({ path: `${at}.key`, message: `duplicate question key "${q.key}"` })
    else byKey.set(q.key, q)
    const choice = q.type === 'single' || q.type === 'multiple'
    if (choice) {
      if (!q.options || q.options.length < 2)
        issues.push({ path: `${at}.options`, message: `a ${q.type} question needs at least 2 options` })
      const seen = new Set<string>()
      ;(q.options ?? []).forEach((o, j) => {
        if (seen.has(o.value))
          issues.push({ path: `${at}.options.${j}.value`, message: `duplicate option value "${o.value}"` })
        seen.add(o.value)
      })
    } else if (q.options !== undefined)
      issues.push({ path: `${at}.options`, message: `a ${q.type} question has no options` })
    if (q.type !== 'number')
      for (const f of ['min', 'max', 'step', 'unit'] as const)
        if (q[f] !== undefined)
          issues.push({ path: `${at}.${f}`, message: `${f} is for number questions only` })
    if (q.type === 'number' && isNum(q.min) && isNum(q.max) && q.min > q.max)
      issues.push({ path: `${at}.max`, message: 'max must not be below min' })
    if (q.type === 'scale') {
      if (!q.scale) issues.push({ path: `${at}.scale`, message: 'a scale question needs scale {min, max}' })
      else if (q.scale.max <= q.scale.min)
        issues.push({ path: `${at}.scale.max`, message: 'scale.max must be above scale.min' })
      else if (q.scale.max - q.scale.min > 20)
        issues.push({ path: `${at}.scale`, message: 'a scale has at most 21 points' })
    } else if (q.scale !== undefined)
      issues.push({ path: `${at}.scale`, message: 'scale is for scale questions only' })
    if (q.scored !== undefined && q.type !== 'number' && q.type !== 'scale')
      issues.push({
        path: `${at}.scored`,
        message: 'scored is for number and scale questions (choices count by their option scores)',
      })
    if (q.scored && q.type === 'number' && d.kind === 'satisfaction' && !(isNum(q.min) && isNum(q.max)))
      issues.push({
        path: `${at}.scored`,
        message: 'a scored number question of a satisfaction survey needs min and max',
      })
  })

  const ruleKeys = new Set<string>()
  d.redFlags.forEach((r, i) => {
    if (ruleKeys.has(r.key))
      issues.push({ path: `redFlags.${i}.key`, message: `duplicate rule key "${r.key}"` })
    ruleKeys.add(r.key)
    checkRule(r, i, byKey, issues)
  })

  const scorable = d.questions.some((q) => scoreRange(q) !== null)
  if (d.kind === 'satisfaction') {
    if (!scorable)
      issues.push({
        path: 'questions',
        message: 'a satisfaction survey needs a scored question (option scores or a scored scale)',
      })
    else if (
      d.questions.every((q) => {
        const r = scoreRange(q)
        return r === null || r.max === r.min
      })
    )
      issues.push({ path: 'questions', message: 'the scored questions cannot vary: nothing to normalise' })
  }
  if (d.scoring.bands.length && !scorable)
    issues.push({ path: 'scoring.bands', message: 'bands need a scored question' })
  const bands = d.scoring.bands.map((b, i) => ({ ...b, i })).sort((a, b) => a.min - b.min)
  for (const b of d.scoring.bands.map((x, i) => ({ ...x, i })))
    if (b.min > b.max) issues.push({ path: `scoring.bands.${b.i}.max`, message: 'max must not be below min' })
  for (let k = 1; k < bands.length; k++)
    if (bands[k]!.min <= bands[k - 1]!.max)
      issues.push({
        path: `scoring.bands.${bands[k]!.i}.min`,
        message: `overlaps band "${bands[k - 1]!.label}"`,
      })
  return issues
}

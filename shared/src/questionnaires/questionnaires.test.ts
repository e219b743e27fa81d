import { QuestionnaireDefinition, type QuestionnaireDefinitionInput } from '../api/questionnaires'
import { checkAnswers, displayAnswer, redFlagsOf, scoreAnswers } from './answers'
import { validateQuestionnaireDefinition } from './definition'
import { postSurgeryCheck, satisfactionSurvey } from '../../../tests/src/harness/questionnaire-fixture'

const def = (d: QuestionnaireDefinitionInput) => QuestionnaireDefinition.parse(d)
const pathsOf = (d: QuestionnaireDefinitionInput) =>
  validateQuestionnaireDefinition(def(d)).map((i) => i.path)

describe('validateQuestionnaireDefinition', () => {
  it('accepts the fixtures', () => {
    expect(pathsOf(postSurgeryCheck())).toEqual([])
    expect(pathsOf(satisfactionSurvey())).toEqual([])
  })

  it('names duplicate keys, options on a text question, missing options and misplaced fields', () => {
    const d = postSurgeryCheck()
    d.questions[1] = { ...d.questions[1]!, key: 'wound' }
    d.questions[4] = { ...d.questions[4]!, options: [{ value: 'a', label: 'A' }] }
    d.questions.push({
      key: 'one',
      type: 'single',
      text: '只有一个选项',
      options: [{ value: 'x', label: 'X' }],
    })
    d.questions.push({ key: 'sc', type: 'scale', text: '没有刻度' })
    d.questions.push({ key: 'unit', type: 'text', text: '文字', unit: 'kg', scored: true })
    expect(pathsOf(d)).toEqual(
      expect.arrayContaining([
        'questions.1.key',
        'questions.4.options',
        'questions.5.options',
        'questions.6.scale',
        'questions.7.unit',
        'questions.7.scored',
      ]),
    )
  })

  it('names rules that point at a missing question, a wrong op, or values that are not options', () => {
    const d = postSurgeryCheck()
    d.redFlags = [
      { key: 'a', questionKey: 'nope', op: 'eq', value: 'x', label: '缺题' },
      { key: 'b', questionKey: 'wound', op: 'gt', value: 3, label: '错运算' },
      { key: 'c', questionKey: 'wound', op: 'eq', value: 'lots', label: '非选项' },
      { key: 'c', questionKey: 'temp', op: 'gte', value: '38', label: '重复且非数字' },
      { key: 'd', questionKey: 'symptoms', op: 'in', value: [], label: '空列表' },
    ]
    expect(pathsOf(d)).toEqual([
      'redFlags.0.questionKey',
      'redFlags.1.op',
      'redFlags.2.value',
      'redFlags.3.key',
      'redFlags.3.value',
      'redFlags.4.value',
    ])
  })

  it('requires a scored question for satisfaction surveys and bands, and non-overlapping bands', () => {
    const s = satisfactionSurvey()
    s.questions = [{ key: 'c', type: 'text', text: '意见' }]
    s.scoring = { bands: [{ min: 0, max: 5, label: '低' }] }
    expect(pathsOf(s)).toEqual(['questions', 'scoring.bands'])
    const d = postSurgeryCheck()
    d.scoring = {
      bands: [
        { min: 0, max: 5, label: '低' },
        { min: 5, max: 9, label: '中' },
        { min: 12, max: 10, label: '反' },
      ],
    }
    expect(pathsOf(d)).toEqual(['scoring.bands.2.max', 'scoring.bands.1.min'])
  })
})

describe('checkAnswers', () => {
  const d = def(postSurgeryCheck())
  const problems = (answers: Record<string, unknown>) =>
    checkAnswers(d.questions, answers as never).issues.map((i) => `${i.questionKey}:${i.problem}`)

  it('accepts a complete answer, trims text and drops empty optional answers', () => {
    const r = checkAnswers(d.questions, { wound: 'none', symptoms: [], temp: 36.8, pain: 2, note: '  还好 ' })
    expect(r.issues).toEqual([])
    expect(r.values).toEqual({ wound: 'none', temp: 36.8, pain: 2, note: '还好' })
  })

  it('reports every problem with its question key', () => {
    expect(problems({ symptoms: ['fever', 'cough'], temp: 45, pain: 11, extra: 'x' })).toEqual([
      'extra:unknown_question',
      'wound:required',
      'symptoms:not_an_option',
      'temp:out_of_range',
      'pain:out_of_range',
    ])
    expect(problems({ wound: 'lots', symptoms: ['pain', 'pain'], temp: 37.05, pain: 2.5, note: 3 })).toEqual([
      'wound:not_an_option',
      'symptoms:duplicate_option',
      'temp:step',
      'pain:wrong_type',
      'note:wrong_type',
    ])
    expect(problems({ wound: ['none'], symptoms: 'fever', temp: '37', pain: 1 })).toEqual([
      'wound:wrong_type',
      'symptoms:wrong_type',
      'temp:wrong_type',
    ])
  })
})

describe('scoreAnswers and redFlagsOf', () => {
  it('sums option scores and scored scales, and finds the band', () => {
    const d = def(postSurgeryCheck())
    expect(scoreAnswers(d, { wound: 'little', symptoms: ['fever', 'pain'], temp: 38, pain: 3 })).toEqual({
      score: 9,
      band: '需关注',
      satisfaction: null,
    })
    expect(scoreAnswers(d, { wound: 'none', temp: 36.5, pain: 0 })).toEqual({
      score: 0,
      band: '恢复良好',
      satisfaction: null,
    })
  })

  it('normalises satisfaction to 0–100 over the answered scored questions', () => {
    const s = def(satisfactionSurvey())
    expect(scoreAnswers(s, { nursing: 5, environment: 5, recommend: 'yes' }).satisfaction).toBe(100)
    expect(scoreAnswers(s, { nursing: 1, environment: 1, recommend: 'no' }).satisfaction).toBe(0)
    // (4 + 3 + 3 - 3) / (15 - 3)
    expect(scoreAnswers(s, { nursing: 4, environment: 3, recommend: 'maybe' }).satisfaction).toBe(58.3)
  })

  it('fires eq, gte, includes and in rules', () => {
    const d = def(postSurgeryCheck())
    d.redFlags.push(
      { key: 'feverSym', questionKey: 'symptoms', op: 'includes', value: 'fever', label: '发热' },
      { key: 'words', questionKey: 'note', op: 'includes', value: '出血', label: '出血' },
      { key: 'anyOf', questionKey: 'symptoms', op: 'in', value: ['nausea', 'pain'], label: '不适' },
    )
    const keys = (v: Record<string, unknown>) => redFlagsOf(d, v as never).map((r) => r.key)
    expect(keys({ wound: 'much', temp: 38.5, symptoms: ['fever'], note: '有点出血' })).toEqual([
      'leak',
      'fever',
      'feverSym',
      'words',
    ])
    expect(keys({ wound: 'little', temp: 38.4, symptoms: ['pain'] })).toEqual(['anyOf'])
  })

  it('displays answers with labels and units', () => {
    const d = def(postSurgeryCheck())
    const q = (k: string) => d.questions.find((x) => x.key === k)!
    expect(displayAnswer(q('wound'), 'much')).toBe('较多')
    expect(displayAnswer(q('symptoms'), ['fever', 'pain'])).toBe('发热、疼痛')
    expect(displayAnswer(q('temp'), 38.6)).toBe('38.6℃')
    expect(displayAnswer(q('pain'), 7)).toBe('7/10')
  })
})

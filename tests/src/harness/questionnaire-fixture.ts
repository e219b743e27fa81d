import type { QuestionnaireDefinitionInput } from '@careloop/shared'

/** A post-surgery check: every question type, option scores, a scored scale, bands, red flags. */
export const postSurgeryCheck = (title = '术后第3天随访问卷'): QuestionnaireDefinitionInput => ({
  title,
  kind: 'clinical',
  description: '请根据您今天的情况作答',
  questions: [
    {
      key: 'wound',
      type: 'single',
      text: '伤口有无渗液？',
      options: [
        { value: 'none', label: '无', score: 0 },
        { value: 'little', label: '少量', score: 2 },
        { value: 'much', label: '较多', score: 5 },
      ],
    },
    {
      key: 'symptoms',
      type: 'multiple',
      text: '您有以下哪些不适？',
      required: false,
      options: [
        { value: 'fever', label: '发热', score: 3 },
        { value: 'pain', label: '疼痛', score: 1 },
        { value: 'nausea', label: '恶心', score: 1 },
      ],
    },
    { key: 'temp', type: 'number', text: '今天最高体温', min: 34, max: 43, step: 0.1, unit: '℃' },
    {
      key: 'pain',
      type: 'scale',
      text: '疼痛程度',
      scale: { min: 0, max: 10, minLabel: '不痛', maxLabel: '剧痛' },
      scored: true,
    },
    { key: 'note', type: 'text', text: '还有什么想告诉护士的？', required: false },
  ],
  redFlags: [
    { key: 'leak', questionKey: 'wound', op: 'eq', value: 'much', label: '伤口渗液' },
    { key: 'fever', questionKey: 'temp', op: 'gte', value: 38.5, label: '体温≥38.5℃' },
  ],
  scoring: {
    bands: [
      { min: 0, max: 4, label: '恢复良好' },
      { min: 5, max: 12, label: '需关注' },
      { min: 13, max: 100, label: '需尽快联系' },
    ],
  },
})

/** A satisfaction survey: two scored 1–5 scales and a scored single choice (max 15 points). */
export const satisfactionSurvey = (title = '出院满意度调查'): QuestionnaireDefinitionInput => ({
  title,
  kind: 'satisfaction',
  questions: [
    { key: 'nursing', type: 'scale', text: '护理服务', scale: { min: 1, max: 5 }, scored: true },
    { key: 'environment', type: 'scale', text: '病区环境', scale: { min: 1, max: 5 }, scored: true },
    {
      key: 'recommend',
      type: 'single',
      text: '您会推荐我院吗？',
      options: [
        { value: 'yes', label: '会', score: 5 },
        { value: 'maybe', label: '不一定', score: 3 },
        { value: 'no', label: '不会', score: 1 },
      ],
    },
    { key: 'comment', type: 'text', text: '意见建议', required: false },
  ],
})

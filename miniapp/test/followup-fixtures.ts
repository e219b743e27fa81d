// Canned follow-up, questionnaire, reading and inbox answers for the 随访 page tests.
import type {
  FollowupStep,
  InboxMessage,
  MyAnswer,
  MyFollowupResponse,
  PublishedQuestionnaire,
  Reading,
} from '@careloop/shared'

import { SELF_ID } from './fake-api'

export const ENROLMENT_ID = '65f0c0ffee00000000e00001'
export const Q_ID = '65f0c0ffee00000000900001'
export const Q_STEP_ID = '65f0c0ffee00000000500001'
export const REMINDER_STEP_ID = '65f0c0ffee00000000500002'
export const LATER_STEP_ID = '65f0c0ffee00000000500003'

export function step(extra: Partial<FollowupStep> = {}): FollowupStep {
  return {
    id: REMINDER_STEP_ID,
    key: 'd1',
    kind: 'reminder',
    title: '出院第 1 天：按时服药',
    body: '请按医嘱服药，并观察伤口情况。',
    questionnaireId: null,
    link: null,
    dueAt: '2026-11-02T01:00:00.000Z',
    dueAtLocal: '2026-11-02 09:00',
    windowEnd: '2026-11-04T16:00:00.000Z',
    status: 'due',
    cancelReason: null,
    held: false,
    doneAt: null,
    doneBy: null,
    ...extra,
  }
}

export const questionnaireStep = (extra: Partial<FollowupStep> = {}) =>
  step({
    id: Q_STEP_ID,
    key: 'd3',
    kind: 'questionnaire',
    title: '术后第 3 天伤口评估',
    body: null,
    questionnaireId: Q_ID,
    dueAt: '2026-11-04T01:00:00.000Z',
    dueAtLocal: '2026-11-04 09:00',
    ...extra,
  })

export const laterStep = () =>
  step({
    id: LATER_STEP_ID,
    key: 'd30',
    kind: 'content',
    title: '康复期饮食指导',
    body: null,
    link: 'https://example.org/diet',
    dueAt: '2026-12-01T01:00:00.000Z',
    dueAtLocal: '2026-12-01 09:00',
    status: 'scheduled',
  })

export function followup(
  steps: FollowupStep[] = [step(), questionnaireStep(), laterStep()],
): MyFollowupResponse {
  return {
    patientId: SELF_ID,
    enrolments: [
      {
        id: ENROLMENT_ID,
        planName: '骨科术后随访',
        anchor: 'discharge',
        anchorDate: '2026-11-01',
        nurseName: '李娜',
        status: 'active',
        steps,
      },
    ],
    next: steps
      .filter((s) => s.status === 'due' || s.status === 'scheduled')
      .map((s) => ({ ...s, enrolmentId: ENROLMENT_ID, planName: '骨科术后随访' })),
  }
}

/** One question of each type. */
export const questionnaire: PublishedQuestionnaire = {
  id: Q_ID,
  version: 2,
  title: '术后伤口评估',
  kind: 'clinical',
  description: '请根据今天的情况填写。',
  questions: [
    {
      key: 'wound',
      type: 'single',
      text: '伤口情况如何？',
      required: true,
      options: [
        { value: 'dry', label: '干燥' },
        { value: 'oozing', label: '有渗液' },
      ],
    },
    {
      key: 'symptoms',
      type: 'multiple',
      text: '有以下哪些不适？',
      required: true,
      options: [
        { value: 'fever', label: '发热' },
        { value: 'pain', label: '疼痛' },
        { value: 'none', label: '都没有' },
      ],
    },
    {
      key: 'temp',
      type: 'number',
      text: '今天的体温',
      required: true,
      min: 35,
      max: 42,
      step: 0.1,
      unit: '℃',
    },
    {
      key: 'pain',
      type: 'scale',
      text: '疼痛评分',
      required: true,
      scale: { min: 0, max: 10, minLabel: '不痛', maxLabel: '剧痛' },
    },
    { key: 'note', type: 'text', text: '还有什么想告诉护士的？', required: false },
  ],
}

export function answer(extra: Partial<MyAnswer> = {}): MyAnswer {
  return {
    id: '65f0c0ffee00000000a00001',
    patientId: SELF_ID,
    questionnaireId: Q_ID,
    title: '术后伤口评估',
    kind: 'clinical',
    version: 2,
    stepId: Q_STEP_ID,
    answers: {},
    score: 7,
    band: '需关注',
    satisfaction: null,
    notice: null,
    createdAt: '2026-11-04T02:00:00.000Z',
    ...extra,
  }
}

export function reading(extra: Partial<Reading> = {}): Reading {
  return {
    id: '65f0c0ffee00000000b00001',
    patientId: SELF_ID,
    kind: 'bp',
    systolic: 128,
    diastolic: 82,
    value: null,
    unit: 'mmHg',
    context: null,
    measuredAt: '2026-11-03T00:30:00.000Z',
    abnormal: false,
    notice: null,
    createdAt: '2026-11-03T00:31:00.000Z',
    ...extra,
  }
}

export function message(extra: Partial<InboxMessage> = {}): InboxMessage {
  return {
    id: '65f0c0ffee00000000d00001',
    patientId: SELF_ID,
    title: '术后第 3 天伤口评估',
    body: '请在 11月4日 23:59 前填写「术后第 3 天伤口评估」。',
    page: `pkg-followup/questionnaire/index?step=${Q_STEP_ID}`,
    purpose: 'care',
    createdAt: '2026-11-04T01:00:00.000Z',
    readAt: null,
    ...extra,
  }
}

/** Client config naming the default subscribe templates (two one-time, one long-term). */
export const SUBSCRIBE_TEMPLATES = {
  followup_reminder: { templateId: 'tmpl-followup-reminder', longTerm: false },
  questionnaire_due: { templateId: 'tmpl-questionnaire-due', longTerm: false },
  health_notice: { templateId: 'tmpl-health-notice', longTerm: true },
}

import { formatLocalDate, formatLocalDue } from '../../src/services/followup'
import { badgeText, messageUrl } from '../../src/services/inbox'
import { checkForm } from '../../src/services/questionnaire'
import { oneTimeTemplateIds } from '../../src/services/subscribe'
import { simulatedConfig } from '../fake-api'
import { questionnaire, SUBSCRIBE_TEMPLATES } from '../followup-fixtures'

describe('subscribe asks', () => {
  const config = (t: Record<string, { templateId: string; longTerm: boolean }>) => ({
    ...simulatedConfig,
    mode: 'simulated' as const,
    subscribeTemplates: t,
  })

  it('asks for configured one-time templates only, in order, at most 3', () => {
    expect(
      oneTimeTemplateIds(config(SUBSCRIBE_TEMPLATES), [
        'health_notice',
        'questionnaire_due',
        'followup_reminder',
      ]),
    ).toEqual(['tmpl-questionnaire-due', 'tmpl-followup-reminder'])
    const many = Object.fromEntries(
      ['followup_reminder', 'questionnaire_due', 'health_notice'].map((k) => [
        k,
        { templateId: `t-${k}`, longTerm: false },
      ]),
    )
    expect(
      oneTimeTemplateIds(config({ ...many, extra: { templateId: 't-x', longTerm: false } }), [
        'followup_reminder',
        'questionnaire_due',
        'health_notice',
      ]),
    ).toHaveLength(3)
    expect(oneTimeTemplateIds(null, ['followup_reminder'])).toEqual([])
  })
})

describe('inbox links and badges', () => {
  it('opens only pages of the app, with or without the leading slash', () => {
    expect(messageUrl({ page: 'pkg-followup/step/index?id=1' })).toBe('/pkg-followup/step/index?id=1')
    expect(messageUrl({ page: '/pkg-followup/readings/index' })).toBe('/pkg-followup/readings/index')
    expect(messageUrl({ page: 'pkg-followup/task/index?id=1' })).toBeNull()
    expect(messageUrl({ page: null })).toBeNull()
  })

  it('caps the badge at 99+', () => {
    expect([0, 1, 99, 100].map(badgeText)).toEqual([null, '1', '99', '99+'])
  })
})

describe('dates and answers', () => {
  it('formats the hospital-zone dates the server sends', () => {
    expect(formatLocalDue('2026-03-05 09:00')).toBe('3月5日 09:00')
    expect(formatLocalDate('2026-03-05')).toBe('2026年3月5日')
    expect(formatLocalDue('soon')).toBe('soon')
  })

  it('drops empty optional answers, trims text and limits it to 2000 characters', () => {
    const base = { wound: 'dry', symptoms: ['none'], temp: '36.8', pain: 0 }
    expect(checkForm(questionnaire.questions, { ...base, note: '   ' })).toEqual({
      ok: true,
      answers: { wound: 'dry', symptoms: ['none'], temp: 36.8, pain: 0 },
    })
    expect(checkForm(questionnaire.questions, { ...base, note: '字'.repeat(2001) })).toEqual({
      ok: false,
      errors: { note: '最多 2000 字' },
    })
  })
})

import { ConfigError, DEFAULT_SUBSCRIBE_TEMPLATES, parseConfig } from '../../config'

const base = { NODE_ENV: 'test', WECHAT_APPID: 'a', WECHAT_SECRET: 's' }

describe('push configuration', () => {
  it('defaults: quiet 22:00–07:00, caps 5 care / 1 marketing, 8 attempts, the simulator templates', () => {
    const c = parseConfig(base).push
    expect(c).toMatchObject({
      quietHours: { start: '22:00', end: '07:00' },
      capPerDay: { care: 5, marketing: 1 },
      maxAttempts: 8,
      subscribeTemplates: DEFAULT_SUBSCRIBE_TEMPLATES,
    })
  })

  it('reads quiet hours (off = none) and a template map', () => {
    const c = parseConfig({
      ...base,
      PUSH_QUIET_HOURS: 'off',
      WECHAT_SUBSCRIBE_TEMPLATES: JSON.stringify({
        followup_reminder: { templateId: 'real-id-1', fields: { title: 'thing2', time: 'date1' } },
      }),
    }).push
    expect(c.quietHours).toBeNull()
    expect(c.subscribeTemplates).toEqual({
      followup_reminder: {
        templateId: 'real-id-1',
        longTerm: false,
        fields: { title: 'thing2', time: 'date1' },
      },
    })
  })

  it.each([
    [{ PUSH_QUIET_HOURS: '22-7' }, 'PUSH_QUIET_HOURS'],
    [{ WECHAT_SUBSCRIBE_TEMPLATES: '{nope' }, 'WECHAT_SUBSCRIBE_TEMPLATES: must be JSON'],
    [
      { WECHAT_SUBSCRIBE_TEMPLATES: '{"x":{"templateId":"t","fields":{"title":"Thing!"}}}' },
      'must be a template key',
    ],
  ])('names a bad value: %j', (env, problem) => {
    const err = (() => {
      try {
        parseConfig({ ...base, ...env })
      } catch (e) {
        return e
      }
      return undefined
    })()
    expect(err).toBeInstanceOf(ConfigError)
    expect((err as ConfigError).problems.join('\n')).toContain(problem)
  })
})

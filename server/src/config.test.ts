import { ConfigError, parseConfig } from './config'

const base = { WECHAT_APPID: 'wx1', WECHAT_SECRET: 's' }

describe('parseConfig', () => {
  it('applies defaults and derives the platform mode from the WeChat base URL', () => {
    const c = parseConfig(base)
    expect(c.port).toBe(3000)
    expect(c.timezone).toBe('Asia/Shanghai')
    expect(c.platformMode).toBe('production')
    expect(parseConfig({ ...base, WECHAT_API_BASE: 'http://127.0.0.1:4101/' }).platformMode).toBe('simulated')
    expect(parseConfig({ ...base, WECHAT_API_BASE: 'http://127.0.0.1:4101/' }).wechat.apiBase).toBe(
      'http://127.0.0.1:4101',
    )
  })

  it('names every bad variable at once', () => {
    let err: unknown
    try {
      parseConfig({ PORT: 'eighty', NODE_ENV: 'production' })
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(ConfigError)
    const problems = (err as ConfigError).problems.join('\n')
    expect(problems).toMatch(/PORT: Expected number/)
    expect(problems).toMatch(/WECHAT_APPID: is required/)
    expect(problems).toMatch(/AUTH_TOKEN_SECRET: is required in production/)
    expect(problems).toMatch(/MONGODB_URI: is required in production/)
  })

  it('refuses a short token secret', () => {
    expect(() => parseConfig({ ...base, AUTH_TOKEN_SECRET: 'short' })).toThrow(
      /AUTH_TOKEN_SECRET: must be at least 32/,
    )
  })
})

// --- pay ---
describe('parseConfig: WeChat Pay (all or nothing)', () => {
  it('leaves pay off without WECHATPAY_* and names every missing variable when only some are set', () => {
    expect(parseConfig(base).pay).toBeUndefined()
    let err: unknown
    try {
      parseConfig({ ...base, WECHATPAY_MCHID: '1900000109' })
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(ConfigError)
    const problems = (err as ConfigError).problems.join('\n')
    for (const k of [
      'WECHATPAY_MERCHANT_KEY',
      'WECHATPAY_APIV3_KEY',
      'WECHATPAY_NOTIFY_URL',
      'WECHATPAY_MERCHANT_SERIAL',
    ])
      expect(problems).toMatch(new RegExp(`${k}: is required`))
  })
})
// --- end pay ---

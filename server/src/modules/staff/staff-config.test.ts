import { parseConfig } from '../../config'

const base = { WECHAT_APPID: 'wx1', WECHAT_SECRET: 's' }

describe('staff configuration', () => {
  it('defaults: WeCom login off, real WeCom host, 8-hour staff tokens, no bootstrap admin', () => {
    const c = parseConfig(base)
    expect(c.wecom).toEqual({
      corpId: undefined,
      agentSecret: undefined,
      agentId: 1000002,
      apiBase: 'https://qyapi.weixin.qq.com',
    })
    expect(c.staff).toEqual({ tokenTtlSeconds: 28_800, bootstrapAdminPassword: undefined })
  })

  it('reads the WeCom app (agent id too), the token lifetime and the bootstrap password', () => {
    const c = parseConfig({
      ...base,
      WECOM_CORP_ID: 'ww1',
      WECOM_AGENT_SECRET: 'sec',
      WECOM_API_BASE: 'http://127.0.0.1:4102/',
      WECOM_AGENT_ID: '1000005',
      STAFF_TOKEN_TTL_SECONDS: '3600',
      ADMIN_BOOTSTRAP_PASSWORD: 'long-enough-pw',
    })
    expect(c.wecom).toEqual({
      corpId: 'ww1',
      agentSecret: 'sec',
      agentId: 1000005,
      apiBase: 'http://127.0.0.1:4102',
    })
    expect(c.staff).toEqual({ tokenTtlSeconds: 3600, bootstrapAdminPassword: 'long-enough-pw' })
  })

  it('refuses a short bootstrap password and an out-of-range token lifetime', () => {
    expect(() => parseConfig({ ...base, ADMIN_BOOTSTRAP_PASSWORD: 'short' })).toThrow(
      /ADMIN_BOOTSTRAP_PASSWORD/,
    )
    expect(() => parseConfig({ ...base, STAFF_TOKEN_TTL_SECONDS: '10' })).toThrow(/STAFF_TOKEN_TTL_SECONDS/)
  })
})

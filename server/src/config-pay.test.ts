import { generatePayKeys } from '../../tests/src/sim/pay/pay-keys'
import { ConfigError, parseConfig } from './config'

const keys = generatePayKeys({ mchid: '1900000109', appid: 'wxpay0001' })
const base = { WECHAT_APPID: 'wx1', WECHAT_SECRET: 's' }
const pay = {
  WECHATPAY_MCHID: '1900000109',
  WECHATPAY_MERCHANT_KEY: keys.merchant.privateKeyPem,
  WECHATPAY_MERCHANT_SERIAL: keys.merchant.serial.toLowerCase(),
  WECHATPAY_APIV3_KEY: keys.apiV3Key,
  WECHATPAY_NOTIFY_URL: 'https://care.example.com/api/v1/pay/notify',
}
const problems = (env: Record<string, string>): string => {
  try {
    parseConfig(env)
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.join('\n')
    throw e
  }
  return ''
}

describe('WECHATPAY_* configuration', () => {
  it('builds config.pay: appid defaults to WECHAT_APPID, uppercase serial, platform-certificate mode', () => {
    const c = parseConfig({ ...base, ...pay }).pay!
    expect(c).toMatchObject({
      mchid: '1900000109',
      appid: 'wx1',
      apiBase: 'https://api.mch.weixin.qq.com',
      merchantSerial: keys.merchant.serial,
      apiV3Key: keys.apiV3Key,
      notifyUrl: pay.WECHATPAY_NOTIFY_URL,
    })
    expect(c.publicKey).toBeUndefined()
    expect(c.merchantKey).toContain('BEGIN PRIVATE KEY')
  })

  it('public-key mode needs both the key and its id; the id looks like PUB_KEY_ID_…', () => {
    const c = parseConfig({
      ...base,
      ...pay,
      WECHATPAY_APPID: 'wxpay0001',
      WECHATPAY_PUBLIC_KEY: keys.platformPublicKey.pem,
      WECHATPAY_PUBLIC_KEY_ID: keys.platformPublicKey.id,
    }).pay!
    expect(c).toMatchObject({ appid: 'wxpay0001', publicKey: { id: keys.platformPublicKey.id } })
    expect(problems({ ...base, ...pay, WECHATPAY_PUBLIC_KEY: keys.platformPublicKey.pem })).toMatch(
      /WECHATPAY_PUBLIC_KEY_ID: is required with WECHATPAY_PUBLIC_KEY/,
    )
    expect(problems({ ...base, ...pay, WECHATPAY_PUBLIC_KEY_ID: 'KEY1' })).toMatch(
      /WECHATPAY_PUBLIC_KEY_ID: must look like/,
    )
  })

  it('derives the serial from WECHATPAY_MERCHANT_CERT and refuses a mismatch', () => {
    const { WECHATPAY_MERCHANT_SERIAL: _s, ...noSerial } = pay
    const c = parseConfig({ ...base, ...noSerial, WECHATPAY_MERCHANT_CERT: keys.merchant.certPem }).pay!
    expect(c.merchantSerial).toBe(keys.merchant.serial)
    expect(c.merchantCert).toContain('BEGIN CERTIFICATE')
    expect(
      problems({
        ...base,
        ...pay,
        WECHATPAY_MERCHANT_SERIAL: 'ABCDEF01',
        WECHATPAY_MERCHANT_CERT: keys.merchant.certPem,
      }),
    ).toMatch(/WECHATPAY_MERCHANT_SERIAL: does not match/)
  })

  it('accepts PEMs with literal \\n (env files) and refuses unusable keys and short APIv3 keys', () => {
    const oneLine = keys.merchant.privateKeyPem.replace(/\n/g, '\\n')
    expect(parseConfig({ ...base, ...pay, WECHATPAY_MERCHANT_KEY: oneLine }).pay!.merchantKey).toBe(
      keys.merchant.privateKeyPem,
    )
    expect(problems({ ...base, ...pay, WECHATPAY_MERCHANT_KEY: '/nonexistent/apiclient_key.pem' })).toMatch(
      /WECHATPAY_MERCHANT_KEY: is neither a usable PEM/,
    )
    expect(problems({ ...base, ...pay, WECHATPAY_APIV3_KEY: 'short' })).toMatch(
      /WECHATPAY_APIV3_KEY: must be exactly 32 bytes/,
    )
  })

  it('the notify URL is https without a query; plain http only against a local API base', () => {
    const http = { ...base, ...pay, WECHATPAY_NOTIFY_URL: 'http://127.0.0.1:3000/api/v1/pay/notify' }
    expect(problems(http)).toMatch(/WECHATPAY_NOTIFY_URL: must be https/)
    expect(parseConfig({ ...http, WECHATPAY_API_BASE: 'http://127.0.0.1:4103/' }).pay).toMatchObject({
      apiBase: 'http://127.0.0.1:4103',
      notifyUrl: http.WECHATPAY_NOTIFY_URL,
    })
    expect(problems({ ...base, ...pay, WECHATPAY_NOTIFY_URL: `${pay.WECHATPAY_NOTIFY_URL}?a=1` })).toMatch(
      /must not carry a query/,
    )
  })
})

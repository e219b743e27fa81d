import { BotConfigError, loadBotConfig } from './config'

const VALID = {
  WECOM_TOKEN: 'hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo',
  WECOM_ENCODING_AES_KEY: '6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt',
  WECOM_CORP_ID: 'ww1436e0e65a779aee',
}

function issuesOf(env: Record<string, string | undefined>): Record<string, string> {
  try {
    loadBotConfig(env)
  } catch (err) {
    if (err instanceof BotConfigError) {
      return Object.fromEntries(err.issues.map((issue) => [issue.variable, issue.message]))
    }
    throw err
  }
  throw new Error('expected a BotConfigError')
}

describe('loadBotConfig', () => {
  it('applies defaults', () => {
    expect(loadBotConfig(VALID)).toEqual({
      wecomToken: VALID.WECOM_TOKEN,
      wecomEncodingAesKey: VALID.WECOM_ENCODING_AES_KEY,
      wecomCorpId: VALID.WECOM_CORP_ID,
      port: 3200,
      host: '127.0.0.1',
      logLevel: 'info',
      serverBaseUrl: 'http://127.0.0.1:3000',
    })
  })

  it('reads the optional variables and treats empty as unset', () => {
    const config = loadBotConfig({
      ...VALID,
      BOT_PORT: '0',
      BOT_HOST: '0.0.0.0',
      LOG_LEVEL: 'debug',
      SERVER_BASE_URL: '',
    })
    expect(config).toMatchObject({
      port: 0,
      host: '0.0.0.0',
      logLevel: 'debug',
      serverBaseUrl: 'http://127.0.0.1:3000',
    })
  })

  it('lists every bad variable at once', () => {
    const issues = issuesOf({
      WECOM_TOKEN: '',
      BOT_PORT: '70000',
      LOG_LEVEL: 'loud',
      SERVER_BASE_URL: 'nope',
    })
    expect(Object.keys(issues).sort()).toEqual(
      [
        'BOT_PORT',
        'LOG_LEVEL',
        'SERVER_BASE_URL',
        'WECOM_CORP_ID',
        'WECOM_ENCODING_AES_KEY',
        'WECOM_TOKEN',
      ].sort(),
    )
    expect(issues.WECOM_TOKEN).toMatch(/must be set/)
  })

  it('checks the EncodingAESKey: 43 characters of base64 that decode to 32 bytes', () => {
    expect(issuesOf({ ...VALID, WECOM_ENCODING_AES_KEY: 'abc' }).WECOM_ENCODING_AES_KEY).toMatch(
      /43 characters/,
    )
    expect(
      issuesOf({ ...VALID, WECOM_ENCODING_AES_KEY: `${'a'.repeat(42)}!` }).WECOM_ENCODING_AES_KEY,
    ).toMatch(/base64/)
    expect(
      issuesOf({ ...VALID, WECOM_ENCODING_AES_KEY: `${'a'.repeat(42)}-` }).WECOM_ENCODING_AES_KEY,
    ).toMatch(/base64/)
  })

  it('never puts a secret value into the error message', () => {
    const token = 'secret-token-value'
    const key = `${'z'.repeat(40)}!!!`
    try {
      loadBotConfig({ WECOM_TOKEN: token, WECOM_ENCODING_AES_KEY: key, BOT_PORT: 'x' })
      throw new Error('expected a BotConfigError')
    } catch (err) {
      expect(err).toBeInstanceOf(BotConfigError)
      const message = (err as Error).message
      expect(message).toContain('WECOM_ENCODING_AES_KEY')
      expect(message).toContain('WECOM_CORP_ID')
      expect(message).toContain('BOT_PORT')
      expect(message).not.toContain(token)
      expect(message).not.toContain(key)
    }
  })
})

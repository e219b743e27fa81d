import { pino } from 'pino'
import type { BotConfig } from './config'
import { startBot } from './main'
import { URL_VERIFY, VECTOR_AES_KEY, VECTOR_CORP_ID, VECTOR_TOKEN } from './wecom-vectors.fixture'

const config: BotConfig = {
  wecomToken: VECTOR_TOKEN,
  wecomEncodingAesKey: VECTOR_AES_KEY,
  wecomCorpId: VECTOR_CORP_ID,
  port: 0,
  host: '127.0.0.1',
  logLevel: 'silent',
  serverBaseUrl: 'http://127.0.0.1:3000',
  serviceToken: undefined,
}

describe('startBot', () => {
  it('listens on the configured host (port 0 → a free port), serves the callback, and closes', async () => {
    const bot = await startBot(config, { logger: pino({ level: 'silent' }) })
    try {
      expect(bot.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      expect((await fetch(`${bot.url}/healthz`)).status).toBe(200)
      const query = new URLSearchParams({
        msg_signature: URL_VERIFY.msgSignature,
        timestamp: URL_VERIFY.timestamp,
        nonce: URL_VERIFY.nonce,
        echostr: URL_VERIFY.echostr,
      })
      expect(await (await fetch(`${bot.url}/wecom/callback?${query.toString()}`)).text()).toBe(
        URL_VERIFY.plaintext,
      )
    } finally {
      await bot.close()
    }
    await expect(fetch(`${bot.url}/healthz`)).rejects.toThrow()
    await expect(bot.close()).resolves.toBeUndefined()
  })

  it('rejects when the port is taken', async () => {
    const first = await startBot(config, { logger: pino({ level: 'silent' }) })
    try {
      const port = Number(new URL(first.url).port)
      await expect(startBot({ ...config, port }, { logger: pino({ level: 'silent' }) })).rejects.toThrow(
        /EADDRINUSE/,
      )
    } finally {
      await first.close()
    }
  })
})

import { randomBytes } from 'node:crypto'
import { XMLParser } from 'fast-xml-parser'
import { createCallbackCrypto } from '../../wecom-bot/src/callback-crypto'
import { loadBotConfig } from '../../wecom-bot/src/config'
import { startBot, type RunningBot } from '../../wecom-bot/src/main'
import { useStaffHarness } from '../src/harness/server-harness'

/**
 * Drill: WeCom → bot → server. A nurse's encrypted message reaches the real bot, which identifies
 * her through the server's service API by her WeCom userid and answers with an encrypted passive
 * reply greeting her by name; an unbound member is refused; a wrong service token is refused by the
 * server (the bot then answers that the service is unavailable rather than failing the callback).
 */
const SERVICE_TOKEN = randomBytes(24).toString('base64url')
const WECOM = {
  WECOM_TOKEN: 'hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo',
  WECOM_ENCODING_AES_KEY: '6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt',
  WECOM_CORP_ID: 'ww1436e0e65a779aee',
}
const h = useStaffHarness({ env: { SERVICE_TOKEN } })
const crypto = createCallbackCrypto({
  token: WECOM.WECOM_TOKEN,
  encodingAesKey: WECOM.WECOM_ENCODING_AES_KEY,
  receiveId: WECOM.WECOM_CORP_ID,
})
const xml = new XMLParser({ processEntities: false, parseTagValue: false })
let msgId = 1000

const start = (serviceToken: string): Promise<RunningBot> =>
  startBot(
    loadBotConfig({
      ...WECOM,
      BOT_PORT: '0',
      LOG_LEVEL: 'silent',
      SERVER_BASE_URL: h.url,
      SERVICE_TOKEN: serviceToken,
    }),
  )

/** Sends what WeCom would POST for a nurse's text and opens the passive reply like WeCom would. */
const say = async (bot: RunningBot, from: string, content: string): Promise<string> => {
  const inner =
    `<xml><ToUserName><![CDATA[${WECOM.WECOM_CORP_ID}]]></ToUserName><FromUserName><![CDATA[${from}]]></FromUserName>` +
    `<CreateTime>${Math.floor(Date.now() / 1000)}</CreateTime><MsgType><![CDATA[text]]></MsgType>` +
    `<Content><![CDATA[${content}]]></Content><MsgId>${++msgId}</MsgId><AgentID>1000002</AgentID></xml>`
  const sealed = crypto.seal(inner)
  const q = new URLSearchParams({
    msg_signature: sealed.msgSignature,
    timestamp: sealed.timestamp,
    nonce: sealed.nonce,
  })
  const res = await fetch(`${bot.url}/wecom/callback?${q.toString()}`, {
    method: 'POST',
    headers: { 'content-type': 'text/xml' },
    body: `<xml><ToUserName><![CDATA[${WECOM.WECOM_CORP_ID}]]></ToUserName><Encrypt><![CDATA[${sealed.encrypt}]]></Encrypt><AgentID>1000002</AgentID></xml>`,
  })
  expect(res.status).toBe(200)
  const outer = (xml.parse(await res.text()) as { xml: Record<string, string> }).xml
  const opened = crypto.openXml(
    { msgSignature: outer.MsgSignature!, timestamp: String(outer.TimeStamp), nonce: String(outer.Nonce) },
    outer.Encrypt!,
  )
  const reply = (xml.parse(opened) as { xml: Record<string, string> }).xml
  expect(reply.ToUserName).toBe(from)
  return reply.Content!
}

describe('WeCom bot ⇄ server', () => {
  beforeAll(() => h.seedStaff())

  it('identifies a bound nurse by her WeCom userid and refuses strangers', async () => {
    const bot = await start(SERVICE_TOKEN)
    try {
      expect(await say(bot, 'LiNa', '帮助')).toMatch(/^李娜护士，您好。\nCareLoop 护士助手/)
      expect(await say(bot, 'SomeoneElse', '帮助')).toContain('尚未绑定 CareLoop 员工账号')
    } finally {
      await bot.close()
    }
  })

  it('the server refuses a wrong service token, and the bot degrades politely', async () => {
    const direct = await h.request('GET', '/api/v1/service/staff/by-wecom/LiNa', { token: 'x'.repeat(40) })
    expect(direct.status).toBe(401)
    const staffToken = (await h.staffLogin('admin')).accessToken
    expect(
      (await h.request('GET', '/api/v1/service/staff/by-wecom/LiNa', { token: staffToken })).status,
    ).toBe(401)
    const bad = await h.request('GET', '/api/v1/service/staff/by-wecom/bad%20user!', { token: SERVICE_TOKEN })
    expect(bad.status).toBe(400)
    expect((bad.body as { error: { details: { path: string }[] } }).error.details[0]!.path).toBe('userid')
    const bot = await start('y'.repeat(40))
    try {
      expect(await say(bot, 'LiNa', '帮助')).toBe('CareLoop 服务暂时不可用，请稍后再试。')
    } finally {
      await bot.close()
    }
  })
})

import { randomBytes } from 'node:crypto'
import { XMLParser } from 'fast-xml-parser'
import { Types } from 'mongoose'
import { createLogger } from '../../server/src/logger'
import { createFollowupModule } from '../../server/src/modules/followup/followup.module'
import { stepModel } from '../../server/src/modules/followup/followup.model'
import { taskModel } from '../../server/src/modules/tasks/task.model'
import { createCallbackCrypto } from '../../wecom-bot/src/callback-crypto'
import { loadBotConfig } from '../../wecom-bot/src/config'
import { startBot, type RunningBot } from '../../wecom-bot/src/main'
import { useFollowupHarness } from '../src/harness/followup-fixture'

/**
 * Drill: a nurse runs follow-up from WeCom. Her encrypted messages reach the real bot, which calls the
 * server's service routes: 入组 enrols a patient of hers in the post-surgery plan, the clock moves past
 * the first step's window, the due/missed job opens a missed task and alerts her, 今日随访 lists it
 * (urgent red flag first), and 完成 by number and by the alert's short ref marks them done, once.
 */
const SERVICE_TOKEN = randomBytes(24).toString('base64url')
const WECOM = {
  WECOM_TOKEN: 'hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo',
  WECOM_ENCODING_AES_KEY: '6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt',
  WECOM_CORP_ID: 'ww1436e0e65a779aee',
}
const kit = useFollowupHarness({ env: { SERVICE_TOKEN } })
const { h, push } = kit
const crypto = createCallbackCrypto({
  token: WECOM.WECOM_TOKEN,
  encodingAesKey: WECOM.WECOM_ENCODING_AES_KEY,
  receiveId: WECOM.WECOM_CORP_ID,
})
const xml = new XMLParser({ processEntities: false, parseTagValue: false })
let msgId = 5000
let bot: RunningBot

/** What WeCom would POST for a nurse's text; the passive reply opened as WeCom would. */
const say = async (from: string, content: string): Promise<string> => {
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
  return (xml.parse(opened) as { xml: Record<string, string> }).xml.Content!
}

beforeAll(async () => {
  h.clock.set(new Date('2026-03-02T02:00:00Z')) // 10:00 in Shanghai
  bot = await startBot(
    loadBotConfig({ ...WECOM, BOT_PORT: '0', LOG_LEVEL: 'silent', SERVER_BASE_URL: h.url, SERVICE_TOKEN }),
    { clock: h.clock },
  )
})
afterAll(() => bot.close())

describe('follow-up from WeCom: 入组, 今日随访, 完成', () => {
  it('enrols, lists the missed step and the red flag, and marks them done once', async () => {
    await kit.plan({
      name: '术后随访',
      anchor: 'surgery',
      steps: [
        { offsetDays: 1, kind: 'reminder', title: '术后第1天提醒', windowDays: 0 },
        { offsetDays: 7, kind: 'content', title: '康复指导', link: 'https://example.org/r', windowDays: 3 },
      ],
    })
    const patient = await kit.patient({ name: '张秀兰' })

    const enrolled = await say('LiNa', '入组 张秀兰 术后随访 2026-03-02')
    expect(enrolled).toBe(
      '李娜护士，您好。\n已为 张秀兰 加入随访方案「术后随访」（基准日 2026-03-02）。\n下一步：术后第1天提醒，2026-03-03 09:00。',
    )
    expect(await say('LiNa', '入组 张秀兰 术后随访')).toContain('已在随访方案「术后随访」中，未重复加入')
    expect(await say('LiNa', '今日随访')).toContain('今天没有待您处理的随访任务。')

    // the reminder's window closes at the end of 03-03; the job opens a missed task and alerts her
    h.clock.set(new Date('2026-03-03T16:05:00Z'))
    const worker = createFollowupModule({
      config: h.config,
      clock: h.clock,
      db: h.db,
      logger: createLogger('silent'),
      push,
    })
    expect(await worker.runMissed()).toMatchObject({ missed: 1, alerted: 1 })
    const step = await stepModel(h.db)
      .findOne({ patientId: new Types.ObjectId(patient), title: '术后第1天提醒' })
      .lean()
    const missed = await taskModel(h.db)
      .findOne({ dedupeKey: `missed:${step!._id.toHexString()}` })
      .lean()
    const alert = push.messages(`alert:missed:${step!._id.toHexString()}`)[0]!
    const ref = missed!._id.toHexString().slice(-6)
    expect(alert.content.body).toContain(`「完成 ${ref}」`)
    // and a red flag arrives (the questionnaires module raises it through the same alert service)
    await worker.alerts.raise({
      dedupeKey: 'drill-red-flag',
      patientId: patient,
      kind: 'red_flag',
      title: '红旗症状：伤口渗液',
      detail: '术后问卷：伤口渗液 = 是',
      source: { kind: 'answer', id: 'drill' },
    })

    const list = await say('LiNa', '今日随访')
    expect(list).toContain('今日随访（3月4日，共 2 项，紧急 1 项）：')
    expect(list).toContain('1. 【紧急】张秀兰 · 红旗预警：红旗症状：伤口渗液 · 今天 00:05')
    expect(list).toContain('2. 张秀兰 · 漏访：术后第1天提醒 · 今天 00:05')
    expect(await say('LiNa', '完成 1')).toBe('李娜护士，您好。\n已完成：张秀兰 · 红旗症状：伤口渗液。')
    expect(await say('LiNa', '完成 1')).toContain('已经标记完成，无需重复操作')
    expect(await say('LiNa', `完成 ${ref}`)).toBe('李娜护士，您好。\n已完成：张秀兰 · 漏访：术后第1天提醒。')
    expect(
      await taskModel(h.db).countDocuments({ patientId: new Types.ObjectId(patient), status: 'open' }),
    ).toBe(0)
    expect(await say('LiNa', '今日随访')).toContain('今天没有待您处理的随访任务。')
    // another nurse's numbers are her own
    expect(await say('ZhouMin', '完成 1')).toContain('请先发送「今日随访」')
  })
})

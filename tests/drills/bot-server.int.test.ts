import { randomBytes } from 'node:crypto'
import {
  CommunitiesResponse,
  Community,
  PendingGroupSendsResponse,
  TagGroupsResponse,
} from '@careloop/shared'
import { XMLParser } from 'fast-xml-parser'
import { Types } from 'mongoose'
import { createLogger } from '../../server/src/logger'
import { accountModel } from '../../server/src/modules/accounts/account.model'
import { createCommunitiesModule } from '../../server/src/modules/communities/community.module'
import { patientModel } from '../../server/src/modules/patients/patient.model'
import { phoneAad } from '../../server/src/modules/patients/profile.service'
import { staffModel } from '../../server/src/modules/staff/staff.model'
import { WecomClient } from '../../server/src/platform/wecom/wecom-client'
import { createPiiCrypto } from '../../server/src/privacy/pii-crypto'
import { createCallbackCrypto } from '../../wecom-bot/src/callback-crypto'
import { CONFIRM_HINT, formatHospitalTime } from '../../wecom-bot/src/command-format'
import { loadBotConfig } from '../../wecom-bot/src/config'
import { startBot, type RunningBot, type StartBotOptions } from '../../wecom-bot/src/main'
import { createSimGroup } from '../src/harness/community-fixture'
import { useStaffHarness } from '../src/harness/server-harness'
import { SIM_WECOM } from '../src/sim/wecom/wecom-sim'

/**
 * Drill: WeCom → bot → server. A nurse's encrypted message reaches the real bot, which identifies
 * her through the server's service API by her WeCom userid and answers with an encrypted passive
 * reply greeting her by name; an unbound member is refused; a wrong service token is refused by the
 * server (the bot then answers that the service is unavailable rather than failing the callback).
 * Then the nurse commands on real data: 标签 tags a patient of hers in the database (ambiguity,
 * strangers and unknown tags answered politely), 群 shows her community's statistics after a
 * patient joined through the simulator (WeCom → bot → server), 待发 her mass send waiting for
 * confirmation once the group SOP tick created it in WeCom, and later marks it overdue.
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

const start = (serviceToken: string, options?: StartBotOptions): Promise<RunningBot> =>
  startBot(
    loadBotConfig({
      ...WECOM,
      BOT_PORT: '0',
      LOG_LEVEL: 'silent',
      SERVER_BASE_URL: h.url,
      SERVICE_TOKEN: serviceToken,
    }),
    options,
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

beforeAll(() => h.seedStaff())

describe('WeCom bot ⇄ server', () => {
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

describe('nurse commands on real data: 标签, 群, 待发', () => {
  const MIN = 60_000
  const HOUR = 60 * MIN
  const pii = () => createPiiCrypto(h.config.pii)
  const tokens = { admin: '', head: '', nurse: '' }
  let nurseLiId = ''
  let diabetes = ''
  let home: Community
  let bot: RunningBot

  const hook = async <T>(name: string, body?: unknown): Promise<T> => {
    const r = await fetch(`${h.wecom.url}/_sim/wecom/${name}`, { method: 'POST', body: JSON.stringify(body) })
    const out = (await r.json()) as T
    if (r.status !== 200) throw new Error(`sim ${name}: ${r.status} ${JSON.stringify(out)}`)
    return out
  }
  /** Moves the server's clock and keeps the simulator's in step. */
  const advance = (ms: number) => {
    h.clock.advance(ms)
    h.wecom.clock.set({ now: h.clock.now().toISOString() })
  }
  /** A patient record of the hospital (as the clinic sync would leave it), assigned to `nurseId`. */
  const seedPatient = async (name: string, phone: string, nurseId: string | null): Promise<string> => {
    const accountId = new Types.ObjectId()
    await accountModel(h.db).create({
      _id: accountId,
      openid: `drill-${accountId.toHexString()}`,
      phone: pii().encrypt(phone, phoneAad(accountId.toHexString())),
      phoneIndex: pii().blindIndex('phone', phone),
    })
    const p = await patientModel(h.db).create({
      accountId,
      relation: 'self',
      name,
      assignedNurseId: nurseId ? new Types.ObjectId(nurseId) : null,
    })
    return p._id.toHexString()
  }
  const tagsInDb = async (patientId: string) => (await patientModel(h.db).findById(patientId).lean())!.tags

  beforeAll(async () => {
    tokens.admin = (await h.staffLogin('admin')).accessToken
    tokens.head = (await h.staffLogin('headnurse.wang')).accessToken
    tokens.nurse = (await h.staffLogin('nurse.li')).accessToken
    nurseLiId = (await staffModel(h.db).findOne({ username: 'nurse.li' }).lean())!._id.toHexString()
    h.wecom.clock.set({ now: h.clock.now().toISOString() })
    await hook('seed', {
      members: [
        { userid: 'LiNa', name: '李娜' },
        { userid: 'WangFang', name: '王芳' },
      ],
    })
    const group = TagGroupsResponse.parse(
      (
        await h.request('POST', '/api/v1/staff/tag-groups', {
          token: tokens.admin,
          body: { name: '病种', kind: 'disease' },
        })
      ).body,
    ).groups.find((g) => g.name === '病种')!
    diabetes = TagGroupsResponse.parse(
      (
        await h.request('POST', `/api/v1/staff/tag-groups/${group.id}/tags`, {
          token: tokens.admin,
          body: { name: '糖尿病' },
        })
      ).body,
    )
      .groups.flatMap((g) => g.tags)
      .find((t) => t.name === '糖尿病')!.id
    const chatId = await createSimGroup(h, 'LiNa', '糖友之家')
    const r = await h.request('POST', '/api/v1/staff/communities', {
      token: tokens.head,
      body: { name: '糖友之家', chatId, diseaseTagId: diabetes, ownerNurseId: nurseLiId },
    })
    expect(r.status).toBe(201)
    home = Community.parse(r.body)
    // the bot runs on the server's clock (待发 says 今天/明天 relative to it) and receives the
    // simulator's callbacks
    bot = await start(SERVICE_TOKEN, { clock: h.clock })
    await hook('events/target', {
      url: `${bot.url}/wecom/callback`,
      token: WECOM.WECOM_TOKEN,
      encodingAesKey: WECOM.WECOM_ENCODING_AES_KEY,
      corpId: WECOM.WECOM_CORP_ID,
    })
  })
  afterAll(async () => {
    await hook('events/target', { url: null })
    await bot?.close()
  })

  it('标签 tags and untags a patient of hers in the database; ambiguity, strangers, unknown tags', async () => {
    const zhao = await seedPatient('赵敏', '13800005678', nurseLiId)
    const zhang1 = await seedPatient('张伟', '13900001111', nurseLiId)
    const zhang2 = await seedPatient('张伟', '13600002222', nurseLiId)
    await seedPatient('钱七', '13700003333', null)

    expect(await say(bot, 'LiNa', '标签　赵敏，糖尿病 门诊确诊')).toBe(
      '李娜护士，您好。\n已给 赵敏（138****5678） 打上「糖尿病」标签。\n原因：门诊确诊',
    )
    expect(await tagsInDb(zhao)).toEqual([
      expect.objectContaining({
        tagId: diabetes,
        source: 'manual',
        reason: '门诊确诊',
        by: { kind: 'staff', id: nurseLiId },
      }),
    ])
    // the same command again changes nothing (the first reason stays)
    expect(await say(bot, 'LiNa', '标签 5678 糖尿病 再次确认')).toContain('已有「糖尿病」标签，未重复添加')
    expect((await tagsInDb(zhao))[0]!.reason).toBe('门诊确诊')

    const ambiguous = await say(bot, 'LiNa', '标签 张伟 糖尿病')
    expect(ambiguous).toContain('「张伟」匹配到 2 位您负责的患者')
    expect(ambiguous).toMatch(/\n1\. 张伟（1\d{2}\*{4}\d{4}）\n2\. 张伟（1\d{2}\*{4}\d{4}）\n/)
    expect(ambiguous).toContain('139****1111')
    expect(ambiguous).toContain('136****2222')
    expect(await tagsInDb(zhang1)).toEqual([])
    // retried with the phone tail, as the reply suggests; no reason: the server records the bot
    expect(await say(bot, 'LiNa', '标签 1111 糖尿病')).toContain(
      '已给 张伟（139****1111） 打上「糖尿病」标签。',
    )
    expect(await tagsInDb(zhang1)).toEqual([
      expect.objectContaining({ tagId: diabetes, reason: '企业微信机器人：李娜' }),
    ])
    expect(await tagsInDb(zhang2)).toEqual([])

    expect(await say(bot, 'LiNa', '去标签 5678 糖尿病 复查排除')).toContain(
      '已去掉 赵敏（138****5678） 的「糖尿病」标签。',
    )
    expect(await tagsInDb(zhao)).toEqual([])
    expect(await say(bot, 'LiNa', '标签 赵敏 -糖尿病')).toContain(
      '赵敏（138****5678） 没有「糖尿病」标签，无需去掉。',
    )

    // not hers: not found (the head nurse, who sees everyone, finds her)
    expect(await say(bot, 'LiNa', '标签 钱七 糖尿病')).toContain('在您负责的患者中没有找到「钱七」')
    expect(await say(bot, 'WangFang', '标签 3333 糖尿病 护士长确认')).toContain(
      '已给 钱七（137****3333） 打上「糖尿病」标签。',
    )
    expect(await say(bot, 'LiNa', '标签 赵敏 不存在的病')).toContain('没有名为「不存在的病」的标签')
    expect(await say(bot, 'LiNa', '标签 赵敏')).toContain('打标签请这样写')
  })

  it('群 shows her community with real statistics; 待发 her pending send, then overdue', async () => {
    // a patient joins the group in WeCom: the simulator's callback goes through the bot to the server
    const joined = await hook<{ event: { delivered: boolean } }>('groups/join', {
      chat_id: home.chatId,
      unionid: 'uDrillBotGroupMember0001',
      name: '黄丽',
    })
    expect(joined.event.delivered).toBe(true)
    await bot.idle()
    const listed = CommunitiesResponse.parse(
      (await h.request('GET', '/api/v1/staff/communities', { token: tokens.nurse })).body,
    ).communities
    expect(listed).toHaveLength(1)
    const stats = listed[0]!.stats
    expect(stats).toMatchObject({ joined7d: 1, left7d: 0, pendingSends: 0 })

    expect(await say(bot, 'LiNa', '群')).toBe(
      [
        '李娜护士，您好。',
        '您负责的社群（共 1 个）：',
        '1. 糖友之家（糖尿病）',
        `   人数 ${stats.membersNow}/200 · 近7天 入群 1 退群 0`,
      ].join('\n'),
    )
    expect(await say(bot, 'LiNa', '待发')).toBe('李娜护士，您好。\n目前没有待您确认的群发。')

    // group SOP: due in a minute; the tick (a worker) creates the mass-send task in WeCom
    const text = '各位糖友：本周六上午九点在门诊三楼有免费血糖检测和饮食讲座，欢迎参加。'
    const sop = await h.request('POST', `/api/v1/staff/communities/${home.id}/sop`, {
      token: tokens.nurse,
      body: { text, sendAt: new Date(h.clock.now().getTime() + MIN).toISOString() },
    })
    expect(sop.status).toBe(201)
    advance(2 * MIN)
    const worker = createCommunitiesModule({
      config: h.config,
      clock: h.clock,
      db: h.db,
      logger: createLogger('silent'),
      wecom: new WecomClient({
        corpId: SIM_WECOM.corpId,
        agentSecret: SIM_WECOM.agentSecret,
        apiBase: h.wecom.url,
        clock: h.clock,
      }),
    })
    expect(await worker.sop.tick()).toMatchObject({ created: 1 })
    const [pending] = PendingGroupSendsResponse.parse(
      (await h.request('GET', '/api/v1/staff/group-sends/pending', { token: tokens.nurse })).body,
    ).sends
    expect(pending).toBeDefined()
    const deadline = formatHospitalTime(pending!.deadline, pending!.deadlineLocal, h.clock.now())
    expect(deadline).toMatch(/^(明天|\d+月\d+日|\d+年\d+月\d+日) \d{2}:\d{2}$/)

    expect(await say(bot, 'LiNa', '待群发')).toBe(
      [
        '李娜护士，您好。',
        '待您确认的群发（共 1 条）：',
        `1. 糖友之家 · 截止 ${deadline}`,
        '   「各位糖友：本周六上午九点在门诊三楼有免费血糖检测和饮食讲座，…」',
        CONFIRM_HINT,
      ].join('\n'),
    )
    expect(await say(bot, 'LiNa', '群统计')).toContain(
      '待确认群发 1\n有 1 条群发待您确认，发送「待发」查看。',
    )

    // a day later it is past its deadline
    advance(25 * HOUR)
    const late = await say(bot, 'LiNa', '待发')
    expect(late).toContain('待您确认的群发（共 1 条，1 条已逾期）：')
    expect(late).toContain('1. 【已逾期】糖友之家 · 截止 ')
  })
})

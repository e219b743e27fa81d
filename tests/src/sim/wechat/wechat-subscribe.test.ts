import type { CreditView } from './wechat-subscribe'
import {
  DEFAULT_SUBSCRIBE_TEMPLATES,
  SUBSCRIBE_TEMPLATE_IDS,
  WechatSim,
  type SubscribeMessage,
  type SubscribeTemplate,
} from './wechat-sim'

const sim = new WechatSim({ appid: 'wxsubapp', secret: 'sec' })
const FOLLOWUP = SUBSCRIBE_TEMPLATE_IDS.followupReminder
const NOTICE = SUBSCRIBE_TEMPLATE_IDS.healthNotice

let token = ''
let openid = ''

beforeAll(async () => {
  await sim.listen()
})
afterAll(() => sim.close())
beforeEach(async () => {
  await fetch(`${sim.url}/_sim/reset`, { method: 'POST' })
  const t = await fetch(`${sim.url}/cgi-bin/stable_token`, {
    method: 'POST',
    body: JSON.stringify({ grant_type: 'client_credential', appid: 'wxsubapp', secret: 'sec' }),
  })
  token = ((await t.json()) as { access_token: string }).access_token
  openid = sim.loginCode('patient-1').openid
})

/** What the hooks answer (each fills one of these). */
interface HookJson {
  templates: SubscribeTemplate[]
  credits: CreditView[]
  messages: SubscribeMessage[]
  error: string
}

const hook = async (
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<{ status: number; json: HookJson }> => {
  const r = await fetch(`${sim.url}/_sim/wx/${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  return { status: r.status, json: (await r.json()) as HookJson }
}

const followupData = {
  thing1: { value: '高血压复诊' },
  time2: { value: '2024年5月1日 09:00' },
  thing3: { value: '请空腹' },
}

interface SendResult {
  errcode: number
  errmsg: string
  msgid?: number
  raw: string
}

async function send(body: Record<string, unknown>, accessToken = token): Promise<SendResult> {
  const r = await fetch(`${sim.url}/cgi-bin/message/subscribe/send?access_token=${accessToken}`, {
    method: 'POST',
    body: JSON.stringify(body),
  })
  const raw = await r.text()
  return { ...(JSON.parse(raw) as Omit<SendResult, 'raw'>), raw }
}

const followup = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  touser: openid,
  template_id: FOLLOWUP,
  page: 'pages/index/index?from=push',
  data: followupData,
  ...extra,
})

describe('WeChat simulator: subscribe/send', () => {
  it('registers the default templates', async () => {
    const { json } = await hook('GET', 'templates')
    expect(json.templates).toEqual(DEFAULT_SUBSCRIBE_TEMPLATES)
    expect(DEFAULT_SUBSCRIBE_TEMPLATES.map((t) => [t.id, t.kind])).toEqual([
      ['tmpl-followup-reminder', 'one-time'],
      ['tmpl-questionnaire-due', 'one-time'],
      ['tmpl-health-notice', 'long-term'],
    ])
  })

  it('one-time: each accept is one credit; two accepts → two sends, the third is 43101', async () => {
    await hook('POST', 'subscribe', { openid, decisions: { [FOLLOWUP]: 'accept' } })
    await hook('POST', 'subscribe', { openid, decisions: { [FOLLOWUP]: 'accept' } })
    expect((await hook('GET', `credits?openid=${openid}`)).json.credits).toEqual([
      { openid, template_id: FOLLOWUP, kind: 'one-time', credits: 2, subscribed: false },
    ])
    const a = await send(followup())
    const b = await send(followup())
    expect([a.errcode, b.errcode]).toEqual([0, 0])
    expect(a.errmsg).toBe('ok')
    const c = await send(followup())
    expect(c.errcode).toBe(43101)
    expect((await hook('GET', `credits?openid=${openid}`)).json.credits[0]!.credits).toBe(0)
    const { json } = await hook('GET', `messages?openid=${openid}`)
    expect(json.messages).toHaveLength(2)
    expect(json.messages[0]).toMatchObject({
      touser: openid,
      template_id: FOLLOWUP,
      page: 'pages/index/index?from=push',
      data: followupData,
      miniprogram_state: 'formal',
      lang: 'zh_CN',
    })
  })

  it('msgid is a deterministic integer beyond 2^53, sent as a raw JSON number', async () => {
    await hook('POST', 'subscribe', { openid, decisions: { [FOLLOWUP]: 'accept' } })
    const a = await send(followup())
    expect(a.raw).toBe('{"errcode":0,"errmsg":"ok","msgid":1800000000000000001}')
    const { json } = await hook('GET', 'messages')
    expect(json.messages[0]!.msgid).toBe('1800000000000000001')
  })

  it('long-term: needs a standing accept; reject clears it', async () => {
    const data = { thing1: { value: '用药提醒' }, thing2: { value: '请按时服药' }, time3: { value: '08:00' } }
    expect((await send({ touser: openid, template_id: NOTICE, data })).errcode).toBe(43101)
    await hook('POST', 'subscribe', { openid, decisions: { [NOTICE]: 'accept' } })
    for (let i = 0; i < 3; i++)
      expect((await send({ touser: openid, template_id: NOTICE, data })).errcode).toBe(0)
    await hook('POST', 'subscribe', { openid, decisions: { [NOTICE]: 'reject' } })
    expect((await send({ touser: openid, template_id: NOTICE, data })).errcode).toBe(43101)
  })

  it('47003 names the field; a failed send consumes no credit', async () => {
    await hook('POST', 'subscribe', { openid, decisions: { [FOLLOWUP]: 'accept' } })
    const empty = await send(followup({ data: { ...followupData, thing1: { value: '' } } }))
    expect(empty.errcode).toBe(47003)
    expect(empty.errmsg).toMatch(/^argument invalid! data\.thing1\.value is empty/)
    const long = await send(followup({ data: { ...followupData, thing3: { value: '很'.repeat(21) } } }))
    expect(long.errmsg).toMatch(/^argument invalid! data\.thing3\.value exceeds limit/)
    const time = await send(followup({ data: { ...followupData, time2: { value: '明天' } } }))
    expect(time.errmsg).toMatch(/^argument invalid! data\.time2\.value invalid/)
    const { thing3: _drop, ...missing } = followupData
    const miss = await send(followup({ data: missing }))
    expect(miss.errmsg).toMatch(/^argument invalid! data\.thing3\.value is empty/)
    expect((await send(followup({ data: 'x' }))).errcode).toBe(47003)
    expect((await send(followup({ lang: 'fr_FR' }))).errcode).toBe(47003)
    expect((await send(followup())).errcode).toBe(0)
  })

  it('40003 unknown openid, 40037 unknown template, 41030 bad page', async () => {
    await hook('POST', 'subscribe', { openid, decisions: { [FOLLOWUP]: 'accept' } })
    expect((await send(followup({ touser: 'o-nobody' }))).errcode).toBe(40003)
    expect((await send(followup({ touser: undefined }))).errcode).toBe(40003)
    expect((await send(followup({ template_id: 'tmpl-nope' }))).errcode).toBe(40037)
    expect((await send(followup({ page: 'admin/index' }))).errcode).toBe(41030)
    expect((await send(followup({ page: 'pkg-mine/my-data/my-data' }))).errcode).toBe(0)
    await hook('POST', 'subscribe', { openid, decisions: { [FOLLOWUP]: 'accept' } })
    await hook('POST', 'pages', { pages: ['pages/index/index'] })
    expect((await send(followup({ page: 'pkg-mine/my-data/my-data' }))).errcode).toBe(41030)
    expect((await send(followup({ page: 'pages/index/index?x=1' }))).errcode).toBe(0)
    expect((await hook('GET', 'messages')).json.messages).toHaveLength(2)
  })

  it('token checks like the other token APIs: 41001, 40001, 42001', async () => {
    await hook('POST', 'subscribe', { openid, decisions: { [FOLLOWUP]: 'accept' } })
    const r = await fetch(`${sim.url}/cgi-bin/message/subscribe/send`, {
      method: 'POST',
      body: JSON.stringify(followup()),
    })
    expect(((await r.json()) as { errcode: number }).errcode).toBe(41001)
    expect((await send(followup(), 'forged')).errcode).toBe(40001)
    sim.clock.set({ advanceMs: 7200_000 })
    expect((await send(followup())).errcode).toBe(42001)
    expect((await hook('GET', 'credits')).json.credits[0]!.credits).toBe(1)
  })

  it('hooks: an openid added by a hook is known; custom templates; bad hook input is 400', async () => {
    expect((await hook('POST', 'users', { openid: 'o-added' })).status).toBe(200)
    const tmpl = {
      id: 'tmpl-x',
      title: '缴费提醒',
      kind: 'one-time',
      keys: { amount1: 'amount', enum2: 'enum' },
    }
    expect((await hook('POST', 'templates', { ...tmpl, enumValues: { enum2: ['待支付'] } })).status).toBe(200)
    await hook('POST', 'subscribe', { openid: 'o-added', decisions: { 'tmpl-x': 'accept' } })
    const data = { amount1: { value: '¥12.50' }, enum2: { value: '已支付' } }
    expect((await send({ touser: 'o-added', template_id: 'tmpl-x', data })).errcode).toBe(47003)
    data.enum2.value = '待支付'
    expect((await send({ touser: 'o-added', template_id: 'tmpl-x', data })).errcode).toBe(0)

    expect((await hook('POST', 'templates', { ...tmpl, keys: { thing1: 'time' } })).status).toBe(400)
    expect((await hook('POST', 'templates', { ...tmpl, kind: 'forever' })).status).toBe(400)
    expect((await hook('POST', 'subscribe', { openid, decisions: { 'tmpl-nope': 'accept' } })).status).toBe(
      404,
    )
    expect((await hook('POST', 'subscribe', { openid, decisions: { [FOLLOWUP]: 'maybe' } })).status).toBe(400)
    expect((await hook('POST', 'subscribe', { decisions: {} })).status).toBe(400)
    expect((await hook('POST', 'pages', { pages: 'pages/index' })).status).toBe(400)

    // reset restores the defaults and forgets consent
    await fetch(`${sim.url}/_sim/reset`, { method: 'POST' })
    expect((await hook('GET', 'templates')).json.templates).toHaveLength(3)
    expect((await hook('GET', 'credits')).json.credits).toEqual([])
  })
})

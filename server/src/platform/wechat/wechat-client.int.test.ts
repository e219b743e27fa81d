import { ManualClock } from '../../clock'
import { SUBSCRIBE_TEMPLATE_IDS, WechatSim } from '../../../../tests/src/sim/wechat/wechat-sim'
import { WechatApiError, WechatClient } from './wechat-client'

const sim = new WechatSim({ appid: 'wxapp', secret: 'sec' })
let client: WechatClient
const clock = new ManualClock()

beforeAll(async () => {
  await sim.listen()
})
afterAll(() => sim.close())
beforeEach(async () => {
  await fetch(`${sim.url}/_sim/reset`, { method: 'POST' })
  client = new WechatClient({ appid: 'wxapp', secret: 'sec', apiBase: sim.url, clock })
})

describe('WechatClient against the simulator', () => {
  it('code2Session returns the stable openid and unionid of the user', async () => {
    const a = sim.loginCode('zhang')
    const s = await client.code2Session(a.code)
    expect(s).toEqual({ openid: a.openid, unionid: a.unionid })
    expect(sim.identity('zhang').openid).toBe(a.openid)
    await expect(client.code2Session(a.code)).rejects.toMatchObject({ errcode: 40163 })
  })

  it('reports bad credentials as WechatApiError with the errcode', async () => {
    const bad = new WechatClient({ appid: 'wxapp', secret: 'wrong', apiBase: sim.url, clock })
    await expect(bad.code2Session(sim.loginCode('x').code)).rejects.toEqual(expect.any(WechatApiError))
    await expect(bad.code2Session(sim.loginCode('x').code)).rejects.toMatchObject({ errcode: 40125 })
  })

  it('caches the stable token and shares one request between concurrent callers', async () => {
    const tokens = await Promise.all([client.accessToken(), client.accessToken(), client.accessToken()])
    expect(new Set(tokens).size).toBe(1)
    expect(await client.accessToken()).toBe(tokens[0])
    expect(sim.requests('/cgi-bin/stable_token')).toHaveLength(1)
  })

  it('refreshes 5 minutes before expiry', async () => {
    const t1 = await client.accessToken()
    clock.advance((7200 - 299) * 1000)
    sim.clock.set({ advanceMs: (7200 - 299) * 1000 })
    const t2 = await client.accessToken()
    expect(sim.requests('/cgi-bin/stable_token')).toHaveLength(2)
    // the simulator pre-refreshes inside the last 5 minutes, so a new token comes back
    expect(t2).not.toBe(t1)
  })

  it('on a stale token refreshes once and retries with the new token', async () => {
    const t1 = await client.accessToken()
    await fetch(`${sim.url}/_sim/wx/tokens/revoke`, { method: 'POST', body: JSON.stringify({ token: t1 }) })
    const seen: string[] = []
    const result = await client.withAccessToken((token) => {
      seen.push(token)
      const bad = sim.checkAccessToken(token)
      if (bad) {
        const b = bad.body as { errcode: number; errmsg: string }
        return Promise.reject(new WechatApiError(b.errcode, b.errmsg, 'test'))
      }
      return Promise.resolve('ok')
    })
    expect(result).toBe('ok')
    expect(seen).toHaveLength(2)
    expect(seen[1]).not.toBe(t1)
    const force = sim
      .requests('/cgi-bin/stable_token')
      .map((r) => (r.body as { force_refresh: boolean }).force_refresh)
    expect(force).toEqual([false, false])
  })

  it('force-refreshes when the normal refresh hands back the same stale token', async () => {
    const t1 = await client.accessToken()
    const seen: string[] = []
    // The platform calls t1 stale although stable_token still returns it (e.g. another server forced a refresh).
    const result = await client.withAccessToken((token) => {
      seen.push(token)
      if (token === t1)
        return Promise.reject(
          new WechatApiError(40001, 'invalid credential, access_token is invalid or not latest', 'test'),
        )
      return Promise.resolve('ok')
    })
    expect(result).toBe('ok')
    expect(seen[1]).not.toBe(t1)
    const force = sim
      .requests('/cgi-bin/stable_token')
      .map((r) => (r.body as { force_refresh: boolean }).force_refresh)
    expect(force).toEqual([false, false, true])
  })

  it('sendSubscribeMessage: sends, keeps the 64-bit msgid exact, refreshes a stale token, surfaces errcodes', async () => {
    const { openid } = sim.loginCode('wang')
    const templateId = SUBSCRIBE_TEMPLATE_IDS.followupReminder
    sim.subscriptions.decide(openid, { [templateId]: 'accept' })
    sim.subscriptions.decide(openid, { [templateId]: 'accept' })
    const data = {
      thing1: { value: '复诊' },
      time2: { value: '2024-05-01 09:00' },
      thing3: { value: '空腹' },
    }
    const sent = await client.sendSubscribeMessage({
      touser: openid,
      templateId,
      page: 'pages/index/index',
      data,
      miniprogramState: 'trial',
      lang: 'zh_CN',
    })
    expect(sent.msgid).toBe('1800000000000000001')
    expect(sim.subscriptions.messages[0]).toMatchObject({
      msgid: '1800000000000000001',
      touser: openid,
      template_id: templateId,
      page: 'pages/index/index',
      data,
      miniprogram_state: 'trial',
    })

    // a revoked token is refreshed and the send retried once
    await fetch(`${sim.url}/_sim/wx/tokens/revoke`, { method: 'POST', body: '{}' })
    expect((await client.sendSubscribeMessage({ touser: openid, templateId, data })).msgid).toBe(
      '1800000000000000002',
    )
    expect(sim.requests('/cgi-bin/message/subscribe/send')).toHaveLength(3)

    // the credits are spent: 43101; bad data: 47003 naming the field
    const third = client.sendSubscribeMessage({ touser: openid, templateId, data })
    await expect(third).rejects.toEqual(expect.any(WechatApiError))
    await expect(client.sendSubscribeMessage({ touser: openid, templateId, data })).rejects.toMatchObject({
      errcode: 43101,
      api: 'subscribe/send',
    })
    sim.subscriptions.decide(openid, { [templateId]: 'accept' })
    await expect(
      client.sendSubscribeMessage({ touser: openid, templateId, data: { ...data, thing1: { value: '' } } }),
    ).rejects.toMatchObject({
      errcode: 47003,
      errmsg: expect.stringMatching(/data\.thing1\.value is empty/) as string,
    })
  })

  it('the plain /cgi-bin/token endpoint issues a new token per call, and GET stable_token is refused', async () => {
    const a = (await (
      await fetch(`${sim.url}/cgi-bin/token?grant_type=client_credential&appid=wxapp&secret=sec`)
    ).json()) as {
      access_token: string
      expires_in: number
    }
    const b = (await (
      await fetch(`${sim.url}/cgi-bin/token?grant_type=client_credential&appid=wxapp&secret=sec`)
    ).json()) as {
      access_token: string
    }
    expect(a.expires_in).toBe(7200)
    expect(a.access_token).not.toBe(b.access_token)
    // the old one still works for about five minutes, then expires
    expect(sim.checkAccessToken(a.access_token)).toBeUndefined()
    sim.clock.set({ advanceMs: 301_000 })
    expect((sim.checkAccessToken(a.access_token)?.body as { errcode: number }).errcode).toBe(42001)
    const get = (await (await fetch(`${sim.url}/cgi-bin/stable_token`)).json()) as { errcode: number }
    expect(get.errcode).toBe(43002)
  })
})

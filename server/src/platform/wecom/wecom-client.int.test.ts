import { ManualClock } from '../../clock'
import { WecomSim } from '../../../../tests/src/sim/wecom/wecom-sim'
import { WecomApiError, WecomClient } from './wecom-client'

const CORP = 'wwcorp0001'
const sim = new WecomSim({ corpId: CORP, secrets: ['agent-secret', 'contact-secret'] })
const clock = new ManualClock()
let client: WecomClient

beforeAll(async () => {
  await sim.listen()
})
afterAll(() => sim.close())
beforeEach(async () => {
  await fetch(`${sim.url}/_sim/reset`, { method: 'POST' })
  client = new WecomClient({ corpId: CORP, agentSecret: 'agent-secret', apiBase: sim.url, clock })
})

const hook = async (body: unknown): Promise<{ status: number; json: { code?: string } }> => {
  const r = await fetch(`${sim.url}/_sim/wecom/login`, { method: 'POST', body: JSON.stringify(body) })
  return { status: r.status, json: (await r.json()) as { code?: string } }
}

describe('WecomClient against the simulator', () => {
  it('getUserInfo: a member comes back with her userid, an outsider with an openid; codes are single-use', async () => {
    const { json } = await hook({ userid: 'LiNa' })
    expect(await client.getUserInfo(json.code!)).toEqual({ kind: 'member', userid: 'LiNa' })
    await expect(client.getUserInfo(json.code!)).rejects.toMatchObject({ errcode: 40029 })
    expect(await client.getUserInfo(sim.loginCode({ openid: 'oX1' }))).toEqual({
      kind: 'outsider',
      openid: 'oX1',
    })
    expect((await hook({})).status).toBe(400)
  })

  it('codes live five minutes', async () => {
    const code = sim.loginCode({ userid: 'LiNa' })
    sim.clock.set({ advanceMs: 300_001 })
    await expect(client.getUserInfo(code)).rejects.toMatchObject({ errcode: 40029 })
  })

  it('caches one token per secret and shares one request between concurrent callers', async () => {
    const t = await Promise.all([client.accessToken(), client.accessToken(), client.accessToken()])
    expect(new Set(t).size).toBe(1)
    const other = await client.accessToken('contact-secret')
    expect(other).not.toBe(t[0])
    expect(await client.accessToken()).toBe(t[0])
    expect(sim.requests('/cgi-bin/gettoken')).toHaveLength(2)
    // the simulator hands the same token back for the same secret while it lives
    const again = await fetch(`${sim.url}/cgi-bin/gettoken?corpid=${CORP}&corpsecret=agent-secret`)
    expect(((await again.json()) as { access_token: string }).access_token).toBe(t[0])
  })

  it('refreshes 5 minutes before expiry', async () => {
    const first = await client.accessToken()
    clock.advance((7200 - 299) * 1000)
    sim.clock.set({ advanceMs: 7200 * 1000 })
    const second = await client.accessToken()
    expect(second).not.toBe(first)
    clock.advance(-(7200 - 299) * 1000)
  })

  it('on an expired (42001) or invalid (40014) token, fetches a new one and retries once', async () => {
    await client.accessToken()
    await fetch(`${sim.url}/_sim/wecom/tokens/expire`, { method: 'POST' })
    expect(await client.getUserInfo(sim.loginCode({ userid: 'A' }))).toEqual({ kind: 'member', userid: 'A' })
    expect(sim.requests('/cgi-bin/gettoken')).toHaveLength(2)

    await fetch(`${sim.url}/_sim/faults`, {
      method: 'POST',
      body: JSON.stringify({ route: '/cgi-bin/auth/getuserinfo', errcode: 40014, times: 1 }),
    })
    expect(await client.getUserInfo(sim.loginCode({ userid: 'B' }))).toEqual({ kind: 'member', userid: 'B' })
    // a second stale answer in a row is not retried again
    await fetch(`${sim.url}/_sim/faults`, {
      method: 'POST',
      body: JSON.stringify({ route: '/cgi-bin/auth/getuserinfo', errcode: 42001, times: 2 }),
    })
    await expect(client.getUserInfo(sim.loginCode({ userid: 'C' }))).rejects.toMatchObject({ errcode: 42001 })
  })

  it('reports a bad corp id (40013) and a bad secret (40001) as WecomApiError', async () => {
    const badCorp = new WecomClient({ corpId: 'nope', agentSecret: 'agent-secret', apiBase: sim.url, clock })
    await expect(badCorp.accessToken()).rejects.toEqual(expect.any(WecomApiError))
    await expect(badCorp.accessToken()).rejects.toMatchObject({ errcode: 40013 })
    const badSecret = new WecomClient({ corpId: CORP, agentSecret: 'wrong', apiBase: sim.url, clock })
    await expect(badSecret.accessToken()).rejects.toMatchObject({ errcode: 40001 })
  })

  it('checks the access_token like WeCom: missing 41001, unknown 40014', async () => {
    const code = sim.loginCode({ userid: 'A' })
    const missing = await fetch(`${sim.url}/cgi-bin/auth/getuserinfo?code=${code}`)
    expect(await missing.json()).toMatchObject({ errcode: 41001 })
    const unknown = await fetch(`${sim.url}/cgi-bin/auth/getuserinfo?access_token=forged&code=${code}`)
    expect(await unknown.json()).toMatchObject({ errcode: 40014 })
  })

  it('sendAppText with duplicateCheckSeconds: a repeated send within the interval reaches nobody twice', async () => {
    await fetch(`${sim.url}/_sim/wecom/seed`, { method: 'POST', body: JSON.stringify({ members: ['LiNa'] }) })
    const o = { agentId: sim.agentId, touser: ['LiNa', 'Ghost'], content: '待确认群发 3 条' }
    expect(await client.sendAppText({ ...o, duplicateCheckSeconds: 600 })).toEqual({
      invalidUsers: ['Ghost'],
    })
    expect(await client.sendAppText({ ...o, duplicateCheckSeconds: 600 })).toEqual({
      invalidUsers: ['Ghost'],
    })
    expect(sim.state.appMessages).toHaveLength(1)
    expect(sim.state.duplicates).toEqual([expect.objectContaining({ userid: 'LiNa', interval: 600 })])
    const sent = sim.requests('/cgi-bin/message/send').map((r) => r.body)
    expect(sent[0]).toMatchObject({ enable_duplicate_check: 1, duplicate_check_interval: 600 })
    // over 4 h is clamped; without the option the check stays off and the text goes out again
    await client.sendAppText({ ...o, content: 'x', duplicateCheckSeconds: 86_400 })
    expect(sim.requests('/cgi-bin/message/send').at(-1)!.body).toMatchObject({
      duplicate_check_interval: 14_400,
    })
    await client.sendAppText(o)
    expect(sim.requests('/cgi-bin/message/send').at(-1)!.body).not.toHaveProperty('enable_duplicate_check')
    expect(sim.state.appMessages).toHaveLength(3)
  })

  it('sendRobotMessage posts to webhook/send with the key and no token; 93000 and 45009 are WecomApiError', async () => {
    await fetch(`${sim.url}/_sim/wecom/seed`, { method: 'POST', body: JSON.stringify({ robots: ['rk-1'] }) })
    await client.sendRobotMessage('rk-1', {
      msgtype: 'text',
      text: { content: '今日随访 3 人', mentioned_list: ['@all'] },
    })
    await client.sendRobotMessage('rk-1', { msgtype: 'markdown', markdown: { content: '**逾期** 2 人' } })
    expect(sim.state.webhookMessages.map((m) => [m.key, m.msgtype])).toEqual([
      ['rk-1', 'text'],
      ['rk-1', 'markdown'],
    ])
    expect(sim.requests('/cgi-bin/webhook/send')[0]!.query).toEqual({ key: 'rk-1' })
    expect(sim.requests('/cgi-bin/gettoken')).toHaveLength(0)
    const bad = client.sendRobotMessage('nope', { msgtype: 'text', text: { content: 'x' } })
    await expect(bad).rejects.toEqual(expect.any(WecomApiError))
    await expect(
      client.sendRobotMessage('nope', { msgtype: 'text', text: { content: 'x' } }),
    ).rejects.toMatchObject({
      errcode: 93000,
      api: 'webhook/send',
    })
    for (let i = 0; i < 18; i++)
      await client.sendRobotMessage('rk-1', { msgtype: 'text', text: { content: `${i}` } })
    await expect(
      client.sendRobotMessage('rk-1', { msgtype: 'text', text: { content: 'over' } }),
    ).rejects.toMatchObject({
      errcode: 45009,
    })
  })

  it('maps an unreachable host to UPSTREAM_UNAVAILABLE', async () => {
    const down = new WecomClient({
      corpId: CORP,
      agentSecret: 'x',
      apiBase: 'http://127.0.0.1:9',
      clock,
      timeoutMs: 500,
    })
    await expect(down.accessToken()).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' })
  })
})

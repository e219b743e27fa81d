import { CORP, SECRET, expectErr, useWecomSim } from './wecom-test-kit'

const k = useWecomSim()

describe('WecomSim frame', () => {
  it('hands one token per secret and refuses unknown corps and secrets', async () => {
    const get = async (q: string) =>
      (await (await fetch(`${k.url}/cgi-bin/gettoken?${q}`)).json()) as Record<string, unknown>
    const a = await get(`corpid=${CORP}&corpsecret=${SECRET}`)
    expect(a).toMatchObject({ errcode: 0, expires_in: 7200 })
    expect((await get(`corpid=${CORP}&corpsecret=${SECRET}`)).access_token).toBe(a.access_token)
    expectErr(await get(`corpid=nope&corpsecret=${SECRET}`), 40013)
    expectErr(await get(`corpid=${CORP}&corpsecret=nope`), 40001)
  })

  it('every API needs a live access_token: 41001 missing, 40014 invalid, 42001 expired', async () => {
    const call = async (q: string) =>
      (await (
        await fetch(`${k.url}/cgi-bin/externalcontact/get_corp_tag_list${q}`, { method: 'POST', body: '{}' })
      ).json()) as Record<string, unknown>
    expectErr(await call(''), 41001)
    expectErr(await call('?access_token=forged'), 40014)
    const token = await k.token()
    expect(await call(`?access_token=${token}`)).toMatchObject({ errcode: 0, tag_group: [] })
    await fetch(`${k.url}/_sim/wecom/tokens/expire`, { method: 'POST' })
    expectErr(await call(`?access_token=${token}`), 42001)
  })

  it('answers malformed JSON with 47001 and the wrong method with 43002', async () => {
    const t = (await (
      await fetch(`${k.url}/cgi-bin/gettoken?corpid=${CORP}&corpsecret=${SECRET}`)
    ).json()) as {
      access_token: string
    }
    const r = await fetch(`${k.url}/cgi-bin/externalcontact/mark_tag?access_token=${t.access_token}`, {
      method: 'POST',
      body: '{not json',
    })
    expect(r.status).toBe(200)
    expectErr((await r.json()) as Record<string, unknown>, 47001)
    const g = await fetch(`${k.url}/cgi-bin/externalcontact/mark_tag?access_token=${t.access_token}`)
    expect(((await g.json()) as { errcode: number }).errcode).toBe(43002)
  })

  it('hooks answer CORS preflight; reset clears the corp; shared faults hit the new routes', async () => {
    const pre = await fetch(`${k.url}/_sim/wecom/customers/add`, { method: 'OPTIONS' })
    expect(pre.status).toBe(204)
    expect(pre.headers.get('access-control-allow-origin')).toBe('*')
    const seeded = await k.seed({ members: [{ userid: 'LiNa', name: '李娜' }], robots: ['k1'] })
    expect(seeded).toMatchObject({ members: ['LiNa'], robots: ['k1'] })
    expect((await k.peek('state')).members).toEqual([{ userid: 'LiNa', name: '李娜' }])
    await fetch(`${k.url}/_sim/faults`, {
      method: 'POST',
      body: JSON.stringify({ route: '/cgi-bin/externalcontact/list', errcode: -1 }),
    })
    expect(await k.api('GET', 'externalcontact/list', { userid: 'LiNa' })).toMatchObject({ errcode: -1 })
    await fetch(`${k.url}/_sim/reset`, { method: 'POST' })
    expect((await k.peek('state')).members).toEqual([])
  })

  it('keeps web login (auth/getuserinfo) working', async () => {
    const { body } = await k.hook('login', { userid: 'LiNa' })
    const r = await k.api('GET', 'auth/getuserinfo', { code: body.code as string })
    expect(r).toMatchObject({ errcode: 0, userid: 'LiNa' })
    expectErr(await k.api('GET', 'auth/getuserinfo', { code: body.code as string }), 40029)
  })
})

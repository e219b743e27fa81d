import { expectErr, useWecomSim, type ContactReply } from './wecom-test-kit'

const k = useWecomSim()

beforeEach(async () => {
  await k.seed({ members: [{ userid: 'LiNa', name: '李娜' }, 'WangFang', 'Idle'] })
})

const addCustomer = async (body: Record<string, unknown>) => {
  const r = await k.hook('customers/add', body)
  expect(r.status).toBe(200)
  return r.body as { external_userid: string; welcome_code?: string; event: { seq: number } }
}

describe('external contacts', () => {
  it('customers/add makes a contact that list and get return, unionid and state included', async () => {
    const a = await addCustomer({ userid: 'LiNa', name: '张三', unionid: 'uZhang', state: 'c1p9', gender: 1 })
    const b = await addCustomer({ userid: 'LiNa', name: '李四', unionid: 'uLi' })
    expect(a.external_userid).toBe('wmSimExt000001')
    expect(b.external_userid).toBe('wmSimExt000002')
    expect(await k.api('GET', 'externalcontact/list', { userid: 'LiNa' })).toEqual({
      errcode: 0,
      errmsg: 'ok',
      external_userid: [a.external_userid, b.external_userid],
    })
    const got = await k.api('GET', 'externalcontact/get', { external_userid: a.external_userid })
    expect(got.external_contact).toMatchObject({
      external_userid: a.external_userid,
      name: '张三',
      type: 1,
      gender: 1,
      unionid: 'uZhang',
    })
    expect(got.follow_user).toEqual([
      expect.objectContaining({
        userid: 'LiNa',
        tags: [],
        state: 'c1p9',
        add_way: 1,
        createtime: expect.any(Number) as number,
      }),
    ])
    expect(got.next_cursor).toBeUndefined()
  })

  it('the same WeChat user (unionid) adding a second nurse keeps one external_userid', async () => {
    const a = await addCustomer({ userid: 'LiNa', name: '张三', unionid: 'uZhang' })
    const again = await addCustomer({ userid: 'WangFang', name: '张三', unionid: 'uZhang' })
    expect(again.external_userid).toBe(a.external_userid)
    const got = await k.api<ContactReply>('GET', 'externalcontact/get', {
      external_userid: a.external_userid,
    })
    expect(got.follow_user.map((f) => f.userid)).toEqual(['LiNa', 'WangFang'])
    expect((await k.hook('customers/add', { userid: 'LiNa', unionid: 'uZhang', name: 'x' })).status).toBe(409)
    expect((await k.hook('customers/add', { userid: 'Stranger', name: 'x' })).status).toBe(400)
  })

  it('errcodes: 41009 no userid, 60111 unknown member, 84061 no customers / no relation, 40096 unknown id', async () => {
    expectErr(await k.api('GET', 'externalcontact/list', {}), 41009)
    expectErr(await k.api('GET', 'externalcontact/list', { userid: 'Ghost' }), 60111)
    expectErr(await k.api('GET', 'externalcontact/list', { userid: 'Idle' }), 84061)
    expectErr(await k.api('GET', 'externalcontact/get', { external_userid: 'wmNope' }), 40096)
    const a = await addCustomer({ userid: 'LiNa', name: '张三' })
    await k.hook('customers/remove', { userid: 'LiNa', external_userid: a.external_userid, by: 'customer' })
    expectErr(await k.api('GET', 'externalcontact/get', { external_userid: a.external_userid }), 84061)
  })

  it('get_follow_user_list returns the members', async () => {
    expect(await k.api('GET', 'externalcontact/get_follow_user_list')).toMatchObject({
      errcode: 0,
      follow_user: ['LiNa', 'WangFang', 'Idle'],
    })
  })

  it('customers/remove fires del_external_contact (staff) or del_follow_user (customer)', async () => {
    const a = await addCustomer({ userid: 'LiNa', name: '张三' })
    const b = await addCustomer({ userid: 'WangFang', name: '李四' })
    await k.hook('customers/remove', { userid: 'LiNa', external_userid: a.external_userid, by: 'staff' })
    await k.hook('customers/remove', {
      userid: 'WangFang',
      external_userid: b.external_userid,
      by: 'customer',
    })
    const types = k.sim.eventLog().map((e) => ('changeType' in e.event ? e.event.changeType : ''))
    expect(types).toEqual([
      'add_external_contact',
      'add_external_contact',
      'del_external_contact',
      'del_follow_user',
    ])
    expect(
      (await k.hook('customers/remove', { userid: 'LiNa', external_userid: a.external_userid })).status,
    ).toBe(404)
  })
})

describe('send_welcome_msg', () => {
  it('accepts the code once within 20 s, then 41051', async () => {
    const a = await addCustomer({ userid: 'LiNa', name: '张三', state: 's1' })
    expect(a.welcome_code).toBe('WELCOMECODE_SIM_000001')
    const ev = k.sim.eventLog()[0]!
    expect(ev.event).toMatchObject({
      changeType: 'add_external_contact',
      welcomeCode: a.welcome_code,
      state: 's1',
    })
    k.advance(19_000)
    const ok = await k.api('POST', 'externalcontact/send_welcome_msg', {
      welcome_code: a.welcome_code,
      text: { content: '您好，我是李娜护士' },
    })
    expect(ok).toEqual({ errcode: 0, errmsg: 'ok' })
    expectErr(
      await k.api('POST', 'externalcontact/send_welcome_msg', {
        welcome_code: a.welcome_code,
        text: { content: 'again' },
      }),
      41051,
    )
    expect((await k.peek('welcome-messages')).messages).toEqual([
      expect.objectContaining({
        userid: 'LiNa',
        external_userid: a.external_userid,
        text: { content: '您好，我是李娜护士' },
      }),
    ])
  })

  it('a code older than 20 s (simulator clock) is 41051', async () => {
    const a = await addCustomer({ userid: 'LiNa', name: '张三' })
    k.advance(20_001)
    expectErr(
      await k.api('POST', 'externalcontact/send_welcome_msg', {
        welcome_code: a.welcome_code,
        text: { content: 'hi' },
      }),
      41051,
    )
  })

  it('validates the body: unknown code 40058, empty 44004, >4000 B or >9 attachments 40058', async () => {
    const a = await addCustomer({ userid: 'LiNa', name: '张三' })
    const send = (body: Record<string, unknown>) =>
      k.api('POST', 'externalcontact/send_welcome_msg', { welcome_code: a.welcome_code, ...body })
    expectErr(
      await k.api('POST', 'externalcontact/send_welcome_msg', {
        welcome_code: 'nope',
        text: { content: 'x' },
      }),
      40058,
    )
    expectErr(await send({}), 44004)
    expectErr(await send({ text: { content: '好'.repeat(1334) } }), 40058) // 4002 bytes
    expectErr(await send({ attachments: Array.from({ length: 10 }, () => ({ msgtype: 'image' })) }), 40058)
    // none of the failures used the code up
    expect(await send({ text: { content: '好'.repeat(1333) } })).toMatchObject({ errcode: 0 })
  })

  it('no WelcomeCode when the hook says the chat already started', async () => {
    const a = await addCustomer({ userid: 'LiNa', name: '张三', welcome: false })
    expect(a.welcome_code).toBeUndefined()
    expect(k.sim.eventLog()[0]!.xml).not.toContain('WelcomeCode')
  })
})

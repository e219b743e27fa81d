import { GROUP_CAPACITY } from './wecom-groups'
import { OTHER_SECRET, expectErr, useWecomSim, type ChatReply, type Reply } from './wecom-test-kit'

const k = useWecomSim()

beforeEach(async () => {
  await k.seed({ members: [{ userid: 'LiNa', name: '李娜' }, 'WangFang'] })
})

const createGroup = async (owner: string, name: string): Promise<string> => {
  const r = await k.hook('groups/create', { owner, name })
  expect(r.status).toBe(200)
  return r.body.chat_id as string
}
const customer = async (name: string, unionid: string): Promise<string> =>
  (await k.hook('customers/add', { userid: 'LiNa', name, unionid })).body.external_userid as string
const addJoinWay = (body: Record<string, unknown>, secret?: string) =>
  k.api<{ config_id: string }>('POST', 'externalcontact/groupchat/add_join_way', body, secret)
const getChat = (chat_id: string, need_name = 1) =>
  k.api<{ group_chat: ChatReply }>('POST', 'externalcontact/groupchat/get', { chat_id, need_name })

describe('customer groups', () => {
  it('groupchat/get shows the owner, members with join info and the join way state', async () => {
    const chat = await createGroup('LiNa', '糖尿病友群')
    expect(chat).toBe('wrSimChat000001')
    const jw = await addJoinWay({ scene: 2, remark: '糖友', chat_id_list: [chat], state: 'cm1.p42' })
    expect(jw).toMatchObject({ errcode: 0, config_id: 'cfgSimJoinWay000001' })
    const ext = await customer('张三', 'uZhang')
    const before = (await getChat(chat)).group_chat.member_version
    const joined = await k.hook('groups/join', { config_id: jw.config_id, external_userid: ext })
    expect(joined).toMatchObject({ status: 200, body: { chat_id: chat } })

    const g = (await getChat(chat)).group_chat
    expect(g).toMatchObject({ chat_id: chat, name: '糖尿病友群', owner: 'LiNa', notice: '', admin_list: [] })
    expect(g.member_version).not.toBe(before)
    expect(g.member_version).toBe(joined.body.member_version)
    expect(g.member_list).toEqual([
      {
        userid: 'LiNa',
        type: 1,
        join_time: expect.any(Number) as number,
        join_scene: 1,
        group_nickname: '',
        name: '李娜',
      },
      {
        userid: ext,
        type: 2,
        join_time: expect.any(Number) as number,
        join_scene: 3,
        group_nickname: '',
        name: '张三',
        unionid: 'uZhang',
        state: 'cm1.p42',
      },
    ])
    // without need_name there is no name
    expect((await getChat(chat, 0)).group_chat.member_list[1]!.name).toBeUndefined()

    const ev = k.sim.eventLog().at(-1)!.event
    expect(ev).toEqual({
      event: 'change_external_chat',
      changeType: 'update',
      chatId: chat,
      updateDetail: 'add_member',
      joinScene: 3,
      memChangeList: [ext],
      lastMemVer: before,
      curMemVer: g.member_version,
    })
    expect((await k.hook('groups/join', { config_id: jw.config_id, external_userid: ext })).status).toBe(409)
  })

  it('a patient who is nobody’s contact can join by unionid + name; leaving fires del_member QuitScene 0', async () => {
    const chat = await createGroup('LiNa', '群')
    const jw = await addJoinWay({ scene: 2, chat_id_list: [chat], state: 's' })
    const j = await k.hook('groups/join', { config_id: jw.config_id, unionid: 'uNew', name: '王五' })
    const member = (await getChat(chat)).group_chat.member_list[1]!
    expect(member).toMatchObject({ type: 2, unionid: 'uNew', name: '王五', state: 's' })
    const left = await k.hook('groups/leave', { chat_id: chat, external_userid: member.userid })
    expect(left.status).toBe(200)
    expect(k.sim.eventLog().at(-1)!.event).toMatchObject({
      updateDetail: 'del_member',
      quitScene: 0,
      memChangeList: [member.userid],
      lastMemVer: j.body.member_version,
      curMemVer: left.body.member_version,
    })
    expect((await getChat(chat)).group_chat.member_list).toHaveLength(1)
    await k.hook('groups/join', { chat_id: chat, external_userid: member.userid, invitor: 'LiNa' })
    expect(k.sim.eventLog().at(-1)!.event).toMatchObject({ updateDetail: 'add_member', joinScene: 0 })
    expect((await getChat(chat)).group_chat.member_list[1]).toMatchObject({
      join_scene: 1,
      invitor: { userid: 'LiNa' },
    })
    await k.hook('groups/leave', { chat_id: chat, external_userid: member.userid, removed: true })
    expect(k.sim.eventLog().at(-1)!.event).toMatchObject({ updateDetail: 'del_member', quitScene: 1 })
  })

  it('groupchat/list: owner_filter, status_filter, limit 1..1000 and cursors; dismissed groups go away (40050)', async () => {
    const a = await createGroup('LiNa', 'A')
    const b = await createGroup('LiNa', 'B')
    const c = await createGroup('WangFang', 'C')
    const listed = (body: Record<string, unknown>) => k.api('POST', 'externalcontact/groupchat/list', body)
    expect(await listed({ limit: 10 })).toMatchObject({
      group_chat_list: [
        { chat_id: a, status: 0 },
        { chat_id: b, status: 0 },
        { chat_id: c, status: 0 },
      ],
    })
    const p1 = await listed({ limit: 2, owner_filter: { userid_list: ['LiNa', 'WangFang'] } })
    expect(p1.group_chat_list).toHaveLength(2)
    const p2 = await listed({ limit: 2, cursor: p1.next_cursor })
    expect(p2.group_chat_list).toEqual([{ chat_id: c, status: 0 }])
    expect(p2.next_cursor).toBeUndefined()
    expect(
      (await listed({ limit: 10, owner_filter: { userid_list: ['WangFang'] } })).group_chat_list,
    ).toEqual([{ chat_id: c, status: 0 }])
    expect((await listed({ limit: 10, status_filter: 1 })).group_chat_list).toEqual([])
    expectErr(await listed({}), 40058)
    expectErr(await listed({ limit: 1001 }), 40058)
    expectErr(await listed({ limit: 1, cursor: 'garbage' }), 40058)

    await k.hook('groups/dismiss', { chat_id: b })
    expect(k.sim.eventLog().at(-1)!.event).toEqual({
      event: 'change_external_chat',
      changeType: 'dismiss',
      chatId: b,
    })
    expect((await listed({ limit: 10 })).group_chat_list).toHaveLength(2)
    expectErr(await getChat(b), 40050)
    expectErr(await getChat('wrNope'), 40050)
  })

  it('groups/update fires change_name / change_notice / change_owner', async () => {
    const a = await createGroup('LiNa', 'A')
    await k.hook('groups/update', { chat_id: a, name: 'A2', notice: '每周三答疑', owner: 'WangFang' })
    expect(
      k.sim
        .eventLog()
        .slice(-3)
        .map((e) => ('updateDetail' in e.event ? e.event.updateDetail : '')),
    ).toEqual(['change_name', 'change_notice', 'change_owner'])
    expect((await getChat(a)).group_chat).toMatchObject({
      name: 'A2',
      notice: '每周三答疑',
      owner: 'WangFang',
    })
  })
})

describe('join ways', () => {
  it('add / get / update / del, with state and qr_code; an app sees only its own configs', async () => {
    const a = await createGroup('LiNa', 'A')
    const b = await createGroup('LiNa', 'B')
    const { config_id } = await addJoinWay({
      scene: 2,
      remark: '糖友',
      auto_create_room: 1,
      room_base_name: '糖友群',
      room_base_id: 1,
      chat_id_list: [a],
      state: 'cm1',
    })
    const got = await k.api('POST', 'externalcontact/groupchat/get_join_way', { config_id })
    expect(got.join_way).toEqual({
      config_id,
      scene: 2,
      remark: '糖友',
      auto_create_room: 1,
      room_base_name: '糖友群',
      room_base_id: 1,
      chat_id_list: [a],
      qr_code: `${k.url}/_sim/wecom/qr.png?config_id=${config_id}`,
      state: 'cm1',
      mark_source: 0,
    })
    expect(
      await k.api('POST', 'externalcontact/groupchat/update_join_way', {
        config_id,
        scene: 2,
        chat_id_list: [a, b],
        state: 'cm2',
      }),
    ).toEqual({ errcode: 0, errmsg: 'ok' })
    const updated = (await k.api('POST', 'externalcontact/groupchat/get_join_way', { config_id }))
      .join_way as Reply
    expect(updated).toMatchObject({ chat_id_list: [a, b], state: 'cm2', remark: '', auto_create_room: 1 })

    expectErr(
      await k.api('POST', 'externalcontact/groupchat/get_join_way', { config_id }, OTHER_SECRET),
      40058,
    )
    expectErr(
      await k.api('POST', 'externalcontact/groupchat/del_join_way', { config_id }, OTHER_SECRET),
      40058,
    )
    expect(await k.api('POST', 'externalcontact/groupchat/del_join_way', { config_id })).toMatchObject({
      errcode: 0,
    })
    expectErr(await k.api('POST', 'externalcontact/groupchat/get_join_way', { config_id }), 40058)
  })

  it('serves the join way QR code as a PNG image (404 for an unknown config)', async () => {
    const a = await createGroup('LiNa', 'A')
    const { config_id } = await addJoinWay({ scene: 2, chat_id_list: [a], state: 'qr1' })
    const got = (await k.api('POST', 'externalcontact/groupchat/get_join_way', { config_id }))
      .join_way as Reply
    const res = await fetch(got.qr_code as string)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('image/png')
    const png = Buffer.from(await res.arrayBuffer())
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
    expect(png.length).toBeGreaterThan(200)
    expect((await fetch(`${k.url}/_sim/wecom/qr.png?config_id=nope`)).status).toBe(404)
  })

  it('validates: scene, 1..5 chats, known chats (40050), state ≤30, remark ≤30', async () => {
    const ids = [] as string[]
    for (let i = 0; i < 6; i++) ids.push(await createGroup('LiNa', `G${i}`))
    expectErr(await addJoinWay({ scene: 3, chat_id_list: [ids[0]] }), 40058)
    expectErr(await addJoinWay({ scene: 2, chat_id_list: [] }), 40058)
    expectErr(await addJoinWay({ scene: 2, chat_id_list: ids }), 40058)
    expect(await addJoinWay({ scene: 2, chat_id_list: ids.slice(0, 5) })).toMatchObject({ errcode: 0 })
    expectErr(await addJoinWay({ scene: 2, chat_id_list: ['wrNope'] }), 40050)
    expectErr(await addJoinWay({ scene: 2, chat_id_list: [ids[0]], state: 'x'.repeat(31) }), 40058)
    expect(await addJoinWay({ scene: 2, chat_id_list: [ids[0]], state: 'x'.repeat(30) })).toMatchObject({
      errcode: 0,
    })
    expectErr(await addJoinWay({ scene: 2, chat_id_list: [ids[0]], remark: 'r'.repeat(31) }), 40058)
  })

  it(`a full group (${GROUP_CAPACITY}) rolls the next scan into an auto-created room`, async () => {
    const a = await createGroup('LiNa', '糖友群1')
    const { config_id } = await addJoinWay({
      scene: 2,
      room_base_name: '糖友群',
      room_base_id: 1,
      chat_id_list: [a],
      state: 'cm1',
    })
    for (let i = 1; i < GROUP_CAPACITY; i++)
      await k.hook('groups/join', { config_id, unionid: `u${i}`, name: `p${i}` })
    expect((await getChat(a)).group_chat.member_list).toHaveLength(GROUP_CAPACITY)
    const next = await k.hook('groups/join', { config_id, unionid: 'late', name: '迟到' })
    expect(next.body.chat_id).not.toBe(a)
    const g = (await getChat(next.body.chat_id as string)).group_chat
    expect(g).toMatchObject({ name: '糖友群2', owner: 'LiNa' })
    expect(g.member_list[1]).toMatchObject({ state: 'cm1', join_scene: 3 })
    const jw = (await k.api('POST', 'externalcontact/groupchat/get_join_way', { config_id }))
      .join_way as Reply
    expect(jw).toMatchObject({ chat_id_list: [a, next.body.chat_id], room_base_id: 2 })

    const noAuto = await addJoinWay({ scene: 2, auto_create_room: 0, chat_id_list: [a] })
    expect(
      (await k.hook('groups/join', { config_id: noAuto.config_id, unionid: 'x', name: 'x' })).status,
    ).toBe(409)
  })
})

import { expectErr, useWecomSim, type SendResultReply, type TagGroupReply } from './wecom-test-kit'

const k = useWecomSim()

let zhang: string
let li: string
beforeEach(async () => {
  // 2025-02-10 09:00 in Shanghai; February 2025 has 28 days.
  k.sim.clock.set({ now: '2025-02-10T01:00:00Z', freeze: true })
  await k.seed({ members: ['LiNa', 'WangFang'] })
  zhang = (await k.hook('customers/add', { userid: 'LiNa', name: '张三' })).body.external_userid as string
  li = (await k.hook('customers/add', { userid: 'LiNa', name: '李四' })).body.external_userid as string
})

const template = (body: Record<string, unknown>) =>
  k.api<{ msgid: string; fail_list: string[] }>('POST', 'externalcontact/add_msg_template', body)
const confirm = (msgid: string, userid = 'LiNa') => k.hook('groupmsg/confirm', { msgid, userid })
const results = async (msgid: string, userid = 'LiNa') =>
  (
    await k.api<{ send_list: SendResultReply[] }>('POST', 'externalcontact/get_groupmsg_send_result', {
      msgid,
      userid,
    })
  ).send_list
const statusOf = async (msgid: string, who: string) =>
  (await results(msgid)).find((r) => r.external_userid === who || r.chat_id === who)?.status

describe('add_msg_template', () => {
  it('creates a task that stays unsent until the nurse confirms it', async () => {
    const r = await template({
      chat_type: 'single',
      external_userid: [zhang, li, 'wmGhost'],
      sender: 'LiNa',
      text: { content: '复诊提醒' },
    })
    expect(r).toEqual({ errcode: 0, errmsg: 'ok', fail_list: ['wmGhost'], msgid: 'msgSimGroupMsg000001' })
    const task = await k.api<{ task_list: unknown[] }>('POST', 'externalcontact/get_groupmsg_task', {
      msgid: r.msgid,
    })
    expect(task.task_list).toEqual([{ userid: 'LiNa', status: 0 }])
    expect(await results(r.msgid)).toEqual([
      { external_userid: zhang, userid: 'LiNa', status: 0 },
      { external_userid: li, userid: 'LiNa', status: 0 },
    ])

    k.advance(3600_000)
    const c = await confirm(r.msgid)
    expect(c.status).toBe(200)
    const sendTime = Math.floor(Date.parse('2025-02-10T02:00:00Z') / 1000)
    expect(
      (await k.api<{ task_list: unknown[] }>('POST', 'externalcontact/get_groupmsg_task', { msgid: r.msgid }))
        .task_list,
    ).toEqual([{ userid: 'LiNa', status: 2, send_time: sendTime }])
    expect(await results(r.msgid)).toEqual([
      { external_userid: zhang, userid: 'LiNa', status: 1, send_time: sendTime },
      { external_userid: li, userid: 'LiNa', status: 1, send_time: sendTime },
    ])
    expect((await confirm(r.msgid)).status).toBe(409)
    expect(k.sim.eventLog()).toHaveLength(2) // the two customers/add only
  })

  it('a customer who deleted the nurse before confirmation gets status 2', async () => {
    const r = await template({ external_userid: [zhang, li], sender: 'LiNa', text: { content: 'x' } })
    await k.hook('customers/remove', { userid: 'LiNa', external_userid: li, by: 'customer' })
    await confirm(r.msgid)
    expect(await statusOf(r.msgid, zhang)).toBe(1)
    expect(await statusOf(r.msgid, li)).toBe(2)
  })

  it('monthly cap: the (days in month + 1)-th message of the month to a customer gets status 3', async () => {
    const send = async () => {
      const r = await template({ external_userid: [zhang], sender: 'LiNa', text: { content: 'x' } })
      await confirm(r.msgid)
      return statusOf(r.msgid, zhang)
    }
    for (let i = 0; i < 28; i++) expect(await send()).toBe(1)
    expect(await send()).toBe(3)
    // li is counted separately
    const other = await template({ external_userid: [li], sender: 'LiNa', text: { content: 'x' } })
    await confirm(other.msgid)
    expect(await statusOf(other.msgid, li)).toBe(1)
    // still February in Shanghai at 2025-02-28T15:59Z; March from 16:00Z (00:00 +08:00)
    k.sim.clock.set({ now: '2025-02-28T15:59:00Z' })
    expect(await send()).toBe(3)
    k.sim.clock.set({ now: '2025-02-28T16:00:00Z' })
    expect(await send()).toBe(1)
  })

  it('counts the cap when the nurse confirms, not when the task is created', async () => {
    const pending = [] as string[]
    for (let i = 0; i < 29; i++)
      pending.push(
        (await template({ external_userid: [zhang], sender: 'LiNa', text: { content: `${i}` } })).msgid,
      )
    for (const m of pending.slice(0, 28)) await confirm(m)
    await confirm(pending[28]!)
    expect(await statusOf(pending[27]!, zhang)).toBe(1)
    expect(await statusOf(pending[28]!, zhang)).toBe(3)
  })

  it('group mass messages: sender required, chats must be the sender’s, cap per chat', async () => {
    const a = (await k.hook('groups/create', { owner: 'LiNa', name: 'A' })).body.chat_id as string
    const b = (await k.hook('groups/create', { owner: 'WangFang', name: 'B' })).body.chat_id as string
    expectErr(await template({ chat_type: 'group', chat_id_list: [a], text: { content: 'x' } }), 40058)
    const r = await template({
      chat_type: 'group',
      chat_id_list: [a, b],
      sender: 'LiNa',
      text: { content: '群公告' },
    })
    expect(r).toMatchObject({ errcode: 0, fail_list: [b] })
    await confirm(r.msgid)
    expect(await results(r.msgid)).toEqual([
      { chat_id: a, userid: 'LiNa', status: 1, send_time: expect.any(Number) as number },
    ])
    // no chat_id_list: every group the sender owns
    const all = await template({ chat_type: 'group', sender: 'WangFang', text: { content: 'y' } })
    expect(all.fail_list).toEqual([])
    expect(await results(all.msgid, 'WangFang')).toEqual([{ chat_id: b, userid: 'WangFang', status: 0 }])
  })

  it('without external_userid goes to all of the sender’s customers, narrowed by tag_filter', async () => {
    const t = await k.api<{ tag_group: TagGroupReply }>('POST', 'externalcontact/add_corp_tag', {
      group_name: '病种',
      tag: [{ name: '糖尿病' }, { name: '高血压' }],
    })
    const [dm, htn] = t.tag_group.tag.map((x) => x.id)
    await k.api('POST', 'externalcontact/mark_tag', { userid: 'LiNa', external_userid: zhang, add_tag: [dm] })
    await k.api('POST', 'externalcontact/mark_tag', { userid: 'LiNa', external_userid: li, add_tag: [htn] })
    const all = await template({ sender: 'LiNa', text: { content: 'x' } })
    expect((await results(all.msgid)).map((r) => r.external_userid)).toEqual([zhang, li])
    const diabetic = await template({
      sender: 'LiNa',
      tag_filter: { group_list: [{ tag_list: [dm] }] },
      text: { content: 'x' },
    })
    expect((await results(diabetic.msgid)).map((r) => r.external_userid)).toEqual([zhang])
    expectErr(
      await template({
        sender: 'LiNa',
        tag_filter: { group_list: [{ tag_list: [dm] }, { tag_list: [htn] }] },
        text: { content: 'x' },
      }),
      41048,
    )
  })

  it('validates: 41048 nobody to send to, 60111 sender, 44004 empty, 40058 length / attachments / chat_type', async () => {
    expectErr(await template({ external_userid: ['wmGhost'], text: { content: 'x' } }), 41048)
    expectErr(await template({ external_userid: [zhang], sender: 'WangFang', text: { content: 'x' } }), 41048)
    expectErr(await template({ external_userid: [zhang], sender: 'Ghost', text: { content: 'x' } }), 60111)
    expectErr(await template({ external_userid: [zhang] }), 44004)
    expectErr(await template({ external_userid: [zhang], text: { content: 'a'.repeat(4001) } }), 40058)
    expect(await template({ external_userid: [zhang], text: { content: 'a'.repeat(4000) } })).toMatchObject({
      errcode: 0,
    })
    expectErr(
      await template({
        external_userid: [zhang],
        attachments: Array.from({ length: 10 }, () => ({ msgtype: 'image' })),
      }),
      40058,
    )
    expectErr(
      await template({ chat_type: 'broadcast', external_userid: [zhang], text: { content: 'x' } }),
      40058,
    )
  })

  it('without a sender the message goes through the member who added the customer last', async () => {
    await k.hook('customers/add', { userid: 'WangFang', external_userid: zhang })
    const r = await template({ external_userid: [zhang], text: { content: 'x' } })
    expect(
      (await k.api<{ task_list: unknown[] }>('POST', 'externalcontact/get_groupmsg_task', { msgid: r.msgid }))
        .task_list,
    ).toEqual([{ userid: 'WangFang', status: 0 }])
  })
})

describe('mass message results', () => {
  it('get_groupmsg_list_v2 filters by type, time and creator, and pages', async () => {
    const t0 = Math.floor(k.sim.clock.now() / 1000)
    const a = await template({ external_userid: [zhang], sender: 'LiNa', text: { content: 'a' } })
    k.advance(60_000)
    const b = await template({
      external_userid: [li],
      sender: 'LiNa',
      text: { content: 'b' },
      attachments: [{ msgtype: 'link' }],
    })
    const list = (body: Record<string, unknown>) =>
      k.api<{ group_msg_list: { msgid: string }[]; next_cursor?: string }>(
        'POST',
        'externalcontact/get_groupmsg_list_v2',
        {
          chat_type: 'single',
          start_time: t0 - 10,
          end_time: t0 + 3600,
          ...body,
        },
      )
    const all = await list({})
    expect(all.group_msg_list).toEqual([
      {
        msgid: a.msgid,
        creator: 'LiNa',
        create_type: 0,
        text: { content: 'a' },
        attachments: [],
        create_time: t0,
      },
      {
        msgid: b.msgid,
        creator: 'LiNa',
        create_type: 0,
        text: { content: 'b' },
        attachments: [{ msgtype: 'link' }],
        create_time: t0 + 60,
      },
    ])
    const p1 = await list({ limit: 1 })
    expect(p1.group_msg_list).toHaveLength(1)
    expect((await list({ limit: 1, cursor: p1.next_cursor })).group_msg_list[0]!.msgid).toBe(b.msgid)
    expect((await list({ creator: 'WangFang' })).group_msg_list).toEqual([])
    expect((await list({ filter_type: 1 })).group_msg_list).toEqual([])
    expect((await list({ chat_type: 'group' })).group_msg_list).toEqual([])
    expectErr(await list({ end_time: t0 + 40 * 86_400 }), 40058)
    expectErr(await list({ limit: 101 }), 40058)
    expectErr(await k.api('POST', 'externalcontact/get_groupmsg_task', { msgid: 'nope' }), 40058)
    expectErr(await k.api('POST', 'externalcontact/get_groupmsg_send_result', { msgid: a.msgid }), 41009)
  })

  it('cancel stops confirmation; remind allows 3 per 24 h (45009)', async () => {
    const r = await template({ external_userid: [zhang], sender: 'LiNa', text: { content: 'x' } })
    const remind = () => k.api('POST', 'externalcontact/remind_groupmsg_send', { msgid: r.msgid })
    for (let i = 0; i < 3; i++) expect(await remind()).toMatchObject({ errcode: 0 })
    expectErr(await remind(), 45009)
    k.advance(86_400_001)
    expect(await remind()).toMatchObject({ errcode: 0 })
    expect(await k.api('POST', 'externalcontact/cancel_groupmsg_send', { msgid: r.msgid })).toMatchObject({
      errcode: 0,
    })
    expect((await confirm(r.msgid)).status).toBe(409)
    expect(await statusOf(r.msgid, zhang)).toBe(0)
    expect((await k.peek<{ messages: unknown[] }>('groupmsg')).messages[0]).toMatchObject({
      msgid: r.msgid,
      cancelled: true,
    })
  })
})

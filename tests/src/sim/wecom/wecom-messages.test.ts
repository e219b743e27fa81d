import type { AppMessage, DuplicateAppMessage } from './wecom-state'
import { APP_PER_HOUR, APP_PER_MINUTE, ROBOT_PER_MINUTE } from './wecom-messages'
import { AGENT_ID, expectErr, useWecomSim, type Reply } from './wecom-test-kit'

const k = useWecomSim({ webhookKeys: ['robot-key-1'] })

beforeEach(async () => {
  k.sim.clock.set({ now: '2025-03-03T02:00:00Z', freeze: true })
  await k.seed({ members: ['LiNa', 'WangFang'] })
})

const send = (body: Record<string, unknown>) =>
  k.api('POST', 'message/send', {
    agentid: AGENT_ID,
    msgtype: 'text',
    text: { content: '您有新的待办' },
    ...body,
  })

describe('message/send', () => {
  it('delivers to valid members and lists the invalid ones', async () => {
    const r = await send({ touser: 'LiNa|Ghost|WangFang', toparty: '2', totag: '' })
    expect(r).toEqual({
      errcode: 0,
      errmsg: 'ok',
      invaliduser: 'Ghost',
      invalidparty: '2',
      invalidtag: '',
      unlicenseduser: '',
      msgid: 'simAppMsg000001',
    })
    expect((await k.peek('app-messages')).messages).toEqual([
      {
        msgid: 'simAppMsg000001',
        at: '2025-03-03T02:00:00.000Z',
        agentid: AGENT_ID,
        msgtype: 'text',
        touser: ['LiNa', 'WangFang'],
        content: { content: '您有新的待办' },
      },
    ])
    await send({ touser: '@all', msgtype: 'markdown', markdown: { content: '**标题**' } })
    await send({
      touser: 'LiNa',
      msgtype: 'textcard',
      textcard: {
        title: '待确认群发',
        description: '3 条',
        url: 'https://example.org/x',
        btntxt: '去确认啦啦',
      },
    })
    const msgs = (await k.peek<{ messages: AppMessage[] }>('app-messages?userid=LiNa')).messages
    expect(msgs.map((m) => m.msgtype)).toEqual(['text', 'markdown', 'textcard'])
    expect(msgs[1]!.touser).toEqual(['LiNa', 'WangFang'])
    expect(msgs[2]!.content).toMatchObject({ btntxt: '去确认啦' })
  })

  it('errcodes: 81013 all invalid, 41011 / 40056 agentid, 40008 msgtype, 44004 empty, 41033 textcard', async () => {
    expectErr(await send({ touser: 'Ghost|Nobody' }), 81013)
    expectErr(await send({ touser: '', toparty: '1' }), 81013)
    expectErr(await send({ touser: 'LiNa', agentid: undefined }), 41011)
    expectErr(await send({ touser: 'LiNa', agentid: 42 }), 40056)
    expectErr(await send({ touser: 'LiNa', msgtype: 'voice' }), 40008)
    expectErr(await send({ touser: 'LiNa', text: { content: '' } }), 44004)
    expectErr(
      await send({ touser: 'LiNa', msgtype: 'textcard', textcard: { title: 't', url: 'https://x' } }),
      41033,
    )
    expect((await k.peek('app-messages')).messages).toEqual([])
  })

  it('truncates text past 2048 bytes', async () => {
    await send({ touser: 'LiNa', text: { content: '好'.repeat(700) } }) // 2100 bytes
    const [m] = (await k.peek<{ messages: AppMessage[] }>('app-messages')).messages
    expect(Buffer.byteLength((m!.content as { content: string }).content)).toBe(2046)
  })

  it(`drops silently past ${APP_PER_MINUTE}/min per member: errcode 0, recorded in dropped`, async () => {
    for (let i = 0; i < APP_PER_MINUTE; i++)
      expect(await send({ touser: 'LiNa' })).toMatchObject({ errcode: 0 })
    const over = await send({ touser: 'LiNa|WangFang' })
    expect(over).toMatchObject({ errcode: 0, invaliduser: '' })
    expect((await k.peek('dropped')).dropped).toEqual([
      {
        msgid: over.msgid,
        at: '2025-03-03T02:00:00.000Z',
        agentid: AGENT_ID,
        userid: 'LiNa',
        msgtype: 'text',
        reason: 'per-minute',
      },
    ])
    const reached = (await k.peek<{ messages: AppMessage[] }>('app-messages?userid=LiNa')).messages
    expect(reached).toHaveLength(APP_PER_MINUTE)
    expect((await k.peek<{ messages: AppMessage[] }>('app-messages')).messages.at(-1)!.touser).toEqual([
      'WangFang',
    ])
    k.advance(60_000)
    await send({ touser: 'LiNa' })
    expect((await k.peek('app-messages?userid=LiNa')).messages).toHaveLength(APP_PER_MINUTE + 1)
  })

  it(`drops past ${APP_PER_HOUR}/h per member even when every minute stays under the limit`, async () => {
    for (let i = 0; i < APP_PER_HOUR; i++) {
      if (i > 0 && i % 25 === 0) k.advance(60_000)
      await send({ touser: 'LiNa' })
    }
    expect((await k.peek('dropped')).dropped).toEqual([])
    await send({ touser: 'LiNa' })
    expect((await k.peek('dropped')).dropped).toEqual([
      expect.objectContaining({ userid: 'LiNa', reason: 'per-hour' }),
    ])
    k.advance(3600_000)
    await send({ touser: 'LiNa' })
    expect((await k.peek('dropped')).dropped).toHaveLength(1)
  })
})

describe('message/send duplicate check', () => {
  const dup = { enable_duplicate_check: 1 }
  const duplicates = async (q = ''): Promise<DuplicateAppMessage[]> =>
    (await k.peek<{ duplicates: DuplicateAppMessage[] }>(`duplicates${q}`)).duplicates
  const reached = async (userid: string): Promise<AppMessage[]> =>
    (await k.peek<{ messages: AppMessage[] }>(`app-messages?userid=${userid}`)).messages

  it('off (default): the same content is delivered every time', async () => {
    await send({ touser: 'LiNa' })
    await send({ touser: 'LiNa', enable_duplicate_check: 0 })
    expect(await reached('LiNa')).toHaveLength(2)
    expect(await duplicates()).toEqual([])
  })

  it('on: the same content to the same member within 1800 s is not delivered again (errcode 0)', async () => {
    const first = await send({ touser: 'LiNa', ...dup })
    k.advance(1_799_000)
    const again = await send({ touser: 'LiNa|WangFang', ...dup })
    expect(again).toMatchObject({ errcode: 0, invaliduser: '' })
    expect(again.msgid).toEqual(expect.any(String))
    // WangFang had not had it: she gets it; LiNa does not
    expect((await reached('LiNa')).map((m) => m.msgid)).toEqual([first.msgid])
    expect((await reached('WangFang')).map((m) => m.msgid)).toEqual([again.msgid])
    expect(await duplicates()).toEqual([
      {
        msgid: again.msgid,
        at: '2025-03-03T02:29:59.000Z',
        agentid: AGENT_ID,
        userid: 'LiNa',
        msgtype: 'text',
        duplicate_of: { msgid: first.msgid, at: '2025-03-03T02:00:00.000Z' },
        interval: 1800,
      },
    ])
    // other content, or another msgtype with the same text, is not a duplicate
    await send({ touser: 'LiNa', text: { content: '另一条' }, ...dup })
    await send({ touser: 'LiNa', msgtype: 'markdown', markdown: { content: '您有新的待办' }, ...dup })
    expect(await reached('LiNa')).toHaveLength(3)
    // once the interval has passed since the last delivery, it is delivered again
    k.advance(1_000)
    await send({ touser: 'LiNa', ...dup })
    expect(await reached('LiNa')).toHaveLength(4)
    expect(await duplicates('?userid=LiNa')).toHaveLength(1)
    expect(await duplicates('?userid=WangFang')).toEqual([])
  })

  it('a delivery without the check still counts as the earlier copy; all copies duplicate → nothing delivered', async () => {
    await send({ touser: 'LiNa|WangFang' })
    const r = await send({ touser: 'LiNa|WangFang', ...dup })
    expect(r).toMatchObject({ errcode: 0 })
    expect((await k.peek<{ messages: AppMessage[] }>('app-messages')).messages).toHaveLength(1)
    expect(await duplicates()).toHaveLength(2)
  })

  it('duplicate_check_interval: custom, clamped to 14400 s, invalid values are 40058', async () => {
    await send({ touser: 'LiNa', ...dup })
    k.advance(61_000)
    await send({ touser: 'LiNa', ...dup, duplicate_check_interval: 60 })
    expect(await reached('LiNa')).toHaveLength(2)
    k.advance(5 * 3600_000)
    await send({ touser: 'LiNa', ...dup, duplicate_check_interval: 86_400 })
    expect(await reached('LiNa')).toHaveLength(3)
    k.advance(14_399_000)
    await send({ touser: 'LiNa', ...dup, duplicate_check_interval: 86_400 })
    expect(await reached('LiNa')).toHaveLength(3)
    expect((await duplicates()).at(-1)).toMatchObject({ interval: 14_400 })
    expectErr(await send({ touser: 'LiNa', enable_duplicate_check: 2 }), 40058)
    expectErr(await send({ touser: 'LiNa', enable_duplicate_check: 'yes' }), 40058)
    expectErr(await send({ touser: 'LiNa', ...dup, duplicate_check_interval: -5 }), 40058)
  })

  it('seeds 5,000 members at once, and @all reaches them all', async () => {
    const members = Array.from({ length: 5000 }, (_, i) => `nurse${String(i).padStart(4, '0')}`)
    const seeded = await k.seed({ members })
    expect((seeded as { members: string[] }).members).toHaveLength(5000 + 2)
    const r = await send({ touser: members.slice(0, 1000).join('|'), ...dup })
    expect(r).toMatchObject({ errcode: 0, invaliduser: '' })
    const all = await send({ touser: '@all' })
    expect(all).toMatchObject({ errcode: 0 })
    const msgs = (await k.peek<{ messages: AppMessage[] }>('app-messages')).messages
    expect(msgs.map((m) => m.touser.length)).toEqual([1000, 5002])
  })
})

describe('robot webhook', () => {
  const post = async (key: string, body: unknown) => {
    const r = await fetch(`${k.url}/cgi-bin/webhook/send?key=${encodeURIComponent(key)}`, {
      method: 'POST',
      body: JSON.stringify(body),
    })
    expect(r.status).toBe(200)
    return (await r.json()) as Reply
  }
  const text = (content: string) => ({ msgtype: 'text', text: { content, mentioned_list: ['@all'] } })

  it('accepts a known key (93000 otherwise) and records the message', async () => {
    expect(await post('robot-key-1', text('今日随访 3 人'))).toEqual({ errcode: 0, errmsg: 'ok' })
    expectErr(await post('nope', text('x')), 93000)
    const { key } = (await k.hook('robots', {})).body as { key: string }
    expect(
      await post(key, { msgtype: 'markdown', markdown: { content: '<font color="info">ok</font>' } }),
    ).toMatchObject({ errcode: 0 })
    expect((await k.peek('webhook-messages')).messages).toEqual([
      { key: 'robot-key-1', at: expect.any(String) as string, msgtype: 'text', body: text('今日随访 3 人') },
      expect.objectContaining({ key, msgtype: 'markdown' }),
    ])
    expect((await k.peek(`webhook-messages?key=${key}`)).messages).toHaveLength(1)
  })

  it(`allows ${ROBOT_PER_MINUTE} messages per minute per key, then 45009`, async () => {
    for (let i = 0; i < ROBOT_PER_MINUTE; i++)
      expect(await post('robot-key-1', text(`${i}`))).toMatchObject({ errcode: 0 })
    expectErr(await post('robot-key-1', text('over')), 45009)
    const { key } = (await k.hook('robots', { key: 'other' })).body as { key: string }
    expect(await post(key, text('other key'))).toMatchObject({ errcode: 0 })
    k.advance(60_001)
    expect(await post('robot-key-1', text('later'))).toMatchObject({ errcode: 0 })
  })

  it('limits text to 2048 B and markdown to 4096 B (40058); rejects other shapes', async () => {
    expect(await post('robot-key-1', text('a'.repeat(2048)))).toMatchObject({ errcode: 0 })
    expectErr(await post('robot-key-1', text('a'.repeat(2049))), 40058)
    expect(
      await post('robot-key-1', { msgtype: 'markdown', markdown: { content: 'a'.repeat(4096) } }),
    ).toMatchObject({ errcode: 0 })
    expectErr(
      await post('robot-key-1', { msgtype: 'markdown', markdown: { content: '好'.repeat(1366) } }),
      40058,
    )
    expectErr(
      await post('robot-key-1', { msgtype: 'markdown_v2', markdown_v2: { content: 'a'.repeat(4097) } }),
      40058,
    )
    expectErr(await post('robot-key-1', { msgtype: 'text', text: { content: '' } }), 44004)
    expectErr(await post('robot-key-1', { msgtype: 'video' }), 40008)
    expectErr(await post('robot-key-1', { msgtype: 'news', news: { articles: [] } }), 40058)
  })
})

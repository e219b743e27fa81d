import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createCallbackCrypto, type CallbackCrypto } from '../../../../wecom-bot/src/callback-crypto'
import {
  buildEncryptedReplyXml,
  buildTextReplyXml,
  parseCallbackEnvelope,
  parseInboundMessage,
} from '../../../../wecom-bot/src/callback-xml'
import {
  NURSE_TEXT_XML,
  VECTOR_AES_KEY,
  VECTOR_CORP_ID,
  VECTOR_TOKEN,
  XML_MESSAGE,
} from '../../../../wecom-bot/src/wecom-vectors.fixture'
import { buildEventXml, pushEvent, sealForTarget, type WecomEventTarget } from './wecom-events'
import type { EventRecord } from './wecom-api'
import { CORP, useWecomSim, type ChatReply, type TagGroupReply } from './wecom-test-kit'

/**
 * The pusher against a tiny receiver that opens every callback with the bot's own crypto
 * (createCallbackCrypto: signature first, then decrypt, receiveid = corpid) and parser.
 */

const KEY = VECTOR_AES_KEY
const TOKEN = VECTOR_TOKEN

interface Received {
  method: string
  rawQuery: string
  query: URLSearchParams
  contentType?: string
  body: string
  /** The decrypted inner XML (POST) or the echo (GET); undefined when opening failed. */
  opened?: string
  error?: string
}

type Behaviour = 'ok' | 'hang' | 'reply' | number

class Receiver {
  server: Server | undefined
  url = ''
  received: Received[] = []
  /** Answers for the next requests, in order; 'ok' once the list is empty. */
  plan: Behaviour[] = []
  constructor(readonly crypto: CallbackCrypto) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        const u = new URL(req.url ?? '/', 'http://x')
        const rec: Received = {
          method: req.method ?? '',
          rawQuery: u.search,
          query: u.searchParams,
          contentType: req.headers['content-type'],
          body: Buffer.concat(chunks).toString('utf8'),
        }
        this.received.push(rec)
        const signed = {
          msgSignature: u.searchParams.get('msg_signature') ?? '',
          timestamp: u.searchParams.get('timestamp') ?? '',
          nonce: u.searchParams.get('nonce') ?? '',
        }
        try {
          rec.opened =
            rec.method === 'GET'
              ? this.crypto.verifyUrl(signed, u.searchParams.get('echostr') ?? '')
              : this.crypto.openXml(signed, parseCallbackEnvelope(rec.body).encrypt)
        } catch (e) {
          rec.error = String(e)
        }
        const what = this.plan.shift() ?? 'ok'
        if (what === 'hang') return // never answers; the pusher's timeout fires
        if (typeof what === 'number') {
          res.writeHead(what)
          res.end()
          return
        }
        if (rec.method === 'GET') {
          res.writeHead(200, { 'content-type': 'text/plain' })
          res.end(rec.opened ?? '')
          return
        }
        if (what === 'reply' && rec.opened) {
          const inbound = parseInboundMessage(rec.opened)!
          const inner = buildTextReplyXml({
            toUserName: inbound.fromUserName,
            fromUserName: inbound.toUserName,
            createTime: Number(inbound.createTime),
            content: `收到：${inbound.content ?? ''}`,
          })
          res.writeHead(200, { 'content-type': 'application/xml' })
          res.end(buildEncryptedReplyXml(this.crypto.seal(inner)))
          return
        }
        res.writeHead(200)
        res.end('')
      })
    })
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve))
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/wecom/callback`
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections()
    await new Promise<void>((resolve) => this.server?.close(() => resolve()))
  }

  /** Fields of the i-th decrypted callback, via the bot's parser. */
  fields(i: number): Record<string, unknown> {
    const r = this.received[i]
    if (!r?.opened) throw new Error(`callback ${i} did not open: ${r?.error}`)
    return parseInboundMessage(r.opened)!.fields
  }
}

const k = useWecomSim()
const rx = new Receiver(createCallbackCrypto({ token: TOKEN, encodingAesKey: KEY, receiveId: CORP }))
const target: WecomEventTarget = { url: '', token: TOKEN, encodingAesKey: KEY, corpId: CORP }

beforeAll(async () => {
  await rx.start()
  target.url = rx.url
})
afterAll(() => rx.stop())
beforeEach(async () => {
  rx.received = []
  rx.plan = []
  await k.seed({ members: ['LiNa'] })
})

const useTarget = async (extra: Record<string, unknown> = {}) => {
  const r = await k.hook('events/target', { url: rx.url, token: TOKEN, encodingAesKey: KEY, ...extra })
  expect(r.status).toBe(200)
}

describe('event XML', () => {
  it('matches the official add_external_contact sample field for field', () => {
    const xml = buildEventXml(
      'toUser',
      {
        event: 'change_external_contact',
        changeType: 'add_external_contact',
        userId: 'zhangsan',
        externalUserId: 'woAJ2GCAAAXtWyujaWJHDDGi0mAAAA',
        state: 'teststate',
        welcomeCode: 'WELCOMECODE',
      },
      1403610513,
    )
    expect(xml).toBe(
      '<xml><ToUserName><![CDATA[toUser]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName><CreateTime>1403610513</CreateTime>' +
        '<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[change_external_contact]]></Event><ChangeType><![CDATA[add_external_contact]]></ChangeType>' +
        '<UserID><![CDATA[zhangsan]]></UserID><ExternalUserID><![CDATA[woAJ2GCAAAXtWyujaWJHDDGi0mAAAA]]></ExternalUserID>' +
        '<State><![CDATA[teststate]]></State><WelcomeCode><![CDATA[WELCOMECODE]]></WelcomeCode></xml>',
    )
  })

  it('builds chat update and tag bodies with the documented fields', () => {
    const chat = parseInboundMessage(
      buildEventXml(
        CORP,
        {
          event: 'change_external_chat',
          changeType: 'update',
          chatId: 'CHAT_ID',
          updateDetail: 'add_member',
          joinScene: 3,
          memChangeList: ['EXT_1', 'EXT_2'],
          lastMemVer: 'V1',
          curMemVer: 'V2',
        },
        1,
      ),
    )!
    expect(chat.fields).toEqual({
      ToUserName: CORP,
      FromUserName: 'sys',
      CreateTime: '1',
      MsgType: 'event',
      Event: 'change_external_chat',
      ChatId: 'CHAT_ID',
      ChangeType: 'update',
      UpdateDetail: 'add_member',
      JoinScene: '3',
      MemChangeCnt: '2',
      MemChangeList: { Item: ['EXT_1', 'EXT_2'] },
      LastMemVer: 'V1',
      CurMemVer: 'V2',
    })
    const tag = parseInboundMessage(
      buildEventXml(
        CORP,
        { event: 'change_external_tag', changeType: 'delete', id: 'etX', tagType: 'tag_group' },
        2,
      ),
    )!
    expect(tag.fields).toMatchObject({
      Event: 'change_external_tag',
      Id: 'etX',
      TagType: 'tag_group',
      ChangeType: 'delete',
    })
    const odd = buildEventXml(
      CORP,
      {
        event: 'change_external_contact',
        changeType: 'del_follow_user',
        userId: 'a]]>b',
        externalUserId: 'e',
      },
      3,
    )
    expect(parseInboundMessage(odd)!.fields.UserID).toBe('a]]>b')
  })

  it('encrypts exactly like WeCom: the official vector comes out byte for byte', () => {
    const sealed = sealForTarget(
      { url: 'http://unused', token: VECTOR_TOKEN, encodingAesKey: VECTOR_AES_KEY, corpId: VECTOR_CORP_ID },
      NURSE_TEXT_XML,
      {
        timestamp: XML_MESSAGE.timestamp,
        nonce: XML_MESSAGE.nonce,
        random: Buffer.from(XML_MESSAGE.random, 'latin1'),
      },
    )
    expect(sealed.encrypt).toBe(XML_MESSAGE.encrypt)
    expect(sealed.query.msg_signature).toBe(XML_MESSAGE.msgSignature)
    expect(sealed.body).toBe(
      `<xml><ToUserName><![CDATA[${VECTOR_CORP_ID}]]></ToUserName><Encrypt><![CDATA[${XML_MESSAGE.encrypt}]]></Encrypt>` +
        '<AgentID><![CDATA[1000002]]></AgentID></xml>',
    )
  })
})

describe('pushEvent', () => {
  const event = {
    event: 'change_external_contact',
    changeType: 'del_external_contact',
    userId: 'LiNa',
    externalUserId: 'wmX',
  } as const

  it('POSTs the envelope with an URL-encoded signed query that the bot’s crypto opens', async () => {
    // a nonce with characters that must be escaped proves the query is URL-encoded
    const report = await pushEvent(target, event, { createTime: 1700000000, nonce: 'a+b/c=d' })
    expect(report).toMatchObject({ delivered: true, attempts: [{ status: 200 }], duplicates: [] })
    const got = rx.received[0]!
    expect(got.method).toBe('POST')
    expect(got.rawQuery).toContain('nonce=a%2Bb%2Fc%3Dd')
    expect(got.contentType).toMatch(/xml/)
    expect(got.error).toBeUndefined()
    expect(got.opened).toBe(buildEventXml(CORP, event, 1700000000))
    expect(rx.fields(0)).toMatchObject({
      ToUserName: CORP,
      FromUserName: 'sys',
      CreateTime: '1700000000',
      ChangeType: 'del_external_contact',
    })
  })

  it('retries non-200 answers up to 3 times with the identical request', async () => {
    rx.plan = [500, 502, 200]
    const r = await pushEvent(target, event)
    expect(r.delivered).toBe(true)
    expect(r.attempts.map((a) => a.status)).toEqual([500, 502, 200])
    expect(new Set(rx.received.map((x) => x.body + x.rawQuery)).size).toBe(1)

    rx.received = []
    rx.plan = [500, 500, 500, 500, 500]
    const failed = await pushEvent(target, event)
    expect(failed.delivered).toBe(false)
    expect(failed.attempts).toHaveLength(4)
    expect(rx.received).toHaveLength(4)
  })

  it('times out a silent receiver and retries', async () => {
    rx.plan = ['hang']
    const r = await pushEvent(target, event, { timeoutMs: 300 })
    expect(r.attempts).toEqual([{ error: 'timeout' }, expect.objectContaining({ status: 200 })])
    expect(r.delivered).toBe(true)
    const down = await pushEvent({ ...target, url: 'http://127.0.0.1:1/cb' }, event, { retries: 1 })
    expect(down.delivered).toBe(false)
    expect(down.attempts).toHaveLength(2)
    expect(down.attempts[0]!.error).toBeDefined()
  })

  it('can deliver duplicates of a delivered event', async () => {
    const r = await pushEvent(target, event, { duplicates: 2 })
    expect(r.duplicates).toEqual([{ status: 200 }, { status: 200 }])
    expect(rx.received).toHaveLength(3)
    expect(new Set(rx.received.map((x) => x.body + x.rawQuery)).size).toBe(1)
  })

  it('a receiver with another corpid refuses the callback (receiveid is the corpid)', async () => {
    const other = new Receiver(
      createCallbackCrypto({ token: TOKEN, encodingAesKey: KEY, receiveId: 'wwOther' }),
    )
    await other.start()
    try {
      await pushEvent({ ...target, url: other.url }, event)
      expect(other.received[0]!.error).toMatch(/receiveid/)
    } finally {
      await other.stop()
    }
  })
})

describe('the simulator’s event stream', () => {
  it('customers/add, groups/join and leave reach the receiver as WeCom would send them', async () => {
    await useTarget()
    const added = await k.hook('customers/add', { userid: 'LiNa', name: '张三', unionid: 'u1', state: 'p42' })
    expect(added.body.event).toEqual({ seq: 1, delivered: true })
    expect(rx.fields(0)).toMatchObject({
      Event: 'change_external_contact',
      ChangeType: 'add_external_contact',
      UserID: 'LiNa',
      ExternalUserID: added.body.external_userid,
      State: 'p42',
      WelcomeCode: added.body.welcome_code,
    })
    const chat = (await k.hook('groups/create', { owner: 'LiNa', name: '群' })).body.chat_id as string
    expect(rx.fields(1)).toMatchObject({ Event: 'change_external_chat', ChangeType: 'create', ChatId: chat })
    const jw = await k.api('POST', 'externalcontact/groupchat/add_join_way', {
      scene: 2,
      chat_id_list: [chat],
      state: 'cm1',
    })
    const chatVersion = async () =>
      (await k.api<{ group_chat: ChatReply }>('POST', 'externalcontact/groupchat/get', { chat_id: chat }))
        .group_chat.member_version
    const before = await chatVersion()
    await k.hook('groups/join', { config_id: jw.config_id, external_userid: added.body.external_userid })
    const after = await chatVersion()
    expect(rx.fields(2)).toMatchObject({
      ChatId: chat,
      ChangeType: 'update',
      UpdateDetail: 'add_member',
      JoinScene: '3',
      MemChangeCnt: '1',
      MemChangeList: { Item: added.body.external_userid },
      LastMemVer: before,
      CurMemVer: after,
    })
    await k.hook('groups/leave', { chat_id: chat, external_userid: added.body.external_userid })
    expect(rx.fields(3)).toMatchObject({ UpdateDetail: 'del_member', QuitScene: '0', LastMemVer: after })
    expect(rx.fields(3).JoinScene).toBeUndefined()
    // API-driven changes fire nothing
    const t = await k.api<{ tag_group: TagGroupReply }>('POST', 'externalcontact/add_corp_tag', {
      group_name: 'G',
      tag: [{ name: 'a' }],
    })
    await k.api('POST', 'externalcontact/mark_tag', {
      userid: 'LiNa',
      external_userid: added.body.external_userid,
      add_tag: [t.tag_group.tag[0]!.id],
    })
    expect(rx.received).toHaveLength(4)
    expect(
      (await k.peek<{ events: EventRecord[] }>('events')).events.map((e) => e.delivery?.delivered),
    ).toEqual([true, true, true, true])
  })

  it('delivers duplicates, redelivers, and holds events to release them out of order', async () => {
    await useTarget({ duplicates: 1 })
    await k.hook('customers/add', { userid: 'LiNa', name: '甲' })
    expect(rx.received).toHaveLength(2)
    expect(rx.received[0]!.body).toBe(rx.received[1]!.body)
    await k.hook('events/redeliver', { seq: 1 })
    expect(rx.received).toHaveLength(3)
    expect(rx.received[2]!.opened).toBe(rx.received[0]!.opened) // same event, same CreateTime

    rx.received = []
    await useTarget({ hold: true })
    await k.hook('customers/add', { userid: 'LiNa', name: '乙' })
    await k.hook('customers/add', { userid: 'LiNa', name: '丙' })
    expect(rx.received).toHaveLength(0)
    const released = await k.hook('events/release', { seqs: [3, 2] })
    expect(released.status).toBe(200)
    expect([rx.fields(0).ExternalUserID, rx.fields(1).ExternalUserID]).toEqual([
      'wmSimExt000003',
      'wmSimExt000002',
    ])
  })

  it('retries through the simulator and reports an undelivered event', async () => {
    await useTarget({ retries: 1, timeoutMs: 300 })
    rx.plan = [503, 503]
    const r = await k.hook('customers/add', { userid: 'LiNa', name: '甲' })
    expect(r.body.event).toEqual({ seq: 1, delivered: false })
    const [ev] = (await k.peek<{ events: EventRecord[] }>('events')).events
    expect(ev!.delivery?.attempts).toEqual([{ status: 503 }, { status: 503 }])
  })

  it('admin tag changes arrive as change_external_tag', async () => {
    await useTarget()
    const r = await k.hook('tags/admin', { action: 'create', group_name: '管理员组', tags: ['甲'] })
    expect(rx.fields(0)).toMatchObject({
      Event: 'change_external_tag',
      Id: r.body.group_id,
      TagType: 'tag_group',
      ChangeType: 'create',
    })
  })

  it('performs the GET URL-verification handshake', async () => {
    await useTarget()
    const r = await k.hook('events/verify')
    expect(r.body).toMatchObject({ ok: true, status: 200 })
    expect(rx.received[0]!.method).toBe('GET')
    expect(rx.received[0]!.rawQuery).toMatch(/echostr=[^&]*%/) // base64 is URL-encoded
  })

  it('nurse-message sends a member’s text and opens the passive reply', async () => {
    await useTarget()
    rx.plan = ['reply']
    const r = await k.hook('nurse-message', { userid: 'LiNa', content: '群' })
    expect(rx.fields(0)).toMatchObject({
      MsgType: 'text',
      FromUserName: 'LiNa',
      Content: '群',
      AgentID: '1000002',
    })
    expect(r.body.reply).toMatchObject({ content: '收到：群', signatureValid: true, receiveId: CORP })
  })

  it('records events without a target, and POST events pushes any event', async () => {
    await k.hook('customers/add', { userid: 'LiNa', name: '甲' })
    expect((await k.peek<{ events: EventRecord[] }>('events')).events[0]).toMatchObject({
      seq: 1,
      skipped: 'no event target',
    })
    await useTarget()
    const r = await k.hook('events', {
      event: { event: 'change_external_chat', changeType: 'dismiss', chatId: 'wrX' },
    })
    expect(r.body).toMatchObject({ seq: 2, delivery: { delivered: true } })
    expect(rx.fields(0)).toMatchObject({ ChangeType: 'dismiss', ChatId: 'wrX' })
  })
})

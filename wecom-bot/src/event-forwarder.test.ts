import type { WecomEventInput, WecomEventResult } from '@careloop/shared'
import { dedupeKey } from './callback.routes'
import { parseInboundMessage, type WecomInboundMessage } from './callback-xml'
import {
  createEventForwarder,
  toWecomEventInput,
  withEventForwarding,
  type ForwarderLog,
} from './event-forwarder'
import { ServerCallError } from './server-client'

const NOW = 1_800_000_000
const parse = (inner: string): WecomInboundMessage =>
  parseInboundMessage(
    `<xml><ToUserName><![CDATA[wwcorp]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName>` +
      `<CreateTime>1403610513</CreateTime><MsgType><![CDATA[event]]></MsgType>${inner}</xml>`,
  )!

// platform.md §3.7, the official samples
const ADD = parse(
  `<Event><![CDATA[change_external_contact]]></Event><ChangeType><![CDATA[add_external_contact]]></ChangeType>` +
    `<UserID><![CDATA[zhangsan]]></UserID><ExternalUserID><![CDATA[woAJ2GCAAAXtWyujaWJHDDGi0mAAAA]]></ExternalUserID>` +
    `<State><![CDATA[teststate]]></State><WelcomeCode><![CDATA[WELCOMECODE]]></WelcomeCode>`,
)
const CHAT = parse(
  `<Event>change_external_chat</Event><ChatId>CHAT_ID</ChatId><ChangeType>update</ChangeType><UpdateDetail>add_member</UpdateDetail>` +
    `<JoinScene> 1 </JoinScene><QuitScene>0</QuitScene><MemChangeCnt>2</MemChangeCnt>` +
    `<MemChangeList><Item>EXT_1</Item><Item>EXT_2</Item></MemChangeList><LastMemVer>V1</LastMemVer><CurMemVer>V2</CurMemVer>`,
)
const TAG = parse(
  `<Event>change_external_tag</Event><Id>TAG_ID</Id><TagType>tag</TagType><ChangeType>create</ChangeType>`,
)
const TEXT = parseInboundMessage(
  `<xml><ToUserName>ww</ToUserName><FromUserName>LiNa</FromUserName><CreateTime>1476422779</CreateTime>` +
    `<MsgType>text</MsgType><Content>帮助</Content><MsgId>1456453720</MsgId><AgentID>1000002</AgentID></xml>`,
)!

describe('toWecomEventInput (XML → the server contract)', () => {
  it('maps a contact event, keyed by the callback dedupe key', () => {
    expect(toWecomEventInput(ADD, NOW)).toEqual({
      dedupeKey: dedupeKey(ADD),
      event: 'change_external_contact',
      changeType: 'add_external_contact',
      createTime: 1403610513,
      userId: 'zhangsan',
      externalUserId: 'woAJ2GCAAAXtWyujaWJHDDGi0mAAAA',
      state: 'teststate',
      welcomeCode: 'WELCOMECODE',
    })
  })

  it('turns MemChangeList items into an array and parses numbers leniently', () => {
    expect(toWecomEventInput(CHAT, NOW)).toMatchObject({
      event: 'change_external_chat',
      chatId: 'CHAT_ID',
      updateDetail: 'add_member',
      joinScene: 1,
      quitScene: 0,
      memChangeCnt: 2,
      memChangeList: ['EXT_1', 'EXT_2'],
      lastMemVer: 'V1',
      curMemVer: 'V2',
    })
    const one = parse(
      `<Event>change_external_chat</Event><ChatId>C</ChatId><ChangeType>update</ChangeType>` +
        `<JoinScene>three</JoinScene><MemChangeList><Item>ONLY</Item></MemChangeList>`,
    )
    const mapped = toWecomEventInput(one, NOW)!
    expect(mapped.memChangeList).toEqual(['ONLY'])
    expect(mapped.joinScene).toBeUndefined()
  })

  it('maps tag events; drops what is not ours and what cannot be valid', () => {
    expect(toWecomEventInput(TAG, NOW)).toMatchObject({
      event: 'change_external_tag',
      changeType: 'create',
      id: 'TAG_ID',
      tagType: 'tag',
    })
    expect(toWecomEventInput(TEXT, NOW)).toBeNull()
    const enter = parse(`<Event>enter_agent</Event>`)
    expect(toWecomEventInput(enter, NOW)).toBeNull()
    const noChange = parse(`<Event>change_external_tag</Event><Id>T</Id>`)
    expect(toWecomEventInput(noChange, NOW)).toBeNull()
    // a state longer than ours (≤30) is not ours; a CreateTime that is no number becomes now
    const odd = parseInboundMessage(
      `<xml><ToUserName>ww</ToUserName><FromUserName>sys</FromUserName><CreateTime>soon</CreateTime>` +
        `<MsgType>event</MsgType><Event>change_external_contact</Event><ChangeType>add_external_contact</ChangeType>` +
        `<UserID>u</UserID><ExternalUserID>e</ExternalUserID><State>${'s'.repeat(31)}</State></xml>`,
    )!
    const m = toWecomEventInput(odd, NOW)!
    expect(m.state).toBeUndefined()
    expect(m.createTime).toBe(NOW)
  })
})

/** A promise the test settles. */
const deferred = <T>() => {
  let resolve!: (v: T) => void
  let reject!: (e: unknown) => void
  const promise = new Promise<T>((ok, fail) => {
    resolve = ok
    reject = fail
  })
  return { promise, resolve, reject }
}

const logs = () => {
  const lines: { level: string; msg: string; obj: object }[] = []
  const at =
    (level: string) =>
    (obj: object, msg: string): void => {
      lines.push({ level, msg, obj })
    }
  const log: ForwarderLog = { info: at('info'), warn: at('warn'), error: at('error') }
  return { log, lines }
}

const ok: WecomEventResult = { duplicate: false, outcome: 'contact added' }

describe('event forwarding', () => {
  it('answers WeCom at once and forwards in the background; text still goes to the commands', async () => {
    const gate = deferred<WecomEventResult>()
    const sent: WecomEventInput[] = []
    const forwarder = createEventForwarder({
      server: {
        forwardEvent: (i) => {
          sent.push(i)
          return gate.promise
        },
      },
      log: logs().log,
    })
    const inner = jest.fn(() => 'reply')
    const handler = withEventForwarding(forwarder, inner)

    // the handler returns before the server has answered
    expect(await handler(ADD)).toBeNull()
    expect(sent).toHaveLength(1)
    expect(sent[0]!.welcomeCode).toBe('WELCOMECODE')
    let done = false
    const idle = forwarder.idle().then(() => (done = true))
    await Promise.resolve()
    expect(done).toBe(false)
    gate.resolve(ok)
    await idle
    expect(done).toBe(true)

    expect(await handler(TEXT)).toBe('reply')
    expect(inner).toHaveBeenCalledWith(TEXT)
    expect(sent).toHaveLength(1)
  })

  it('retries quickly on 5xx and unreachable, then succeeds', async () => {
    const { log, lines } = logs()
    const failures = [new ServerCallError(null, 'ECONNREFUSED'), new ServerCallError(503, 'busy')]
    const calls: string[] = []
    const delays: number[] = []
    const forwarder = createEventForwarder({
      server: {
        forwardEvent: (i) => {
          calls.push(i.dedupeKey)
          const f = failures.shift()
          return f ? Promise.reject(f) : Promise.resolve(ok)
        },
      },
      log,
      retryDelayMs: 10,
      sleep: (ms) => {
        delays.push(ms)
        return Promise.resolve()
      },
    })
    expect(forwarder.forward(CHAT)).toBe(true)
    await forwarder.idle()
    expect(calls).toEqual([dedupeKey(CHAT), dedupeKey(CHAT), dedupeKey(CHAT)])
    expect(delays).toEqual([10, 20])
    expect(lines.map((l) => `${l.level}:${l.msg}`)).toEqual([
      'warn:event forward failed; retrying',
      'warn:event forward failed; retrying',
      'info:event forwarded',
    ])
  })

  it('gives up after a few tries, and at once on a refusal (4xx), logging an error', async () => {
    const { log, lines } = logs()
    let calls = 0
    const down = createEventForwarder({
      server: {
        forwardEvent: () => {
          calls++
          return Promise.reject(new ServerCallError(502, 'bad gateway'))
        },
      },
      log,
      retries: 2,
      sleep: () => Promise.resolve(),
    })
    down.forward(TAG)
    await down.idle()
    expect(calls).toBe(3)
    expect(lines.at(-1)).toMatchObject({ level: 'error', msg: 'event not forwarded; giving up' })

    calls = 0
    const refused = createEventForwarder({
      server: {
        forwardEvent: () => {
          calls++
          return Promise.reject(new ServerCallError(400, 'VALIDATION_FAILED'))
        },
      },
      log,
      sleep: () => Promise.resolve(),
    })
    refused.forward(ADD)
    await refused.idle()
    expect(calls).toBe(1)
    expect(lines.at(-1)).toMatchObject({ level: 'error', msg: 'event not forwarded; giving up' })
  })
})

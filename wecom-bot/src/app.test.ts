// Drives the real Koa app over HTTP (a server on port 0) with the official WeCom vectors.
import { createServer } from 'node:http'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Writable } from 'node:stream'
import type * as WecomCrypto from '@wecom/crypto'
import { decrypt } from '@wecom/crypto'
import { pino } from 'pino'
import { createBotApp } from './app'
import type { BotAppOptions } from './app'
import { createCallbackCrypto } from './callback-crypto'
import type { MessageHandler } from './callback.routes'
import { parseXmlRoot } from './callback-xml'
import type { WecomInboundMessage } from './callback-xml'
import { HELP_TEXT, nurseMessageHandler } from './commands'
import type { BotConfig } from './config'
import {
  URL_VERIFY,
  VECTOR_AES_KEY,
  VECTOR_CORP_ID,
  VECTOR_TOKEN,
  XML_MESSAGE,
} from './wecom-vectors.fixture'

jest.mock('@wecom/crypto', () => {
  const actual = jest.requireActual<typeof WecomCrypto>('@wecom/crypto')
  return { __esModule: true, ...actual, decrypt: jest.fn(actual.decrypt) }
})

const decryptSpy = jest.mocked(decrypt)

const config: BotConfig = {
  wecomToken: VECTOR_TOKEN,
  wecomEncodingAesKey: VECTOR_AES_KEY,
  wecomCorpId: VECTOR_CORP_ID,
  port: 0,
  host: '127.0.0.1',
  logLevel: 'info',
  serverBaseUrl: 'http://127.0.0.1:3000',
  serviceToken: undefined,
}
const NOW = new Date('2024-05-01T08:00:00Z')
const wecom = createCallbackCrypto({
  token: VECTOR_TOKEN,
  encodingAesKey: VECTOR_AES_KEY,
  receiveId: VECTOR_CORP_ID,
})

interface Harness {
  base: string
  handler: jest.Mock<ReturnType<MessageHandler>, Parameters<MessageHandler>>
  logs: Array<Record<string, unknown>>
  close(): Promise<void>
}

const open: Harness[] = []

async function start(
  handler: MessageHandler = nurseMessageHandler,
  options?: BotAppOptions,
): Promise<Harness> {
  const logs: Array<Record<string, unknown>> = []
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>)
      done()
    },
  })
  const mock = jest.fn(handler)
  const app = createBotApp({
    config,
    logger: pino({ level: 'debug' }, sink),
    clock: { now: () => NOW },
    handler: mock,
    options,
  })
  const handle = app.callback()
  const server: Server = createServer((req, res) => {
    void handle(req, res)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const harness: Harness = {
    base: `http://127.0.0.1:${port}`,
    handler: mock,
    logs,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
  open.push(harness)
  return harness
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((harness) => harness.close()))
  decryptSpy.mockClear()
})

function callbackUrl(base: string, params: Record<string, string>): string {
  const query = Object.entries(params)
    .map(([key, value]) => `${key}=${encodeURIComponent(value)}`)
    .join('&')
  return `${base}/wecom/callback?${query}`
}

function envelope(encrypt: string, cdata = true): string {
  const wrap = (value: string) => (cdata ? `<![CDATA[${value}]]>` : value)
  return `<xml><ToUserName>${wrap(VECTOR_CORP_ID)}</ToUserName><Encrypt>${wrap(encrypt)}</Encrypt><AgentID>${wrap('1000002')}</AgentID></xml>`
}

/** What WeCom would POST for `inner`, encrypted with a random prefix and signed. */
function delivery(
  inner: string,
  receiveId = VECTOR_CORP_ID,
): { url: (base: string) => string; body: string } {
  const sender = createCallbackCrypto({ token: VECTOR_TOKEN, encodingAesKey: VECTOR_AES_KEY, receiveId })
  const sealed = sender.seal(inner, { timestamp: '1714550400', nonce: '1234567890' })
  return {
    url: (base) =>
      callbackUrl(base, {
        msg_signature: sealed.msgSignature,
        timestamp: sealed.timestamp,
        nonce: sealed.nonce,
      }),
    body: envelope(sealed.encrypt),
  }
}

function nurseText(content: string, msgId: string, from = 'nurse-li'): string {
  return (
    `<xml><ToUserName><![CDATA[${VECTOR_CORP_ID}]]></ToUserName><FromUserName><![CDATA[${from}]]></FromUserName>` +
    `<CreateTime>1714550400</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${content}]]></Content>` +
    `<MsgId>${msgId}</MsgId><AgentID>1000002</AgentID></xml>`
  )
}

async function post(url: string, body: string, contentType = 'text/xml') {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body })
  return { status: response.status, headers: response.headers, text: await response.text() }
}

/** Opens a passive reply the way WeCom would: check the signature, decrypt, parse. */
function openReply(body: string): Record<string, unknown> {
  const outer = parseXmlRoot(body)
  if (!outer) throw new Error(`not a reply document: ${body}`)
  const { Encrypt, MsgSignature, TimeStamp, Nonce } = outer as Record<string, string>
  const inner = wecom.openXml({ msgSignature: MsgSignature!, timestamp: TimeStamp!, nonce: Nonce! }, Encrypt!)
  return parseXmlRoot(inner)!
}

function errorOf(response: { status: number; text: string }) {
  return (
    JSON.parse(response.text) as {
      error: { code: string; message: string; requestId: string; details?: unknown }
    }
  ).error
}

describe('GET /wecom/callback (URL verification)', () => {
  it('answers the official echostr with exactly 1288432023552776189', async () => {
    const { base } = await start()
    const response = await fetch(
      callbackUrl(base, {
        msg_signature: URL_VERIFY.msgSignature,
        timestamp: URL_VERIFY.timestamp,
        nonce: URL_VERIFY.nonce,
        echostr: URL_VERIFY.echostr,
      }),
    )
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/)
    const bytes = Buffer.from(await response.arrayBuffer())
    expect(bytes.toString('utf8')).toBe('1288432023552776189')
    expect(bytes.length).toBe(19)
  })

  it('rejects a wrong signature with 401 and never decrypts', async () => {
    const { base } = await start()
    const response = await fetch(
      callbackUrl(base, {
        msg_signature: '012bc692d0a58dd4b10f8dfe5c4ac00ae211ebec',
        timestamp: URL_VERIFY.timestamp,
        nonce: URL_VERIFY.nonce,
        echostr: URL_VERIFY.echostr,
      }),
    )
    expect(response.status).toBe(401)
    expect(errorOf({ status: response.status, text: await response.text() }).code).toBe(
      'WECOM_SIGNATURE_INVALID',
    )
    expect(decryptSpy).not.toHaveBeenCalled()
  })

  it('needs msg_signature, timestamp, nonce and echostr', async () => {
    const { base } = await start()
    const response = await fetch(callbackUrl(base, { msg_signature: URL_VERIFY.msgSignature, echostr: 'x' }))
    expect(response.status).toBe(400)
    const error = errorOf({ status: 400, text: await response.text() })
    expect(error.code).toBe('WECOM_QUERY_INVALID')
    expect(error.details).toEqual({ missing: ['timestamp', 'nonce'] })
    const noEcho = await fetch(
      callbackUrl(base, { msg_signature: 'a', timestamp: URL_VERIFY.timestamp, nonce: URL_VERIFY.nonce }),
    )
    expect(noEcho.status).toBe(400)
  })
})

describe('POST /wecom/callback', () => {
  it('accepts the official XML message and hands the handler ChenJiaShun / 你好', async () => {
    const { base, handler } = await start(() => null)
    const response = await post(
      callbackUrl(base, {
        msg_signature: XML_MESSAGE.msgSignature,
        timestamp: XML_MESSAGE.timestamp,
        nonce: XML_MESSAGE.nonce,
      }),
      envelope(XML_MESSAGE.encrypt),
    )
    expect(response.status).toBe(200)
    expect(response.text).toBe('')
    expect(handler).toHaveBeenCalledTimes(1)
    const message: WecomInboundMessage = handler.mock.calls[0]![0]
    expect(message).toMatchObject({
      fromUserName: 'ChenJiaShun',
      content: '你好',
      msgType: 'text',
      msgId: '1456453720',
    })
  })

  it('accepts the envelope without CDATA too', async () => {
    const { base, handler } = await start(() => null)
    const url = callbackUrl(base, {
      msg_signature: XML_MESSAGE.msgSignature,
      timestamp: XML_MESSAGE.timestamp,
      nonce: XML_MESSAGE.nonce,
    })
    expect((await post(url, envelope(XML_MESSAGE.encrypt, false))).status).toBe(200)
    expect(handler).toHaveBeenCalledTimes(1)
  })

  it('answers a nurse\'s "帮助" with an encrypted passive reply carrying the help text', async () => {
    const { base } = await start()
    const request = delivery(nurseText('帮助', '7000000000000000001'))
    const response = await post(request.url(base), request.body)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/^application\/xml/)
    expect(response.text).toMatch(/^<xml><Encrypt><!\[CDATA\[.+\]\]><\/Encrypt><MsgSignature>/)
    const reply = openReply(response.text)
    expect(reply).toEqual({
      ToUserName: 'nurse-li',
      FromUserName: VECTOR_CORP_ID,
      CreateTime: String(NOW.getTime() / 1000),
      MsgType: 'text',
      Content: HELP_TEXT,
    })
  })

  it('rejects a wrong signature with 401 WECOM_SIGNATURE_INVALID and never decrypts', async () => {
    const { base, handler } = await start()
    const response = await post(
      callbackUrl(base, {
        msg_signature: '0000000000000000000000000000000000000000',
        timestamp: XML_MESSAGE.timestamp,
        nonce: XML_MESSAGE.nonce,
      }),
      envelope(XML_MESSAGE.encrypt),
    )
    expect(response.status).toBe(401)
    const error = errorOf(response)
    expect(error.code).toBe('WECOM_SIGNATURE_INVALID')
    expect(error.requestId).toBe(response.headers.get('x-request-id'))
    expect(decryptSpy).not.toHaveBeenCalled()
    expect(handler).not.toHaveBeenCalled()
  })

  it('rejects a message for another corp with 400 WECOM_CORP_MISMATCH', async () => {
    const { base, handler } = await start()
    const request = delivery(nurseText('帮助', '7000000000000000002'), 'wwanothercorp00000')
    const response = await post(request.url(base), request.body)
    expect(response.status).toBe(400)
    expect(errorOf(response).code).toBe('WECOM_CORP_MISMATCH')
    expect(handler).not.toHaveBeenCalled()
  })

  it('rejects a correctly signed Encrypt that is not a ciphertext with 400 WECOM_DECRYPT_FAILED', async () => {
    const { base } = await start()
    const encrypt = Buffer.alloc(40, 7).toString('base64')
    const url = callbackUrl(base, {
      msg_signature: jest
        .requireActual<typeof WecomCrypto>('@wecom/crypto')
        .getSignature(VECTOR_TOKEN, '1', '2', encrypt),
      timestamp: '1',
      nonce: '2',
    })
    const response = await post(url, envelope(encrypt))
    expect(response.status).toBe(400)
    expect(errorOf(response).code).toBe('WECOM_DECRYPT_FAILED')
  })

  it.each([
    ['garbage', 'not xml at all', 'text/xml'],
    ['JSON', '{"tousername":"ww1","encrypt":"abc","agentid":"1"}', 'application/json'],
    ['empty', '', 'text/xml'],
    ['truncated XML', '<xml><Encrypt><![CDATA[abc', 'text/xml'],
    ['missing Encrypt', '<xml><ToUserName>ww1</ToUserName></xml>', 'text/xml'],
    ['form data', 'a=1&b=2', 'application/x-www-form-urlencoded'],
    [
      'an XXE attempt',
      '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><Encrypt>&e;</Encrypt></xml>',
      'text/xml',
    ],
  ])('rejects a %s body with 400 WECOM_BODY_MALFORMED', async (_name, body, contentType) => {
    const { base, handler } = await start()
    const url = callbackUrl(base, { msg_signature: 'a', timestamp: '1', nonce: '2' })
    const response = await post(url, body, contentType)
    expect(response.status).toBe(400)
    expect(errorOf(response).code).toBe('WECOM_BODY_MALFORMED')
    expect(handler).not.toHaveBeenCalled()
  })

  it('needs timestamp and nonce', async () => {
    const { base } = await start()
    const response = await post(
      callbackUrl(base, { msg_signature: XML_MESSAGE.msgSignature }),
      envelope(XML_MESSAGE.encrypt),
    )
    expect(response.status).toBe(400)
    expect(errorOf(response).code).toBe('WECOM_QUERY_INVALID')
    expect(decryptSpy).not.toHaveBeenCalled()
  })

  it('runs the handler once for a duplicate delivery and answers both with the same reply', async () => {
    const { base, handler, logs } = await start()
    const request = delivery(nurseText('帮助', '7000000000000000003'))
    const first = await post(request.url(base), request.body)
    const second = await post(request.url(base), request.body)
    const [third, fourth] = await Promise.all([
      post(request.url(base), request.body),
      post(request.url(base), request.body),
    ])
    for (const response of [first, second, third, fourth]) {
      expect(response.status).toBe(200)
      expect(openReply(response.text).Content).toBe(HELP_TEXT)
    }
    expect(handler).toHaveBeenCalledTimes(1)
    expect(logs.filter((line) => line.msg === 'duplicate wecom callback')).toHaveLength(3)
  })

  it('runs the handler for a new MsgId with the same content', async () => {
    const { base, handler } = await start()
    for (const msgId of ['7000000000000000004', '7000000000000000005']) {
      const request = delivery(nurseText('帮助', msgId))
      expect((await post(request.url(base), request.body)).status).toBe(200)
    }
    expect(handler).toHaveBeenCalledTimes(2)
  })

  it('answers events with an empty 200 and dedupes them on FromUserName+CreateTime+Event', async () => {
    const { base, handler } = await start(() => 'ignored for events')
    const event =
      `<xml><ToUserName>${VECTOR_CORP_ID}</ToUserName><FromUserName>nurse-li</FromUserName><CreateTime>1714550400</CreateTime>` +
      '<MsgType>event</MsgType><Event>enter_agent</Event><EventKey></EventKey><AgentID>1000002</AgentID></xml>'
    const request = delivery(event)
    for (let i = 0; i < 2; i++) {
      const response = await post(request.url(base), request.body)
      expect(response.status).toBe(200)
      expect(response.text).toBe('')
    }
    expect(handler).toHaveBeenCalledTimes(1)
    expect(handler.mock.calls[0]![0]).toMatchObject({ msgType: 'event', event: 'enter_agent' })
  })

  it('answers 500 INTERNAL without a stack when the handler throws, and runs it again on retry', async () => {
    const { base, handler, logs } = await start(() => {
      throw new Error('handler exploded at /secret/path.ts:1')
    })
    const request = delivery(nurseText('帮助', '7000000000000000006'))
    const response = await post(request.url(base), request.body)
    expect(response.status).toBe(500)
    const error = errorOf(response)
    expect(error).toEqual({
      code: 'INTERNAL',
      message: 'Internal error',
      requestId: expect.any(String) as string,
    })
    expect(response.text).not.toContain('exploded')
    expect(logs.some((line) => line.msg === 'unhandled error' && line.requestId === error.requestId)).toBe(
      true,
    )
    await post(request.url(base), request.body)
    expect(handler).toHaveBeenCalledTimes(2)
  })

  it('refuses a body over the limit with 413 (or by closing the connection)', async () => {
    const { base, handler } = await start(nurseMessageHandler, { bodyLimitBytes: 1024 })
    const url = callbackUrl(base, { msg_signature: 'a', timestamp: '1', nonce: '2' })
    const big = `<xml><Encrypt>${'A'.repeat(2 * 1024 * 1024)}</Encrypt></xml>`
    const status = await post(url, big).then(
      (response) => response.status,
      () => 'connection closed',
    )
    expect([413, 'connection closed']).toContain(status)
    expect(handler).not.toHaveBeenCalled()
    const health = await fetch(`${base}/healthz`)
    expect(health.status).toBe(200)
  })

  it('refuses a streamed (chunked) body over the limit', async () => {
    const { base } = await start(nurseMessageHandler, { bodyLimitBytes: 1024 })
    const url = callbackUrl(base, { msg_signature: 'a', timestamp: '1', nonce: '2' })
    const chunks = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 64; i++) controller.enqueue(new Uint8Array(1024).fill(65))
        controller.close()
      },
    })
    const status = await fetch(url, { method: 'POST', body: chunks, duplex: 'half' } as RequestInit).then(
      (response) => response.status,
      () => 'connection closed',
    )
    expect([413, 'connection closed']).toContain(status)
    expect((await fetch(`${base}/healthz`)).status).toBe(200)
  })
})

describe('the app around the callback', () => {
  it('serves /healthz and a JSON 404 with a request id', async () => {
    const { base } = await start()
    const health = await fetch(`${base}/healthz`)
    expect(health.status).toBe(200)
    expect(await health.json()).toEqual({ status: 'ok' })
    const missing = await fetch(`${base}/nope`, { headers: { 'x-request-id': 'req-123' } })
    expect(missing.status).toBe(404)
    expect(missing.headers.get('x-request-id')).toBe('req-123')
    expect(await missing.json()).toEqual({
      error: { code: 'NOT_FOUND', message: 'No route for GET /nope', requestId: 'req-123' },
    })
  })

  it('logs one JSON line per request with route, status, duration and request id, and no message content', async () => {
    const { base, logs } = await start()
    const request = delivery(nurseText('帮助 患者张三 13800001234', '7000000000000000007'))
    await post(request.url(base), request.body)
    const lines = logs.filter((line) => line.msg === 'request')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatchObject({ method: 'POST', route: '/wecom/callback', status: 200 })
    expect(typeof lines[0]!.durationMs).toBe('number')
    expect(typeof lines[0]!.requestId).toBe('string')
    expect(JSON.stringify(logs)).not.toContain('13800001234')
    expect(JSON.stringify(logs)).not.toContain(VECTOR_TOKEN)
  })

  it('is still up after a run of bad requests', async () => {
    const { base } = await start()
    const url = `${base}/wecom/callback`
    const bad: Array<Promise<unknown>> = [
      fetch(`${url}?msg_signature=a&timestamp=1&nonce=2`, {
        method: 'POST',
        body: '<xml><Encrypt>%%%</Encrypt>',
      }),
      fetch(`${url}?msg_signature=%E0%A4%A&timestamp=1&nonce=2&echostr=%ZZ`),
      fetch(`${url}?msg_signature=a&msg_signature=b&timestamp=1&nonce=2`, { method: 'POST', body: 'x' }),
      fetch(`${url}`, { method: 'PUT', body: 'x' }),
      fetch(`${url}?msg_signature=a&timestamp=1&nonce=2`, {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream' },
        body: new Uint8Array([0, 255, 254, 1]),
      }),
      fetch(`${base}/%E0%A4%A`),
    ]
    const statuses = await Promise.all(bad.map((request) => request.then((r) => (r as Response).status)))
    for (const status of statuses) expect(status).toBeGreaterThanOrEqual(400)
    for (const status of statuses) expect(status).toBeLessThan(500)
    expect((await fetch(`${base}/healthz`)).status).toBe(200)
  })
})

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createServerClient, ServerCallError } from './server-client'

// The nurse-command calls of the server client, against a stand-in HTTP server.
const TOKEN = 's'.repeat(40)
const NURSE = { id: 'a'.repeat(24), name: '李娜', role: 'nurse' }

interface Seen {
  method: string
  url: string
  auth: string | undefined
  body: string
}
type Answer = (req: Seen, res: ServerResponse) => void

let http: Server
let answer: Answer
const seen: Seen[] = []
let base: string

beforeAll(async () => {
  http = createServer((req: IncomingMessage, res) => {
    let body = ''
    req.on('data', (c: Buffer) => (body += c.toString()))
    req.on('end', () => {
      const s = { method: req.method ?? '', url: req.url ?? '', auth: req.headers.authorization, body }
      seen.push(s)
      answer(s, res)
    })
  })
  await new Promise<void>((ok) => http.listen(0, '127.0.0.1', ok))
  base = `http://127.0.0.1:${(http.address() as AddressInfo).port}/`
})
afterAll(async () => {
  const closed = new Promise<void>((ok) => http.close(() => ok()))
  http.closeAllConnections()
  await closed
})
beforeEach(() => {
  seen.length = 0
})

const json =
  (status: number, body: unknown): Answer =>
  (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json' })
    res.end(JSON.stringify(body))
  }
const client = (commandTimeoutMs?: number) =>
  createServerClient({ baseUrl: base, serviceToken: TOKEN, commandTimeoutMs })
const failure = async (p: Promise<unknown>): Promise<ServerCallError> => {
  const err: unknown = await p.then(
    () => null,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(ServerCallError)
  return err as ServerCallError
}

describe('server client: nurse commands', () => {
  it('calls the service routes with the token and the escaped userid, and validates the answers', async () => {
    answer = json(200, { nurse: NURSE, communities: [] })
    expect(await client().nurseCommunities('Li.Na')).toEqual({ nurse: NURSE, communities: [] })
    answer = json(200, { nurse: NURSE, sends: [] })
    expect(await client().nursePendingSends('Li.Na')).toEqual({ nurse: NURSE, sends: [] })
    const done = {
      outcome: 'done',
      action: 'tag',
      changed: true,
      patient: { id: 'f'.repeat(24), name: '张三', phone: null, gender: null, birthYear: null },
      tag: { id: 'd'.repeat(24), name: '糖尿病' },
    }
    answer = json(200, done)
    expect(await client().patientTag('Li.Na', { patient: '张三', tag: '糖尿病', action: 'tag' })).toEqual(
      done,
    )
    expect(seen.map((s) => [s.method, s.url, s.auth])).toEqual([
      ['GET', '/api/v1/service/nurses/Li.Na/communities', `Bearer ${TOKEN}`],
      ['GET', '/api/v1/service/nurses/Li.Na/group-sends/pending', `Bearer ${TOKEN}`],
      ['POST', '/api/v1/service/nurses/Li.Na/patient-tags', `Bearer ${TOKEN}`],
    ])
    expect(JSON.parse(seen[2]!.body)).toEqual({ patient: '张三', tag: '糖尿病', action: 'tag' })
  })

  it("carries the server's error code", async () => {
    answer = json(404, { error: { code: 'TAG_NOT_FOUND', message: 'No tag named x', requestId: 'r1' } })
    const err = await failure(client().patientTag('LiNa', { patient: '张三', tag: 'x' }))
    expect([err.status, err.code]).toEqual([404, 'TAG_NOT_FOUND'])
    answer = (_req, res) => {
      res.writeHead(502)
      res.end('bad gateway')
    }
    const bare = await failure(client().nurseCommunities('LiNa'))
    expect([bare.status, bare.code, bare.retryable]).toEqual([502, null, true])
  })

  it('refuses an answer that does not match the contract', async () => {
    answer = json(200, { nurse: NURSE, communities: [{ id: 'x' }] })
    const err = await failure(client().nurseCommunities('LiNa'))
    expect([err.status, err.code]).toEqual([200, 'BAD_RESPONSE'])
  })

  it('reports a timeout and an unreachable server', async () => {
    answer = () => undefined // never answers; afterAll closes the connection
    const slow = await failure(client(50).nursePendingSends('LiNa'))
    expect([slow.status, slow.code]).toEqual([null, 'TIMEOUT'])
    const down = await failure(
      createServerClient({ baseUrl: 'http://127.0.0.1:1', serviceToken: TOKEN }).nursePendingSends('LiNa'),
    )
    expect([down.status, down.code]).toEqual([null, null])
  })
})

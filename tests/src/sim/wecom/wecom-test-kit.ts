import { WecomSim, type WecomSimOptions } from './wecom-sim'

/**
 * For the WeCom simulator's own tests: starts one simulator on port 0 per test file, resets it before
 * each test, and talks to it over HTTP like a client would (token fetched and cached per secret).
 */

export const CORP = 'wwsimtestcorp0001'
export const SECRET = 'app-secret'
export const OTHER_SECRET = 'other-app-secret'
export const AGENT_ID = 1000002

/** A JSON object as returned; tests name the shape they read with the type parameters below. */
export type Reply = Record<string, unknown>
/** What every WeCom API reply carries. */
export interface Base {
  errcode: number
  errmsg: string
}

export interface TagReply {
  id: string
  name: string
  order: number
  create_time: number
  deleted?: boolean
}
export interface TagGroupReply {
  group_id: string
  group_name: string
  order: number
  deleted?: boolean
  tag: TagReply[]
}
export interface FollowReply {
  userid: string
  createtime: number
  state?: string
  add_way: number
  tags: { group_name: string; tag_name: string; tag_id: string; type: number }[]
}
export interface ContactReply {
  external_contact: Reply
  follow_user: FollowReply[]
  next_cursor?: string
}
export interface MemberReply {
  userid: string
  type: number
  join_scene: number
  join_time: number
  name?: string
  unionid?: string
  state?: string
  invitor?: { userid: string }
}
export interface ChatReply {
  chat_id: string
  name: string
  owner: string
  notice: string
  member_version: string
  member_list: MemberReply[]
}
export interface SendResultReply {
  external_userid?: string
  chat_id?: string
  userid: string
  status: number
  send_time?: number
}

export interface SimKit {
  readonly sim: WecomSim
  readonly url: string
  /** The cached access_token of `secret`. */
  token(secret?: string): Promise<string>
  /** Calls a WeCom API with a token for `secret` (default SECRET). GET sends `body` as the query. */
  api<T extends object = Reply>(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    secret?: string,
  ): Promise<T & Base>
  /** POST /_sim/wecom/{name} → {status, body}. */
  hook<T extends object = Reply>(name: string, body?: unknown): Promise<{ status: number; body: T }>
  /** GET /_sim/wecom/{name}. */
  peek<T extends object = Reply>(name: string): Promise<T>
  /** Seeds members (userids). */
  seed(body: unknown): Promise<Reply>
  advance(ms: number): void
}

export function useWecomSim(options: Partial<WecomSimOptions> = {}): SimKit {
  const sim = new WecomSim({ corpId: CORP, secrets: [SECRET, OTHER_SECRET], ...options })
  const tokens = new Map<string, string>()

  beforeAll(async () => {
    await sim.listen(0)
  })
  afterAll(() => sim.close())
  beforeEach(async () => {
    tokens.clear()
    await fetch(`${sim.url}/_sim/reset`, { method: 'POST' })
  })

  const token = async (secret: string = SECRET): Promise<string> => {
    const cached = tokens.get(secret)
    if (cached) return cached
    const r = await fetch(`${sim.url}/cgi-bin/gettoken?corpid=${CORP}&corpsecret=${secret}`)
    const t = ((await r.json()) as Reply).access_token as string
    tokens.set(secret, t)
    return t
  }

  const kit: SimKit = {
    sim,
    get url() {
      return sim.url
    },
    token,
    async api(method, path, body, secret = SECRET) {
      // Like the real client: on 42001 (the test moved the clock past the token) refresh once and retry.
      for (let attempt = 0; ; attempt++) {
        const q = new URLSearchParams({ access_token: await token(secret) })
        if (method === 'GET' && body && typeof body === 'object')
          for (const [k, v] of Object.entries(body)) q.set(k, String(v))
        const r = await fetch(`${sim.url}/cgi-bin/${path}?${q.toString()}`, {
          method,
          ...(method === 'POST'
            ? { body: JSON.stringify(body ?? {}), headers: { 'content-type': 'application/json' } }
            : {}),
        })
        expect(r.status).toBe(200)
        const reply = (await r.json()) as Base
        if (reply.errcode !== 42001 || attempt > 0) return reply as never
        tokens.delete(secret)
      }
    },
    async hook(name, body) {
      const r = await fetch(`${sim.url}/_sim/wecom/${name}`, {
        method: 'POST',
        body: JSON.stringify(body ?? {}),
      })
      return { status: r.status, body: (await r.json()) as never }
    },
    async peek(name) {
      const r = await fetch(`${sim.url}/_sim/wecom/${name}`)
      expect(r.status).toBe(200)
      return (await r.json()) as never
    },
    async seed(body) {
      const r = await kit.hook('seed', body)
      expect(r.status).toBe(200)
      return r.body
    },
    advance(ms) {
      sim.clock.set({ advanceMs: ms })
    },
  }
  return kit
}

/** Expects a WeCom error reply: HTTP 200 (checked by api()), the errcode, and an errmsg ending in a rid. */
export function expectErr(reply: unknown, errcode: number): void {
  expect(reply).toMatchObject({ errcode, errmsg: expect.stringMatching(/, rid: \S+$/) as unknown })
}

// Routes Taro.request (mocked) to canned answers, and records what the app sent.
import { taro } from './taro-mock'

export interface SentRequest {
  method: string
  url: string
  data?: unknown
  header: Record<string, string>
}

export type Reply = { status: number; data: unknown } | { networkError: string }
type Handler = Reply | ((req: SentRequest) => Reply)

export const SIM_BASE = 'http://127.0.0.1:41234'

export const simulatedConfig = {
  mode: 'simulated',
  hospitalName: '示例医院',
  simulators: { wechat: SIM_BASE },
}

export const ok = (data: unknown): Reply => ({ status: 200, data })

export const fail = (status: number, code: string, message: string): Reply => ({
  status,
  data: { error: { code, message, requestId: 'req-test-1' } },
})

export function patient(name: string | null) {
  return { id: '65f0c0ffee0000000000abcd', name, createdAt: '2025-03-05T02:00:00.000Z' }
}

/** Install routes keyed `METHOD url`; any other request fails the test loudly. Returns the sent log. */
export function fakeApi(routes: Record<string, Handler>): SentRequest[] {
  const sent: SentRequest[] = []
  const request = taro.request
  request.mockImplementation(
    (opts: { method?: string; url: string; data?: unknown; header?: Record<string, string> }) => {
      const req: SentRequest = {
        method: opts.method ?? 'GET',
        url: opts.url,
        data: opts.data,
        header: opts.header ?? {},
      }
      sent.push(req)
      const handler = routes[`${req.method} ${req.url}`]
      if (!handler) return Promise.reject(new Error(`unexpected request ${req.method} ${req.url}`))
      const reply = typeof handler === 'function' ? handler(req) : handler
      if ('networkError' in reply) {
        return Promise.reject(Object.assign(new Error(reply.networkError), { errMsg: reply.networkError }))
      }
      return Promise.resolve({ statusCode: reply.status, data: reply.data, header: {}, errMsg: 'request:ok' })
    },
  )
  return sent
}

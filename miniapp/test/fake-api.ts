// Routes Taro.request (mocked) to canned answers, and records what the app sent.
import type { ConsentsResponse, MeResponse, Patient, PrivacyPolicy, Relation } from '@careloop/shared'

import { saveSession } from '../src/api/session'
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
export const noContent = (): Reply => ({ status: 204, data: '' })

export const fail = (status: number, code: string, message: string, details?: unknown): Reply => ({
  status,
  data: { error: { code, message, requestId: 'req-test-1', ...(details ? { details } : {}) } },
})

export const SELF_ID = '65f0c0ffee0000000000abcd'
export const ACCOUNT_ID = '65f0c0ffee0000000000acc1'

export function patient(name: string | null, extra: Partial<Patient> = {}): Patient {
  return {
    id: SELF_ID,
    name,
    gender: null,
    birthYear: null,
    hospitalPatientId: null,
    idNumber: null,
    relation: 'self',
    createdAt: '2025-03-05T02:00:00.000Z',
    ...extra,
  }
}

let nextId = 1
/** A family member's profile with a fresh id. */
export function member(
  name: string,
  relation: Exclude<Relation, 'self'> = 'parent',
  extra: Partial<Patient> = {},
) {
  const id = `65f0c0ffee00000000${String(nextId++).padStart(6, '0')}`
  return patient(name, { id, relation, ...extra })
}

/** A /me answer: `active` is the active profile, `others` the rest of the account's profiles. */
export function me(
  active: Patient,
  opts: { others?: Patient[]; careConsent?: boolean; phone?: string | null } = {},
): MeResponse {
  return {
    account: { id: ACCOUNT_ID, phone: opts.phone ?? null, activeProfileId: active.id },
    patient: active,
    profiles: [active, ...(opts.others ?? [])],
    careConsent: opts.careConsent ?? true,
  }
}

export const policy: PrivacyPolicy = {
  version: '2026-11',
  effectiveAt: '2026-11-01T00:00:00.000Z',
  title: 'CareLoop 患者服务隐私政策',
  sections: [
    { heading: '我们收集哪些信息', body: '您的微信身份标识、姓名。' },
    { heading: '您的权利', body: '您可随时撤回营销或科研同意。' },
  ],
  purposes: [
    { purpose: 'care', title: '诊疗服务与随访提醒', description: '使用本服务所必需。', required: true },
    { purpose: 'marketing', title: '健康活动与优惠信息', description: '可随时撤回。', required: false },
    { purpose: 'research', title: '医学研究', description: '去标识化后用于研究。', required: false },
  ],
}

export function consents(
  granted: Partial<Record<'care' | 'marketing' | 'research', boolean>>,
  history: ConsentsResponse['history'] = [],
): ConsentsResponse {
  const at = '2026-11-02T01:02:00.000Z'
  const entry = (g: boolean | undefined) => ({
    granted: g ?? false,
    policyVersion: g === undefined ? null : '2026-11',
    at: g === undefined ? null : at,
  })
  return {
    policyVersion: '2026-11',
    current: {
      care: entry(granted.care),
      marketing: entry(granted.marketing),
      research: entry(granted.research),
    },
    history,
  }
}

export const logIn = () =>
  saveSession({ accessToken: 'access-1', refreshToken: 'refresh-1', expiresIn: 7200 })

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

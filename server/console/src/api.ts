import {
  apiRoutes,
  ClientConfig,
  ErrorBody,
  Health,
  Readiness,
  type ApiRoute,
  type AssignTagRequest,
  type CreateStaffRequest,
  type CreateTagGroupRequest,
  type CreateTagRequest,
  type CreateTagRuleRequest,
  type CreateCommunityRequest,
  type CreateGroupSopRequest,
  type RecordPatientEventRequest,
  type UpdateCommunityRequest,
  type TagImportRequest,
  type TagRulePreviewRequest,
  type UpdateTagRuleRequest,
  type StaffLoginRequest,
  type UpdateStaffRequest,
  followupRoutes,
  pushRoutes,
  questionnaireRoutes,
  readingRoutes,
  taskRoutes,
  type CreatePlanRequest,
  type EnrolRequest,
  type PushStatus,
  type PUSH_CHANNELS,
  type QuestionnaireDefinitionInput,
  type UpdatePlanRequest,
  type z,
} from '@careloop/shared'
import { currentToken } from './session'

export type PushChannel = (typeof PUSH_CHANNELS)[number]

export interface ServerStatus {
  health: Health | null
  readiness: Readiness | null
  config: ClientConfig | null
  error: string | null
  checkedAt: Date
}

const getJson = async (path: string): Promise<{ status: number; body: unknown }> => {
  const res = await fetch(path, { headers: { accept: 'application/json' }, cache: 'no-store' })
  return { status: res.status, body: await res.json().catch(() => null) }
}

/** Reads /healthz, /readyz and the client config; a failed call becomes a readable error, never a throw. */
export const fetchStatus = async (): Promise<ServerStatus> => {
  const checkedAt = new Date()
  try {
    const [h, r, c] = await Promise.all([
      getJson('/healthz'),
      getJson('/readyz'),
      getJson('/api/v1/client-config'),
    ])
    const health = Health.safeParse(h.body)
    const ready = Readiness.safeParse(r.body)
    const config = ClientConfig.safeParse(c.body)
    return {
      health: health.success ? health.data : null,
      readiness: ready.success ? ready.data : { status: 'not_ready', checks: { database: 'down' } },
      config: config.success ? config.data : null,
      error: null,
      checkedAt,
    }
  } catch (e) {
    return {
      health: null,
      readiness: null,
      config: null,
      error: e instanceof Error ? e.message : String(e),
      checkedAt,
    }
  }
}

/** A failed API call: the server's stable error code, or NETWORK / BAD_RESPONSE from the client. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown = undefined,
  ) {
    super(message)
    this.name = 'ApiError'
  }

  /** `VALIDATION_FAILED` details with their full paths (`condition.all.1.value`). */
  issues(): { path: string; message: string }[] {
    const out: { path: string; message: string }[] = []
    if (this.code !== 'VALIDATION_FAILED' || !Array.isArray(this.details)) return out
    for (const d of this.details as unknown[]) {
      if (d && typeof d === 'object' && 'path' in d && 'message' in d) {
        const { path, message } = d as { path: unknown; message: unknown }
        if (typeof path === 'string' && typeof message === 'string') out.push({ path, message })
      }
    }
    return out
  }

  /** `VALIDATION_FAILED` details as field → message (`{ path, message }[]` on the wire). */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {}
    for (const { path, message } of this.issues()) out[path.split('.')[0] ?? path] ??= message
    return out
  }

  /** A number in `details` (e.g. STAFF_LOCKED's retryAfterSeconds), when present. */
  detailNumber(key: string): number | null {
    const d = this.details
    if (d && typeof d === 'object' && key in d) {
      const v = (d as Record<string, unknown>)[key]
      if (typeof v === 'number') return v
    }
    return null
  }
}

let onUnauthorized: (() => void) | null = null
/** Called when a staff route answers 401 (token expired, revoked, account deactivated). */
export const setUnauthorizedHandler = (fn: (() => void) | null): void => {
  onUnauthorized = fn
}

type Query = Record<string, string | number | undefined>

interface CallOptions {
  params?: Record<string, string>
  query?: Query
  body?: unknown
  /** Aborting it (a newer request replaced this one) rejects with code ABORTED. */
  signal?: AbortSignal
}

/** Calls one route of the shared catalogue and parses the answer with the route's own response schema. */
export const call = async <T>(
  route: ApiRoute<z.ZodTypeAny | undefined, z.ZodTypeAny | undefined, z.ZodType<T, z.ZodTypeDef, unknown>>,
  opts: CallOptions = {},
): Promise<T> => {
  let path = route.path.replace(/:(\w+)/g, (_, k: string) => encodeURIComponent(opts.params?.[k] ?? ''))
  const search = new URLSearchParams()
  for (const [k, v] of Object.entries(opts.query ?? {}))
    if (v !== undefined && v !== '') search.set(k, String(v))
  if ([...search].length > 0) path += `?${search.toString()}`

  const headers: Record<string, string> = { accept: 'application/json' }
  const token = route.auth === 'staff' ? currentToken() : null
  if (token) headers.authorization = `Bearer ${token}`
  if (opts.body !== undefined) headers['content-type'] = 'application/json'

  let res: Response
  try {
    res = await fetch(path, {
      method: route.method.toUpperCase(),
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      cache: 'no-store',
      signal: opts.signal,
    })
  } catch {
    if (opts.signal?.aborted) throw new ApiError(0, 'ABORTED', '请求已取消')
    throw new ApiError(0, 'NETWORK', '无法连接服务器，请检查网络后重试')
  }
  const body: unknown = await res.json().catch(() => null)
  if (opts.signal?.aborted) throw new ApiError(0, 'ABORTED', '请求已取消')
  if (!res.ok) {
    const err = ErrorBody.safeParse(body)
    const e = err.success
      ? new ApiError(res.status, err.data.error.code, err.data.error.message, err.data.error.details)
      : new ApiError(res.status, 'BAD_RESPONSE', `服务器返回 ${res.status}`)
    if (res.status === 401 && route.auth === 'staff') onUnauthorized?.()
    throw e
  }
  const parsed = route.response.safeParse(body)
  if (!parsed.success) throw new ApiError(res.status, 'BAD_RESPONSE', '服务器返回的数据格式不正确')
  return parsed.data
}

const r = apiRoutes

/** The typed console client: one function per staff route of the shared contract. */
export const api = {
  login: (body: StaffLoginRequest) => call(r.staffLogin, { body }),
  me: () => call(r.staffMe),
  listStaff: () => call(r.listStaff),
  listNurses: () => call(r.listNurses),
  createStaff: (body: CreateStaffRequest) => call(r.createStaff, { body }),
  updateStaff: (id: string, body: UpdateStaffRequest) => call(r.updateStaff, { params: { id }, body }),
  listPatients: (query: { q?: string; page: number; pageSize: number }) => call(r.listPatients, { query }),
  getPatient: (id: string) => call(r.getPatient, { params: { id } }),
  assignNurse: (id: string, nurseId: string | null) =>
    call(r.assignNurse, { params: { id }, body: { nurseId } }),
  listTagGroups: () => call(r.listTagGroups),
  createTagGroup: (body: z.input<typeof CreateTagGroupRequest>) => call(r.createTagGroup, { body }),
  createTag: (groupId: string, body: z.input<typeof CreateTagRequest>) =>
    call(r.createTag, { params: { id: groupId }, body }),
  patientTags: (id: string) => call(r.patientTags, { params: { id } }),
  assignTag: (id: string, body: AssignTagRequest) => call(r.assignTag, { params: { id }, body }),
  unassignTag: (id: string, tagId: string, reason: string) =>
    call(r.unassignTag, { params: { id, tagId }, query: { reason } }),
  previewSegment: (expression: string, signal?: AbortSignal) =>
    call(r.previewSegment, { body: { expression }, signal }),
  listSegments: () => call(r.listSegments),
  listTagRules: () => call(r.listTagRules),
  createTagRule: (body: CreateTagRuleRequest) => call(r.createTagRule, { body }),
  updateTagRule: (id: string, body: UpdateTagRuleRequest) => call(r.updateTagRule, { params: { id }, body }),
  deleteTagRule: (id: string) => call(r.deleteTagRule, { params: { id } }),
  runTagRule: (id: string) => call(r.runTagRule, { params: { id } }),
  previewTagRule: (body: TagRulePreviewRequest, signal?: AbortSignal) =>
    call(r.previewTagRule, { body, signal }),
  importTags: (body: TagImportRequest) => call(r.importTags, { body }),
  saveSegment: (name: string, expression: string) => call(r.saveSegment, { body: { name, expression } }),
  listCommunities: () => call(r.listCommunities),
  getCommunity: (id: string) => call(r.getCommunity, { params: { id } }),
  createCommunity: (body: z.input<typeof CreateCommunityRequest>) => call(r.createCommunity, { body }),
  updateCommunity: (id: string, body: z.input<typeof UpdateCommunityRequest>) =>
    call(r.updateCommunity, { params: { id }, body }),
  listWecomGroups: (ownerNurseId: string) => call(r.listWecomGroups, { query: { ownerNurseId } }),
  listGroupSop: (id: string) => call(r.listGroupSop, { params: { id } }),
  createGroupSop: (id: string, body: z.input<typeof CreateGroupSopRequest>) =>
    call(r.createGroupSop, { params: { id }, body }),
  cancelGroupSop: (id: string, itemId: string) => call(r.cancelGroupSop, { params: { id, itemId } }),
  pendingGroupSends: () => call(r.pendingGroupSends),
  listPatientEvents: (id: string) => call(r.listPatientEvents, { params: { id } }),
  recordPatientEvent: (id: string, body: z.input<typeof RecordPatientEventRequest>) =>
    call(r.recordPatientEvent, { params: { id }, body }),
  listAudit: (query: { patientId?: string; action?: string; before?: string; limit: number }) =>
    call(r.listAudit, { query }),
  // 随访 (plans, enrolments, rates), 问卷, 健康指标, 任务, 消息推送
  listPlans: (status: 'active' | 'archived' | 'all' = 'active') =>
    call(followupRoutes.listPlans, { query: { status } }),
  getPlan: (id: string) => call(followupRoutes.getPlan, { params: { id } }),
  createPlan: (body: z.input<typeof CreatePlanRequest>) => call(followupRoutes.createPlan, { body }),
  updatePlan: (id: string, body: z.input<typeof UpdatePlanRequest>) =>
    call(followupRoutes.updatePlan, { params: { id }, body }),
  followupRates: (query: { from?: string; to?: string; groupBy: 'plan' | 'community' | 'nurse' }) =>
    call(followupRoutes.followupRates, { query }),
  patientEnrolments: (id: string) => call(followupRoutes.patientEnrolments, { params: { id } }),
  enrolPatient: (id: string, body: EnrolRequest) =>
    call(followupRoutes.enrolPatient, { params: { id }, body }),
  pauseEnrolment: (id: string) => call(followupRoutes.pauseEnrolment, { params: { id } }),
  resumeEnrolment: (id: string) => call(followupRoutes.resumeEnrolment, { params: { id } }),
  stopEnrolment: (id: string) => call(followupRoutes.stopEnrolment, { params: { id } }),
  listQuestionnaires: (query: { status?: 'draft' | 'published' | 'archived' } = {}) =>
    call(questionnaireRoutes.listQuestionnaires, { query }),
  getQuestionnaire: (id: string) => call(questionnaireRoutes.getQuestionnaire, { params: { id } }),
  createQuestionnaire: (body: QuestionnaireDefinitionInput) =>
    call(questionnaireRoutes.createQuestionnaire, { body }),
  updateQuestionnaire: (id: string, body: QuestionnaireDefinitionInput) =>
    call(questionnaireRoutes.updateQuestionnaire, { params: { id }, body }),
  publishQuestionnaire: (id: string) => call(questionnaireRoutes.publishQuestionnaire, { params: { id } }),
  archiveQuestionnaire: (id: string) => call(questionnaireRoutes.archiveQuestionnaire, { params: { id } }),
  questionnaireStats: (id: string, query: { from?: string; to?: string }) =>
    call(questionnaireRoutes.questionnaireStats, { params: { id }, query }),
  patientAnswers: (id: string) => call(questionnaireRoutes.patientAnswers, { params: { id } }),
  patientReadings: (id: string) => call(readingRoutes.patientReadings, { params: { id } }),
  listTasks: (view: 'today' | 'open' | 'all', nurseId?: string) =>
    call(taskRoutes.listTasks, { query: { view, nurseId } }),
  completeTask: (id: string, note: string) =>
    call(taskRoutes.completeTask, { params: { id }, body: note.trim() ? { note: note.trim() } : {} }),
  listOutbox: (query: { status?: PushStatus; channel?: PushChannel; cursor?: string; limit?: number }) =>
    call(pushRoutes.listOutbox, { query }),
  pushStats: () => call(pushRoutes.pushStats),
  retryOutbox: (id: string) => call(pushRoutes.retryOutbox, { params: { id } }),
  clientConfig: async (): Promise<ClientConfig | null> => {
    try {
      const { body } = await getJson('/api/v1/client-config')
      const c = ClientConfig.safeParse(body)
      return c.success ? c.data : null
    } catch {
      return null
    }
  },
}

/** A Chinese sentence for an error the page has no more specific wording for. */
export const errorText = (e: unknown): string => {
  if (!(e instanceof ApiError)) return e instanceof Error ? e.message : String(e)
  switch (e.code) {
    case 'NETWORK':
      return e.message
    case 'FORBIDDEN':
      return '您的角色无权进行此操作'
    case 'AUTH_REQUIRED':
    case 'AUTH_TOKEN_INVALID':
    case 'AUTH_TOKEN_EXPIRED':
      return '登录已过期，请重新登录'
    case 'RATE_LIMITED':
      return '操作过于频繁，请稍后再试'
    case 'PATIENT_NOT_FOUND':
      return '未找到该患者，或该患者不在您的管理范围内'
    case 'STAFF_NOT_FOUND':
      return '未找到该员工账号'
    case 'TAG_GROUP_NOT_FOUND':
      return '未找到该标签分组，请刷新页面后重试'
    case 'TAG_NOT_FOUND':
      return '未找到该标签，可能已被删除，请刷新页面后重试'
    case 'TAG_RULE_NOT_FOUND':
      return '未找到该规则，可能已被删除，请刷新页面后重试'
    case 'PAYLOAD_TOO_LARGE':
      return '提交的内容过大，请拆分后重试'
    case 'VALIDATION_FAILED':
      return '提交的内容有误，请检查标红的字段'
    case 'NOT_READY':
    case 'INTERNAL':
      return `服务器暂时不可用（${e.code}），请稍后重试`
    default:
      return `${e.message}（${e.code}）`
  }
}

/** The simulators' shared clock (simulated mode only): `GET/POST <sim>/_sim/clock`. */
export const simClock = {
  read: async (base: string): Promise<Date> => {
    const res = await fetch(`${base.replace(/\/$/, '')}/_sim/clock`, { cache: 'no-store' })
    const body = (await res.json()) as { now?: unknown }
    if (!res.ok || typeof body.now !== 'string') throw new Error(`模拟器时钟返回 ${res.status}`)
    return new Date(body.now)
  },
  advance: async (base: string, advanceMs: number): Promise<Date> => {
    const res = await fetch(`${base.replace(/\/$/, '')}/_sim/clock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ advanceMs }),
    })
    const body = (await res.json()) as { now?: unknown }
    if (!res.ok || typeof body.now !== 'string') throw new Error(`模拟器时钟返回 ${res.status}`)
    return new Date(body.now)
  },
}

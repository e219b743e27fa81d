// The bot's client of the CareLoop server's service API (the server owns all data; the bot only
// translates WeCom ⇄ server). Authenticated with the shared SERVICE_TOKEN.
import {
  communityRoutes,
  followupRoutes,
  ServiceCompleteResponse,
  ServiceEnrolResponse,
  ServiceTodayResponse,
  type ServiceCompleteRequest,
  type ServiceEnrolRequest,
  ErrorBody,
  ServiceNurseCommunitiesResponse,
  ServicePatientTagResponse,
  ServicePendingSendsResponse,
  StaffMeResponse,
  WecomEventResult,
  type ServicePatientTagRequest,
  type Staff,
  type WecomEventInput,
} from '@careloop/shared'
import type { z } from 'zod'

/** A failed server call: `status` is the HTTP status, or null when the server was not reached. */
export class ServerCallError extends Error {
  constructor(
    readonly status: number | null,
    message: string,
    /** The server's error code (`error.code`), `TIMEOUT` when it did not answer in time, else null. */
    readonly code: string | null = null,
  ) {
    super(message)
    this.name = 'ServerCallError'
  }

  /** Worth another try: no answer, a 5xx, or 429. */
  get retryable(): boolean {
    return this.status === null || this.status >= 500 || this.status === 429
  }
}

export interface ServerClient {
  /** The active staff account bound to a WeCom userid, or null when none is. Throws when unreachable. */
  staffByWecomUserId(userid: string): Promise<Staff | null>
  /**
   * Hands a verified customer-contact event to the server (idempotent per `dedupeKey`). Throws
   * ServerCallError when the server is unreachable or refuses.
   */
  forwardEvent(input: WecomEventInput): Promise<WecomEventResult>
  // The nurse commands 群 / 待发 / 标签, for the nurse named by her WeCom userid. Each throws
  // ServerCallError (with the server's error code) when the server is unreachable or refuses.
  /** Her communities with statistics (serviceNurseCommunities). */
  nurseCommunities(userid: string): Promise<ServiceNurseCommunitiesResponse>
  /** Her mass-send tasks waiting for confirmation (serviceNursePendingSends). */
  nursePendingSends(userid: string): Promise<ServicePendingSendsResponse>
  /** Tags or untags a patient in her scope; an ambiguous patient answers candidates (servicePatientTag). */
  patientTag(
    userid: string,
    body: z.input<typeof ServicePatientTagRequest>,
  ): Promise<ServicePatientTagResponse>
  // The follow-up commands 今日随访 / 完成 / 入组 (same errors as above).
  /** Her open tasks due by today and her patients' steps due now; the server keeps the numbered list. */
  nurseToday(userid: string): Promise<ServiceTodayResponse>
  /** Marks an item of her last list (by number) or a task (by short ref) done (serviceNurseComplete). */
  nurseComplete(userid: string, body: ServiceCompleteRequest): Promise<ServiceCompleteResponse>
  /** Enrols a patient of hers in a plan by name; ambiguous → candidates (serviceNurseEnrol). */
  nurseEnrol(userid: string, body: ServiceEnrolRequest): Promise<ServiceEnrolResponse>
}

export const createServerClient = (o: {
  baseUrl: string
  serviceToken: string
  timeoutMs?: number
  /** Timeout of a nurse command's call (WeCom waits 5 s for the passive reply). */
  commandTimeoutMs?: number
  /** Timeout of forwarding an event (the server may call WeCom while processing it). */
  eventTimeoutMs?: number
}): ServerClient => {
  const base = o.baseUrl.replace(/\/+$/, '')
  /** A nurse command's service call: JSON in and out, errors as ServerCallError with the code. */
  const command = async <T>(
    route: { method: string; path: string },
    userid: string,
    schema: z.ZodType<T, z.ZodTypeDef, unknown>,
    body?: unknown,
  ): Promise<T> => {
    const url = `${base}${route.path.replace(':userid', encodeURIComponent(userid))}`
    let res: Response
    try {
      res = await fetch(url, {
        method: route.method.toUpperCase(),
        headers: {
          authorization: `Bearer ${o.serviceToken}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(o.commandTimeoutMs ?? 4000),
      })
    } catch (err) {
      // AbortSignal.timeout rejects with a DOMException named TimeoutError (not always an Error here)
      const timeout = (err as { name?: unknown } | null)?.name === 'TimeoutError'
      throw new ServerCallError(null, `server unreachable: ${String(err)}`, timeout ? 'TIMEOUT' : null)
    }
    const json: unknown = await res.json().catch(() => undefined)
    if (!res.ok) {
      const error = ErrorBody.safeParse(json)
      throw new ServerCallError(
        res.status,
        `server answered ${res.status}${error.success ? ` ${error.data.error.code}: ${error.data.error.message}` : ''}`,
        error.success ? error.data.error.code : null,
      )
    }
    const parsed = schema.safeParse(json)
    if (!parsed.success)
      throw new ServerCallError(res.status, `unexpected response from ${route.path}`, 'BAD_RESPONSE')
    return parsed.data
  }
  return {
    nurseCommunities: (userid) =>
      command(communityRoutes.serviceNurseCommunities, userid, ServiceNurseCommunitiesResponse),
    nursePendingSends: (userid) =>
      command(communityRoutes.serviceNursePendingSends, userid, ServicePendingSendsResponse),
    patientTag: (userid, body) =>
      command(communityRoutes.servicePatientTag, userid, ServicePatientTagResponse, body),
    nurseToday: (userid) => command(followupRoutes.serviceNurseToday, userid, ServiceTodayResponse),
    nurseComplete: (userid, body) =>
      command(followupRoutes.serviceNurseComplete, userid, ServiceCompleteResponse, body),
    nurseEnrol: (userid, body) =>
      command(followupRoutes.serviceNurseEnrol, userid, ServiceEnrolResponse, body),
    async staffByWecomUserId(userid) {
      const res = await fetch(`${base}/api/v1/service/staff/by-wecom/${encodeURIComponent(userid)}`, {
        headers: { authorization: `Bearer ${o.serviceToken}`, accept: 'application/json' },
        signal: AbortSignal.timeout(o.timeoutMs ?? 3000),
      })
      if (res.status === 404) return null
      if (!res.ok) throw new Error(`server answered ${res.status}`)
      return StaffMeResponse.parse(await res.json()).staff
    },
    async forwardEvent(input) {
      let res: Response
      try {
        res = await fetch(`${base}/api/v1/service/wecom/events`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${o.serviceToken}`,
            accept: 'application/json',
            'content-type': 'application/json',
          },
          body: JSON.stringify(input),
          signal: AbortSignal.timeout(o.eventTimeoutMs ?? 10_000),
        })
      } catch (err) {
        throw new ServerCallError(
          null,
          `server unreachable: ${err instanceof Error ? err.message : String(err)}`,
        )
      }
      if (!res.ok) {
        const text = await res.text().catch(() => '')
        throw new ServerCallError(res.status, `server answered ${res.status} ${text.slice(0, 300)}`)
      }
      return WecomEventResult.parse(await res.json())
    },
  }
}

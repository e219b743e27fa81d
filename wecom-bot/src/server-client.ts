// The bot's client of the CareLoop server's service API (the server owns all data; the bot only
// translates WeCom ⇄ server). Authenticated with the shared SERVICE_TOKEN.
import { StaffMeResponse, type Staff } from '@careloop/shared'

export interface ServerClient {
  /** The active staff account bound to a WeCom userid, or null when none is. Throws when unreachable. */
  staffByWecomUserId(userid: string): Promise<Staff | null>
}

export const createServerClient = (o: {
  baseUrl: string
  serviceToken: string
  timeoutMs?: number
}): ServerClient => ({
  async staffByWecomUserId(userid) {
    const res = await fetch(
      `${o.baseUrl.replace(/\/+$/, '')}/api/v1/service/staff/by-wecom/${encodeURIComponent(userid)}`,
      {
        headers: { authorization: `Bearer ${o.serviceToken}`, accept: 'application/json' },
        signal: AbortSignal.timeout(o.timeoutMs ?? 3000),
      },
    )
    if (res.status === 404) return null
    if (!res.ok) throw new Error(`server answered ${res.status}`)
    return StaffMeResponse.parse(await res.json()).staff
  },
})

import { ClientConfig, Health, Readiness } from '@careloop/shared'

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

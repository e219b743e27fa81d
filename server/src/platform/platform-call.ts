import { AppError, z } from '@careloop/shared'

/** The error fields WeChat and WeCom put in every answer (errors come as HTTP 200 with errcode ≠ 0). */
export const ErrFields = z.object({ errcode: z.number().optional(), errmsg: z.string().optional() })

export interface PlatformCall<O> {
  /** "WeChat" or "WeCom", for messages. */
  platform: string
  apiBase: string
  fetchImpl?: typeof fetch
  timeoutMs?: number
  /** The API's name, for messages and errors. */
  api: string
  schema: z.ZodType<O, z.ZodTypeDef, unknown>
  pathAndQuery: string
  /** JSON body: POST when present, else GET. */
  body?: unknown
  /** The platform's error for an errcode answer. */
  apiError(errcode: number, errmsg: string, api: string): Error
  /** Parses the body text (default `JSON.parse`); e.g. to keep 64-bit ids exact. */
  parseBody?: (text: string) => unknown
}

/**
 * One call to a WeChat-family API: unreachable, non-2xx or unexpected bodies → 502
 * UPSTREAM_UNAVAILABLE; an errcode ≠ 0 → the platform's own error (callers branch on errcode).
 */
export const callPlatform = async <O extends z.infer<typeof ErrFields>>(c: PlatformCall<O>): Promise<O> => {
  const f = c.fetchImpl ?? fetch
  let res: Response
  try {
    res = await f(`${c.apiBase}${c.pathAndQuery}`, {
      method: c.body === undefined ? 'GET' : 'POST',
      ...(c.body === undefined
        ? {}
        : { body: JSON.stringify(c.body), headers: { 'content-type': 'application/json' } }),
      signal: AbortSignal.timeout(c.timeoutMs ?? 5000),
    })
  } catch (e) {
    throw new AppError('UPSTREAM_UNAVAILABLE', `${c.platform} ${c.api} unreachable`, { cause: String(e) })
  }
  if (!res.ok)
    throw new AppError('UPSTREAM_UNAVAILABLE', `${c.platform} ${c.api} answered HTTP ${res.status}`)
  const text = await res.text().catch(() => '')
  let body: unknown
  try {
    body = (c.parseBody ?? JSON.parse)(text)
  } catch {
    body = undefined
  }
  const parsed = c.schema.safeParse(body)
  if (!parsed.success)
    throw new AppError('UPSTREAM_UNAVAILABLE', `${c.platform} ${c.api} answered an unexpected body`)
  const data = parsed.data
  if (data.errcode !== undefined && data.errcode !== 0)
    throw c.apiError(data.errcode, data.errmsg ?? '', c.api)
  return data
}

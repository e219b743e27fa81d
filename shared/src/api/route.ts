import type { z } from '../zod'

// No PATCH: wx.request supports only OPTIONS GET HEAD POST PUT DELETE TRACE CONNECT.
export type HttpMethod = 'get' | 'post' | 'put' | 'delete'

/**
 * Who may call a route. `public` needs no token; `service` is for our own processes (the WeCom bot)
 * with the shared SERVICE_TOKEN.
 */
export type RouteAuth = 'public' | 'patient' | 'staff' | 'service'

export const STAFF_ROLES = ['nurse', 'head_nurse', 'marketer', 'admin'] as const
export type StaffRole = (typeof STAFF_ROLES)[number]

/**
 * One entry of the API catalogue. The server mounts handlers against these entries (validating
 * input with `request`), and the OpenAPI document is generated from the same entries, so every
 * mounted route is documented and every documented route exists.
 */
export interface ApiRoute<
  B extends z.ZodTypeAny | undefined = z.ZodTypeAny | undefined,
  Q extends z.ZodTypeAny | undefined = z.ZodTypeAny | undefined,
  R extends z.ZodTypeAny = z.ZodTypeAny,
> {
  readonly id: string
  readonly method: HttpMethod
  /** Koa-style path, e.g. `/api/v1/patients/:id`. */
  readonly path: string
  readonly summary: string
  readonly tag: string
  readonly auth: RouteAuth
  /** Staff routes: the roles allowed (the role × route permission matrix). Required when auth is `staff`. */
  readonly roles?: readonly StaffRole[]
  /**
   * Patient routes: true when the route works before care consent is given (policy, consent,
   * profile, my data). Every other patient route answers 403 CONSENT_REQUIRED until then.
   */
  readonly beforeConsent?: boolean
  readonly body?: B
  readonly query?: Q
  /** Path parameters (`:id`), validated like the body. */
  readonly params?: z.ZodTypeAny
  readonly response: R
  /** Status of the success response (200 unless stated). */
  readonly status?: number
  /** Content type of the success response when it is not JSON. */
  readonly contentType?: string
  /** Error codes this route may answer with, for the document. */
  readonly errors?: readonly string[]
}

export const defineRoute = <
  B extends z.ZodTypeAny | undefined = undefined,
  Q extends z.ZodTypeAny | undefined = undefined,
  R extends z.ZodTypeAny = z.ZodTypeAny,
>(
  r: ApiRoute<B, Q, R>,
): ApiRoute<B, Q, R> => r

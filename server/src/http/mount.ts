import type Router from '@koa/router'
import { AppError, type ApiRoute, type z } from '@careloop/shared'
import type { Logger } from '../logger'
import { requireAuth, type AccessGuard } from './auth'
import type { AppContext, AppState, PatientPrincipal, Principal, StaffPrincipal } from './context'
import { validate } from './validate'

type Infer<T> = T extends z.ZodTypeAny ? z.infer<T> : undefined

export interface HandlerInput<B, Q> {
  body: B
  query: Q
  /** Path parameters, validated with the route's `params` schema when it has one. */
  params: Record<string, string>
  principal: Principal | undefined
  requestId: string
  /** The caller's address, for the audit log. */
  ip: string
  log: Logger
  ctx: AppContext
}

export type RouteHandler<
  B extends z.ZodTypeAny | undefined,
  Q extends z.ZodTypeAny | undefined,
  R extends z.ZodTypeAny,
> = (input: HandlerInput<Infer<B>, Infer<Q>>) => Promise<z.input<R>> | z.input<R>

/**
 * Mounts one catalogue route: auth (role / consent) → validate(params, query, body) → handler →
 * response. The handler is a thin adapter to a service; the response is parsed with the route's
 * schema so the contract in shared/ is what clients actually get.
 */
export const mount = <
  B extends z.ZodTypeAny | undefined,
  Q extends z.ZodTypeAny | undefined,
  R extends z.ZodTypeAny,
>(
  router: Router<AppState>,
  route: ApiRoute<B, Q, R>,
  guard: AccessGuard,
  handler: RouteHandler<B, Q, R>,
): void => {
  const chain = [requireAuth(route, guard)]
  if (route.params) chain.push(validate(route.params, 'params'))
  if (route.query) chain.push(validate(route.query, 'query'))
  if (route.body) chain.push(validate(route.body, 'body'))
  router[route.method](route.path, ...chain, async (ctx) => {
    const out = await handler({
      body: ctx.state.body as Infer<B>,
      query: ctx.state.query as Infer<Q>,
      params: (ctx.state.params as Record<string, string> | undefined) ?? ctx.params,
      principal: ctx.state.principal,
      requestId: ctx.state.requestId,
      ip: ctx.ip,
      log: ctx.state.log,
      ctx,
    })
    if (ctx.body === undefined || ctx.body === null) {
      ctx.status = route.status ?? 200
      if (ctx.status !== 204) ctx.body = route.response.parse(out) as unknown
    }
  })
}

/** The patient principal of a patient route (the auth middleware guarantees it). */
export const patientOf = (p: Principal | undefined): PatientPrincipal => {
  if (p?.kind !== 'patient') throw new AppError('AUTH_REQUIRED', 'Patient login required')
  return p
}

/** The staff principal of a staff route (the auth middleware guarantees it). */
export const staffOf = (p: Principal | undefined): StaffPrincipal => {
  if (p?.kind !== 'staff') throw new AppError('AUTH_REQUIRED', 'Staff login required')
  return p
}

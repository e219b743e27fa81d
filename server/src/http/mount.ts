import type Router from '@koa/router'
import type { ApiRoute, z } from '@careloop/shared'
import type { Logger } from '../logger'
import { requireAuth, type TokenVerifier } from './auth'
import type { AppContext, AppState, Principal } from './context'
import { validate } from './validate'

type Infer<T> = T extends z.ZodTypeAny ? z.infer<T> : undefined

export interface HandlerInput<B, Q> {
  body: B
  query: Q
  params: Record<string, string>
  principal: Principal | undefined
  requestId: string
  log: Logger
  ctx: AppContext
}

export type RouteHandler<
  B extends z.ZodTypeAny | undefined,
  Q extends z.ZodTypeAny | undefined,
  R extends z.ZodTypeAny,
> = (input: HandlerInput<Infer<B>, Infer<Q>>) => Promise<z.input<R>> | z.input<R>

/**
 * Mounts one catalogue route: auth → validate(body/query) → handler → response. The handler is a
 * thin adapter to a service; the response is parsed with the route's response schema so the
 * contract in shared/ is what clients actually get.
 */
export const mount = <
  B extends z.ZodTypeAny | undefined,
  Q extends z.ZodTypeAny | undefined,
  R extends z.ZodTypeAny,
>(
  router: Router<AppState>,
  route: ApiRoute<B, Q, R>,
  verify: TokenVerifier,
  handler: RouteHandler<B, Q, R>,
): void => {
  const chain = [requireAuth(route.auth, verify)]
  if (route.query) chain.push(validate(route.query, 'query'))
  if (route.body) chain.push(validate(route.body, 'body'))
  router[route.method](route.path, ...chain, async (ctx) => {
    const out = await handler({
      body: ctx.state.body as Infer<B>,
      query: ctx.state.query as Infer<Q>,
      params: ctx.params,
      principal: ctx.state.principal,
      requestId: ctx.state.requestId,
      log: ctx.state.log,
      ctx,
    })
    if (ctx.body === undefined || ctx.body === null) {
      ctx.status = route.status ?? 200
      ctx.body = route.response.parse(out) as unknown
    }
  })
}

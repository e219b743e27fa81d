import { randomUUID } from 'node:crypto'
import type { Middleware } from 'koa'
import type { Logger } from '../logger'
import type { AppState } from './context'

const REQUEST_ID = /^[\w.:-]{1,64}$/

/**
 * Gives every request an id (the caller's `X-Request-Id` when well-formed, else a new UUID),
 * echoes it in the response, and writes one JSON log line per request: id, method, route, status,
 * duration.
 */
export const requestContext =
  (logger: Logger): Middleware<AppState> =>
  async (ctx, next) => {
    const started = process.hrtime.bigint()
    const incoming = ctx.get('x-request-id')
    const requestId = REQUEST_ID.test(incoming) ? incoming : randomUUID()
    ctx.state.requestId = requestId
    ctx.state.log = logger.child({ requestId })
    ctx.set('X-Request-Id', requestId)
    try {
      await next()
    } finally {
      const ms = Number(process.hrtime.bigint() - started) / 1e6
      const route = (ctx as { _matchedRoute?: string })._matchedRoute ?? ctx.path
      const line = { method: ctx.method, route, status: ctx.status, durationMs: Math.round(ms * 10) / 10 }
      if (ctx.status >= 500) ctx.state.log.error(line, 'request')
      else ctx.state.log.info(line, 'request')
    }
  }

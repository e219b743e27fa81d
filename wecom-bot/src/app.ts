// The bot's Koa app (never listens): request id and one JSON log line per request, the error body,
// GET /healthz and the WeCom callback routes.
import { randomUUID } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import Koa from 'koa'
import { Router } from '@koa/router'
import type { Logger } from 'pino'
import { AppError } from '@careloop/shared'
import type { ErrorBody } from '@careloop/shared'
import { createCallbackCrypto } from './callback-crypto'
import { createCallbackRouter } from './callback.routes'
import type { BotState, MessageHandler } from './callback.routes'
import type { Clock } from './clock'
import { systemClock } from './clock'
import type { BotConfig } from './config'
import { DedupeCache } from './dedupe-cache'

export interface BotAppOptions {
  /** Largest accepted POST body; default 1 MiB. */
  bodyLimitBytes?: number
  /** How long a delivered MsgId/event key is remembered; default 10 minutes (WeCom retries within ~20 s). */
  dedupeTtlMs?: number
  /** Bound on remembered keys; default 10 000 (the oldest are dropped first). */
  dedupeMaxEntries?: number
}

export interface BotAppDeps {
  config: BotConfig
  logger: Logger
  clock?: Clock
  handler: MessageHandler
  options?: BotAppOptions
}

export type BotApp = Koa<BotState>

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/

export function createBotApp(deps: BotAppDeps): BotApp {
  const { config, logger, handler } = deps
  const clock = deps.clock ?? systemClock
  const options = deps.options ?? {}
  const app = new Koa<BotState>()
  app.proxy = false

  const crypto = createCallbackCrypto({
    token: config.wecomToken,
    encodingAesKey: config.wecomEncodingAesKey,
    receiveId: config.wecomCorpId,
  })
  const dedupe = new DedupeCache<string | null>({
    ttlMs: options.dedupeTtlMs ?? 10 * 60 * 1000,
    maxEntries: options.dedupeMaxEntries ?? 10_000,
    now: () => clock.now().getTime(),
  })

  // Request id and the access log line (outermost, so it sees the final status).
  app.use(async (ctx, next) => {
    const started = performance.now()
    const incoming = ctx.get('X-Request-Id')
    const requestId = REQUEST_ID.test(incoming) ? incoming : randomUUID()
    ctx.state.requestId = requestId
    ctx.set('X-Request-Id', requestId)
    try {
      await next()
    } finally {
      const status = ctx.status
      const line = {
        requestId,
        method: ctx.method,
        route: matchedRoute(ctx) ?? ctx.path,
        status,
        durationMs: Math.round((performance.now() - started) * 1000) / 1000,
      }
      if (status >= 500) logger.error(line, 'request')
      else if (status >= 400) logger.warn(line, 'request')
      else logger.info(line, 'request')
    }
  })

  // Errors: AppError → its status and code; anything else → 500 INTERNAL, logged, no stack leaked.
  app.use(async (ctx, next) => {
    try {
      await next()
      if (ctx.status === 404 && ctx.body == null)
        throw new AppError('NOT_FOUND', `No route for ${ctx.method} ${ctx.path}`)
    } catch (err) {
      const requestId = ctx.state.requestId
      const error = toAppError(err)
      if (error.code === 'INTERNAL') logger.error({ requestId, err }, 'unhandled error')
      else logger.debug({ requestId, code: error.code, details: error.details }, error.message)
      const body: ErrorBody = { error: { code: error.code, message: error.message, requestId } }
      if (error.details !== undefined) body.error.details = error.details
      ctx.status = error.status
      ctx.body = body
    }
  })

  const router = new Router<BotState>()
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' }
  })
  const callbacks = createCallbackRouter({
    crypto,
    corpId: config.wecomCorpId,
    handler,
    clock,
    logger,
    dedupe,
    bodyLimitBytes: options.bodyLimitBytes ?? 1024 * 1024,
  })
  app.use(router.routes())
  app.use(callbacks.routes())

  // Errors Koa itself sees (e.g. a socket failing mid-response) are logged, never thrown.
  app.on('error', (err: unknown) => {
    logger.error({ err }, 'koa error')
  })
  return app
}

function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err
  // http-errors from Koa itself (e.g. a malformed request) carry a 4xx status and expose = true.
  if (typeof err === 'object' && err !== null && 'status' in err && 'expose' in err) {
    const { status, expose } = err as { status: unknown; expose: unknown }
    if (typeof status === 'number' && status >= 400 && status < 500 && expose === true) {
      return status === 404
        ? new AppError('NOT_FOUND', 'Not found')
        : new AppError('BAD_REQUEST', 'Bad request')
    }
  }
  return new AppError('INTERNAL', 'Internal error')
}

function matchedRoute(ctx: object): string | undefined {
  const route = (ctx as { _matchedRoute?: unknown })._matchedRoute
  return typeof route === 'string' ? route : undefined
}

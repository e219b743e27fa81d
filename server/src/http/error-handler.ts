import { AppError, type ErrorBody, type ErrorCode } from '@careloop/shared'
import type { Middleware } from 'koa'
import type { AppState } from './context'

interface HttpLikeError {
  status?: number
  statusCode?: number
  expose?: boolean
  type?: string
  message?: string
}

/** Errors thrown by Koa's own machinery (body parser, router) mapped to our stable codes. */
const fromHttpError = (e: HttpLikeError): AppError | undefined => {
  const status = e.status ?? e.statusCode
  if (!status || status >= 500) return undefined
  if (status === 400 && (e.type === 'entity.parse.failed' || /JSON|Unexpected|token/i.test(e.message ?? '')))
    return new AppError('MALFORMED_JSON', 'The request body is not valid JSON')
  if (status === 413) return new AppError('PAYLOAD_TOO_LARGE', 'The request body is too large')
  if (status === 415)
    return new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the request body as application/json')
  if (status === 404) return new AppError('NOT_FOUND', 'No such resource')
  if (status === 405) return new AppError('METHOD_NOT_ALLOWED', 'Method not allowed on this resource')
  if (status === 401) return new AppError('AUTH_REQUIRED', 'Authentication required')
  if (status === 403) return new AppError('FORBIDDEN', 'Not allowed')
  const code: ErrorCode = 'VALIDATION_FAILED'
  return new AppError(code, e.expose && e.message ? e.message : 'Bad request')
}

/**
 * The one error middleware: every failure leaves as `{"error":{"code","message","details",
 * "requestId"}}` with the mapped status. Unknown errors become 500 INTERNAL, logged with the
 * request id; no stack or internal message ever reaches the client.
 */
export const errorHandler = (): Middleware<AppState> => async (ctx, next) => {
  try {
    await next()
    if (ctx.status === 404 && ctx.body === undefined)
      throw new AppError('NOT_FOUND', `No route for ${ctx.method} ${ctx.path}`)
  } catch (err) {
    const known = err instanceof AppError ? err : fromHttpError(err as HttpLikeError)
    const appErr = known ?? new AppError('INTERNAL', 'Internal error')
    if (!known) ctx.state.log.error({ err }, 'unhandled error')
    else if (appErr.status >= 500)
      ctx.state.log.warn({ code: appErr.code, err: appErr.message }, 'request failed')
    const body: ErrorBody = {
      error: {
        code: appErr.code,
        message: appErr.message,
        ...(appErr.details !== undefined ? { details: appErr.details } : {}),
        requestId: ctx.state.requestId,
      },
    }
    ctx.status = appErr.status
    ctx.body = body
    if (appErr.code === 'RATE_LIMITED' || appErr.code === 'AUTH_RATE_LIMITED') ctx.set('Retry-After', '60')
  }
}

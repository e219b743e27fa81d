import { AppError, zodIssues, type z } from '@careloop/shared'
import type { Middleware } from 'koa'
import type { AppState } from './context'

/**
 * Validates the JSON body, the query string or the path parameters with a zod schema from shared/. On success the
 * parsed value is on `ctx.state.body` / `ctx.state.query`; on failure the request ends with 400
 * VALIDATION_FAILED naming each bad field, before any handler (so nothing is half-written).
 */
export const validate =
  (schema: z.ZodTypeAny, source: 'body' | 'query' | 'params'): Middleware<AppState> =>
  async (ctx, next) => {
    const input: unknown =
      source === 'body'
        ? (ctx.request as { body?: unknown }).body
        : source === 'query'
          ? ctx.query
          : ctx.params
    if (source === 'body' && input === undefined)
      throw new AppError('VALIDATION_FAILED', 'A JSON request body is required', [
        { path: '(root)', message: 'body is required' },
      ])
    const r = schema.safeParse(input)
    if (!r.success) {
      const issues = zodIssues(r.error)
      throw new AppError(
        'VALIDATION_FAILED',
        `Invalid ${source}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
        issues,
      )
    }
    ctx.state[source] = r.data
    await next()
  }

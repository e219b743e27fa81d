import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { Middleware } from 'koa'
import send from 'koa-send'
import type { AppState } from './context'

/**
 * Serves a built single-page front end under a path prefix (`/console`, `/h5`): files by path,
 * `index.html` for everything else under the prefix. Missing builds answer 503 with a hint instead
 * of a bare 404, so a developer knows to run the build.
 */
export const staticSite =
  (prefix: string, root: string, buildHint: string): Middleware<AppState> =>
  async (ctx, next) => {
    const mine = ctx.path === prefix || ctx.path.startsWith(`${prefix}/`)
    if (!mine || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) {
      await next()
      return
    }
    if (ctx.path === prefix) {
      ctx.redirect(`${prefix}/`)
      return
    }
    if (!existsSync(join(root, 'index.html'))) {
      ctx.status = 503
      ctx.type = 'text/plain; charset=utf-8'
      ctx.body = `This front end is not built yet. Run: ${buildHint}`
      return
    }
    const rel = ctx.path.slice(prefix.length) || '/'
    const file = rel === '/' || !existsSync(join(root, rel)) ? '/index.html' : rel
    ctx.set('Cache-Control', file === '/index.html' ? 'no-cache' : 'public, max-age=3600')
    await send(ctx, file, { root, hidden: false })
  }

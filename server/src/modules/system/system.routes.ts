import type Router from '@koa/router'
import { AppError, apiRoutes, buildOpenApiDocument, systemRoutes, type ClientConfig } from '@careloop/shared'
import { isLocal, type Config } from '../../config'
import type { Connection } from '../../db/connection'
import { pingDatabase } from '../../db/connection'
import type { AccessGuard } from '../../http/auth'
import type { AppState } from '../../http/context'
import { mount } from '../../http/mount'

export const VERSION = '0.1.0'

export const mountSystemRoutes = (
  router: Router<AppState>,
  guard: AccessGuard,
  deps: { config: Config; db: Connection; startedAt: number },
): void => {
  const document = buildOpenApiDocument(Object.values(apiRoutes), {
    title: 'CareLoop API',
    version: VERSION,
    description: 'Private-domain patient engagement suite: mini-program, console and bot API.',
  })
  mount(router, systemRoutes.healthz, guard, () => ({
    status: 'ok' as const,
    uptimeSeconds: Math.round((Date.now() - deps.startedAt) / 1000),
    version: VERSION,
  }))
  mount(router, systemRoutes.readyz, guard, async () => {
    const up = await pingDatabase(deps.db)
    if (!up)
      throw new AppError('NOT_READY', 'The database is not reachable', { checks: { database: 'down' } })
    return { status: 'ready' as const, checks: { database: 'up' as const } }
  })
  mount(router, systemRoutes.openapi, guard, () => document as unknown as Record<string, unknown>)
  const clientConfig: ClientConfig = {
    mode: deps.config.platformMode,
    hospitalName: deps.config.hospitalName,
    subscribeTemplates: Object.fromEntries(
      Object.entries(deps.config.push.subscribeTemplates).map(([kind, t]) => [
        kind,
        { templateId: t.templateId, longTerm: t.longTerm },
      ]),
    ),
    ...(deps.config.platformMode === 'simulated'
      ? {
          simulators: {
            wechat: deps.config.wechat.apiBase,
            ...(deps.config.wecom.corpId && isLocal(deps.config.wecom.apiBase)
              ? { wecom: deps.config.wecom.apiBase }
              : {}),
            ...(deps.config.pay && isLocal(deps.config.pay.apiBase) ? { pay: deps.config.pay.apiBase } : {}),
          },
        }
      : {}),
  }
  mount(router, systemRoutes.clientConfig, guard, () => clientConfig)
}

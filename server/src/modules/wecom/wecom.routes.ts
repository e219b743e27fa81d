import type Router from '@koa/router'
import { wecomRoutes } from '@careloop/shared'
import type { AccessGuard } from '../../http/auth'
import type { AppState } from '../../http/context'
import { mount } from '../../http/mount'
import type { WecomIngestService } from './wecom-ingest.service'

export const mountWecomRoutes = (
  router: Router<AppState>,
  guard: AccessGuard,
  ingest: WecomIngestService,
): void => {
  mount(router, wecomRoutes.serviceWecomEvent, guard, ({ body }) => ingest.ingest(body))
}

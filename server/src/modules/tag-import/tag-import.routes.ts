import type Router from '@koa/router'
import { tagImportRoutes } from '@careloop/shared'
import type { AccessGuard } from '../../http/auth'
import type { AppState } from '../../http/context'
import { mount, staffOf } from '../../http/mount'
import type { TagImportService } from './tag-import.service'

export const mountTagImportRoutes = (
  router: Router<AppState>,
  guard: AccessGuard,
  imports: TagImportService,
): void => {
  mount(router, tagImportRoutes.importTags, guard, ({ principal, body, ip, requestId }) =>
    imports.import(staffOf(principal), body, { ip, requestId }),
  )
}

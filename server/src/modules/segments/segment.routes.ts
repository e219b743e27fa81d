import type Router from '@koa/router'
import { segmentRoutes } from '@careloop/shared'
import type { AccessGuard } from '../../http/auth'
import type { AppState } from '../../http/context'
import { mount, staffOf } from '../../http/mount'
import type { SegmentService } from './segment.service'

export const mountSegmentRoutes = (
  router: Router<AppState>,
  guard: AccessGuard,
  segments: SegmentService,
): void => {
  const r = segmentRoutes
  mount(router, r.previewSegment, guard, ({ principal, body, ip, requestId }) =>
    segments.preview(staffOf(principal), body.expression, { ip, requestId }),
  )
  mount(router, r.listSegments, guard, () => segments.list())
  mount(router, r.saveSegment, guard, ({ principal, body, ip, requestId }) =>
    segments.save(staffOf(principal), body.name, body.expression, { ip, requestId }),
  )
}

import type Router from '@koa/router'
import { tagRoutes } from '@careloop/shared'
import type { AccessGuard } from '../../http/auth'
import type { AppState } from '../../http/context'
import { mount, staffOf } from '../../http/mount'
import type { TagService } from './tag.service'

export const mountTagRoutes = (router: Router<AppState>, guard: AccessGuard, tags: TagService): void => {
  const r = tagRoutes
  mount(router, r.listTagGroups, guard, () => tags.groups())
  mount(router, r.createTagGroup, guard, ({ principal, body, ip, requestId }) =>
    tags.createGroup(staffOf(principal), body, { ip, requestId }),
  )
  mount(router, r.createTag, guard, ({ principal, params, body, ip, requestId }) =>
    tags.createTag(staffOf(principal), params.id!, body, { ip, requestId }),
  )
  mount(router, r.patientTags, guard, ({ principal, params, ip, requestId }) =>
    tags.patientTags(staffOf(principal), params.id!, { ip, requestId }),
  )
  mount(router, r.assignTag, guard, ({ principal, params, body, ip, requestId }) =>
    tags.assign(staffOf(principal), params.id!, body, { ip, requestId }),
  )
  mount(router, r.unassignTag, guard, ({ principal, params, query, ip, requestId }) =>
    tags.unassign(staffOf(principal), params.id!, params.tagId!, query.reason, { ip, requestId }),
  )
}

import type Router from '@koa/router'
import { tagRuleRoutes } from '@careloop/shared'
import type { AccessGuard } from '../../http/auth'
import type { AppState } from '../../http/context'
import { mount, staffOf } from '../../http/mount'
import type { TagRuleService } from './tag-rule.service'

export const mountTagRuleRoutes = (
  router: Router<AppState>,
  guard: AccessGuard,
  rules: TagRuleService,
): void => {
  const r = tagRuleRoutes
  // Before `/:id` routes of the same prefix, so `preview` is never taken for an id.
  mount(router, r.previewTagRule, guard, ({ principal, body, ip, requestId }) =>
    rules.preview(staffOf(principal), body.condition, body.name, { ip, requestId }),
  )
  mount(router, r.listTagRules, guard, () => rules.list())
  mount(router, r.createTagRule, guard, ({ principal, body, ip, requestId }) =>
    rules.create(staffOf(principal), body, { ip, requestId }),
  )
  mount(router, r.updateTagRule, guard, ({ principal, params, body, ip, requestId }) =>
    rules.update(staffOf(principal), params.id!, body, { ip, requestId }),
  )
  mount(router, r.deleteTagRule, guard, ({ principal, params, ip, requestId }) =>
    rules.remove(staffOf(principal), params.id!, { ip, requestId }),
  )
  mount(router, r.runTagRule, guard, ({ principal, params, ip, requestId }) =>
    rules.run(staffOf(principal), params.id!, { ip, requestId }),
  )
}

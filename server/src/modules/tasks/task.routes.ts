import type Router from '@koa/router'
import { taskRoutes } from '@careloop/shared'
import type { AccessGuard } from '../../http/auth'
import type { AppState } from '../../http/context'
import { mount, staffOf } from '../../http/mount'
import type { TaskService } from './task.service'

export const mountTaskRoutes = (router: Router<AppState>, guard: AccessGuard, tasks: TaskService): void => {
  const r = taskRoutes
  mount(router, r.listTasks, guard, ({ principal, query, ip, requestId }) =>
    tasks.list(staffOf(principal), query, { ip, requestId }),
  )
  mount(router, r.completeTask, guard, ({ principal, params, body, ip, requestId }) =>
    tasks.complete(staffOf(principal), params.id!, body.note ?? null, { ip, requestId }),
  )
}

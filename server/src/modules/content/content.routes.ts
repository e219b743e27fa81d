import type Router from '@koa/router'
import { contentRoutes } from '@careloop/shared'
import type { AccessGuard } from '../../http/auth'
import type { AppState } from '../../http/context'
import { mount, patientOf, staffOf } from '../../http/mount'
import type { ContentReadingService } from './content-reading.service'
import type { ContentService } from './content.service'

export const mountContentRoutes = (
  router: Router<AppState>,
  guard: AccessGuard,
  s: { content: ContentService; reading: ContentReadingService },
): void => {
  const r = contentRoutes
  const { content, reading } = s
  mount(router, r.listArticles, guard, ({ query }) => content.list(query))
  mount(router, r.createArticle, guard, ({ principal, body, ip, requestId }) =>
    content.create(staffOf(principal), body, { ip, requestId }),
  )
  mount(router, r.getArticle, guard, ({ params }) => content.get(params.id!))
  mount(router, r.updateArticle, guard, ({ principal, params, body, ip, requestId }) =>
    content.update(staffOf(principal), params.id!, body, { ip, requestId }),
  )
  mount(router, r.submitArticle, guard, ({ principal, params, body, ip, requestId }) =>
    content.submit(staffOf(principal), params.id!, body.version, { ip, requestId }),
  )
  mount(router, r.clinicalReview, guard, ({ principal, params, body, ip, requestId }) =>
    content.review(staffOf(principal), params.id!, 'clinical', body, { ip, requestId }),
  )
  mount(router, r.complianceReview, guard, ({ principal, params, body, ip, requestId }) =>
    content.review(staffOf(principal), params.id!, 'compliance', body, { ip, requestId }),
  )
  mount(router, r.articleStats, guard, ({ params }) => reading.stats(params.id!))
  mount(router, r.getBlockedClaims, guard, () => content.blockedClaims())
  mount(router, r.putBlockedClaims, guard, ({ principal, body, ip, requestId }) =>
    content.putBlockedClaims(staffOf(principal), body, { ip, requestId }),
  )
  mount(router, r.myArticles, guard, ({ query }) => reading.list(query))
  mount(router, r.myArticle, guard, ({ params }) => reading.article(params.id!))
  mount(router, r.recordArticleRead, guard, ({ principal, params, body }) =>
    reading.recordRead(patientOf(principal), params.id!, body),
  )
}

import type Router from '@koa/router'
import type { Clock } from '../../clock'
import type { Connection } from '../../db/connection'
import type { AccessGuard } from '../../http/auth'
import type { AppState } from '../../http/context'
import type { Job } from '../../jobs/scheduler'
import type { Logger } from '../../logger'
import { createAuditLog, type AuditLog } from '../audit/audit.repo'
import type { PointsPort } from '../points/points.port'
import { createStaffRepo } from '../staff/staff.repo'
import type { ContentPort } from './content.port'
import { createContentReadRepo } from './content-read.repo'
import { createContentReadingService, type ContentReadingService } from './content-reading.service'
import { createContentRepo } from './content.repo'
import { mountContentRoutes } from './content.routes'
import { createContentService, type ContentService } from './content.service'

export interface ContentModule {
  content: ContentService
  reading: ContentReadingService
  /** What campaigns use: the approved version of an article, and the reads of a campaign run. */
  port: ContentPort
  mount(router: Router<AppState>, guard: AccessGuard): void
  /** `content.points-repair` (every 5 minutes) when a points ledger is wired; none otherwise. */
  jobs(): Job[]
}

/**
 * Wires the health-education content library (F22): articles and their versions, the review
 * workflow (clinical review by a head nurse, compliance approval by an admin), blocked claims, the
 * patient article page with read tracking, and reading points through `points` when it is wired.
 */
export const createContentModule = (deps: {
  clock: Clock
  db: Connection
  logger: Logger
  audit?: AuditLog
  points?: PointsPort
}): ContentModule => {
  const { clock, db, logger } = deps
  const articles = createContentRepo(db)
  const content = createContentService({
    articles,
    staff: createStaffRepo(db),
    audit: deps.audit ?? createAuditLog(db, clock),
    clock,
  })
  const reading = createContentReadingService({
    articles,
    reads: createContentReadRepo(db),
    clock,
    logger,
    points: deps.points,
  })
  return {
    content,
    reading,
    port: reading.port,
    mount: (router, guard) => mountContentRoutes(router, guard, { content, reading }),
    jobs: () =>
      deps.points
        ? [
            {
              name: 'content.points-repair',
              schedule: '*/5 * * * *',
              async run() {
                const r = await reading.repairPoints()
                if (r.repaired || r.failed) logger.warn(r, 'repaired content read points')
              },
            },
          ]
        : [],
  }
}

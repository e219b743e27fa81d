import type Router from '@koa/router'
import type { Clock } from '../../clock'
import type { Connection } from '../../db/connection'
import type { AccessGuard } from '../../http/auth'
import type { AppState } from '../../http/context'
import type { Logger } from '../../logger'
import type { PiiCrypto } from '../../privacy/pii-crypto'
import type { AuditLog } from '../audit/audit.repo'
import { createPatientEventRepo } from '../patient-events/patient-event.repo'
import { mountPatientEventRoutes } from '../patient-events/patient-event.routes'
import { createPatientEventService } from '../patient-events/patient-event.service'
import { createPatientStaffRepo } from '../patients/patient-staff.repo'
import { createTagImportRepo } from '../tag-import/tag-import.repo'
import { mountTagImportRoutes } from '../tag-import/tag-import.routes'
import { createTagImportService } from '../tag-import/tag-import.service'
import type { TagRepo } from '../tags/tag.repo'
import { createTagRuleEngine } from './tag-rule.engine'
import { createTagRuleRepo } from './tag-rule.repo'
import { mountTagRuleRoutes } from './tag-rule.routes'
import { createTagRuleService } from './tag-rule.service'

/**
 * Wires auto-tag rules (F7), the clinical events they read and CSV bulk tagging (F6), and mounts their
 * routes. Every tag change goes through `tags` (the app's TagRepo).
 */
export const mountTagAutomation = (
  router: Router<AppState>,
  guard: AccessGuard,
  deps: {
    db: Connection
    tags: TagRepo
    audit: AuditLog
    pii: PiiCrypto
    clock: Clock
    timeZone: string
    logger: Logger
  },
): void => {
  const { db, tags, audit, clock } = deps
  const rules = createTagRuleRepo(db)
  const events = createPatientEventRepo(db)
  const engine = createTagRuleEngine({
    rules,
    events,
    tags,
    clock,
    timeZone: deps.timeZone,
    logger: deps.logger,
  })
  mountTagRuleRoutes(router, guard, createTagRuleService({ rules, tags, engine, audit }))
  mountPatientEventRoutes(
    router,
    guard,
    createPatientEventService({ events, patients: createPatientStaffRepo(db), engine, tags, audit, clock }),
  )
  mountTagImportRoutes(
    router,
    guard,
    createTagImportService({ repo: createTagImportRepo(db), tags, pii: deps.pii, audit, clock }),
  )
}

import type Router from '@koa/router'
import type { Clock } from '../../clock'
import type { Config } from '../../config'
import type { Connection } from '../../db/connection'
import type { AccessGuard } from '../../http/auth'
import type { AppState } from '../../http/context'
import type { Job } from '../../jobs/scheduler'
import type { Logger } from '../../logger'
import { createAuditLog, type AuditLog } from '../audit/audit.repo'
import { createPatientStaffRepo } from '../patients/patient-staff.repo'
import { createPatientRepo } from '../patients/patient.repo'
import type { PointsPort } from '../points/points.port'
import type { PushPort } from '../push/push.port'
import { createStaffRepo } from '../staff/staff.repo'
import { createAlertService, type AlertService } from '../tasks/alert.service'
import { createTaskRepo } from '../tasks/task.repo'
import type { FollowupLookup } from './followup-lookup.port'
import { createNoReadingCheck, type NoReadingCheck } from './no-reading.service'
import { noReadingJob, readingEffectsJob } from './reading.jobs'
import { createReadingRepo } from './reading.repo'
import { mountReadingRoutes } from './reading.routes'
import { createReadingService, type ReadingService } from './reading.service'

export interface ReadingsModule {
  readings: ReadingService
  noReading: NoReadingCheck
  mount(router: Router<AppState>, guard: AccessGuard): void
  /** `readings.no-reading` (daily 08:30) and `readings.effects` (every minute, repair). */
  jobs(): Job[]
}

/**
 * Wires health readings (F18): patient and staff routes, abnormal values → urgent nurse alert
 * (thresholds from the follow-up plans through `followup`, else `config.readings.defaults`), the
 * "no reading in N days" check.
 */
export const createReadingsModule = (deps: {
  config: Pick<Config, 'readings' | 'timezone'>
  clock: Clock
  db: Connection
  logger: Logger
  push: PushPort
  followup: FollowupLookup
  audit?: AuditLog
  alerts?: Pick<AlertService, 'raise'>
  /** The points ledger: a logged reading earns points (F27); absent, nothing is earned. */
  points?: Pick<PointsPort, 'earn'>
}): ReadingsModule => {
  const { config, clock, db, logger } = deps
  const audit = deps.audit ?? createAuditLog(db, clock)
  const alerts =
    deps.alerts ??
    createAlertService({ db, clock, tasks: createTaskRepo(db), staff: createStaffRepo(db), push: deps.push })
  const repo = createReadingRepo(db)
  const readings = createReadingService({
    readings: repo,
    patients: createPatientRepo(db),
    staffPatients: createPatientStaffRepo(db),
    followup: deps.followup,
    alerts,
    audit,
    clock,
    logger,
    config,
    points: deps.points,
  })
  const noReading = createNoReadingCheck({
    followup: deps.followup,
    readings: repo,
    alerts,
    clock,
    logger,
    timezone: config.timezone,
    noReadingDays: config.readings.noReadingDays,
  })
  return {
    readings,
    noReading,
    mount: (router, guard) => mountReadingRoutes(router, guard, readings),
    jobs: () => [noReadingJob({ check: noReading, logger }), readingEffectsJob({ readings, logger })],
  }
}

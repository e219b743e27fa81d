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
import type { PushPort } from '../push/push.port'
import { createPointsAccountRepo } from './points-account.repo'
import { createPointsExpiry, type PointsExpiry } from './points-expiry.service'
import { createLedgerEngine, type LedgerEngine, type PointsFaults } from './points-ledger.service'
import { createPointsLedgerRepo } from './points-ledger.repo'
import { createPointsPatientService } from './points-patient.service'
import type { MembershipLookup, PointsPort } from './points.port'
import { pointsExpiryJob, pointsReconcileJob, pointsReconcileSweepJob } from './points.jobs'
import { mountPointsRoutes } from './points.routes'
import { createPointsSettingsRepo } from './points-settings.repo'
import { createPointsStaffService } from './points-staff.service'
import { createPointsTiers, type PointsTiers } from './points-tiers.service'

export interface PointsModule {
  /** What other modules earn, spend and refund through (rewards, membership, questionnaires, readings …). */
  port: PointsPort
  /** The port plus adjustments, expiry entries and the reconciliation (tests, jobs). */
  engine: LedgerEngine
  /** `tierOf(profileId)` (the rewards mall's tier check) and the tier status. */
  tiers: PointsTiers
  expiry: PointsExpiry
  /** Plugs in the membership module's lookup (it is built after this module: it earns through `port`). */
  setMembership(lookup: MembershipLookup): void
  mount(router: Router<AppState>, guard: AccessGuard): void
  /** `points.reconcile` (every minute), `points.reconcile-sweep` (daily 03:30), `points.expiry` (daily 00:10). */
  jobs(): Job[]
}

/**
 * Points and tiers (issue 6: F26 ledger, F27 earn rules, F28 expiry, F30 tiers). See
 * points-ledger.service.ts for how a change stays atomic and idempotent without transactions.
 */
export const createPointsModule = (deps: {
  config: Pick<Config, 'timezone' | 'points'>
  clock: Clock
  db: Connection
  logger: Logger
  push: PushPort
  audit?: AuditLog
  membership?: MembershipLookup
  /** Tests: crash between the account write and the ledger insert. */
  faults?: PointsFaults
}): PointsModule => {
  const { config, clock, db, logger } = deps
  const timeZone = config.timezone
  const audit = deps.audit ?? createAuditLog(db, clock)
  const accounts = createPointsAccountRepo(db)
  const ledger = createPointsLedgerRepo(db)
  const settings = createPointsSettingsRepo(db, clock)
  const tiers = createPointsTiers({
    accounts,
    settings,
    clock,
    timeZone,
    logger,
    membership: deps.membership,
  })
  const engine = createLedgerEngine({
    accounts,
    ledger,
    settings,
    tiers,
    clock,
    logger,
    timeZone,
    expiryMonths: config.points.expiryMonths,
    faults: deps.faults,
  })
  const expiry = createPointsExpiry({
    engine,
    ledger,
    accounts,
    settings,
    push: deps.push,
    clock,
    logger,
    timeZone,
    reminderDays: config.points.reminderDays,
  })
  const patient = createPointsPatientService({
    engine,
    ledger,
    settings,
    tiers,
    expiry,
    patients: createPatientRepo(db),
    clock,
    timeZone,
    reminderDays: config.points.reminderDays,
  })
  const staff = createPointsStaffService({
    engine,
    ledger,
    accounts,
    settings,
    tiers,
    staffPatients: createPatientStaffRepo(db),
    audit,
    clock,
    timeZone,
  })
  const port: PointsPort = {
    earn: (i) => engine.earn(i),
    spend: (i) => engine.spend(i),
    refundSpend: (i) => engine.refundSpend(i),
    balance: (p) => engine.balance(p),
  }
  return {
    port,
    engine,
    tiers,
    expiry,
    setMembership: (lookup) => tiers.setMembership(lookup),
    mount: (router, guard) => mountPointsRoutes(router, guard, { patient, staff }),
    jobs: () => [
      pointsReconcileJob({ engine, logger }),
      pointsReconcileSweepJob({ engine, logger }),
      pointsExpiryJob({ expiry, logger }),
    ],
  }
}

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
import type { PointsPort } from '../points/points.port'
import type { PushPort } from '../push/push.port'
import { createRedemptionRepo } from './redemption.repo'
import { createRedemptionSaga, type RedemptionFaults, type RedemptionSaga } from './redemption.saga'
import { createRedemptionService, type RedemptionService } from './redemption.service'
import { createRewardRepo } from './reward.repo'
import { createRewardService, type RewardService, type TierLookup } from './reward.service'
import { redemptionRepairJob } from './rewards.jobs'
import { mountRewardRoutes } from './rewards.routes'

export interface RewardsModule {
  rewards: RewardService
  redemptions: RedemptionService
  /** The redemption saga; `saga.repair()` is one run of the repair job (tests call it directly). */
  saga: RedemptionSaga
  mount(router: Router<AppState>, guard: AccessGuard): void
  /** `rewards.repair` (every minute): half-done redemptions and cancels, code expiry, settle pass. */
  jobs(): Job[]
}

/**
 * Wires the rewards mall (F29). Points move only through `points` (spend with refKey
 * `redeem:<redemptionId>`, refundSpend on cancel). `tiers` checks rewards that require a tier
 * (absent: everyone is standard); `push` tells a patient when staff or expiry cancel a redemption.
 */
export const createRewardsModule = (deps: {
  clock: Clock
  db: Connection
  logger: Logger
  points: PointsPort
  audit?: AuditLog
  config?: Pick<Config, 'rewards'>
  tiers?: TierLookup
  push?: PushPort
  /** Tests: crash between steps. */
  faults?: RedemptionFaults
}): RewardsModule => {
  const { clock, db, logger, points } = deps
  const audit = deps.audit ?? createAuditLog(db, clock)
  const settings = deps.config?.rewards ?? { codeTtlDays: 90, repairAfterSeconds: 60 }
  const rewardRepo = createRewardRepo(db)
  const redemptionRepo = createRedemptionRepo(db)
  const saga = createRedemptionSaga({
    redemptions: redemptionRepo,
    rewards: rewardRepo,
    points,
    clock,
    logger,
    repairAfterSeconds: settings.repairAfterSeconds,
    codeTtlDays: settings.codeTtlDays,
    push: deps.push,
    faults: deps.faults,
  })
  const rewards = createRewardService({
    rewards: rewardRepo,
    redemptions: redemptionRepo,
    points,
    tiers: deps.tiers,
    audit,
    clock,
  })
  const redemptions = createRedemptionService({
    db,
    saga,
    redemptions: redemptionRepo,
    rewards: rewardRepo,
    catalogue: rewards,
    points,
    staffPatients: createPatientStaffRepo(db),
    audit,
    clock,
  })
  return {
    rewards,
    redemptions,
    saga,
    mount: (router, guard) => mountRewardRoutes(router, guard, rewards, redemptions),
    jobs: () => [redemptionRepairJob({ saga, logger })],
  }
}

import type { Job } from '../../jobs/scheduler'
import type { Logger } from '../../logger'
import type { RedemptionSaga } from './redemption.saga'

/**
 * Every minute: redemptions and cancels a crash left half-done (their lease ran out) are finished or
 * undone, issued codes past their expiry are cancelled with their points returned, and terminal rows
 * get their settle pass.
 */
export const redemptionRepairJob = (deps: { saga: RedemptionSaga; logger: Logger }): Job => ({
  name: 'rewards.repair',
  schedule: '* * * * *',
  async run() {
    const r = await deps.saga.repair()
    if (r.resumed || r.undone || r.errors) deps.logger.warn(r, 'repaired redemptions')
    else if (r.expired) deps.logger.info(r, 'expired redemption codes')
  },
})

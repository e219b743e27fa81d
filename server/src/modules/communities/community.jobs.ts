import type { Clock } from '../../clock'
import type { Job } from '../../jobs/scheduler'
import type { Logger } from '../../logger'
import type { CommunitySync } from './community-sync.service'
import type { GroupSopService } from './group-sop.service'

/**
 * Every 30 minutes (at :07 and :37, off the :00/:30 rush WeCom warns about): re-read every community's
 * group with groupchat/get and reconcile memberships, repairing anything a missed or failed event
 * left behind (and linking members whose identity became known since).
 */
export const communityReconcileJob = (deps: { sync: CommunitySync; logger: Logger }): Job => ({
  name: 'communities.reconcile',
  schedule: '7,37 * * * *',
  async run() {
    const r = await deps.sync.reconcileAll()
    if (r.failed > 0) deps.logger.warn(r, 'community reconciliation finished with failures')
  },
})

/** Every minute: group SOP items → mass-send tasks, confirmation polls, escalations, expiry. */
export const groupSopTickJob = (deps: { sop: GroupSopService; clock: Clock; logger: Logger }): Job => ({
  name: 'communities.group-sop',
  schedule: '* * * * *',
  async run() {
    const r = await deps.sop.tick()
    if (Object.values(r).some((n) => n > 0))
      deps.logger.info({ ...r, at: deps.clock.now() }, 'group SOP tick')
  },
})

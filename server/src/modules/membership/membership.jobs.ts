import type { Job } from '../../jobs/scheduler'
import type { Logger } from '../../logger'
import type { Reconciler } from './reconcile.service'

/** Every minute: unpaid orders past their 30 minutes are checked with the platform and closed. */
export const closeExpiredOrdersJob = (deps: { reconciler: Reconciler; logger: Logger }): Job => ({
  name: 'membership.close-expired',
  schedule: '* * * * *',
  async run() {
    const r = await deps.reconciler.closeExpired()
    if (r.closed || r.paid || r.failed) deps.logger.info(r, 'expired membership orders')
  },
})

/** Every 5 minutes: grants, pending payments and refunds left unfinished by a crash or a lost notify. */
export const reconcileOrdersJob = (deps: { reconciler: Reconciler; logger: Logger }): Job => ({
  name: 'membership.reconcile',
  schedule: '*/5 * * * *',
  async run() {
    const r = await deps.reconciler.reconcile()
    if (r.failed) deps.logger.warn(r, 'membership reconciliation')
  },
})

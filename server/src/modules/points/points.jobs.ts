import type { Job } from '../../jobs/scheduler'
import type { Logger } from '../../logger'
import type { PointsExpiry } from './points-expiry.service'
import type { LedgerEngine } from './points-ledger.service'

/** Every minute: entries left unrecorded by a crash are recorded, late duplicates undone, journals trimmed. */
export const pointsReconcileJob = (deps: { engine: LedgerEngine; logger: Logger }): Job => ({
  name: 'points.reconcile',
  schedule: '* * * * *',
  async run() {
    const r = await deps.engine.reconcile()
    if (r.recorded || r.undone || r.failed) deps.logger.warn(r, 'points reconciliation repaired entries')
  },
})

/** Daily at 03:30: the same over every account with a journal (whatever the minute job's window missed). */
export const pointsReconcileSweepJob = (deps: { engine: LedgerEngine; logger: Logger }): Job => ({
  name: 'points.reconcile-sweep',
  schedule: '30 3 * * *',
  async run() {
    const r = await deps.engine.reconcile({ full: true })
    if (r.recorded || r.undone || r.failed)
      deps.logger.warn(r, 'points reconciliation sweep repaired entries')
  },
})

/** Daily at 00:10 hospital time: points past their expiry go, then expiry reminders are queued. */
export const pointsExpiryJob = (deps: { expiry: PointsExpiry; logger: Logger }): Job => ({
  name: 'points.expiry',
  schedule: '10 0 * * *',
  async run() {
    deps.logger.info(await deps.expiry.run(), 'points expiry')
  },
})

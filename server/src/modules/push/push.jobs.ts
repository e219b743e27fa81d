import type { Job } from '../../jobs/scheduler'
import type { Logger } from '../../logger'
import type { DispatchReport } from './push-worker'

/** Every 5 seconds: dispatch due outbox rows (node-cron only ticks; the rows are the work). */
export const pushDispatchJob = (o: {
  dispatchDue: () => Promise<DispatchReport>
  owner: string
  logger: Logger
}): Job => ({
  name: 'push.dispatch',
  schedule: '*/5 * * * * *',
  async run() {
    const r = await o.dispatchDue()
    if (r.claimed) o.logger.debug({ ...r, owner: o.owner }, 'push dispatch')
  },
})

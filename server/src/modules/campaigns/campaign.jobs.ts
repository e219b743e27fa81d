import type { Job } from '../../jobs/scheduler'
import type { Logger } from '../../logger'
import type { TickReport } from './campaign-runner'

/** Every minute on every instance: due runs are created (once per slot) and materialised. */
export const campaignTickJob = (o: { tick: () => Promise<TickReport>; logger: Logger }): Job => ({
  name: 'campaign.tick',
  schedule: '* * * * *',
  async run() {
    const r = await o.tick()
    if (r.runsCreated || r.runsMaterialised || r.rowsCreated || r.completed) o.logger.info(r, 'campaign tick')
  },
})

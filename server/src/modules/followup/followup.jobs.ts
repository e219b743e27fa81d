import type { Job } from '../../jobs/scheduler'
import type { Logger } from '../../logger'
import type { MissedRun } from './followup-steps.service'

/** Every 5 minutes: steps past their window become missed, their nurses get a task and an alert. */
export const followupMissedJob = (deps: { run: () => Promise<MissedRun>; logger: Logger }): Job => ({
  name: 'followup.missed',
  schedule: '*/5 * * * *',
  async run() {
    const r = await deps.run()
    if (r.missed > 0 || r.alerted > 0 || r.completed > 0) deps.logger.info(r, 'follow-up steps checked')
  },
})

import type { Job } from '../../jobs/scheduler'
import type { Logger } from '../../logger'
import type { NoReadingCheck } from './no-reading.service'
import type { ReadingService } from './reading.service'

/** Daily at 08:30 hospital time (before the nurses' morning round): "no reading in N days" alerts. */
export const noReadingJob = (deps: { check: NoReadingCheck; logger: Logger }): Job => ({
  name: 'readings.no-reading',
  schedule: '30 8 * * *',
  async run() {
    const r = await deps.check.run()
    deps.logger.info(r, 'no-reading check')
  },
})

/** Every minute: abnormal readings stored without their alert (a crash between the writes) get it now. */
export const readingEffectsJob = (deps: { readings: ReadingService; logger: Logger }): Job => ({
  name: 'readings.effects',
  schedule: '* * * * *',
  async run() {
    const r = await deps.readings.repairEffects()
    if (r.repaired || r.failed) deps.logger.warn(r, 'repaired reading alerts')
  },
})

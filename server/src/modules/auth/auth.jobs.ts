import type { Clock } from '../../clock'
import type { Job } from '../../jobs/scheduler'
import type { Logger } from '../../logger'
import type { SessionRepo } from './session.repo'

/** Nightly: remove refresh-token sessions that have expired (they can never be used again). */
export const expiredSessionsJob = (deps: { sessions: SessionRepo; clock: Clock; logger: Logger }): Job => ({
  name: 'auth.expired-sessions',
  schedule: '17 3 * * *',
  async run() {
    const n = await deps.sessions.deleteExpired(deps.clock.now())
    if (n > 0) deps.logger.info({ deleted: n }, 'expired sessions removed')
  },
})

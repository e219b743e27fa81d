import type { Clock } from '../../clock'
import type { Connection } from '../../db/connection'
import type { Job } from '../../jobs/scheduler'
import type { Logger } from '../../logger'
import type { WecomClient } from '../../platform/wecom/wecom-client'
import { createTagRepo } from '../tags/tag.repo'
import { createWecomContactRepo } from './wecom-contact.repo'
import { createWecomIdentityRepo } from './wecom-identity.repo'
import { createWecomTagRepo } from './wecom-tag.repo'
import { createWecomTagSync } from './wecom-tag-sync.service'

/**
 * Every 10 minutes: outbound corp-tag marks that failed (WeCom busy, 45009 …) are re-applied from the
 * patient's current tags (F9). Does nothing when WeCom is not configured.
 */
export const wecomTagSyncRetryJob = (deps: {
  db: Connection
  wecom: WecomClient | undefined
  clock: Clock
  logger: Logger
}): Job => {
  const sync = createWecomTagSync({
    wecom: deps.wecom,
    tags: createTagRepo(deps.db),
    mapping: createWecomTagRepo(deps.db),
    contacts: createWecomContactRepo(deps.db),
    identities: createWecomIdentityRepo(deps.db),
    clock: deps.clock,
    logger: deps.logger,
  })
  return {
    name: 'wecom.tag-sync-retry',
    schedule: '*/10 * * * *',
    async run() {
      const r = await sync.retryFailures(200)
      if (r.tried > 0) deps.logger.info(r, 'corp tag sync failures retried')
    },
  }
}

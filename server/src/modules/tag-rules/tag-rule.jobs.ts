import type { Clock } from '../../clock'
import type { Connection } from '../../db/connection'
import type { Job } from '../../jobs/scheduler'
import type { Logger } from '../../logger'
import { createAuditLog } from '../audit/audit.repo'
import { createPatientEventRepo } from '../patient-events/patient-event.repo'
import type { TagRepo } from '../tags/tag.repo'
import { createTagRuleEngine, type TagRuleEngine } from './tag-rule.engine'
import { createTagRuleRepo } from './tag-rule.repo'

/** The engine the worker uses, wired on a connection (tags change only through the given TagRepo). */
export const tagRuleEngineOn = (deps: {
  db: Connection
  tags: TagRepo
  clock: Clock
  timeZone: string
  logger: Logger
}): TagRuleEngine =>
  createTagRuleEngine({
    rules: createTagRuleRepo(deps.db),
    events: createPatientEventRepo(deps.db),
    tags: deps.tags,
    clock: deps.clock,
    timeZone: deps.timeZone,
    logger: deps.logger,
  })

/**
 * Nightly: applies every enabled auto-tag rule to every live patient (F7), in batches with a cursor.
 * Adds the tags whose rules hold, removes the ones whose rules no longer hold or were disabled or
 * deleted. Idempotent, so a tick that dies half-way is simply repeated the next night.
 */
export const tagRulesNightlyJob = (deps: {
  db: Connection
  tags: TagRepo
  clock: Clock
  timeZone: string
  logger: Logger
}): Job => {
  const engine = tagRuleEngineOn(deps)
  const audit = createAuditLog(deps.db, deps.clock)
  return {
    name: 'tag-rules.nightly',
    schedule: '40 2 * * *',
    async run() {
      const out = await engine.applyToAll()
      await audit.record({
        actor: { kind: 'system', id: 'job:tag-rules.nightly' },
        action: 'tag_rule.nightly',
        detail: out,
      })
      deps.logger.info(out, 'tag rules applied')
    },
  }
}

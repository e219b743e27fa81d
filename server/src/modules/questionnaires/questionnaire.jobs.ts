import type { Job } from '../../jobs/scheduler'
import type { Logger } from '../../logger'
import type { AnswerService } from './answer.service'

/**
 * Every minute: answers stored without their effects (a crash between storing the answer and
 * completing its step / raising its red-flag alerts) get them now. Idempotent through the alert and
 * step keys, so running it while a request is still applying the same effects changes nothing.
 */
export const answerEffectsJob = (deps: { answers: AnswerService; logger: Logger }): Job => ({
  name: 'questionnaires.effects',
  schedule: '* * * * *',
  async run() {
    const r = await deps.answers.repairEffects()
    if (r.repaired || r.failed) deps.logger.warn(r, 'repaired questionnaire answer effects')
  },
})

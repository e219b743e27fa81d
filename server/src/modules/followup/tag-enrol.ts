import { isAppError } from '@careloop/shared'
import type { Logger } from '../../logger'
import type { TagChangeListener } from '../tags/tag.repo'
import type { EnrolmentService } from './enrolment.service'
import type { PlanRepo } from './plan.repo'

/**
 * Tag-rule enrolment (F16): when a tag is assigned to a patient (by a rule, an import, a nurse or
 * WeCom), every active plan with that `autoEnrolTagId` enrols the patient. The anchor comes from the
 * latest matching clinical event, or the tag's day for plans anchored on enrolment; a plan that needs
 * an event the patient does not have is skipped with a log line. Enrolling is idempotent, so a tag
 * removed and added again, or a listener registered twice, changes nothing.
 */
export const createTagEnrolment =
  (deps: {
    plans: Pick<PlanRepo, 'forAutoEnrolTag'>
    enrolments: Pick<EnrolmentService, 'enrol'>
    logger: Logger
  }): TagChangeListener =>
  async (c) => {
    if (c.action !== 'assign') return
    for (const plan of await deps.plans.forAutoEnrolTag(c.tagId)) {
      const planId = plan._id.toHexString()
      try {
        const r = await deps.enrolments.enrol(
          { kind: 'rule', tagId: c.tagId, via: 'tag', tagAt: c.at },
          { patientId: c.patientId, planId },
        )
        if (r.created)
          deps.logger.info({ patientId: c.patientId, planId, tagId: c.tagId }, 'tag rule enrolled a patient')
      } catch (e) {
        if (isAppError(e) && e.code === 'FOLLOWUP_ANCHOR_REQUIRED')
          deps.logger.info(
            { patientId: c.patientId, planId, tagId: c.tagId, anchor: plan.anchor },
            'tag rule enrolment skipped: the patient has no anchor event',
          )
        else deps.logger.warn({ err: e, patientId: c.patientId, planId }, 'tag rule enrolment failed')
      }
    }
  }

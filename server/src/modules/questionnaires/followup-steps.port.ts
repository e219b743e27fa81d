/**
 * What the questionnaires module needs from follow-up (H3's module implements it; structural typing:
 * its object only has to have these methods).
 */

/** A follow-up step of a patient, as an answer needs it. */
export interface FollowupStepRef {
  stepId: string
  enrolmentId: string
  /** The enrolment's responsible nurse: red flags of the answer go to her. */
  nurseId: string | null
  /** The questionnaire the step asks for (null for steps of other kinds). */
  questionnaireId: string | null
}

export interface FollowupSteps {
  /** The step if it belongs to that patient (any status), else null. */
  findStep(stepId: string, patientId: string): Promise<FollowupStepRef | null>
  /**
   * Marks that patient's scheduled questionnaire step done by this answer; false when it is not that
   * patient's step or not scheduled any more (done, missed, cancelled). Idempotent.
   */
  completeByAnswer(stepId: string, patientId: string, answerId: string, at: Date): Promise<boolean>
}

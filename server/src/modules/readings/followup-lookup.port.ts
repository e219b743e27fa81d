import type { ReadingRange } from '../../config'

/**
 * What the readings module needs from follow-up (H3's module implements it; structural typing: its
 * object only has to have these methods).
 */

/** Reading thresholds of a follow-up plan: target ranges (below min or above max is abnormal). */
export interface PlanReadingThresholds {
  bpSystolic?: ReadingRange
  bpDiastolic?: ReadingRange
  /** mmol/L */
  glucose?: ReadingRange
  /** kg */
  weight?: ReadingRange
  /** "No reading in N days" alerts the nurse. */
  noReadingDays?: number
}

export interface ActiveEnrolment {
  enrolmentId: string
  planId: string
  /** The enrolment's responsible nurse. */
  nurseId: string | null
  thresholds: PlanReadingThresholds
}

export interface MonitoredEnrolment extends ActiveEnrolment {
  patientId: string
  /** Since when the patient is expected to log readings (enrolment, or resumption after a pause). */
  enrolledAt: Date
}

export interface FollowupLookup {
  /** The patient's active enrolments (not paused, stopped or completed). */
  activeEnrolments(patientId: string): Promise<ActiveEnrolment[]>
  /**
   * Every active enrolment whose plan watches readings: `thresholds.noReadingDays` set or any reading
   * threshold set.
   */
  listActiveWithReadings(): Promise<MonitoredEnrolment[]>
}

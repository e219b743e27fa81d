import type { Clock } from '../../clock'
import type { Logger } from '../../logger'
import type { AlertService } from '../tasks/alert.service'
import { formatLocal } from '../communities/zoned-time'
import type { FollowupLookup, MonitoredEnrolment } from './followup-lookup.port'
import { KIND_LABEL, watchedKinds } from './reading-thresholds'
import type { ReadingRepo } from './reading.repo'

const DAY_MS = 86_400_000

export interface NoReadingCheck {
  /**
   * One pass over the monitored enrolments: each whose patient has logged no watched reading for N days
   * (counted from the newest reading, or from enrolment when that is later) gets one `no_reading` alert
   * per gap — keyed by the enrolment and the newest reading, so a new reading ends the gap and the next
   * gap alerts again. Safe to run at any time and any number of times.
   */
  run(): Promise<{ checked: number; alerted: number; failed: number }>
}

/** N for an enrolment: the plan's noReadingDays, else the default when it sets any reading threshold. */
export const noReadingDaysOf = (e: MonitoredEnrolment, fallbackDays: number): number | null =>
  e.thresholds.noReadingDays ?? (watchedKinds(e.thresholds).length ? fallbackDays : null)

export const createNoReadingCheck = (deps: {
  followup: Pick<FollowupLookup, 'listActiveWithReadings'>
  readings: Pick<ReadingRepo, 'latest'>
  alerts: Pick<AlertService, 'raise'>
  clock: Clock
  logger: Logger
  timezone: string
  noReadingDays: number
}): NoReadingCheck => ({
  async run() {
    const now = deps.clock.now()
    let checked = 0
    let alerted = 0
    let failed = 0
    for (const e of await deps.followup.listActiveWithReadings()) {
      const days = noReadingDaysOf(e, deps.noReadingDays)
      if (days === null) continue
      checked++
      try {
        const kinds = watchedKinds(e.thresholds)
        const last = await deps.readings.latest(e.patientId, kinds)
        const since = last && last.measuredAt > e.enrolledAt ? last.measuredAt : e.enrolledAt
        if (now.getTime() - since.getTime() < days * DAY_MS) continue
        const what = kinds.length ? kinds.map((k) => KIND_LABEL[k]).join('/') : '健康指标'
        const gapDays = Math.floor((now.getTime() - since.getTime()) / DAY_MS)
        const { created } = await deps.alerts.raise({
          dedupeKey: `no-reading:${e.enrolmentId}:${last ? last._id.toHexString() : 'none'}`,
          patientId: e.patientId,
          nurseId: e.nurseId,
          kind: 'no_reading',
          title: `${gapDays} 天未记录${what}`,
          detail: last
            ? `最近一次记录：${formatLocal(last.measuredAt, deps.timezone)}（方案要求每 ${days} 天内至少一次）`
            : `入组（${formatLocal(e.enrolledAt, deps.timezone)}）后尚无记录（方案要求每 ${days} 天内至少一次）`,
          source: { kind: 'no-reading', id: e.enrolmentId, groupId: e.enrolmentId },
        })
        if (created) alerted++
      } catch (err) {
        failed++
        deps.logger.error({ err, enrolmentId: e.enrolmentId }, 'no-reading check failed for an enrolment')
      }
    }
    return { checked, alerted, failed }
  },
})

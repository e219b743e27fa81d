import {
  AppError,
  checkReading,
  READING_UNITS,
  type MyReadingsQuery,
  type Reading,
  type ReadingsQuery,
  type ReadingsResponse,
  type StaffReadingsResponse,
  type SubmitReadingRequest,
  type SubmitReadingResponse,
} from '@careloop/shared'
import { Types } from 'mongoose'
import type { Clock } from '../../clock'
import type { Config } from '../../config'
import type { PatientPrincipal, StaffPrincipal } from '../../http/context'
import type { Logger } from '../../logger'
import type { AuditLog } from '../audit/audit.repo'
import { formatLocal } from '../communities/zoned-time'
import { resolveMyProfile } from '../patients/my-profile'
import type { PatientRepo } from '../patients/patient.repo'
import type { PatientStaffRepo } from '../patients/patient-staff.repo'
import type { PointsPort } from '../points/points.port'
import { accessOf } from '../staff/staff-patients.service'
import { staffActor, type RequestMeta } from '../staff/staff.service'
import type { AlertService } from '../tasks/alert.service'
import type { FollowupLookup } from './followup-lookup.port'
import { describeFinding, judgeReading, KIND_LABEL } from './reading-thresholds'
import type { ReadingDoc, ReadingRepo } from './reading.repo'

const LIST_LIMIT = 500
const REPAIR_BATCH = 100
/** Readings measured longer ago than this are judged and shown, but do not alert (a diary backfill). */
export const ALERT_MAX_AGE_MS = 3 * 86_400_000

export const ABNORMAL_NOTICE = '本次数值超出目标范围，护士已收到提醒。如有不适，请及时就医。'
const ABNORMAL_OLD_NOTICE = '本次数值超出目标范围，如有不适，请及时就医。'

export interface ReadingService {
  submit(p: PatientPrincipal, body: SubmitReadingRequest): Promise<SubmitReadingResponse>
  mine(p: PatientPrincipal, q: MyReadingsQuery): Promise<ReadingsResponse>
  forStaff(
    p: StaffPrincipal,
    patientId: string,
    q: ReadingsQuery,
    meta: RequestMeta,
  ): Promise<StaffReadingsResponse>
  /** Raises the abnormal-reading alert (when due) and marks the reading applied. Idempotent. */
  applyEffects(r: ReadingDoc): Promise<void>
  repairEffects(): Promise<{ repaired: number; failed: number }>
}

const valueText = (r: ReadingDoc): string =>
  r.kind === 'bp' ? `${r.systolic}/${r.diastolic} mmHg` : `${r.value} ${READING_UNITS[r.kind]}`

export const presentReading = (r: ReadingDoc): Reading => ({
  id: r._id.toHexString(),
  patientId: r.patientId.toHexString(),
  kind: r.kind,
  systolic: r.systolic,
  diastolic: r.diastolic,
  value: r.value,
  unit: READING_UNITS[r.kind],
  context: r.context,
  measuredAt: r.measuredAt.toISOString(),
  abnormal: r.findings.length > 0,
  notice: r.findings.length ? (r.alert ? ABNORMAL_NOTICE : ABNORMAL_OLD_NOTICE) : null,
  createdAt: r.createdAt.toISOString(),
})

const range = (q: { kind?: Reading['kind']; from?: string; to?: string }) => ({
  kind: q.kind,
  from: q.from ? new Date(q.from) : undefined,
  to: q.to ? new Date(q.to) : undefined,
})

export const createReadingService = (deps: {
  readings: ReadingRepo
  patients: Pick<PatientRepo, 'findForAccount'>
  staffPatients: Pick<PatientStaffRepo, 'findInScope'>
  followup: Pick<FollowupLookup, 'activeEnrolments'>
  alerts: Pick<AlertService, 'raise'>
  audit: AuditLog
  clock: Clock
  logger: Logger
  config: Pick<Config, 'readings' | 'timezone'>
  points?: Pick<PointsPort, 'earn'>
}): ReadingService => {
  const { readings, clock } = deps

  const applyEffects = async (r: ReadingDoc): Promise<void> => {
    if (r.alert && r.findings.length) {
      const id = r._id.toHexString()
      await deps.alerts.raise({
        dedupeKey: `reading:${id}`,
        patientId: r.patientId.toHexString(),
        nurseId: r.nurseId,
        kind: 'abnormal_reading',
        title: `${KIND_LABEL[r.kind]}异常 ${valueText(r)}`,
        detail: `${r.findings.map(describeFinding).join('；')}\n测量时间 ${formatLocal(r.measuredAt, deps.config.timezone)}${r.context ? `（${{ fasting: '空腹', postprandial: '餐后', random: '随机' }[r.context]}）` : ''}`,
        source: { kind: 'reading', id },
      })
    }
    // Points (F27): idempotent by the reading's id; a failure leaves the effects to the repair job.
    if (deps.points)
      await deps.points.earn({
        profileId: r.patientId.toHexString(),
        rule: 'reading',
        refKey: `reading:${r._id.toHexString()}`,
        at: r.createdAt,
      })
    await readings.markEffectsApplied(r._id, clock.now())
  }

  const applySafely = async (r: ReadingDoc): Promise<void> => {
    if (r.effectsAppliedAt) return
    try {
      await applyEffects(r)
    } catch (err) {
      deps.logger.error(
        { err, readingId: r._id.toHexString() },
        'reading alert failed; the repair job retries',
      )
    }
  }

  return {
    async submit(p, body) {
      const profile = await resolveMyProfile(deps.patients, p, body.patientId)
      const patientId = profile._id.toHexString()
      const earlier = await readings.findByRequest(patientId, body.requestId)
      if (earlier) {
        await applySafely(earlier)
        return { ...presentReading(earlier), duplicate: true }
      }
      const now = clock.now()
      const issues = checkReading(body, now)
      if (issues.length)
        throw new AppError(
          'READING_INVALID',
          `Invalid reading: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
          issues,
        )
      const measuredAt = new Date(body.measuredAt)
      const values = {
        kind: body.kind,
        systolic: body.systolic ?? null,
        diastolic: body.diastolic ?? null,
        value: body.value ?? null,
      }
      const enrolments = await deps.followup.activeEnrolments(patientId)
      const { findings, nurseId } = judgeReading(values, enrolments, deps.config.readings.defaults)
      const { reading, created } = await readings.insert({
        ...values,
        patientId: profile._id,
        accountId: new Types.ObjectId(p.accountId),
        requestId: body.requestId,
        context: body.kind === 'glucose' ? (body.context ?? 'random') : null,
        measuredAt,
        findings,
        nurseId,
        alert: findings.length > 0 && now.getTime() - measuredAt.getTime() <= ALERT_MAX_AGE_MS,
        createdAt: now,
      })
      await applySafely(reading)
      return { ...presentReading(reading), duplicate: !created }
    },

    async mine(p, q) {
      const profile = await resolveMyProfile(deps.patients, p, q.patientId)
      const rows = await readings.list(profile._id.toHexString(), range(q), LIST_LIMIT)
      return { readings: rows.map(presentReading) }
    },

    async forStaff(p, patientId, q, meta) {
      if (!(await deps.staffPatients.findInScope(accessOf(p).scope, patientId)))
        throw new AppError('PATIENT_NOT_FOUND', 'No such patient in your scope')
      const rows = await readings.list(patientId, range(q), LIST_LIMIT)
      await deps.audit.record({
        actor: staffActor(p),
        action: 'patient.read_readings',
        patientId,
        detail: { count: rows.length, ...(q.kind ? { kind: q.kind } : {}) },
        ...meta,
      })
      return {
        readings: rows.map((r) => {
          const { notice: _notice, ...rest } = presentReading(r)
          return { ...rest, findings: r.findings }
        }),
      }
    },

    applyEffects,

    async repairEffects() {
      let repaired = 0
      let failed = 0
      for (const r of await readings.pendingEffects(REPAIR_BATCH)) {
        try {
          await applyEffects(r)
          repaired++
        } catch (err) {
          failed++
          deps.logger.error({ err, readingId: r._id.toHexString() }, 'reading alert repair failed')
        }
      }
      return { repaired, failed }
    },
  }
}

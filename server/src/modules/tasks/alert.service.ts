import { Types, type Connection } from 'mongoose'
import type { Clock } from '../../clock'
import { communityModel, membershipModel } from '../communities/community.model'
import { enrolmentModel } from '../followup/followup.model'
import { patientModel } from '../patients/patient.model'
import type { PushPort } from '../push/push.port'
import type { StaffRepo } from '../staff/staff.repo'
import type { TaskDoc, TaskKind, TaskRepo } from './task.repo'

/**
 * Alerts to the responsible nurse (F17 red flags, F18 abnormal readings, F19 missed steps, F34): one
 * task (idempotent by `dedupeKey`) and one WeCom app message per recipient through the outbox, marked
 * urgent so neither quiet hours nor the patient's frequency cap delay it. The per-nurse WeCom limiter
 * still applies at dispatch (30/min, 1000/h are never exceeded).
 *
 * Responsible nurse: the caller's (e.g. the enrolment's), else the nurse of the patient's running
 * follow-up enrolment, else the patient's assigned nurse, else the
 * owner of a community the patient is currently in; with nobody responsible the task is unassigned
 * and the head nurses are messaged.
 */
export interface AlertInput {
  dedupeKey: string
  patientId: string
  nurseId?: string | null
  kind: Extract<TaskKind, 'red_flag' | 'abnormal_reading' | 'no_reading' | 'missed'>
  /** Short headline, e.g. 「红旗症状：伤口渗液」. */
  title: string
  detail: string
  source: { kind: string; id: string; groupId?: string }
  /** When the task is due; default now. */
  dueAt?: Date
}

export interface AlertService {
  /** Opens the task and enqueues the messages; a repeat with the same key changes nothing. */
  raise(input: AlertInput): Promise<{ task: TaskDoc; created: boolean; notified: string[] }>
  /** The responsible nurse of a patient (see above), or null. */
  responsibleNurse(patientId: string, preferred?: string | null): Promise<string | null>
}

const KIND_LABEL: Record<AlertInput['kind'], string> = {
  red_flag: '红旗预警',
  abnormal_reading: '指标异常',
  no_reading: '监测中断',
  missed: '随访漏访',
}

export const createAlertService = (deps: {
  db: Connection
  clock: Clock
  tasks: TaskRepo
  staff: StaffRepo
  push: PushPort
}): AlertService => {
  const { db, clock, tasks, staff, push } = deps
  const Patients = patientModel(db)

  const responsibleNurse = async (patientId: string, preferred?: string | null): Promise<string | null> => {
    if (preferred) {
      const s = await staff.findById(preferred)
      if (s?.active) return preferred
    }
    if (!Types.ObjectId.isValid(patientId)) return null
    // The nurse of the patient's running follow-up (newest first) is the one looking after them now.
    const enrolment = await enrolmentModel(db)
      .findOne(
        {
          patientId: new Types.ObjectId(patientId),
          status: { $in: ['active', 'paused'] },
          nurseId: { $ne: null },
        },
        { nurseId: 1 },
      )
      .sort({ enrolledAt: -1, _id: -1 })
      .lean<{ nurseId: Types.ObjectId }>()
    if (enrolment) {
      const s = await staff.findById(enrolment.nurseId.toHexString())
      if (s?.active) return s.id
    }
    const p = await Patients.findById(patientId, { assignedNurseId: 1 }).lean<{
      assignedNurseId: Types.ObjectId | null
    }>()
    if (p?.assignedNurseId) {
      const s = await staff.findById(p.assignedNurseId.toHexString())
      if (s?.active) return s.id
    }
    const memberOf = await membershipModel(db).distinct('communityId', {
      patientId: new Types.ObjectId(patientId),
      leftAt: null,
    })
    if (memberOf.length) {
      const c = await communityModel(db)
        .findOne({ _id: { $in: memberOf }, status: 'active' }, { ownerNurseId: 1 })
        .sort({ _id: 1 })
        .lean<{ ownerNurseId: Types.ObjectId }>()
      if (c) {
        const s = await staff.findById(c.ownerNurseId.toHexString())
        if (s?.active) return s.id
      }
    }
    return null
  }

  return {
    responsibleNurse,
    async raise(input) {
      const now = clock.now()
      const nurseId = await responsibleNurse(input.patientId, input.nurseId)
      const urgent = input.kind === 'red_flag' || input.kind === 'abnormal_reading'
      const { task, created } = await tasks.openOnce({
        dedupeKey: input.dedupeKey,
        patientId: input.patientId,
        nurseId,
        kind: input.kind,
        priority: urgent ? 'urgent' : 'normal',
        title: input.title,
        detail: input.detail,
        dueAt: input.dueAt ?? now,
        source: input.source,
      })
      // The stored task decides who is told, so a repeat (or a retry after a crash between the two
      // writes) messages the same people under the same keys: the outbox ignores what it already has.
      const recipients = task.nurseId
        ? [task.nurseId.toHexString()]
        : (await staff.list()).filter((s) => s.role === 'head_nurse' && s.active).map((s) => s.id)
      const p = await Patients.findById(task.patientId, { name: 1 }).lean<{ name: string | null }>()
      const who = p?.name ?? '患者'
      await push.enqueue(
        recipients.map((staffId) => ({
          dedupeKey: `alert:${input.dedupeKey}:${staffId}`,
          purpose: 'staff' as const,
          dueAt: now,
          staffId,
          channels: ['wecom-app' as const],
          urgent: true,
          content: {
            title: `【${KIND_LABEL[input.kind]}】${who}`,
            body: `【${KIND_LABEL[input.kind]}】${who}：${input.title}\n${input.detail}\n回复「今日随访」查看，「完成 ${task._id.toHexString().slice(-6)}」标记已处理。`,
          },
          source: { kind: 'alert', id: task._id.toHexString(), groupId: input.source.groupId },
        })),
      )
      push.kick()
      return { task, created, notified: recipients }
    },
  }
}

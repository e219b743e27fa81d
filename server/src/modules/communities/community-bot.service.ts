import {
  AppError,
  type BotPatient,
  type ServiceNurseCommunitiesResponse,
  type ServicePatientTagRequest,
  type ServicePatientTagResponse,
  type ServicePendingSendsResponse,
} from '@careloop/shared'
import type { StaffPrincipal } from '../../http/context'
import type { PiiCrypto } from '../../privacy/pii-crypto'
import type { AuditLog } from '../audit/audit.repo'
import { createPatientLookup } from '../patients/patient-lookup'
import type { PatientStaffRepo, StaffPatientRecord } from '../patients/patient-staff.repo'
import { accessOf } from '../staff/staff-patients.service'
import type { StaffRepo } from '../staff/staff.repo'
import { staffActor, type RequestMeta } from '../staff/staff.service'
import type { TagRepo } from '../tags/tag.repo'
import type { TagService } from '../tags/tag.service'
import type { CommunityService } from './community.service'
import type { GroupSopService } from './group-sop.service'

/**
 * What the WeCom bot asks on behalf of a nurse it knows by WeCom userid (service routes): her
 * communities' statistics (群), her mass sends awaiting confirmation (待发), and tagging a patient
 * (标签). The nurse's role and patient scope apply exactly as in the console: the bot acts as her
 * (tagging goes through TagService, so its checks, audit and WeCom sync apply).
 */
export interface CommunityBotService {
  nurseCommunities(userid: string): Promise<ServiceNurseCommunitiesResponse>
  nursePendingSends(userid: string): Promise<ServicePendingSendsResponse>
  patientTag(
    userid: string,
    body: ServicePatientTagRequest,
    meta: RequestMeta,
  ): Promise<ServicePatientTagResponse>
}

const TAGGERS = new Set(['nurse', 'head_nurse', 'admin'])
const MAX_CANDIDATES = 10

export const createCommunityBotService = (deps: {
  staff: StaffRepo
  communities: Pick<CommunityService, 'listFor'>
  sop: Pick<GroupSopService, 'pending'>
  tags: TagRepo
  tagging: Pick<TagService, 'assign' | 'unassign'>
  patients: PatientStaffRepo
  pii: PiiCrypto
  phoneAad: (accountId: string) => string
  audit: AuditLog
}): CommunityBotService => {
  const nurseOf = async (userid: string): Promise<{ p: StaffPrincipal; name: string }> => {
    const s = await deps.staff.findByWecomUserId(userid)
    if (!s || !s.active)
      throw new AppError('STAFF_NOT_FOUND', `No active staff member with WeCom userid ${userid}`)
    return { p: { kind: 'staff', staffId: s.id, role: s.role }, name: s.name }
  }

  const lookup = createPatientLookup({ patients: deps.patients, pii: deps.pii, phoneAad: deps.phoneAad })
  const present = (r: StaffPatientRecord): BotPatient => lookup.present(r)
  /** Patients in the nurse's scope matching a name, a phone tail, a mobile number or a hospital id. */
  const find = (p: StaffPrincipal, q: string) => lookup.find(accessOf(p).scope, q)

  return {
    async nurseCommunities(userid) {
      const { p, name } = await nurseOf(userid)
      return {
        nurse: { id: p.staffId, name, role: p.role },
        communities: await deps.communities.listFor(p),
      }
    },

    async nursePendingSends(userid) {
      const { p, name } = await nurseOf(userid)
      // the bot's 待发 is always the nurse's own tasks, whatever her role
      const { sends } = await deps.sop.pending({ ...p, role: 'nurse' }, undefined)
      return { nurse: { id: p.staffId, name, role: p.role }, sends }
    },

    async patientTag(userid, body, meta) {
      const { p, name } = await nurseOf(userid)
      if (!TAGGERS.has(p.role)) throw new AppError('FORBIDDEN', `Role ${p.role} may not tag patients`)
      const tag = (await deps.tags.tags()).find((t) => t.name === body.tag)
      if (!tag) throw new AppError('TAG_NOT_FOUND', `No tag named ${body.tag}`)
      const { kind, rows } = await find(p, body.patient)
      await deps.audit.record({
        actor: staffActor(p),
        action: 'patient.list',
        detail: {
          via: 'wecom-bot',
          // a phone or its tail is PII: keep only which kind of look-up it was
          query: kind === 'text' ? { kind, text: body.patient } : { kind },
          count: rows.length,
          patientIds: rows.slice(0, MAX_CANDIDATES).map((r) => r.id),
        },
        ...meta,
      })
      if (rows.length === 0)
        throw new AppError('PATIENT_NOT_FOUND', `No patient matching ${body.patient} in your scope`)
      if (rows.length > 1)
        return {
          outcome: 'ambiguous',
          candidates: rows.slice(0, MAX_CANDIDATES).map(present),
          total: rows.length,
        }
      const patient = rows[0]!
      const tagId = tag._id.toHexString()
      const had = (await deps.tags.patientTags(patient.id)).some((t) => t.tagId === tagId)
      const reason = body.reason ?? `企业微信机器人：${name}`
      if (body.action === 'tag') await deps.tagging.assign(p, patient.id, { tagId, reason }, meta)
      else await deps.tagging.unassign(p, patient.id, tagId, reason, meta)
      return {
        outcome: 'done',
        action: body.action,
        changed: body.action === 'tag' ? !had : had,
        patient: present(patient),
        tag: { id: tagId, name: tag.name },
      }
    },
  }
}

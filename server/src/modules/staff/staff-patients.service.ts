import {
  AppError,
  CONSENT_PURPOSES,
  IdNumber,
  type ConsentPurpose,
  type PatientListQuery,
  type PatientListResponse,
  type StaffPatientDetail,
  type StaffPatientRow,
} from '@careloop/shared'
import type { StaffPrincipal } from '../../http/context'
import { maskName, maskPhone, type PiiCrypto } from '../../privacy/pii-crypto'
import type { AuditLog } from '../audit/audit.repo'
import type {
  PatientScope,
  PatientSearch,
  PatientStaffRepo,
  StaffPatientRecord,
} from '../patients/patient-staff.repo'
import type { StaffRepo } from './staff.repo'
import { staffActor, type RequestMeta } from './staff.service'

/**
 * Patients as staff see them. What a staff member may see is derived from her role, once, into a
 * `StaffAccess` (which patients, and how masked); the repo cannot be queried without its scope.
 */

/** `clinical`: full name, masked phone, hospital id. `masked`: masked name and phone, no hospital id. */
export type PatientView = 'clinical' | 'masked'

export interface StaffAccess {
  scope: PatientScope
  view: PatientView
}

export const accessOf = (p: StaffPrincipal): StaffAccess => {
  switch (p.role) {
    case 'nurse':
      // A nurse's patients: those assigned to her and the members of the communities she owns.
      return { scope: { kind: 'assigned', nurseId: p.staffId }, view: 'clinical' }
    case 'head_nurse':
    case 'admin':
      return { scope: { kind: 'all' }, view: 'clinical' }
    case 'marketer':
      return { scope: { kind: 'all' }, view: 'masked' }
  }
}

const MAINLAND_MOBILE = /^1\d{10}$/

export interface StaffPatientsService {
  list(p: StaffPrincipal, q: PatientListQuery, meta: RequestMeta): Promise<PatientListResponse>
  get(p: StaffPrincipal, id: string, meta: RequestMeta): Promise<StaffPatientDetail>
  assignNurse(
    p: StaffPrincipal,
    id: string,
    nurseId: string | null,
    meta: RequestMeta,
  ): Promise<StaffPatientDetail>
}

const PURPOSE_LABEL: Record<ConsentPurpose, string> = {
  care: '诊疗与随访',
  marketing: '营销消息',
  research: '医学研究',
}

const formatInZone = (d: Date, timeZone: string): string =>
  new Intl.DateTimeFormat('zh-CN', {
    timeZone,
    dateStyle: 'short',
    timeStyle: 'short',
    hour12: false,
  }).format(d)

export const createStaffPatientsService = (deps: {
  patients: PatientStaffRepo
  staff: StaffRepo
  audit: AuditLog
  pii: PiiCrypto
  /** The AAD binding a phone ciphertext to its account (the patient side's convention). */
  phoneAad: (accountId: string) => string
  /** The hospital's zone, for times shown to staff. */
  timezone?: string
}): StaffPatientsService => {
  const { patients, audit, pii } = deps

  const maskedPhone = (r: StaffPatientRecord): string | null => {
    if (!r.phone) return null
    try {
      return maskPhone(pii.decrypt(r.phone, deps.phoneAad(r.accountId)))
    } catch {
      // A ciphertext under a retired key or bound to another account shows as "no phone", never as an error page.
      return null
    }
  }

  const present = (r: StaffPatientRecord, view: PatientView): StaffPatientRow => ({
    id: r.id,
    name: r.name === null ? null : view === 'masked' ? maskName(r.name) : r.name,
    gender: r.gender,
    birthYear: r.birthYear,
    phone: maskedPhone(r),
    hospitalPatientId: view === 'masked' ? null : r.hospitalPatientId,
    idNumber: view === 'masked' ? null : r.idNumberMasked,
    relation: r.relation,
    assignedNurseId: r.assignedNurseId,
    createdAt: r.createdAt.toISOString(),
  })

  const detail = (r: StaffPatientRecord, view: PatientView): StaffPatientDetail => {
    const timezone = deps.timezone ?? 'Asia/Shanghai'
    const consents = Object.fromEntries(CONSENT_PURPOSES.map((k) => [k, r.consents[k]?.granted === true]))
    // Only what we really hold today; later features (tags, plans, answers, points…) add sections.
    const items = CONSENT_PURPOSES.map((k) => {
      const c = r.consents[k]
      if (!c) return `${PURPOSE_LABEL[k]}：未表态`
      const at = formatInZone(c.at instanceof Date ? c.at : new Date(String(c.at)), timezone)
      return `${PURPOSE_LABEL[k]}：${c.granted ? '已同意' : '已撤回'}（政策版本 ${c.policyVersion}，${at}，${c.by === 'proxy' ? '家属代办' : '本人'}）`
    })
    return { patient: present(r, view), consents, sections: [{ key: 'consent', title: '知情同意', items }] }
  }

  const searchOf = (q: string | undefined): PatientSearch => {
    const text = q?.trim() ?? ''
    if (!text) return { kind: 'none' }
    if (MAINLAND_MOBILE.test(text))
      return { kind: 'phone', phoneIndex: pii.blindIndex('phone', text), raw: text }
    const id = IdNumber.safeParse(text)
    if (id.success) return { kind: 'idNumber', idNumberIndex: pii.blindIndex('id', id.data) }
    return { kind: 'text', text }
  }

  return {
    async list(p, q, meta) {
      const access = accessOf(p)
      const search = searchOf(q.q)
      const { total, rows } = await patients.list(access.scope, search, {
        skip: (q.page - 1) * q.pageSize,
        limit: q.pageSize,
      })
      await audit.record({
        actor: staffActor(p),
        action: 'patient.list',
        detail: {
          // A phone is PII: the audit keeps only that one was searched for.
          query: search.kind === 'text' ? { kind: 'text', text: search.text } : { kind: search.kind },
          page: q.page,
          pageSize: q.pageSize,
          total,
          count: rows.length,
          patientIds: rows.map((r) => r.id),
        },
        ip: meta.ip,
        requestId: meta.requestId,
      })
      return {
        total,
        page: q.page,
        pageSize: q.pageSize,
        patients: rows.map((r) => present(r, access.view)),
      }
    },

    async get(p, id, meta) {
      const access = accessOf(p)
      const r = await patients.findInScope(access.scope, id)
      // Out of scope and unknown look the same: existence does not leak.
      if (!r) throw new AppError('PATIENT_NOT_FOUND', 'Patient not found')
      await audit.record({
        actor: staffActor(p),
        action: 'patient.read',
        patientId: r.id,
        detail: { view: access.view },
        ip: meta.ip,
        requestId: meta.requestId,
      })
      return detail(r, access.view)
    },

    async assignNurse(p, id, nurseId, meta) {
      const access = accessOf(p)
      const before = await patients.findInScope(access.scope, id)
      if (!before) throw new AppError('PATIENT_NOT_FOUND', 'Patient not found')
      if (nurseId !== null) {
        const nurse = await deps.staff.findById(nurseId)
        if (!nurse || !nurse.active || (nurse.role !== 'nurse' && nurse.role !== 'head_nurse'))
          throw new AppError('STAFF_NOT_FOUND', 'No active nurse or head nurse with this id')
      }
      const after = await patients.assignNurse(access.scope, id, nurseId)
      if (!after) throw new AppError('PATIENT_NOT_FOUND', 'Patient not found')
      await audit.record({
        actor: staffActor(p),
        action: 'patient.assign',
        patientId: after.id,
        detail: { from: before.assignedNurseId, to: after.assignedNurseId },
        ip: meta.ip,
        requestId: meta.requestId,
      })
      return detail(after, access.view)
    },
  }
}

import type { BotPatient } from '@careloop/shared'
import { maskPhone, type PiiCrypto } from '../../privacy/pii-crypto'
import type { PatientScope, PatientStaffRepo, StaffPatientRecord } from './patient-staff.repo'

/**
 * Finding a patient from what a nurse types in the WeCom bot (标签, 入组): a name (prefix), a 4-digit
 * phone tail, a full mobile number or a hospital patient id, always within her scope. Phones are
 * encrypted: a tail look-up decrypts the scope's phones (bounded) and compares the last 4 digits.
 */
export interface PatientLookup {
  find(
    scope: PatientScope,
    q: string,
  ): Promise<{ kind: 'phone' | 'phoneTail' | 'text'; rows: StaffPatientRecord[] }>
  /** The bot's view of a patient: name, gender, birth year and masked phone. */
  present(r: StaffPatientRecord): BotPatient
}

const MAINLAND_MOBILE = /^1\d{10}$/
const PHONE_TAIL = /^\d{4}$/
/** How many patients of a scope a phone-tail look-up decrypts at most. */
const TAIL_SCAN_LIMIT = 5000

export const createPatientLookup = (deps: {
  patients: PatientStaffRepo
  pii: PiiCrypto
  phoneAad: (accountId: string) => string
}): PatientLookup => {
  const phoneOf = (r: StaffPatientRecord): string | null => {
    if (!r.phone) return null
    try {
      return deps.pii.decrypt(r.phone, deps.phoneAad(r.accountId))
    } catch {
      return null
    }
  }
  return {
    present(r) {
      const phone = phoneOf(r)
      return {
        id: r.id,
        name: r.name,
        phone: phone ? maskPhone(phone) : null,
        gender: r.gender,
        birthYear: r.birthYear,
      }
    },
    async find(scope, q) {
      if (MAINLAND_MOBILE.test(q)) {
        const { rows } = await deps.patients.list(
          scope,
          { kind: 'phone', phoneIndex: deps.pii.blindIndex('phone', q), raw: q },
          { skip: 0, limit: 50 },
        )
        return { kind: 'phone', rows }
      }
      if (PHONE_TAIL.test(q)) {
        const rows: StaffPatientRecord[] = []
        for (let skip = 0; skip < TAIL_SCAN_LIMIT; skip += 500) {
          const page = await deps.patients.list(scope, { kind: 'none' }, { skip, limit: 500 })
          for (const r of page.rows) if (phoneOf(r)?.endsWith(q) || r.hospitalPatientId === q) rows.push(r)
          if (page.rows.length < 500) break
        }
        return { kind: 'phoneTail', rows }
      }
      const { rows } = await deps.patients.list(scope, { kind: 'text', text: q }, { skip: 0, limit: 50 })
      const exact = rows.filter((r) => r.name === q || r.hospitalPatientId === q)
      return { kind: 'text', rows: exact.length === 1 ? exact : rows }
    },
  }
}

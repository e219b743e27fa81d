import Taro from '@tarojs/taro'
import type { Patient, UpdateMeRequest } from '@careloop/shared'

import { api } from '../api/endpoints'
import { ApiError } from '../api/http'
import { PAGES } from '../routes'
import type { Gender } from '../utils/labels'

/** The fields a profile form can show an error next to. */
export type ProfileField =
  | 'name'
  | 'gender'
  | 'birthYear'
  | 'hospitalPatientId'
  | 'idNumber'
  | 'relation'
  | 'proxyConsent'
export type FieldErrors = Partial<Record<ProfileField, string>>

/** What the patient typed; converted to the API body by `validateProfile`. */
export interface ProfileForm {
  name: string
  gender: Gender | null
  birthYear: string
  hospitalPatientId: string
  /**
   * A new ID number the patient typed ('' when none). The server only ever shows the stored one
   * masked, so it is never prefilled and, left empty, the PUT omits it (unchanged).
   */
  idNumber: string
  /** The patient asked to remove the stored ID number (sent as null). */
  removeIdNumber: boolean
}

/** The field a form entry shows its error at (removing the ID number is part of the ID number field). */
export const fieldOf = (key: keyof ProfileForm): ProfileField => (key === 'removeIdNumber' ? 'idNumber' : key)

export const emptyProfileForm = (): ProfileForm => ({
  name: '',
  gender: null,
  birthYear: '',
  hospitalPatientId: '',
  idNumber: '',
  removeIdNumber: false,
})

export const formOf = (p: Patient): ProfileForm => ({
  name: p.name ?? '',
  gender: p.gender,
  birthYear: p.birthYear === null ? '' : String(p.birthYear),
  hospitalPatientId: p.hospitalPatientId ?? '',
  idNumber: '',
  removeIdNumber: false,
})

/** A patient name as the server accepts it (1..20 characters, no control characters), or the reason not. */
export function checkName(raw: string): { ok: true; name: string } | { ok: false; message: string } {
  const name = raw.trim()
  if (name === '') return { ok: false, message: '请输入姓名' }
  if ([...name].length > 20) return { ok: false, message: '姓名最多 20 个字' }
  if (/\p{Cc}/u.test(name)) return { ok: false, message: '姓名不能包含特殊字符' }
  return { ok: true, name }
}

const FIELD_MESSAGES: Record<ProfileField, string> = {
  name: '请输入 1–20 个字的姓名',
  gender: '请选择性别',
  birthYear: `出生年份应为 1900–${new Date().getFullYear()} 之间的四位数字`,
  hospitalPatientId: '住院号只能包含字母、数字、下划线和短横线，最多 32 位',
  idNumber: '身份证号格式不正确',
  relation: '请选择与您的关系',
  proxyConsent: '请确认已获得该家庭成员的同意',
}

/** GB 11643 check character of the first 17 digits of a resident ID number (as shared/ checks it). */
const idCheckChar = (first17: string): string => {
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
  const sum = [...first17].reduce((acc, d, i) => acc + Number(d) * (weights[i] ?? 0), 0)
  return '10X98765432'.charAt(sum % 11)
}

/** A resident ID number as the server accepts it (18 characters, checksum verified, X uppercased), or why not. */
export function checkIdNumber(raw: string): { ok: true; idNumber: string } | { ok: false; message: string } {
  const v = raw.trim().toUpperCase()
  if (!/^\d{17}[\dX]$/.test(v)) return { ok: false, message: '请输入 18 位身份证号（末位可为 X）' }
  if (idCheckChar(v.slice(0, 17)) !== v.charAt(17)) return { ok: false, message: FIELD_MESSAGES.idNumber }
  return { ok: true, idNumber: v }
}

/**
 * Checks the form with the server's rules (shared/src/api/auth.ts) and builds the PUT body. PUT
 * replaces: empty optional fields are sent as null, which clears them — except idNumber, which is
 * sent only when the patient typed a new one (or null to remove it) and otherwise omitted (unchanged).
 */
export function validateProfile(
  form: ProfileForm,
  now = new Date(),
): { ok: true; body: UpdateMeRequest } | { ok: false; errors: FieldErrors } {
  const errors: FieldErrors = {}
  const name = checkName(form.name)
  if (!name.ok) errors.name = name.message

  let birthYear: number | null = null
  const year = form.birthYear.trim()
  if (year !== '') {
    const n = /^\d{4}$/.test(year) ? Number(year) : NaN
    if (Number.isNaN(n)) errors.birthYear = '请输入四位数字的出生年份，如 1956'
    else if (n < 1900) errors.birthYear = '出生年份不能早于 1900 年'
    else if (n > now.getFullYear()) errors.birthYear = '出生年份不能晚于今年'
    else birthYear = n
  }

  const hid = form.hospitalPatientId.trim()
  if (hid !== '' && !/^[A-Za-z0-9_-]{1,32}$/.test(hid))
    errors.hospitalPatientId = FIELD_MESSAGES.hospitalPatientId

  let idNumber: string | null | undefined = form.removeIdNumber ? null : undefined
  if (form.idNumber.trim() !== '') {
    const id = checkIdNumber(form.idNumber)
    if (id.ok) idNumber = id.idNumber
    else errors.idNumber = id.message
  }

  if (!name.ok || Object.keys(errors).length > 0) return { ok: false, errors }
  const body: UpdateMeRequest = {
    name: name.name,
    gender: form.gender,
    birthYear,
    hospitalPatientId: hid === '' ? null : hid,
  }
  if (idNumber !== undefined) body.idNumber = idNumber
  return { ok: true, body }
}

const isField = (s: string): s is ProfileField => s in FIELD_MESSAGES

/**
 * The field errors of a 400 VALIDATION_FAILED (`details: [{ path, message }]`), in Chinese, or null
 * when the error is not one. Paths the form does not show are left to the general message.
 */
export function fieldErrorsOf(e: unknown): FieldErrors | null {
  if (!(e instanceof ApiError) || e.code !== 'VALIDATION_FAILED' || !Array.isArray(e.details)) return null
  const errors: FieldErrors = {}
  for (const d of e.details as unknown[]) {
    const path = typeof d === 'object' && d !== null ? (d as { path?: unknown }).path : undefined
    const field = typeof path === 'string' ? path.split('.')[0] : undefined
    if (field && isField(field)) errors[field] = FIELD_MESSAGES[field]
  }
  return Object.keys(errors).length > 0 ? errors : null
}

/**
 * Makes `profileId` the active profile (patient-scoped calls then act on it) and starts over at 首页,
 * which shows it, or sends to the consent page if it has not consented yet.
 */
export async function switchProfile(profileId: string): Promise<void> {
  await api.activateProfile(profileId)
  await Taro.reLaunch({ url: PAGES.home })
}

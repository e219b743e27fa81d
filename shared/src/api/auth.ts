import { z } from '../zod'
import { defineRoute } from './route'

export const ObjectIdString = z.string().regex(/^[0-9a-f]{24}$/, 'must be a 24-hex id')
/** @deprecated use ObjectIdString */
export const PatientId = ObjectIdString

export const GENDERS = ['male', 'female'] as const
export const RELATIONS = ['self', 'parent', 'spouse', 'child', 'sibling', 'other'] as const
export const Relation = z.enum(RELATIONS)
export type Relation = z.infer<typeof Relation>

/** GB 11643 check character of an 18-character resident ID number. */
const idCheckChar = (first17: string): string => {
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
  const sum = [...first17].reduce((acc, d, i) => acc + Number(d) * weights[i]!, 0)
  return '10X98765432'[sum % 11]!
}

/** A mainland resident ID number (居民身份证号): 17 digits and a check character, checksum verified. */
export const IdNumber = z
  .string()
  .trim()
  .transform((v) => v.toUpperCase())
  .refine((v) => /^\d{17}[\dX]$/.test(v) && idCheckChar(v.slice(0, 17)) === v[17], {
    message: 'idNumber must be a valid 18-character resident ID number',
  })

/** A masked ID number for display, e.g. 1101**********1234. */
export const MaskedIdNumber = z.string().regex(/^\d{4}\*{10}[\dX]{4}$/)

/** A masked phone for display, e.g. 138****5678. The full number never leaves the server. */
export const MaskedPhone = z.string().regex(/^\+?\d{0,4}\d{3}\*{4}\d{4}$/)

/**
 * A patient profile. One WeChat account manages its own profile (`relation: self`) and up to five
 * family members' profiles (F2); every patient-scoped call acts on one profile.
 */
export const Patient = z
  .object({
    id: ObjectIdString,
    name: z.string().nullable(),
    gender: z.enum(GENDERS).nullable(),
    birthYear: z.number().int().nullable(),
    hospitalPatientId: z.string().nullable(),
    /** Masked; the full number is stored encrypted and appears only in the patient's own export. */
    idNumber: MaskedIdNumber.nullable(),
    relation: Relation,
    createdAt: z.string().datetime(),
  })
  .openapi('Patient')
export type Patient = z.infer<typeof Patient>

/** The WeChat user behind the session. */
export const Account = z
  .object({
    id: ObjectIdString,
    phone: MaskedPhone.nullable(),
    activeProfileId: ObjectIdString,
  })
  .openapi('Account')
export type Account = z.infer<typeof Account>

export const WechatLoginRequest = z
  .object({
    code: z
      .string({ required_error: 'code is required' })
      .trim()
      .min(1, 'code must not be empty')
      .max(128, 'code is too long'),
  })
  .strict()
  .openapi('WechatLoginRequest')
export type WechatLoginRequest = z.infer<typeof WechatLoginRequest>

export const TokenPair = z.object({
  accessToken: z.string(),
  refreshToken: z.string(),
  /** Seconds until the access token expires. */
  expiresIn: z.number().int().positive(),
})

export const LoginResponse = TokenPair.extend({
  account: Account,
  /** The active profile. */
  patient: Patient,
  /** Whether the active profile has given care consent to the current policy version. */
  careConsent: z.boolean(),
}).openapi('LoginResponse')
export type LoginResponse = z.infer<typeof LoginResponse>

export const RefreshRequest = z
  .object({ refreshToken: z.string({ required_error: 'refreshToken is required' }).min(20).max(200) })
  .strict()
  .openapi('RefreshRequest')
export type RefreshRequest = z.infer<typeof RefreshRequest>

export const RefreshResponse = TokenPair.openapi('RefreshResponse')
export type RefreshResponse = z.infer<typeof RefreshResponse>

export const PatientName = z
  .string({ required_error: 'name is required' })
  .trim()
  .min(1, 'name must not be empty')
  .max(20, 'name must be at most 20 characters')
  .regex(/^[^\p{Cc}]*$/u, 'name must not contain control characters')

const thisYear = new Date().getUTCFullYear()
export const BirthYear = z
  .number({ invalid_type_error: 'birthYear must be a number' })
  .int('birthYear must be a whole year')
  .min(1900, 'birthYear must be 1900 or later')
  .max(thisYear, 'birthYear must not be in the future')
export const HospitalPatientId = z
  .string()
  .trim()
  .min(1)
  .max(32, 'hospitalPatientId must be at most 32 characters')
  .regex(/^[A-Za-z0-9_-]+$/, 'hospitalPatientId may contain letters, digits, _ and - only')

/** The editable fields of a profile. Omitted optional fields are cleared (PUT replaces), except idNumber. */
export const ProfileFields = z
  .object({
    name: PatientName,
    gender: z.enum(GENDERS).nullable().optional(),
    birthYear: BirthYear.nullable().optional(),
    hospitalPatientId: HospitalPatientId.nullable().optional(),
    /**
     * Omitted: unchanged (clients only ever see it masked, so they cannot send it back); null: removed;
     * a value: replaced.
     */
    idNumber: IdNumber.nullable().optional(),
  })
  .strict()

export const UpdateMeRequest = ProfileFields.openapi('UpdateMeRequest')
export type UpdateMeRequest = z.infer<typeof UpdateMeRequest>

export const MeResponse = z
  .object({ account: Account, patient: Patient, profiles: z.array(Patient), careConsent: z.boolean() })
  .openapi('MeResponse')
export type MeResponse = z.infer<typeof MeResponse>

export const BindPhoneRequest = z
  .object({ code: z.string({ required_error: 'code is required' }).trim().min(1).max(128) })
  .strict()
  .openapi('BindPhoneRequest')
export type BindPhoneRequest = z.infer<typeof BindPhoneRequest>

export const authRoutes = {
  wechatLogin: defineRoute({
    id: 'wechatLogin',
    method: 'post',
    path: '/api/v1/auth/wechat/login',
    summary:
      'Log in with a wx.login code (code2Session); first login creates the account and its own profile',
    tag: 'auth',
    auth: 'public',
    body: WechatLoginRequest,
    response: LoginResponse,
    errors: [
      'VALIDATION_FAILED',
      'AUTH_CODE_INVALID',
      'AUTH_CODE_USED',
      'AUTH_RATE_LIMITED',
      'UPSTREAM_BUSY',
    ],
  }),
  refresh: defineRoute({
    id: 'refresh',
    method: 'post',
    path: '/api/v1/auth/refresh',
    summary:
      'Rotate a refresh token: the old one stops working; presenting a used one revokes its whole family',
    tag: 'auth',
    auth: 'public',
    body: RefreshRequest,
    response: RefreshResponse,
    errors: ['VALIDATION_FAILED', 'AUTH_REFRESH_INVALID', 'AUTH_REFRESH_REUSED'],
  }),
  logout: defineRoute({
    id: 'logout',
    method: 'post',
    path: '/api/v1/auth/logout',
    summary: 'Revoke a refresh token and its family (idempotent)',
    tag: 'auth',
    auth: 'public',
    body: RefreshRequest,
    response: z.null(),
    status: 204,
    errors: ['VALIDATION_FAILED'],
  }),
  getMe: defineRoute({
    id: 'getMe',
    method: 'get',
    path: '/api/v1/me',
    summary: 'The account, its active profile and all profiles it manages',
    tag: 'patient',
    auth: 'patient',
    beforeConsent: true,
    response: MeResponse,
    errors: ['AUTH_REQUIRED', 'AUTH_TOKEN_INVALID', 'AUTH_TOKEN_EXPIRED'],
  }),
  updateMe: defineRoute({
    id: 'updateMe',
    method: 'put',
    path: '/api/v1/me',
    summary: "Replace the active profile's editable fields",
    tag: 'patient',
    auth: 'patient',
    beforeConsent: true,
    body: UpdateMeRequest,
    response: MeResponse,
    errors: ['VALIDATION_FAILED', 'AUTH_REQUIRED', 'AUTH_TOKEN_INVALID'],
  }),
  bindPhone: defineRoute({
    id: 'bindPhone',
    method: 'post',
    path: '/api/v1/me/phone',
    summary: "Bind the account's phone from a getPhoneNumber code (stored encrypted)",
    tag: 'patient',
    auth: 'patient',
    body: BindPhoneRequest,
    response: MeResponse,
    errors: ['VALIDATION_FAILED', 'PHONE_CODE_INVALID', 'CONSENT_REQUIRED', 'UPSTREAM_BUSY'],
  }),
}

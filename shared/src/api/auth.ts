import { z } from '../zod'
import { defineRoute } from './route'

export const PatientId = z.string().regex(/^[0-9a-f]{24}$/, 'must be a 24-hex id')

export const Patient = z
  .object({
    id: PatientId,
    name: z.string().nullable(),
    createdAt: z.string().datetime(),
  })
  .openapi('Patient')
export type Patient = z.infer<typeof Patient>

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

export const LoginResponse = z
  .object({
    accessToken: z.string(),
    refreshToken: z.string(),
    /** Seconds until the access token expires. */
    expiresIn: z.number().int().positive(),
    patient: Patient,
  })
  .openapi('LoginResponse')
export type LoginResponse = z.infer<typeof LoginResponse>

export const PatientName = z
  .string()
  .trim()
  .min(1, 'name must not be empty')
  .max(20, 'name must be at most 20 characters')
  .regex(/^[^\p{Cc}]*$/u, 'name must not contain control characters')

export const UpdateMeRequest = z.object({ name: PatientName }).strict().openapi('UpdateMeRequest')
export type UpdateMeRequest = z.infer<typeof UpdateMeRequest>

export const MeResponse = z.object({ patient: Patient }).openapi('MeResponse')
export type MeResponse = z.infer<typeof MeResponse>

export const authRoutes = {
  wechatLogin: defineRoute({
    id: 'wechatLogin',
    method: 'post',
    path: '/api/v1/auth/wechat/login',
    summary: 'Log a patient in with a wx.login code (code2Session), creating the patient on first login',
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
  getMe: defineRoute({
    id: 'getMe',
    method: 'get',
    path: '/api/v1/me',
    summary: "The logged-in patient's profile",
    tag: 'patient',
    auth: 'patient',
    response: MeResponse,
    errors: ['AUTH_REQUIRED', 'AUTH_TOKEN_INVALID', 'AUTH_TOKEN_EXPIRED'],
  }),
  updateMe: defineRoute({
    id: 'updateMe',
    method: 'put',
    path: '/api/v1/me',
    summary: "Update the logged-in patient's name",
    tag: 'patient',
    auth: 'patient',
    body: UpdateMeRequest,
    response: MeResponse,
    errors: ['VALIDATION_FAILED', 'AUTH_REQUIRED', 'AUTH_TOKEN_INVALID'],
  }),
}

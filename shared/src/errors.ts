import { z } from './zod'

/**
 * Stable error codes and their HTTP statuses. Codes are part of the public contract: clients
 * branch on them, so never rename one; add new ones instead.
 */
export const ERROR_STATUS = {
  // generic
  VALIDATION_FAILED: 400,
  MALFORMED_JSON: 400,
  UNSUPPORTED_MEDIA_TYPE: 415,
  PAYLOAD_TOO_LARGE: 413,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  NOT_READY: 503,
  // auth
  AUTH_REQUIRED: 401,
  AUTH_TOKEN_INVALID: 401,
  AUTH_TOKEN_EXPIRED: 401,
  AUTH_CODE_INVALID: 400,
  AUTH_CODE_USED: 400,
  AUTH_RATE_LIMITED: 429,
  FORBIDDEN: 403,
  AUTH_REFRESH_INVALID: 401,
  AUTH_REFRESH_REUSED: 401,
  // patients, profiles, consent
  CONSENT_REQUIRED: 403,
  POLICY_VERSION_STALE: 409,
  PHONE_CODE_INVALID: 400,
  FAMILY_LIMIT_REACHED: 409,
  PROFILE_NOT_FOUND: 404,
  PROFILE_IS_SELF: 400,
  PATIENT_NOT_FOUND: 404,
  // staff
  STAFF_CREDENTIALS_INVALID: 401,
  STAFF_LOCKED: 423,
  STAFF_USERNAME_TAKEN: 409,
  STAFF_NOT_FOUND: 404,
  // tags and segments
  TAG_NAME_TAKEN: 409,
  TAG_NOT_FOUND: 404,
  TAG_GROUP_NOT_FOUND: 404,
  SEGMENT_INVALID: 400,
  SEGMENT_NAME_TAKEN: 409,
  // auto-tag rules, clinical events, CSV tag import
  TAG_RULE_NOT_FOUND: 404,
  TAG_RULE_NAME_TAKEN: 409,
  TAG_IMPORT_INVALID: 400,
  PATIENT_EVENT_CONFLICT: 409,
  // communities and group sends (F10–F13)
  WECOM_NOT_CONFIGURED: 503,
  COMMUNITY_NOT_FOUND: 404,
  COMMUNITY_FULL: 409,
  COMMUNITY_NOT_ACTIVE: 409,
  COMMUNITY_CHAT_TAKEN: 409,
  COMMUNITY_CHAT_INVALID: 400,
  COMMUNITY_OWNER_INVALID: 400,
  GROUP_SEND_CAP_REACHED: 409,
  GROUP_SOP_NOT_FOUND: 404,
  GROUP_SOP_NOT_CANCELLABLE: 409,
  // questionnaires and readings (F17, F18)
  QUESTIONNAIRE_NOT_FOUND: 404,
  QUESTIONNAIRE_INVALID: 400,
  QUESTIONNAIRE_ARCHIVED: 409,
  QUESTIONNAIRE_ANSWER_INVALID: 400,
  QUESTIONNAIRE_ALREADY_ANSWERED: 409,
  QUESTIONNAIRE_STEP_NOT_FOUND: 404,
  READING_INVALID: 400,
  // follow-up plans, enrolments, steps and nurse tasks (F15, F16, F19, F33)
  FOLLOWUP_PLAN_NOT_FOUND: 404,
  FOLLOWUP_PLAN_NAME_TAKEN: 409,
  FOLLOWUP_PLAN_ARCHIVED: 409,
  FOLLOWUP_ANCHOR_REQUIRED: 400,
  FOLLOWUP_NURSE_INVALID: 400,
  FOLLOWUP_ENROLMENT_NOT_FOUND: 404,
  FOLLOWUP_ENROLMENT_STATE: 409,
  FOLLOWUP_STEP_NOT_FOUND: 404,
  FOLLOWUP_STEP_STATE: 409,
  FOLLOWUP_LIST_EXPIRED: 409,
  TASK_NOT_FOUND: 404,
  TASK_NOT_OPEN: 409,
  // WeCom callbacks (wecom-bot)
  WECOM_SIGNATURE_INVALID: 401,
  WECOM_QUERY_INVALID: 400,
  WECOM_BODY_MALFORMED: 400,
  WECOM_BODY_TOO_LARGE: 413,
  WECOM_DECRYPT_FAILED: 400,
  WECOM_CORP_MISMATCH: 400,
  BAD_REQUEST: 400,
  // push engine (F20/F21)
  PUSH_MESSAGE_INVALID: 500,
  PUSH_MESSAGE_NOT_FOUND: 404,
  PUSH_NOT_RETRYABLE: 409,
  SUBSCRIBE_TEMPLATE_UNKNOWN: 400,
  INBOX_MESSAGE_NOT_FOUND: 404,
  // content library (F22)
  CONTENT_NOT_FOUND: 404,
  CONTENT_STATE: 409,
  CONTENT_BLOCKED_CLAIM: 400,
  CONTENT_DISCLAIMER_REQUIRED: 400,
  CONTENT_REVIEW_FORBIDDEN: 403,
  // marketing campaigns (F23, F24)
  CAMPAIGN_NOT_FOUND: 404,
  CAMPAIGN_RUN_NOT_FOUND: 404,
  CAMPAIGN_STATE: 409,
  CAMPAIGN_SCHEDULE_INVALID: 400,
  CAMPAIGN_SELF_APPROVAL: 403,
  CAMPAIGN_CONTENT_NOT_APPROVED: 409,
  // points, rewards, tiers (F26–F30)
  POINTS_INSUFFICIENT: 409,
  POINTS_RULE_NOT_FOUND: 404,
  POINTS_RULE_INVALID: 400,
  POINTS_ADJUSTMENT_INVALID: 400,
  REWARD_NOT_FOUND: 404,
  REWARD_NOT_AVAILABLE: 409,
  REWARD_OUT_OF_STOCK: 409,
  REWARD_LIMIT_REACHED: 409,
  REDEMPTION_NOT_FOUND: 404,
  REDEMPTION_STATE: 409,
  // paid membership and WeChat Pay v3 (F31, F32)
  MEMBERSHIP_PLAN_NOT_FOUND: 404,
  MEMBERSHIP_PLAN_INVALID: 400,
  ORDER_NOT_FOUND: 404,
  ORDER_STATE: 409,
  REFUND_INVALID: 400,
  QUOTA_EXHAUSTED: 409,
  PAY_NOT_CONFIGURED: 503,
  PAY_SIGNATURE_INVALID: 401,
  PAY_NOTIFY_INVALID: 400,
  PAY_UPSTREAM_ERROR: 502,
  // upstream platforms
  UPSTREAM_BUSY: 503,
  UPSTREAM_UNAVAILABLE: 502,
  UPSTREAM_MISCONFIGURED: 502,
} as const

export type ErrorCode = keyof typeof ERROR_STATUS

export const errorCodes = Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]]

/** The one error shape every HTTP endpoint answers with. */
export const ErrorBody = z
  .object({
    error: z.object({
      code: z.enum(errorCodes),
      message: z.string(),
      details: z.unknown().optional(),
      requestId: z.string(),
    }),
  })
  .openapi('ErrorBody')
export type ErrorBody = z.infer<typeof ErrorBody>

/** A domain error with a stable code. Services throw it; the HTTP layer maps it to ErrorBody. */
export class AppError extends Error {
  readonly status: number
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message)
    this.name = 'AppError'
    this.status = ERROR_STATUS[code]
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError

/** Field-level issues of a failed zod parse, in a stable JSON form for `details`. */
export const zodIssues = (error: z.ZodError): { path: string; message: string }[] =>
  error.issues.map((i) => ({ path: i.path.join('.') || '(root)', message: i.message }))

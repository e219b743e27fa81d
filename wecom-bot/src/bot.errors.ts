// Stable error codes of the bot's HTTP surface and the error type the error middleware renders.
// Body shape (same as the server's): {"error":{"code","message","details"?,"requestId"}}.

export const BOT_ERROR_STATUS = {
  WECOM_SIGNATURE_INVALID: 401,
  WECOM_QUERY_INVALID: 400,
  WECOM_BODY_MALFORMED: 400,
  WECOM_BODY_TOO_LARGE: 413,
  WECOM_DECRYPT_FAILED: 400,
  WECOM_CORP_MISMATCH: 400,
  BAD_REQUEST: 400,
  NOT_FOUND: 404,
  INTERNAL: 500,
} as const

export type BotErrorCode = keyof typeof BOT_ERROR_STATUS

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown; requestId: string }
}

export class BotError extends Error {
  override readonly name = 'BotError'
  readonly status: number

  constructor(
    readonly code: BotErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message)
    this.status = BOT_ERROR_STATUS[code]
  }
}

// The bot's configuration: the only module that reads process.env. Parsed once with zod; an invalid
// configuration names every bad variable and never echoes a value (the token and key are secrets).
import { z } from 'zod'
import { isValidEncodingAesKey } from './callback-crypto'

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

/** Unset and empty mean the same: the default applies (or "required" is reported). */
const optional = <T extends z.ZodTypeAny>(schema: T) =>
  z.preprocess((value) => (value === '' ? undefined : value), schema)

const required = () =>
  z.string({ required_error: 'must be set (non-empty)' }).trim().min(1, 'must be set (non-empty)')

const envSchema = z.object({
  WECOM_TOKEN: required(),
  WECOM_ENCODING_AES_KEY: required().superRefine((value, ctx) => {
    if (value === '') return
    if (value.length !== 43) {
      ctx.addIssue({ code: 'custom', message: `must be exactly 43 characters (got ${value.length})` })
    } else if (!isValidEncodingAesKey(value)) {
      ctx.addIssue({ code: 'custom', message: 'must use the base64 alphabet and decode to 32 bytes' })
    }
  }),
  WECOM_CORP_ID: required(),
  BOT_PORT: optional(
    z.coerce
      .number({ invalid_type_error: 'must be an integer port (0-65535)' })
      .int('must be an integer port (0-65535)')
      .min(0, 'must be an integer port (0-65535)')
      .max(65535, 'must be an integer port (0-65535)')
      .default(3200),
  ),
  BOT_HOST: optional(z.string().min(1).default('127.0.0.1')),
  LOG_LEVEL: optional(
    z
      .enum(LOG_LEVELS, { errorMap: () => ({ message: `must be one of ${LOG_LEVELS.join(', ')}` }) })
      .default('info'),
  ),
  SERVER_BASE_URL: optional(z.string().url('must be an absolute URL').default('http://127.0.0.1:3000')),
  /** The server's SERVICE_TOKEN: lets the bot identify nurses by WeCom userid. */
  SERVICE_TOKEN: optional(z.string().min(32, 'must be at least 32 characters').optional()),
})

export type LogLevel = (typeof LOG_LEVELS)[number]

export interface BotConfig {
  wecomToken: string
  wecomEncodingAesKey: string
  wecomCorpId: string
  port: number
  host: string
  logLevel: LogLevel
  /** The CareLoop server the bot will call (not used yet). */
  serverBaseUrl: string
  serviceToken: string | undefined
}

export interface ConfigIssue {
  variable: string
  message: string
}

export class BotConfigError extends Error {
  override readonly name = 'BotConfigError'

  constructor(readonly issues: readonly ConfigIssue[]) {
    super(
      `Invalid wecom-bot configuration:\n${issues.map((issue) => `  ${issue.variable}: ${issue.message}`).join('\n')}`,
    )
  }
}

/** Parses the environment. Pure: throws a BotConfigError listing every bad variable. */
export function loadBotConfig(env: Record<string, string | undefined>): BotConfig {
  const result = envSchema.safeParse(env)
  if (!result.success) {
    throw new BotConfigError(
      result.error.issues.map((issue) => ({
        variable: String(issue.path[0] ?? '(environment)'),
        message: issue.message,
      })),
    )
  }
  const value = result.data
  return {
    wecomToken: value.WECOM_TOKEN,
    wecomEncodingAesKey: value.WECOM_ENCODING_AES_KEY,
    wecomCorpId: value.WECOM_CORP_ID,
    port: value.BOT_PORT,
    host: value.BOT_HOST,
    logLevel: value.LOG_LEVEL,
    serverBaseUrl: value.SERVER_BASE_URL,
    serviceToken: value.SERVICE_TOKEN,
  }
}

/** For entry points: the config from process.env, or a message on stderr and exit code 1. */
export function loadBotConfigOrExit(env: Record<string, string | undefined> = process.env): BotConfig {
  try {
    return loadBotConfig(env)
  } catch (err) {
    if (err instanceof BotConfigError) {
      process.stderr.write(`${err.message}\n`)
      process.exit(1)
    }
    throw err
  }
}

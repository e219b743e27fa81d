import { createHash } from 'node:crypto'
import { z } from '@careloop/shared'
import { PAY_ENV_FIELDS, parsePayConfig, type PayConfig } from './config-pay'

/**
 * The server's configuration, parsed once from the environment with zod. `process.env` is read
 * here and nowhere else in server/src. Invalid configuration stops the process with a message that
 * names every bad variable (see `loadConfigOrExit`).
 */

export const REAL_WECHAT_API_BASE = 'https://api.weixin.qq.com'
// --- staff ---
export const REAL_WECOM_API_BASE = 'https://qyapi.weixin.qq.com'
// --- end staff ---
const DEV_TOKEN_SECRET = 'careloop-development-only-token-secret-0000'

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1')

// --- readings ---
const readingRange = z
  .string()
  .regex(/^(off|(\d+(\.\d+)?)?-(\d+(\.\d+)?)?)$/, 'must be min-max (e.g. 90-159, 3.9-, -99) or off')

/** A target range of one reading metric (mmHg, mmol/L, kg); a side left out is unbounded. */
export interface ReadingRange {
  min?: number
  max?: number
}

const parseReadingRange = (v: string): ReadingRange | undefined => {
  if (v === 'off') return undefined
  const [lo, hi] = v.split('-') as [string, string]
  return { ...(lo ? { min: Number(lo) } : {}), ...(hi ? { max: Number(hi) } : {}) }
}
// --- end readings ---

const EnvFields = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** MongoDB connection string; unset in development → the project starts a local engine. */
  MONGODB_URI: z.string().url().optional(),
  /** Where `npm start` keeps the local engine's data (git-ignored). */
  DATA_DIR: z.string().min(1).default('.data'),
  HOSPITAL_NAME: z.string().min(1).default('CareLoop 示范医院'),
  /** The hospital's zone: schedules, quiet hours and "D+7" are computed in it. */
  HOSPITAL_TIMEZONE: z.string().min(1).default('Asia/Shanghai'),
  AUTH_TOKEN_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(86_400).default(900),
  REFRESH_TOKEN_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  WECHAT_APPID: z.string().min(1).optional(),
  WECHAT_SECRET: z.string().min(1).optional(),
  WECHAT_API_BASE: z.string().url().default(REAL_WECHAT_API_BASE),
  /** PII encryption keys, `keyId:base64(32 bytes)` comma-separated; the active id encrypts new values. */
  PII_KEYS: z
    .string()
    .regex(/^[\w-]+:[A-Za-z0-9+/=]{43,44}(,[\w-]+:[A-Za-z0-9+/=]{43,44})*$/, 'must be keyId:base64key[,…]')
    .optional(),
  PII_ACTIVE_KEY_ID: z.string().min(1).optional(),
  /** base64 of 32 bytes: HMAC key of the blind index used to look phones up. */
  PII_INDEX_KEY: z
    .string()
    .regex(/^[A-Za-z0-9+/=]{43,44}$/, 'must be base64 of 32 bytes')
    .optional(),
  /** Shared secret our own processes (the WeCom bot) present on /api/v1/service routes; unset = disabled. */
  SERVICE_TOKEN: z.string().min(32, 'must be at least 32 characters').optional(),
  /** Run the worker (scheduler + dispatch) in this process. */
  RUN_WORKER: bool.default('true'),
  /** Serve the staff console and the h5 build from this process. */
  SERVE_STATIC: bool.default('true'),
  // --- staff: WeCom web login, staff tokens, bootstrap admin ---
  /** The corp id (我的企业 → 企业ID); with WECOM_AGENT_SECRET it enables WeCom web login for staff. */
  WECOM_CORP_ID: z.string().min(1).optional(),
  /** The self-built app's Secret (应用管理 → 自建应用 → Secret). */
  WECOM_AGENT_SECRET: z.string().min(1).optional(),
  /** The self-built app's AgentId (app messages to nurses: escalations, alerts). */
  WECOM_AGENT_ID: z.coerce.number().int().min(1).default(1000002),
  WECOM_API_BASE: z.string().url().default(REAL_WECOM_API_BASE),
  /** Lifetime of a staff (console) access token. */
  STAFF_TOKEN_TTL_SECONDS: z.coerce.number().int().min(300).max(86_400).default(28_800),
  /** When set and there are no staff yet, the server creates the `admin` account with it at start-up. */
  ADMIN_BOOTSTRAP_PASSWORD: z.string().min(10, 'must be at least 10 characters').max(128).optional(),
  // --- end staff ---
  // --- push engine (F20/F21) ---
  /** Hospital default quiet hours `HH:mm-HH:mm` in HOSPITAL_TIMEZONE (patients may override); `off` = none. */
  PUSH_QUIET_HOURS: z
    .string()
    .regex(/^(off|([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d)$/, 'must be HH:mm-HH:mm or off')
    .default('22:00-07:00'),
  /** Care messages per patient per local day (all channels together; urgent and staff rows not counted). */
  PUSH_CAP_CARE_PER_DAY: z.coerce.number().int().min(1).max(100).default(5),
  PUSH_CAP_MARKETING_PER_DAY: z.coerce.number().int().min(0).max(100).default(1),
  /** Failed attempts (retryable errors) before a row is dead-lettered. */
  PUSH_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
  /** Rows one worker claims per batch, and channel calls in flight per worker. */
  PUSH_BATCH_SIZE: z.coerce.number().int().min(1).max(2000).default(200),
  PUSH_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(32),
  /** How long a worker's claim on a batch lasts; a dead worker's rows are reclaimed after it. */
  PUSH_LEASE_SECONDS: z.coerce.number().int().min(5).max(3600).default(60),
  /**
   * Subscribe-message templates, JSON: kind → {templateId, longTerm, fields: {semanticName: templateKey}}.
   * Default: the simulator's three templates.
   */
  WECHAT_SUBSCRIBE_TEMPLATES: z.string().optional(),
  // --- end push ---
  // --- readings (F18) ---
  /**
   * Hospital default target ranges of readings, used where no follow-up plan of the patient sets one:
   * `min-max` (either side may be empty) or `off`; a value below min or above max is abnormal.
   */
  READING_DEFAULT_BP_SYSTOLIC: readingRange.default('90-159'),
  READING_DEFAULT_BP_DIASTOLIC: readingRange.default('60-99'),
  READING_DEFAULT_GLUCOSE: readingRange.default('3.9-11.0'),
  READING_DEFAULT_WEIGHT: readingRange.default('off'),
  /** "No reading in N days" for plans that set reading thresholds but no noReadingDays. */
  READING_NO_READING_DAYS: z.coerce.number().int().min(1).max(365).default(14),
  // --- end readings ---
  // --- rewards (F29) ---
  /** Days an issued redemption code stays valid; unfulfilled codes are then cancelled (points back). 0 = never. */
  REWARD_CODE_TTL_DAYS: z.coerce.number().int().min(0).max(3650).default(90),
  /** A redemption still pending (or cancelling) this long after its last step is repaired by the job. */
  REWARD_REPAIR_AFTER_SECONDS: z.coerce.number().int().min(5).max(3600).default(60),
  // --- end rewards ---
  // --- points (F26–F30) ---
  /** Earned points expire this many months after they were earned (oldest first). */
  POINTS_EXPIRY_MONTHS: z.coerce.number().int().min(1).max(120).default(24),
  /** Patients are reminded this many days before their points expire. */
  POINTS_EXPIRY_REMINDER_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  // --- end points ---
  // --- pay (F31): WECHATPAY_* (config-pay.ts) ---
  ...PAY_ENV_FIELDS,
  // --- end pay ---
})

type RawEnv = Partial<
  Record<
    | 'NODE_ENV'
    | 'AUTH_TOKEN_SECRET'
    | 'MONGODB_URI'
    | 'WECHAT_APPID'
    | 'WECHAT_SECRET'
    | 'PII_KEYS'
    | 'PII_ACTIVE_KEY_ID'
    | 'PII_INDEX_KEY',
    string
  >
>

const requireWhen = (env: RawEnv, ctx: z.RefinementCtx): void => {
  const prod = env.NODE_ENV === 'production'
  if (prod && !env.AUTH_TOKEN_SECRET)
    ctx.addIssue({ code: 'custom', path: ['AUTH_TOKEN_SECRET'], message: 'is required in production' })
  if (prod && !env.MONGODB_URI)
    ctx.addIssue({ code: 'custom', path: ['MONGODB_URI'], message: 'is required in production' })
  for (const k of ['WECHAT_APPID', 'WECHAT_SECRET'] as const)
    if (!env[k])
      ctx.addIssue({
        code: 'custom',
        path: [k],
        message: 'is required (locally, `npm start` starts the WeChat simulator and sets it)',
      })
  for (const k of ['PII_KEYS', 'PII_ACTIVE_KEY_ID', 'PII_INDEX_KEY'] as const)
    if (prod && !env[k]) ctx.addIssue({ code: 'custom', path: [k], message: 'is required in production' })
  if (
    env.PII_KEYS &&
    env.PII_ACTIVE_KEY_ID &&
    !env.PII_KEYS.split(',').some((p) => p.split(':')[0] === env.PII_ACTIVE_KEY_ID)
  )
    ctx.addIssue({ code: 'custom', path: ['PII_ACTIVE_KEY_ID'], message: 'must name a key in PII_KEYS' })
  if (prod && env.AUTH_TOKEN_SECRET === DEV_TOKEN_SECRET)
    ctx.addIssue({
      code: 'custom',
      path: ['AUTH_TOKEN_SECRET'],
      message: 'must not be the development secret',
    })
}

const EnvSchema = EnvFields.superRefine(requireWhen)
const RequiredWhen = z
  .record(z.string().optional())
  .superRefine((env, ctx) => requireWhen(env as RawEnv, ctx))

// --- push ---
/** A subscribe-message template: its WeChat id and which template key carries each semantic field. */
export interface SubscribeTemplateConfig {
  templateId: string
  /** Long-term (长期订阅, medical institutions): no credits, only `subscribed`. */
  longTerm: boolean
  /** semantic field (title, time, note …) → template key (thing1, time2 …). */
  fields: Record<string, string>
}

export interface PushConfig {
  /** Hospital default quiet hours in `timezone` (minutes of the day, `[start, end)`); null = none. */
  quietHours: { start: string; end: string } | null
  capPerDay: { care: number; marketing: number }
  maxAttempts: number
  batchSize: number
  concurrency: number
  /** A claim's lease (ms): a worker that dies leaves its rows to others after this. */
  leaseMs: number
  /** By kind (followup_reminder, questionnaire_due, health_notice …). */
  subscribeTemplates: Record<string, SubscribeTemplateConfig>
}

/** The simulator's default templates (tests/src/sim/wechat). */
export const DEFAULT_SUBSCRIBE_TEMPLATES: Record<string, SubscribeTemplateConfig> = {
  followup_reminder: {
    templateId: 'tmpl-followup-reminder',
    longTerm: false,
    fields: { title: 'thing1', time: 'time2', note: 'thing3' },
  },
  questionnaire_due: {
    templateId: 'tmpl-questionnaire-due',
    longTerm: false,
    fields: { title: 'thing1', time: 'time2', note: 'thing3' },
  },
  health_notice: {
    templateId: 'tmpl-health-notice',
    longTerm: true,
    fields: { title: 'thing1', content: 'thing2', time: 'time3' },
  },
}

const SubscribeTemplatesSchema = z.record(
  z.string().regex(/^[a-z][a-z0-9_]*$/, 'kinds are lower_snake_case'),
  z
    .object({
      templateId: z.string().min(1).max(128),
      longTerm: z.boolean().default(false),
      fields: z.record(
        z.string().min(1),
        z.string().regex(/^[a-z_]+[1-9]\d{0,3}$/, 'must be a template key'),
      ),
    })
    .strict(),
)

/** The templates of WECHAT_SUBSCRIBE_TEMPLATES (unset: the defaults), or the problem as a string. */
const parseSubscribeTemplates = (
  raw: string | undefined,
): Record<string, SubscribeTemplateConfig> | string => {
  if (raw === undefined || raw.trim() === '') return DEFAULT_SUBSCRIBE_TEMPLATES
  let json: unknown
  try {
    json = JSON.parse(raw)
  } catch {
    return 'must be JSON'
  }
  const r = SubscribeTemplatesSchema.safeParse(json)
  if (!r.success) return r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')
  const ids = Object.values(r.data).map((t) => t.templateId)
  if (new Set(ids).size !== ids.length) return 'template ids must be distinct'
  return r.data
}

const parseQuietHours = (v: string): PushConfig['quietHours'] => {
  if (v === 'off') return null
  const [start, end] = v.split('-') as [string, string]
  return { start, end }
}
// --- end push ---

export interface Config {
  env: 'development' | 'test' | 'production'
  host: string
  port: number
  logLevel: z.infer<typeof EnvSchema>['LOG_LEVEL']
  mongodbUri: string | undefined
  dataDir: string
  hospitalName: string
  timezone: string
  auth: { tokenSecret: string; accessTokenTtlSeconds: number; refreshTokenTtlDays: number }
  wechat: { appid: string; secret: string; apiBase: string }
  /** PII encryption keys (development: fixed, well-known dev keys — never for real data). */
  pii: { keys: Record<string, Buffer>; activeKeyId: string; indexKey: Buffer }
  /** `simulated` when the platform clients talk to local simulators instead of the real hosts. */
  platformMode: 'simulated' | 'production'
  serviceToken: string | undefined
  runWorker: boolean
  serveStatic: boolean
  // --- staff ---
  /** WeCom server API for staff web login; `corpId`/`agentSecret` unset → WeCom login is off. */
  wecom: { corpId: string | undefined; agentSecret: string | undefined; agentId: number; apiBase: string }
  staff: { tokenTtlSeconds: number; bootstrapAdminPassword: string | undefined }
  // --- end staff ---
  // --- push ---
  push: PushConfig
  // --- end push ---
  // --- readings ---
  readings: {
    defaults: {
      bpSystolic?: ReadingRange
      bpDiastolic?: ReadingRange
      glucose?: ReadingRange
      weight?: ReadingRange
    }
    noReadingDays: number
  }
  // --- end readings ---
  // --- rewards ---
  rewards: { codeTtlDays: number; repairAfterSeconds: number }
  // --- end rewards ---
  // --- points ---
  points: { expiryMonths: number; reminderDays: number }
  // --- end points ---
  // --- pay ---
  /** WeChat Pay v3 (config-pay.ts); undefined when not configured. */
  pay: PayConfig | undefined
  // --- end pay ---
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
    this.name = 'ConfigError'
  }
}

/** True for a loopback URL (a local simulator). */
export const isLocal = (url: string): boolean =>
  ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url).hostname)

/** Parses a configuration from an environment map. Pure: throws ConfigError listing every problem. */
export const parseConfig = (env: Record<string, string | undefined>): Config => {
  const r = EnvSchema.safeParse(env)
  if (!r.success) {
    const problems = r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)
    // zod skips the cross-field rules when a field fails; run them on the raw values too so one
    // run names every problem.
    const lenient = RequiredWhen.safeParse(env)
    if (!lenient.success)
      for (const i of lenient.error.issues) problems.push(`${i.path.join('.')}: ${i.message}`)
    throw new ConfigError([...new Set(problems)])
  }
  // --- push ---
  const subscribeTemplates = parseSubscribeTemplates(r.data.WECHAT_SUBSCRIBE_TEMPLATES)
  if (typeof subscribeTemplates === 'string')
    throw new ConfigError([`WECHAT_SUBSCRIBE_TEMPLATES: ${subscribeTemplates}`])
  // --- end push ---
  // --- pay ---
  const payParsed = parsePayConfig(r.data)
  if (payParsed.problems.length) throw new ConfigError(payParsed.problems)
  // --- end pay ---
  const e = r.data
  return {
    env: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    logLevel: e.LOG_LEVEL,
    mongodbUri: e.MONGODB_URI,
    dataDir: e.DATA_DIR,
    hospitalName: e.HOSPITAL_NAME,
    timezone: e.HOSPITAL_TIMEZONE,
    auth: {
      tokenSecret: e.AUTH_TOKEN_SECRET ?? DEV_TOKEN_SECRET,
      accessTokenTtlSeconds: e.ACCESS_TOKEN_TTL_SECONDS,
      refreshTokenTtlDays: e.REFRESH_TOKEN_TTL_DAYS,
    },
    wechat: {
      appid: e.WECHAT_APPID!,
      secret: e.WECHAT_SECRET!,
      apiBase: e.WECHAT_API_BASE.replace(/\/+$/, ''),
    },
    pii: e.PII_KEYS
      ? {
          keys: Object.fromEntries(
            e.PII_KEYS.split(',').map((p) => {
              const [id, key] = p.split(':') as [string, string]
              return [id, Buffer.from(key, 'base64')]
            }),
          ),
          activeKeyId: e.PII_ACTIVE_KEY_ID ?? e.PII_KEYS.split(':')[0]!,
          indexKey: Buffer.from(e.PII_INDEX_KEY ?? '', 'base64'),
        }
      : {
          keys: { dev1: createHash('sha256').update('careloop-dev-pii-key').digest() },
          activeKeyId: 'dev1',
          indexKey: createHash('sha256').update('careloop-dev-pii-index').digest(),
        },
    platformMode: isLocal(e.WECHAT_API_BASE) ? 'simulated' : 'production',
    serviceToken: e.SERVICE_TOKEN,
    runWorker: e.RUN_WORKER,
    serveStatic: e.SERVE_STATIC,
    // --- staff ---
    wecom: {
      corpId: e.WECOM_CORP_ID,
      agentSecret: e.WECOM_AGENT_SECRET,
      agentId: e.WECOM_AGENT_ID,
      apiBase: e.WECOM_API_BASE.replace(/\/+$/, ''),
    },
    staff: { tokenTtlSeconds: e.STAFF_TOKEN_TTL_SECONDS, bootstrapAdminPassword: e.ADMIN_BOOTSTRAP_PASSWORD },
    // --- end staff ---
    // --- push ---
    push: {
      quietHours: parseQuietHours(e.PUSH_QUIET_HOURS),
      capPerDay: { care: e.PUSH_CAP_CARE_PER_DAY, marketing: e.PUSH_CAP_MARKETING_PER_DAY },
      maxAttempts: e.PUSH_MAX_ATTEMPTS,
      batchSize: e.PUSH_BATCH_SIZE,
      concurrency: e.PUSH_CONCURRENCY,
      leaseMs: e.PUSH_LEASE_SECONDS * 1000,
      subscribeTemplates,
    },
    // --- end push ---
    // --- readings ---
    readings: {
      defaults: {
        bpSystolic: parseReadingRange(e.READING_DEFAULT_BP_SYSTOLIC),
        bpDiastolic: parseReadingRange(e.READING_DEFAULT_BP_DIASTOLIC),
        glucose: parseReadingRange(e.READING_DEFAULT_GLUCOSE),
        weight: parseReadingRange(e.READING_DEFAULT_WEIGHT),
      },
      noReadingDays: e.READING_NO_READING_DAYS,
    },
    // --- end readings ---
    // --- rewards ---
    rewards: { codeTtlDays: e.REWARD_CODE_TTL_DAYS, repairAfterSeconds: e.REWARD_REPAIR_AFTER_SECONDS },
    // --- end rewards ---
    // --- points ---
    points: { expiryMonths: e.POINTS_EXPIRY_MONTHS, reminderDays: e.POINTS_EXPIRY_REMINDER_DAYS },
    // --- end points ---
    // --- pay ---
    pay: payParsed.pay,
    // --- end pay ---
  }
}

/** Reads process.env once; on invalid configuration prints the problems and exits with status 78. */
export const loadConfigOrExit = (): Config => {
  try {
    return parseConfig(process.env)
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`careloop-server: ${e.message}\n`)
      process.exit(78)
    }
    throw e
  }
}

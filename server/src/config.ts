import { createHash } from 'node:crypto'
import { z } from '@careloop/shared'

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

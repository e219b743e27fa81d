import { readFileSync } from 'node:fs'
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto'
import { z } from '@careloop/shared'

/**
 * WeChat Pay v3 configuration (platform.md §5), parsed by `config.ts` (which alone reads the
 * environment). All or nothing: setting any WECHATPAY_* key material requires the rest; with none
 * of it `config.pay` is undefined and membership answers 503 PAY_NOT_CONFIGURED. Keys and
 * certificates are given as PEM text (literal `\n` accepted) or as a file path.
 */

export const REAL_WECHATPAY_API_BASE = 'https://api.mch.weixin.qq.com'

export const PAY_ENV_FIELDS = {
  /** 商户号. */
  WECHATPAY_MCHID: z
    .string()
    .regex(/^\d{6,32}$/, 'must be the numeric merchant id')
    .optional(),
  /** The appid bound to the merchant; default WECHAT_APPID (the mini-program). */
  WECHATPAY_APPID: z.string().min(1).max(32).optional(),
  WECHATPAY_API_BASE: z.string().url().default(REAL_WECHATPAY_API_BASE),
  /** apiclient_key.pem: PEM text or a path. */
  WECHATPAY_MERCHANT_KEY: z.string().min(1).optional(),
  /** The merchant API certificate's serial (hex); derived from WECHATPAY_MERCHANT_CERT when unset. */
  WECHATPAY_MERCHANT_SERIAL: z
    .string()
    .regex(/^[0-9A-Fa-f]{8,40}$/, 'must be the certificate serial in hex')
    .optional(),
  /** apiclient_cert.pem (PEM text or a path): optional, only read for its serial. */
  WECHATPAY_MERCHANT_CERT: z.string().min(1).optional(),
  /** The APIv3 key: exactly 32 characters. */
  WECHATPAY_APIV3_KEY: z
    .string()
    .refine((v) => Buffer.byteLength(v, 'utf8') === 32, 'must be exactly 32 bytes')
    .optional(),
  /** Public-key mode: the platform public key (PEM text or a path) and its id. */
  WECHATPAY_PUBLIC_KEY: z.string().min(1).optional(),
  WECHATPAY_PUBLIC_KEY_ID: z
    .string()
    .regex(/^PUB_KEY_ID_\w+$/, 'must look like PUB_KEY_ID_…')
    .optional(),
  /** Where WeChat Pay sends notifies: our `/api/v1/pay/notify` (https; http only for a local API base). */
  WECHATPAY_NOTIFY_URL: z.string().url().max(256).optional(),
}

type PayEnv = z.infer<z.ZodObject<typeof PAY_ENV_FIELDS>> & { WECHAT_APPID?: string | undefined }

export interface PayConfig {
  mchid: string
  appid: string
  /** Without a trailing slash. */
  apiBase: string
  /** The merchant private key, PEM. */
  merchantKey: string
  /** Uppercase hex. */
  merchantSerial: string
  merchantCert?: string
  apiV3Key: string
  /** Public-key mode; absent → platform certificates only (fetched from /v3/certificates). */
  publicKey?: { id: string; pem: string }
  notifyUrl: string
}

/** PEM text (literal `\n` sequences allowed, as env files write them) or the path of a PEM file. */
const pemOrPath = (v: string): string => {
  if (v.includes('-----BEGIN')) return v.replace(/\\n/g, '\n')
  return readFileSync(v, 'utf8')
}

const TRIGGERS = [
  'WECHATPAY_MCHID',
  'WECHATPAY_MERCHANT_KEY',
  'WECHATPAY_MERCHANT_SERIAL',
  'WECHATPAY_MERCHANT_CERT',
  'WECHATPAY_APIV3_KEY',
  'WECHATPAY_PUBLIC_KEY',
  'WECHATPAY_PUBLIC_KEY_ID',
  'WECHATPAY_NOTIFY_URL',
] as const

const isLoopback = (url: string): boolean =>
  ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url).hostname)

/** The pay section, or the problems (`VAR: message`) that keep it from being used. */
export const parsePayConfig = (e: PayEnv): { pay?: PayConfig; problems: string[] } => {
  if (!TRIGGERS.some((k) => e[k] !== undefined)) return { problems: [] }
  const problems: string[] = []
  const need = (k: string, v: unknown, why = 'is required when WeChat Pay is configured'): void => {
    if (v === undefined) problems.push(`${k}: ${why}`)
  }
  need('WECHATPAY_MCHID', e.WECHATPAY_MCHID)
  need('WECHATPAY_MERCHANT_KEY', e.WECHATPAY_MERCHANT_KEY)
  need('WECHATPAY_APIV3_KEY', e.WECHATPAY_APIV3_KEY)
  need('WECHATPAY_NOTIFY_URL', e.WECHATPAY_NOTIFY_URL)
  const appid = e.WECHATPAY_APPID ?? e.WECHAT_APPID
  need('WECHATPAY_APPID', appid, 'is required when WeChat Pay is configured (default: WECHAT_APPID)')
  if (e.WECHATPAY_MERCHANT_SERIAL === undefined && e.WECHATPAY_MERCHANT_CERT === undefined)
    problems.push('WECHATPAY_MERCHANT_SERIAL: is required (or WECHATPAY_MERCHANT_CERT to derive it)')
  if ((e.WECHATPAY_PUBLIC_KEY === undefined) !== (e.WECHATPAY_PUBLIC_KEY_ID === undefined))
    problems.push(
      e.WECHATPAY_PUBLIC_KEY === undefined
        ? 'WECHATPAY_PUBLIC_KEY: is required with WECHATPAY_PUBLIC_KEY_ID'
        : 'WECHATPAY_PUBLIC_KEY_ID: is required with WECHATPAY_PUBLIC_KEY',
    )

  const read = <T>(k: string, v: string | undefined, check: (pem: string) => T): T | undefined => {
    if (v === undefined) return undefined
    try {
      return check(pemOrPath(v))
    } catch (err) {
      problems.push(`${k}: is neither a usable PEM nor a readable PEM file (${(err as Error).message})`)
      return undefined
    }
  }
  const merchantKey = read('WECHATPAY_MERCHANT_KEY', e.WECHATPAY_MERCHANT_KEY, (pem) => {
    createPrivateKey(pem)
    return pem
  })
  const cert = read('WECHATPAY_MERCHANT_CERT', e.WECHATPAY_MERCHANT_CERT, (pem) => ({
    pem,
    serial: new X509Certificate(pem).serialNumber.toUpperCase(),
  }))
  const publicPem = read('WECHATPAY_PUBLIC_KEY', e.WECHATPAY_PUBLIC_KEY, (pem) => {
    createPublicKey(pem)
    return pem
  })
  const serial = e.WECHATPAY_MERCHANT_SERIAL?.toUpperCase() ?? cert?.serial
  if (cert && e.WECHATPAY_MERCHANT_SERIAL && cert.serial !== serial)
    problems.push('WECHATPAY_MERCHANT_SERIAL: does not match the serial of WECHATPAY_MERCHANT_CERT')

  const apiBase = e.WECHATPAY_API_BASE.replace(/\/+$/, '')
  const notifyUrl = e.WECHATPAY_NOTIFY_URL
  if (notifyUrl !== undefined) {
    const u = new URL(notifyUrl)
    if (u.search) problems.push('WECHATPAY_NOTIFY_URL: must not carry a query string')
    if (u.protocol !== 'https:' && !(u.protocol === 'http:' && isLoopback(apiBase)))
      problems.push('WECHATPAY_NOTIFY_URL: must be https (http only with a local WECHATPAY_API_BASE)')
  }
  if (problems.length) return { problems }
  return {
    problems,
    pay: {
      mchid: e.WECHATPAY_MCHID!,
      appid: appid!,
      apiBase,
      merchantKey: merchantKey!,
      merchantSerial: serial!,
      ...(cert ? { merchantCert: cert.pem } : {}),
      apiV3Key: e.WECHATPAY_APIV3_KEY!,
      ...(publicPem && e.WECHATPAY_PUBLIC_KEY_ID
        ? { publicKey: { id: e.WECHATPAY_PUBLIC_KEY_ID, pem: publicPem } }
        : {}),
      notifyUrl: notifyUrl!,
    },
  }
}

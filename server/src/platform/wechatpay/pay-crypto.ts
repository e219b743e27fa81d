import {
  createDecipheriv,
  createPublicKey,
  createSign,
  createVerify,
  randomBytes,
  X509Certificate,
  type KeyObject,
} from 'node:crypto'
import { AppError } from '@careloop/shared'

/**
 * WeChat Pay v3 cryptography of our own (platform.md §5.3–5.5), where wechatpay-node-v3 falls short:
 * AEAD_AES_256_GCM decryption that checks the tag and the AAD (the library's `decipher_gcm` never
 * calls `final()`), the `wx.requestPayment` paySign, and the response/notify signature check with
 * the key picked by `Wechatpay-Serial` in both key modes (public key `PUB_KEY_ID_…`, platform
 * certificates), the ±300 s timestamp window and the SIGNTEST probe rejection.
 */

/** Notifies and responses older or newer than this (seconds) are refused (§5.4). */
export const SIGNATURE_WINDOW_S = 300
export const SIGNTEST_PREFIX = 'WECHATPAY/SIGNTEST/'

export interface EncryptedResource {
  ciphertext: string
  nonce: string
  associated_data?: string
  algorithm?: string
}

/**
 * §5.5: AES-256-GCM with the 32-byte APIv3 key, IV = nonce, AAD = associated_data; the last 16
 * bytes of the ciphertext are the tag. Throws PAY_NOTIFY_INVALID when the tag or AAD do not match
 * (`final()` checks them), the algorithm is not AEAD_AES_256_GCM or the plaintext is not UTF-8 text.
 * Returns the plaintext (JSON for notifies, a PEM for certificates).
 */
export const decryptResource = (r: EncryptedResource, apiV3Key: string): string => {
  if (r.algorithm !== undefined && r.algorithm !== 'AEAD_AES_256_GCM')
    throw new AppError('PAY_NOTIFY_INVALID', `Unsupported resource algorithm ${r.algorithm}`)
  const key = Buffer.from(apiV3Key, 'utf8')
  if (key.length !== 32) throw new AppError('PAY_NOTIFY_INVALID', 'The APIv3 key must be 32 bytes')
  const b = Buffer.from(r.ciphertext, 'base64')
  const nonce = Buffer.from(r.nonce, 'utf8')
  if (b.length <= 16 || nonce.length === 0)
    throw new AppError('PAY_NOTIFY_INVALID', 'The encrypted resource is too short')
  try {
    const d = createDecipheriv('aes-256-gcm', key, nonce)
    d.setAuthTag(b.subarray(-16))
    d.setAAD(Buffer.from(r.associated_data ?? '', 'utf8'))
    return Buffer.concat([d.update(b.subarray(0, -16)), d.final()]).toString('utf8')
  } catch {
    throw new AppError('PAY_NOTIFY_INVALID', 'The encrypted resource does not decrypt (tag or AAD mismatch)')
  }
}

/** A random nonce for signatures and `wx.requestPayment` (32 hex characters). */
export const nonceStr = (): string => randomBytes(16).toString('hex')

/** SHA256withRSA (PKCS#1 v1.5), base64. */
export const rsaSign = (message: string, privateKey: string | KeyObject): string =>
  createSign('RSA-SHA256').update(message, 'utf8').sign(privateKey, 'base64')

/** §5.3: `paySign = base64(SHA256withRSA(appId\ntimeStamp\nnonceStr\npackage\n))` with the merchant key. */
export const paySign = (
  p: { appId: string; timeStamp: string; nonceStr: string; package: string },
  merchantKey: string | KeyObject,
): string => rsaSign(`${p.appId}\n${p.timeStamp}\n${p.nonceStr}\n${p.package}\n`, merchantKey)

/** §5.4: the message WeChat Pay signs in responses and notifies, over the raw body (`ts\nnonce\n\n` when empty). */
export const verifyMessage = (timestamp: string, nonce: string, rawBody: string): string =>
  `${timestamp}\n${nonce}\n${rawBody}\n`

/** The `Wechatpay-*` headers of a response or notify (names lower-cased). */
export interface SignatureHeaders {
  timestamp: string
  nonce: string
  signature: string
  serial: string
}

const invalid = (message: string, details?: unknown): AppError =>
  new AppError('PAY_SIGNATURE_INVALID', message, details)

/** Picks the `Wechatpay-*` headers out of lower-cased headers; missing ones → PAY_SIGNATURE_INVALID. */
export const signatureHeaders = (h: Record<string, string | string[] | undefined>): SignatureHeaders => {
  const one = (name: string): string => {
    const v = h[name]
    const s = Array.isArray(v) ? v[0] : v
    if (!s) throw invalid(`Missing header ${name}`)
    return s
  }
  return {
    timestamp: one('wechatpay-timestamp'),
    nonce: one('wechatpay-nonce'),
    signature: one('wechatpay-signature'),
    serial: one('wechatpay-serial'),
  }
}

/** A platform certificate from `GET /v3/certificates`, decrypted. */
export interface PlatformCertificate {
  serialNo: string
  key: KeyObject
  /** ms since epoch; certificates past it are not used. */
  expiresAt: number
}

/** The `data[]` items of `GET /v3/certificates`. */
export interface EncryptedCertificate {
  serial_no: string
  effective_time?: string
  expire_time?: string
  encrypt_certificate: EncryptedResource
}

/** Decrypts the certificates of a `GET /v3/certificates` answer with the APIv3 key (tag checked). */
export const decryptCertificates = (items: EncryptedCertificate[], apiV3Key: string): PlatformCertificate[] =>
  items.map((item) => {
    let cert: X509Certificate
    try {
      cert = new X509Certificate(decryptResource(item.encrypt_certificate, apiV3Key))
    } catch (e) {
      throw invalid('A platform certificate does not decrypt or parse', {
        serial: item.serial_no,
        cause: String(e),
      })
    }
    if (cert.serialNumber.toUpperCase() !== item.serial_no.toUpperCase())
      throw invalid('A platform certificate does not carry its announced serial', { serial: item.serial_no })
    return {
      serialNo: item.serial_no.toUpperCase(),
      key: cert.publicKey,
      expiresAt: Date.parse(cert.validTo),
    }
  })

/**
 * Verifies WeChat Pay signatures (§5.4), with the key selected by `Wechatpay-Serial`: the configured
 * platform public key (`PUB_KEY_ID_…`) and/or the platform certificates fetched from
 * `/v3/certificates` (held here once decrypted). Checks, in order: the timestamp window against the
 * injected clock, SIGNTEST probes, a known serial, the RSA-SHA256 signature. Every failure throws
 * PAY_SIGNATURE_INVALID with `details.reason`.
 */
export class PaySignatureVerifier {
  private readonly keys = new Map<string, { key: KeyObject; expiresAt?: number }>()

  constructor(
    private readonly now: () => Date,
    publicKey?: { id: string; pem: string },
  ) {
    if (publicKey) this.keys.set(publicKey.id.toUpperCase(), { key: createPublicKey(publicKey.pem) })
  }

  /** Adds (or replaces) platform certificates. */
  addCertificates(certs: PlatformCertificate[]): void {
    for (const c of certs) this.keys.set(c.serialNo.toUpperCase(), { key: c.key, expiresAt: c.expiresAt })
  }

  /** True when a live key is known for this serial. */
  knows(serial: string): boolean {
    const k = this.keys.get(serial.toUpperCase())
    return !!k && (k.expiresAt === undefined || k.expiresAt > this.now().getTime())
  }

  /**
   * Checks one signed message. `extraKeys` are trusted for this call only (the certificates of a
   * `/v3/certificates` answer verify that very answer).
   */
  verify(h: SignatureHeaders, rawBody: string, extraKeys?: PlatformCertificate[]): void {
    const ts = Number(h.timestamp)
    if (!/^\d{1,12}$/.test(h.timestamp) || !Number.isFinite(ts))
      throw invalid('Wechatpay-Timestamp is not a unix time', { reason: 'timestamp' })
    const skew = Math.abs(Math.floor(this.now().getTime() / 1000) - ts)
    if (skew >= SIGNATURE_WINDOW_S)
      throw invalid(`Wechatpay-Timestamp is ${skew} s away from now`, { reason: 'timestamp', skew })
    if (h.signature.startsWith(SIGNTEST_PREFIX))
      throw invalid('Signature probe (WECHATPAY/SIGNTEST) refused', { reason: 'signtest' })
    const serial = h.serial.toUpperCase()
    const extra = extraKeys?.find((c) => c.serialNo.toUpperCase() === serial)
    const key = extra?.key ?? (this.knows(serial) ? this.keys.get(serial)!.key : undefined)
    if (!key) throw invalid(`Unknown Wechatpay-Serial ${h.serial}`, { reason: 'serial', serial: h.serial })
    let ok = false
    try {
      ok = createVerify('RSA-SHA256')
        .update(verifyMessage(h.timestamp, h.nonce, rawBody), 'utf8')
        .verify(key, h.signature, 'base64')
    } catch {
      ok = false
    }
    if (!ok) throw invalid('Wechatpay-Signature does not verify', { reason: 'signature' })
  }
}

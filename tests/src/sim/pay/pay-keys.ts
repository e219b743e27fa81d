import {
  createCipheriv,
  createHash,
  createSign,
  createVerify,
  generateKeyPairSync,
  randomBytes,
  type KeyObject,
} from 'node:crypto'

/**
 * Key material and cryptography of the WeChat Pay simulator (platform.md §5.2–5.5), written apart
 * from the server's code so the simulator checks our client rather than mirroring it: RSA keys made
 * at start (merchant API key, platform public key `PUB_KEY_ID_…`, platform certificate key), tiny
 * self-signed X.509 certificates (node cannot issue certificates, so the DER is assembled here),
 * SHA256withRSA signatures and AEAD_AES_256_GCM resources.
 */

export interface PayKeyMaterial {
  mchid: string
  appid: string
  /** 32 ASCII characters. */
  apiV3Key: string
  merchant: { privateKeyPem: string; publicKey: KeyObject; serial: string; certPem: string }
  /** Public-key mode: the key WeChat Pay signs with under `Wechatpay-Serial: PUB_KEY_ID_…`. */
  platformPublicKey: { id: string; privateKey: KeyObject; pem: string }
  /** Platform-certificate mode: the certificate `/v3/certificates` hands out (40-hex serial). */
  platformCert: { serial: string; privateKey: KeyObject; pem: string; notBefore: Date; notAfter: Date }
}

const rsa = (): { privateKey: KeyObject; publicKey: KeyObject } =>
  generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 0x10001 })

/** A 40-hex-digit certificate serial (20 bytes, first byte 0x10–0x7f so it stays positive and 40 digits). */
const serialFrom = (seed: string): string => {
  const b = createHash('sha256').update(seed).digest().subarray(0, 20)
  b[0] = 0x10 + (b[0]! % 0x70)
  return b.toString('hex').toUpperCase()
}

// --- a minimal DER encoder: enough for a v1 self-signed certificate -----------------------------

const derLen = (n: number): Buffer => {
  if (n < 0x80) return Buffer.from([n])
  const bytes: number[] = []
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff)
  return Buffer.from([0x80 | bytes.length, ...bytes])
}
const tlv = (tag: number, ...parts: Buffer[]): Buffer => {
  const body = Buffer.concat(parts)
  return Buffer.concat([Buffer.from([tag]), derLen(body.length), body])
}
const seq = (...parts: Buffer[]): Buffer => tlv(0x30, ...parts)
const oid = (hex: string): Buffer => tlv(0x06, Buffer.from(hex, 'hex'))
const SHA256_WITH_RSA = seq(oid('2a864886f70d01010b'), tlv(0x05))
const name = (cn: string, org: string): Buffer =>
  seq(
    tlv(0x31, seq(oid('550406'), tlv(0x13, Buffer.from('CN')))),
    tlv(0x31, seq(oid('55040a'), tlv(0x0c, Buffer.from(org, 'utf8')))),
    tlv(0x31, seq(oid('550403'), tlv(0x0c, Buffer.from(cn, 'utf8')))),
  )
const time = (d: Date): Buffer => {
  const iso = d.toISOString()
  const compact = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`
  return d.getUTCFullYear() < 2050
    ? tlv(0x17, Buffer.from(compact.slice(2)))
    : tlv(0x18, Buffer.from(compact))
}

/** A self-signed X.509 certificate (PEM) of `keys.publicKey`, signed with `keys.privateKey`. */
export const selfSignedCert = (o: {
  serial: string
  cn: string
  org: string
  keys: { privateKey: KeyObject; publicKey: KeyObject }
  notBefore: Date
  notAfter: Date
}): string => {
  const subject = name(o.cn, o.org)
  const tbs = seq(
    tlv(0x02, Buffer.from(o.serial, 'hex')),
    SHA256_WITH_RSA,
    subject,
    seq(time(o.notBefore), time(o.notAfter)),
    subject,
    o.keys.publicKey.export({ type: 'spki', format: 'der' }),
  )
  const signature = createSign('RSA-SHA256').update(tbs).sign(o.keys.privateKey)
  const der = seq(tbs, SHA256_WITH_RSA, tlv(0x03, Buffer.from([0]), signature))
  const b64 = der.toString('base64').replace(/(.{64})/g, '$1\n')
  return `-----BEGIN CERTIFICATE-----\n${b64}${b64.endsWith('\n') ? '' : '\n'}-----END CERTIFICATE-----\n`
}

/** Fresh key material for one simulated merchant (three RSA-2048 keys: ~a few hundred ms). */
export const generatePayKeys = (o: { mchid: string; appid: string; now?: Date }): PayKeyMaterial => {
  const now = o.now ?? new Date()
  const notBefore = new Date(now.getTime() - 86_400_000)
  const notAfter = new Date(now.getTime() + 5 * 365 * 86_400_000)
  const merchant = rsa()
  const merchantSerial = serialFrom(`merchant:${o.mchid}:${randomBytes(8).toString('hex')}`)
  const platformPub = rsa()
  const platformCertKeys = rsa()
  const platformSerial = serialFrom(`platform:${o.mchid}:${randomBytes(8).toString('hex')}`)
  return {
    mchid: o.mchid,
    appid: o.appid,
    apiV3Key: randomAlnum(32),
    merchant: {
      privateKeyPem: merchant.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      publicKey: merchant.publicKey,
      serial: merchantSerial,
      certPem: selfSignedCert({
        serial: merchantSerial,
        cn: o.mchid,
        org: '微信商户系统 (simulated)',
        keys: merchant,
        notBefore,
        notAfter,
      }),
    },
    platformPublicKey: {
      id: `PUB_KEY_ID_00${o.mchid.padStart(12, '0')}${now.toISOString().slice(0, 10).replace(/-/g, '')}00000000000006`,
      privateKey: platformPub.privateKey,
      pem: platformPub.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    },
    platformCert: {
      serial: platformSerial,
      privateKey: platformCertKeys.privateKey,
      pem: selfSignedCert({
        serial: platformSerial,
        cn: 'Tenpay.com Root CA (simulated platform certificate)',
        org: 'Tenpay.com',
        keys: platformCertKeys,
        notBefore,
        notAfter,
      }),
      notBefore,
      notAfter,
    },
  }
}

export const rsaSign = (message: string, key: KeyObject | string): string =>
  createSign('RSA-SHA256').update(message, 'utf8').sign(key, 'base64')

export const rsaVerify = (message: string, signature: string, key: KeyObject | string): boolean => {
  try {
    return createVerify('RSA-SHA256').update(message, 'utf8').verify(key, signature, 'base64')
  } catch {
    return false
  }
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
/** A random alphanumeric string (WeChat's nonces). */
export const randomAlnum = (n: number): string =>
  Array.from(randomBytes(n), (b) => ALNUM[b % ALNUM.length]).join('')

/** §5.5 AEAD_AES_256_GCM: base64(ciphertext ‖ 16-byte tag), 12-character nonce. */
export const encryptResource = (
  plaintext: string,
  apiV3Key: string,
  associatedData: string,
): { algorithm: 'AEAD_AES_256_GCM'; ciphertext: string; nonce: string; associated_data: string } => {
  const nonce = randomAlnum(12)
  const c = createCipheriv('aes-256-gcm', Buffer.from(apiV3Key, 'utf8'), Buffer.from(nonce, 'utf8'))
  c.setAAD(Buffer.from(associatedData, 'utf8'))
  const enc = Buffer.concat([c.update(plaintext, 'utf8'), c.final(), c.getAuthTag()])
  return {
    algorithm: 'AEAD_AES_256_GCM',
    ciphertext: enc.toString('base64'),
    nonce,
    associated_data: associatedData,
  }
}

/** RFC 3339 in Beijing time, as WeChat Pay writes times (`2026-05-01T10:00:00+08:00`). */
export const beijingTime = (ms: number): string =>
  `${new Date(ms + 8 * 3_600_000).toISOString().slice(0, 19)}+08:00`

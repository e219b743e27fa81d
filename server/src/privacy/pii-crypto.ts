import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

/**
 * Encryption at rest for phone and ID numbers (architecture §5, PIPL): AES-256-GCM under a key id
 * (so keys can rotate: old ciphertexts name the key they need), plus an HMAC-SHA256 blind index for
 * exact look-up without decrypting. The raw database never holds the plaintext.
 */

export interface EncryptedValue {
  /** Which key encrypted it. */
  k: string
  /** base64 of iv(12) ‖ ciphertext ‖ tag(16) */
  v: string
}

export interface PiiKeys {
  /** key id → 32-byte key */
  keys: Record<string, Buffer>
  activeKeyId: string
  /** 32-byte key for the blind index (never rotated without re-indexing). */
  indexKey: Buffer
}

export interface PiiCrypto {
  encrypt(plain: string, aad: string): EncryptedValue
  decrypt(e: EncryptedValue, aad: string): string
  /** Deterministic look-up token for an exact value of a kind (e.g. 'phone'). */
  blindIndex(kind: string, plain: string): string
}

export const createPiiCrypto = (k: PiiKeys): PiiCrypto => {
  const active = k.keys[k.activeKeyId]
  if (!active || active.length !== 32) throw new Error(`PII key ${k.activeKeyId} must be 32 bytes`)
  if (k.indexKey.length !== 32) throw new Error('PII index key must be 32 bytes')
  return {
    encrypt(plain, aad) {
      const iv = randomBytes(12)
      const c = createCipheriv('aes-256-gcm', active, iv)
      c.setAAD(Buffer.from(aad))
      const ct = Buffer.concat([c.update(plain, 'utf8'), c.final()])
      return { k: k.activeKeyId, v: Buffer.concat([iv, ct, c.getAuthTag()]).toString('base64') }
    },
    decrypt(e, aad) {
      const key = k.keys[e.k]
      if (!key) throw new Error(`unknown PII key id ${e.k}`)
      const b = Buffer.from(e.v, 'base64')
      const d = createDecipheriv('aes-256-gcm', key, b.subarray(0, 12))
      d.setAAD(Buffer.from(aad))
      d.setAuthTag(b.subarray(-16))
      return Buffer.concat([d.update(b.subarray(12, -16)), d.final()]).toString('utf8')
    },
    blindIndex(kind, plain) {
      return createHmac('sha256', k.indexKey).update(`${kind}\u0000${plain}`).digest('base64url')
    },
  }
}

/** Constant-time comparison of two blind indexes. */
export const sameIndex = (a: string, b: string): boolean =>
  a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b))

/** 13812345678 → 138****5678 (mainland mobile); other lengths keep the last 4. */
export const maskPhone = (phone: string): string => {
  const digits = phone.replace(/\D/g, '')
  if (digits.length >= 7) return `${digits.slice(0, 3)}****${digits.slice(-4)}`
  return `****${digits.slice(-4)}`
}

/** 11010519491231002X → 1101**********002X */
export const maskIdNumber = (id: string): string =>
  `${id.slice(0, 4)}${'*'.repeat(id.length - 8)}${id.slice(-4)}`

/** 王秀英 → 王*英, 李四 → 李*, Alice → A***e */
export const maskName = (name: string): string => {
  const chars = [...name]
  if (chars.length <= 1) return '*'
  if (chars.length === 2) return `${chars[0]}*`
  return `${chars[0]}${'*'.repeat(chars.length - 2)}${chars.at(-1)}`
}

// WeCom callback crypto (platform.md §3): @wecom/crypto plus what it lacks (§3.4):
// the signature is checked first, in constant time, and nothing is decrypted when it fails; the
// receiveid must equal ours; a decrypt that "succeeds" with the wrong key (garbage, id "") is rejected;
// the package's raw exceptions become typed errors carrying the official sample codes.
import { randomBytes, randomInt, timingSafeEqual } from 'node:crypto'
import { decrypt, encrypt, getSignature } from '@wecom/crypto'
import { parseXmlRoot } from './callback-xml'

/** Error codes of the official samples (R-WWPY). */
export const WECOM_CRYPTO_ERRORS = {
  ValidateSignature: -40001,
  ParseXml: -40002,
  ComputeSignature: -40003,
  IllegalAesKey: -40004,
  ValidateCorpid: -40005,
  EncryptAES: -40006,
  DecryptAES: -40007,
  IllegalBuffer: -40008,
  EncodeBase64: -40009,
  DecodeBase64: -40010,
  GenReturnXml: -40011,
} as const

export type WecomCryptoErrorName = keyof typeof WECOM_CRYPTO_ERRORS
export type WecomCryptoErrorCode = (typeof WECOM_CRYPTO_ERRORS)[WecomCryptoErrorName]

export class WecomCryptoError extends Error {
  override readonly name = 'WecomCryptoError'
  readonly code: WecomCryptoErrorCode

  constructor(
    readonly reason: WecomCryptoErrorName,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
    this.code = WECOM_CRYPTO_ERRORS[reason]
  }
}

export interface CallbackCryptoOptions {
  token: string
  /** The 43-character EncodingAESKey. */
  encodingAesKey: string
  /** The corpid for a self-built app (what the decrypted receiveid must equal). */
  receiveId: string
}

/** The query parameters WeCom signs with. */
export interface SignedQuery {
  msgSignature: string
  timestamp: string
  nonce: string
}

export interface DecryptedPayload {
  message: string
  receiveId: string
  random: Buffer
}

export interface SealedReply {
  encrypt: string
  msgSignature: string
  timestamp: string
  nonce: string
}

export interface SealOptions {
  /** Unix seconds as a string; defaults to now. */
  timestamp?: string
  nonce?: string
  /** 16-byte random prefix; only tests pass it (to reproduce the official ciphertexts). */
  random?: Buffer
}

export interface CallbackCrypto {
  /** Throws -40001 unless `msgSignature` equals sha1(sort(token, timestamp, nonce, encrypted)). */
  verifySignature(query: SignedQuery, encrypted: string): void
  /** Verifies the signature, then decrypts and checks the receiveid. Makes no claim about the format. */
  open(query: SignedQuery, encrypted: string): DecryptedPayload
  /** URL verification (§3.5): the plaintext of `echostr`. */
  verifyUrl(query: SignedQuery, echostr: string): string
  /** A POST callback's `Encrypt` (§3.6): the inner XML, which must be an `<xml>` document. */
  openXml(query: SignedQuery, encrypted: string): string
  /** Encrypts a reply for our receiveid and signs it with a fresh (or given) timestamp and nonce. */
  seal(message: string, options?: SealOptions): SealedReply
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/
const ENCODING_AES_KEY = /^[A-Za-z0-9+/]{43}$/

/** True when `key` is 43 base64 characters that decode (with "=" appended) to 32 bytes. */
export function isValidEncodingAesKey(key: string): boolean {
  return ENCODING_AES_KEY.test(key) && Buffer.from(`${key}=`, 'base64').length === 32
}

export function createCallbackCrypto(options: CallbackCryptoOptions): CallbackCrypto {
  const { token, encodingAesKey, receiveId } = options
  if (!isValidEncodingAesKey(encodingAesKey)) {
    throw new WecomCryptoError('IllegalAesKey', 'EncodingAESKey must be 43 base64 characters (32 bytes)')
  }

  const verifySignature = (query: SignedQuery, encrypted: string): void => {
    let expected: string
    try {
      expected = getSignature(token, query.timestamp, query.nonce, encrypted)
    } catch (err) {
      throw new WecomCryptoError('ComputeSignature', 'Could not compute the signature', { cause: err })
    }
    const given = Buffer.from(query.msgSignature, 'utf8')
    const wanted = Buffer.from(expected, 'utf8')
    if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) {
      throw new WecomCryptoError('ValidateSignature', 'msg_signature does not match')
    }
  }

  const open = (query: SignedQuery, encrypted: string): DecryptedPayload => {
    verifySignature(query, encrypted)
    const payload = decryptChecked(encodingAesKey, encrypted)
    if (payload.receiveId !== receiveId) {
      throw new WecomCryptoError('ValidateCorpid', 'The decrypted receiveid is not our corpid')
    }
    return payload
  }

  return {
    verifySignature,
    open,
    verifyUrl: (query, echostr) => open(query, echostr).message,
    openXml(query, encrypted) {
      const { message } = open(query, encrypted)
      if (!parseXmlRoot(message)) {
        throw new WecomCryptoError('ParseXml', 'The decrypted message is not an <xml> document')
      }
      return message
    },
    seal(message, sealOptions = {}) {
      const timestamp = sealOptions.timestamp ?? String(Math.floor(Date.now() / 1000))
      const nonce = sealOptions.nonce ?? String(randomInt(1_000_000_000, 10_000_000_000))
      const random = sealOptions.random ?? randomBytes(16)
      if (random.length !== 16) throw new WecomCryptoError('EncryptAES', 'The random prefix must be 16 bytes')
      let encrypted: string
      try {
        encrypted = encrypt(encodingAesKey, message, receiveId, random)
      } catch (err) {
        throw new WecomCryptoError('EncryptAES', 'Could not encrypt the reply', { cause: err })
      }
      return {
        encrypt: encrypted,
        msgSignature: getSignature(token, timestamp, nonce, encrypted),
        timestamp,
        nonce,
      }
    },
  }
}

/** Decrypts after checking the ciphertext's shape, mapping the package's exceptions to typed errors. */
function decryptChecked(encodingAesKey: string, encrypted: string): DecryptedPayload {
  if (encrypted.length === 0 || encrypted.length % 4 !== 0 || !BASE64.test(encrypted)) {
    throw new WecomCryptoError('DecodeBase64', 'The ciphertext is not valid base64')
  }
  const size = Buffer.byteLength(encrypted, 'base64')
  // random(16) + length(4) + PKCS#7 padding to 32-byte blocks: at least 32 bytes, whole AES blocks.
  if (size < 32 || size % 16 !== 0) {
    throw new WecomCryptoError('IllegalBuffer', `The ciphertext length ${size} is not whole AES blocks`)
  }
  let result: ReturnType<typeof decrypt>
  try {
    result = decrypt(encodingAesKey, encrypted)
  } catch (err) {
    throw mapDecryptError(err)
  }
  return { message: result.message, receiveId: result.id, random: result.random }
}

function mapDecryptError(err: unknown): WecomCryptoError {
  const message = err instanceof Error ? err.message : String(err)
  if (message.includes('invalid encodingAESKey')) {
    return new WecomCryptoError('IllegalAesKey', 'EncodingAESKey does not decode to 32 bytes', { cause: err })
  }
  if (message.includes('wrong final block length') || message.includes('bad decrypt')) {
    return new WecomCryptoError('DecryptAES', 'AES decryption failed', { cause: err })
  }
  if (message.includes('outside buffer bounds') || message.includes('out of range')) {
    return new WecomCryptoError('IllegalBuffer', 'The decrypted buffer is too short', { cause: err })
  }
  return new WecomCryptoError('DecryptAES', 'AES decryption failed', { cause: err })
}

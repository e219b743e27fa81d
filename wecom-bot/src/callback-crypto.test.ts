import { createCipheriv, createDecipheriv } from 'node:crypto'
import type * as WecomCrypto from '@wecom/crypto'
import { decrypt } from '@wecom/crypto'
import {
  createCallbackCrypto,
  isValidEncodingAesKey,
  WECOM_CRYPTO_ERRORS,
  WecomCryptoError,
} from './callback-crypto'
import type { SignedQuery } from './callback-crypto'
import {
  JSON_MESSAGE,
  NURSE_TEXT_XML,
  URL_VERIFY,
  VECTOR_AES_KEY,
  VECTOR_CORP_ID,
  VECTOR_TOKEN,
  XML_MESSAGE,
} from './wecom-vectors.fixture'

jest.mock('@wecom/crypto', () => {
  const actual = jest.requireActual<typeof WecomCrypto>('@wecom/crypto')
  return { __esModule: true, ...actual, decrypt: jest.fn(actual.decrypt) }
})

const decryptSpy = jest.mocked(decrypt)
const OTHER_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG'

const crypto = createCallbackCrypto({
  token: VECTOR_TOKEN,
  encodingAesKey: VECTOR_AES_KEY,
  receiveId: VECTOR_CORP_ID,
})

const query = (vector: { msgSignature: string; timestamp: string; nonce: string }): SignedQuery => ({
  msgSignature: vector.msgSignature,
  timestamp: vector.timestamp,
  nonce: vector.nonce,
})

function caught(work: () => unknown): WecomCryptoError {
  try {
    work()
  } catch (err) {
    if (err instanceof WecomCryptoError) return err
    throw err
  }
  throw new Error('expected a WecomCryptoError')
}

/** Encrypts with any key and corpid, signed with the official token (a "valid" request from a stranger). */
function sealWith(key: string, receiveId: string, message: string): SignedQuery & { encrypt: string } {
  const other = createCallbackCrypto({ token: VECTOR_TOKEN, encodingAesKey: key, receiveId })
  const sealed = other.seal(message, { timestamp: '1700000000', nonce: '42' })
  return {
    msgSignature: sealed.msgSignature,
    timestamp: sealed.timestamp,
    nonce: sealed.nonce,
    encrypt: sealed.encrypt,
  }
}

beforeEach(() => {
  decryptSpy.mockClear()
})

describe('official vectors (platform.md §3.3)', () => {
  it('URL verification: verifies msg_signature 012bc692… and opens echostr to 1288432023552776189', () => {
    expect(crypto.verifyUrl(query(URL_VERIFY), URL_VERIFY.echostr)).toBe('1288432023552776189')
    const payload = crypto.open(query(URL_VERIFY), URL_VERIFY.echostr)
    expect(payload.random.toString('latin1')).toBe(URL_VERIFY.random)
    expect(payload.receiveId).toBe(VECTOR_CORP_ID)
  })

  it('XML message: opens Encrypt Kl7kjo… (pad 22) to the §3.8 XML', () => {
    const xml = crypto.openXml(query(XML_MESSAGE), XML_MESSAGE.encrypt)
    expect(xml).toBe(NURSE_TEXT_XML)
    expect(Buffer.byteLength(xml)).toBe(228)
    // 16 + 4 + 228 + 18 = 266 bytes → padded to 288, i.e. pad 22: more than one 16-byte block.
    const raw = Buffer.from(XML_MESSAGE.encrypt, 'base64')
    const key = Buffer.from(`${VECTOR_AES_KEY}=`, 'base64')
    const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false)
    const plain = Buffer.concat([decipher.update(raw), decipher.final()])
    expect(plain.at(-1)).toBe(22)
  })

  it('JSON-mode vector decrypts to the (invalid JSON) official plaintext, compared as a string', () => {
    const payload = crypto.open(query(JSON_MESSAGE), JSON_MESSAGE.encrypt)
    expect(payload.receiveId).toBe(JSON_MESSAGE.receiveId)
    expect(payload.message).toBe(JSON_MESSAGE.plaintext)
    expect(() => JSON.parse(payload.message) as unknown).toThrow(SyntaxError)
    // Not an <xml> document, so the XML path refuses it.
    expect(caught(() => crypto.openXml(query(JSON_MESSAGE), JSON_MESSAGE.encrypt)).code).toBe(-40002)
  })

  it('re-encryption with the official random prefix reproduces echostr and Encrypt byte for byte', () => {
    const echo = crypto.seal(URL_VERIFY.plaintext, {
      timestamp: URL_VERIFY.timestamp,
      nonce: URL_VERIFY.nonce,
      random: Buffer.from(URL_VERIFY.random, 'latin1'),
    })
    expect(echo.encrypt).toBe(URL_VERIFY.echostr)
    expect(echo.msgSignature).toBe(URL_VERIFY.msgSignature)

    const message = crypto.seal(XML_MESSAGE.plaintext, {
      timestamp: XML_MESSAGE.timestamp,
      nonce: XML_MESSAGE.nonce,
      random: Buffer.from(XML_MESSAGE.random, 'latin1'),
    })
    expect(message.encrypt).toBe(XML_MESSAGE.encrypt)
    expect(message.msgSignature).toBe(XML_MESSAGE.msgSignature)

    const json = crypto.seal(JSON_MESSAGE.plaintext, {
      timestamp: JSON_MESSAGE.timestamp,
      nonce: JSON_MESSAGE.nonce,
      random: Buffer.from(JSON_MESSAGE.random, 'latin1'),
    })
    expect(json.encrypt).toBe(JSON_MESSAGE.encrypt)
    expect(json.msgSignature).toBe(JSON_MESSAGE.msgSignature)
  })
})

describe('signature first', () => {
  it('rejects a tampered signature with -40001 without calling decrypt', () => {
    const tampered = { ...query(XML_MESSAGE), msgSignature: '0c3914025cb4b4d68103f6bfc8db550f79dcf48f' }
    const err = caught(() => crypto.openXml(tampered, XML_MESSAGE.encrypt))
    expect(err.code).toBe(WECOM_CRYPTO_ERRORS.ValidateSignature)
    expect(err.reason).toBe('ValidateSignature')
    expect(decryptSpy).not.toHaveBeenCalled()
  })

  it('rejects a tampered ciphertext, timestamp or nonce, and signatures of another length, without decrypting', () => {
    const cases: Array<[SignedQuery, string]> = [
      [query(XML_MESSAGE), XML_MESSAGE.encrypt.replace('Kl7', 'Kl8')],
      [{ ...query(XML_MESSAGE), timestamp: '1476422780' }, XML_MESSAGE.encrypt],
      [{ ...query(XML_MESSAGE), nonce: '1597212915' }, XML_MESSAGE.encrypt],
      [{ ...query(XML_MESSAGE), msgSignature: '0c39' }, XML_MESSAGE.encrypt],
      [{ ...query(XML_MESSAGE), msgSignature: XML_MESSAGE.msgSignature.toUpperCase() }, XML_MESSAGE.encrypt],
      [{ ...query(URL_VERIFY), msgSignature: '' }, URL_VERIFY.echostr],
    ]
    for (const [signed, encrypted] of cases) {
      expect(caught(() => crypto.open(signed, encrypted)).code).toBe(-40001)
    }
    expect(decryptSpy).not.toHaveBeenCalled()
  })

  it('decrypts once when the signature matches', () => {
    crypto.openXml(query(XML_MESSAGE), XML_MESSAGE.encrypt)
    expect(decryptSpy).toHaveBeenCalledTimes(1)
  })
})

describe('distrusting a clean-looking decrypt', () => {
  it('shows the package itself accepts a wrong key and returns garbage with id ""', () => {
    const garbage = decrypt(OTHER_KEY, XML_MESSAGE.encrypt)
    expect(garbage.message).not.toBe(NURSE_TEXT_XML)
    expect(garbage.id).toBe('')
  })

  it('rejects a correctly signed message encrypted with another key (corpid check, -40005)', () => {
    const stranger = sealWith(OTHER_KEY, VECTOR_CORP_ID, NURSE_TEXT_XML)
    const err = caught(() => crypto.openXml(stranger, stranger.encrypt))
    expect(err.code).toBe(-40005)
    expect(decryptSpy).toHaveBeenCalledTimes(1)
  })

  it('rejects the official message when the bot has the wrong key', () => {
    const wrong = createCallbackCrypto({
      token: VECTOR_TOKEN,
      encodingAesKey: OTHER_KEY,
      receiveId: VECTOR_CORP_ID,
    })
    expect(caught(() => wrong.openXml(query(XML_MESSAGE), XML_MESSAGE.encrypt)).code).toBe(-40005)
    expect(caught(() => wrong.verifyUrl(query(URL_VERIFY), URL_VERIFY.echostr)).code).toBe(-40005)
  })

  it('requires an <xml> root when the wrong key happens to yield our corpid (simulated) (-40002)', () => {
    decryptSpy.mockReturnValueOnce({
      message: '\u0007\u00ff garbage',
      id: VECTOR_CORP_ID,
      random: Buffer.alloc(16),
    })
    expect(caught(() => crypto.openXml(query(XML_MESSAGE), XML_MESSAGE.encrypt)).code).toBe(-40002)
  })

  it('requires an <xml> root even when the key and corpid are right (-40002)', () => {
    for (const text of ['hello', '<notxml><a>1</a></notxml>', '<xml><a>1</a>', '{"a":1}']) {
      const sealed = sealWith(VECTOR_AES_KEY, VECTOR_CORP_ID, text)
      expect(caught(() => crypto.openXml(sealed, sealed.encrypt)).code).toBe(-40002)
    }
  })

  it('refuses a DOCTYPE (no entity declarations) inside the decrypted message', () => {
    const xml = '<!DOCTYPE xml [<!ENTITY a "b">]><xml><Content>&a;</Content></xml>'
    const sealed = sealWith(VECTOR_AES_KEY, VECTOR_CORP_ID, xml)
    expect(caught(() => crypto.openXml(sealed, sealed.encrypt)).code).toBe(-40002)
  })
})

describe('receiveid check', () => {
  it('gives -40005 ValidateCorpid for a message addressed to another corp', () => {
    const other = sealWith(VECTOR_AES_KEY, 'wwsomeoneelse00000', NURSE_TEXT_XML)
    const err = caught(() => crypto.openXml(other, other.encrypt))
    expect(err.code).toBe(-40005)
    expect(err.reason).toBe('ValidateCorpid')
  })

  it('gives -40005 for the AI-bot receiveid "" too', () => {
    const aiBot = sealWith(VECTOR_AES_KEY, '', NURSE_TEXT_XML)
    expect(caught(() => crypto.openXml(aiBot, aiBot.encrypt)).code).toBe(-40005)
  })
})

describe('error mapping', () => {
  // Signed with the official token, so only the decrypt step can fail.
  const signed = (encrypted: string): SignedQuery => ({
    msgSignature: signatureOf(encrypted),
    timestamp: '1',
    nonce: '2',
  })

  it('maps bad base64 to -40010 DecodeBase64', () => {
    for (const bad of ['!!!!', 'abc', 'ab=c', 'Zm9v YmFy', '']) {
      expect(caught(() => crypto.open(signed(bad), bad)).code).toBe(-40010)
    }
  })

  it('maps a ciphertext that is not whole AES blocks to -40008 and a wrong final block to -40007', () => {
    const short = Buffer.alloc(16).toString('base64')
    expect(caught(() => crypto.open(signed(short), short)).code).toBe(-40008)
    const ragged = Buffer.alloc(40).toString('base64')
    expect(caught(() => crypto.open(signed(ragged), ragged)).code).toBe(-40008)
  })

  it("maps the package's 'wrong final block length' to -40007 when it throws", () => {
    decryptSpy.mockImplementationOnce(() => {
      throw new Error('error:1C80006B:Provider routines::wrong final block length')
    })
    expect(caught(() => crypto.open(query(XML_MESSAGE), XML_MESSAGE.encrypt)).code).toBe(-40007)
  })

  it("maps the package's 'invalid encodingAESKey' to -40004", () => {
    decryptSpy.mockImplementationOnce(() => {
      throw new Error('invalid encodingAESKey')
    })
    expect(caught(() => crypto.open(query(XML_MESSAGE), XML_MESSAGE.encrypt)).code).toBe(-40004)
  })

  it('maps a buffer overrun inside the package to -40008', () => {
    decryptSpy.mockImplementationOnce(() => {
      throw new RangeError('Attempt to access memory outside buffer bounds')
    })
    expect(caught(() => crypto.open(query(XML_MESSAGE), XML_MESSAGE.encrypt)).code).toBe(-40008)
  })

  it('refuses an invalid EncodingAESKey up front with -40004', () => {
    for (const key of ['short', `${VECTOR_AES_KEY}A`, `${VECTOR_AES_KEY.slice(0, 42)}!`]) {
      expect(isValidEncodingAesKey(key)).toBe(false)
      expect(
        caught(() =>
          createCallbackCrypto({ token: VECTOR_TOKEN, encodingAesKey: key, receiveId: VECTOR_CORP_ID }),
        ).code,
      ).toBe(-40004)
    }
    expect(isValidEncodingAesKey(VECTOR_AES_KEY)).toBe(true)
  })
})

describe('sealing a passive reply', () => {
  it('round-trips through open with a fresh timestamp and nonce, padded to 32-byte blocks', () => {
    for (const length of [0, 1, 11, 12, 13, 43, 44, 45, 100]) {
      const text = 'x'.repeat(length)
      const sealed = crypto.seal(text)
      expect(sealed.timestamp).toMatch(/^\d{10}$/)
      expect(sealed.nonce).toMatch(/^\d{10}$/)
      const raw = Buffer.from(sealed.encrypt, 'base64')
      expect(raw.length % 32).toBe(0)
      expect(crypto.open(sealed, sealed.encrypt).message).toBe(text)
    }
  })

  it('uses a new random prefix each time', () => {
    expect(crypto.seal('same').encrypt).not.toBe(crypto.seal('same').encrypt)
  })

  it('pads to 32-byte blocks (a whole 32-byte block when the content is already aligned)', () => {
    const key = Buffer.from(`${VECTOR_AES_KEY}=`, 'base64')
    const open = (encrypted: string) => {
      const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false)
      return Buffer.concat([decipher.update(Buffer.from(encrypted, 'base64')), decipher.final()])
    }
    // random 16 + length 4 + message + corpid 18: a 26-byte message makes exactly 64 bytes.
    const aligned = open(crypto.seal('x'.repeat(26)).encrypt)
    expect(aligned.length).toBe(96)
    expect([...aligned.subarray(64)].every((byte) => byte === 32)).toBe(true)
    const oneMore = open(crypto.seal('x'.repeat(27)).encrypt)
    expect(oneMore.length).toBe(96)
    expect([...oneMore.subarray(65)].every((byte) => byte === 31)).toBe(true)
    // Same cipher parameters as the package: re-encrypting the padded plaintext gives the ciphertext back.
    const sealed = crypto.seal('hello')
    const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false)
    const again = Buffer.concat([cipher.update(open(sealed.encrypt)), cipher.final()])
    expect(again.toString('base64')).toBe(sealed.encrypt)
  })
})

function signatureOf(encrypted: string): string {
  const actual = jest.requireActual<typeof WecomCrypto>('@wecom/crypto')
  return actual.getSignature(VECTOR_TOKEN, '1', '2', encrypted)
}

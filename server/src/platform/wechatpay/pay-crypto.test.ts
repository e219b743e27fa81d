import { createCipheriv, createSign, createVerify, generateKeyPairSync } from 'node:crypto'
import Pay from 'wechatpay-node-v3'
import { selfSignedCert } from '../../../../tests/src/sim/pay/pay-keys'
import {
  decryptCertificates,
  decryptResource,
  paySign,
  PaySignatureVerifier,
  signatureHeaders,
  verifyMessage,
} from './pay-crypto'

const APIV3 = 'abcdefghijklmnopqrstuvwxyz012345'
const platform = generateKeyPairSync('rsa', { modulusLength: 2048 })
const PUB_ID = 'PUB_KEY_ID_0000000000000024101100397200000006'
const pem = platform.publicKey.export({ type: 'spki', format: 'pem' }).toString()

/** The official P-VERIFY example (platform.md §5.4). */
const EXAMPLE = {
  timestamp: '1722850421',
  nonce: 'd824f2e086d3c1df967785d13fcd22ef',
  body: '{"code_url":"weixin://wxpay/bizpayurl?pr=JyC91EIz1"}',
}

const sign = (message: string, key = platform.privateKey): string =>
  createSign('RSA-SHA256').update(message).sign(key, 'base64')

const encrypt = (plain: string, aad: string, nonce = 'abcdef012345') => {
  const c = createCipheriv('aes-256-gcm', Buffer.from(APIV3), Buffer.from(nonce))
  c.setAAD(Buffer.from(aad))
  const b = Buffer.concat([c.update(plain), c.final(), c.getAuthTag()])
  return { algorithm: 'AEAD_AES_256_GCM', ciphertext: b.toString('base64'), nonce, associated_data: aad }
}

const atSeconds = (s: number) => () => new Date(s * 1000)

describe('signature message (§5.4)', () => {
  it('is ts\\nnonce\\nbody\\n over the raw body, and ts\\nnonce\\n\\n for an empty body', () => {
    expect(verifyMessage(EXAMPLE.timestamp, EXAMPLE.nonce, EXAMPLE.body)).toBe(
      '1722850421\nd824f2e086d3c1df967785d13fcd22ef\n{"code_url":"weixin://wxpay/bizpayurl?pr=JyC91EIz1"}\n',
    )
    expect(verifyMessage('1', 'n', '')).toBe('1\nn\n\n')
  })
})

describe('PaySignatureVerifier', () => {
  const headers = (over: Partial<{ timestamp: string; serial: string; signature: string }> = {}) => ({
    timestamp: EXAMPLE.timestamp,
    nonce: EXAMPLE.nonce,
    serial: PUB_ID,
    signature: sign(verifyMessage(EXAMPLE.timestamp, EXAMPLE.nonce, EXAMPLE.body)),
    ...over,
  })
  const verifier = (nowS = 1722850421) => new PaySignatureVerifier(atSeconds(nowS), { id: PUB_ID, pem })
  const reason = (f: () => void): unknown => {
    try {
      f()
    } catch (e) {
      return (e as { code: string; details?: { reason?: string } }).details?.reason ?? (e as Error).message
    }
    return 'verified'
  }

  it('verifies the official example message in public-key mode; the serial is case-insensitive', () => {
    expect(reason(() => verifier().verify(headers(), EXAMPLE.body))).toBe('verified')
    expect(reason(() => verifier().verify(headers({ serial: PUB_ID.toLowerCase() }), EXAMPLE.body))).toBe(
      'verified',
    )
  })

  it('refuses a changed body, an unknown serial and another key', () => {
    expect(reason(() => verifier().verify(headers(), `${EXAMPLE.body} `))).toBe('signature')
    expect(reason(() => verifier().verify(headers({ serial: 'PUB_KEY_ID_1' }), EXAMPLE.body))).toBe('serial')
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const forged = sign(verifyMessage(EXAMPLE.timestamp, EXAMPLE.nonce, EXAMPLE.body), other.privateKey)
    expect(reason(() => verifier().verify(headers({ signature: forged }), EXAMPLE.body))).toBe('signature')
  })

  it('enforces |now − ts| < 300 s against the injected clock, before anything else', () => {
    const ts = 1722850421
    expect(reason(() => verifier(ts + 299).verify(headers(), EXAMPLE.body))).toBe('verified')
    expect(reason(() => verifier(ts - 299).verify(headers(), EXAMPLE.body))).toBe('verified')
    expect(reason(() => verifier(ts + 300).verify(headers(), EXAMPLE.body))).toBe('timestamp')
    expect(reason(() => verifier(ts - 301).verify(headers(), EXAMPLE.body))).toBe('timestamp')
    expect(reason(() => verifier().verify(headers({ timestamp: 'soon' }), EXAMPLE.body))).toBe('timestamp')
  })

  it('refuses WECHATPAY/SIGNTEST probes', () => {
    const probe = headers({ signature: 'WECHATPAY/SIGNTEST/b7YhWbWYRfbQzZ8zvaAm1nXg==' })
    expect(reason(() => verifier().verify(probe, EXAMPLE.body))).toBe('signtest')
  })

  it('picks the key by serial in platform-certificate mode (certificates from /v3/certificates)', () => {
    const serial = '5157F09EFDC096DE15EBE81A47057A7232F1B8E1'
    const cert = selfSignedCert({
      serial,
      cn: 'test',
      org: 'test',
      keys: platform,
      notBefore: new Date(1_700_000_000_000),
      notAfter: new Date(1_900_000_000_000),
    })
    const certs = decryptCertificates(
      [{ serial_no: serial, encrypt_certificate: encrypt(cert, 'certificate') }],
      APIV3,
    )
    const v = new PaySignatureVerifier(atSeconds(1722850421))
    expect(reason(() => v.verify(headers({ serial }), EXAMPLE.body))).toBe('serial')
    // the certificate answer verifies with the certificates it carries, then they are kept
    expect(reason(() => v.verify(headers({ serial }), EXAMPLE.body, certs))).toBe('verified')
    v.addCertificates(certs)
    expect(v.knows(serial.toLowerCase())).toBe(true)
    expect(reason(() => v.verify(headers({ serial }), EXAMPLE.body))).toBe('verified')
    // a certificate whose plaintext was forged does not decrypt
    const forged = encrypt(cert, 'certificate')
    const fb = Buffer.from(forged.ciphertext, 'base64')
    forged.ciphertext = fb.fill(0, fb.length - 16).toString('base64')
    expect(() => decryptCertificates([{ serial_no: serial, encrypt_certificate: forged }], APIV3)).toThrow(
      expect.objectContaining({ code: 'PAY_SIGNATURE_INVALID' }) as Error,
    )
  })

  it('reads the Wechatpay-* headers; a missing one is a signature error', () => {
    expect(() => signatureHeaders({ 'wechatpay-timestamp': '1' })).toThrow(
      expect.objectContaining({ code: 'PAY_SIGNATURE_INVALID' }) as Error,
    )
  })
})

describe('decryptResource (§5.5)', () => {
  const plain = JSON.stringify({ out_trade_no: 'CL202605010001', trade_state: 'SUCCESS' })

  it('decrypts AEAD_AES_256_GCM with the APIv3 key, nonce and associated data', () => {
    expect(JSON.parse(decryptResource(encrypt(plain, 'transaction'), APIV3))).toEqual(JSON.parse(plain))
  })

  it('refuses a forged tag, other associated data, another key or algorithm — where the library does not', () => {
    const r = encrypt(plain, 'transaction')
    const b = Buffer.from(r.ciphertext, 'base64')
    b.writeUInt8(b.readUInt8(b.length - 1) ^ 0x01, b.length - 1)
    const forged = { ...r, ciphertext: b.toString('base64') }
    expect(() => decryptResource(forged, APIV3)).toThrow(
      expect.objectContaining({ code: 'PAY_NOTIFY_INVALID' }) as Error,
    )
    expect(() => decryptResource({ ...r, associated_data: 'refund' }, APIV3)).toThrow(/tag or AAD/)
    expect(() => decryptResource(r, APIV3.replace('a', 'b'))).toThrow(/tag or AAD/)
    expect(() => decryptResource({ ...r, algorithm: 'AES_128_CBC' }, APIV3)).toThrow(/algorithm/)
    // wechatpay-node-v3's decipher_gcm never calls final(): the forged tag still "decrypts"
    const lib = new Pay({
      appid: 'wx',
      mchid: '1900000109',
      serial_no: 'AB',
      publicKey: Buffer.from('unused'),
      privateKey: Buffer.from('unused'),
    })
    expect(lib.decipher_gcm(forged.ciphertext, forged.associated_data, forged.nonce, APIV3)).toEqual(
      JSON.parse(plain),
    )
  })
})

describe('paySign (§5.3)', () => {
  it('signs appId\\ntimeStamp\\nnonceStr\\npackage\\n with the merchant key', () => {
    const merchant = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const p = {
      appId: 'wx8888888888888888',
      timeStamp: '1414561699',
      nonceStr: '5K8264ILTKCH16CQ2502SI8ZNMTM67VS',
      package: 'prepay_id=wx201410272009395522657a690389285100',
    }
    const s = paySign(p, merchant.privateKey)
    const ok = createVerify('RSA-SHA256')
      .update(`${p.appId}\n${p.timeStamp}\n${p.nonceStr}\n${p.package}\n`)
      .verify(merchant.publicKey, s, 'base64')
    expect(ok).toBe(true)
  })
})

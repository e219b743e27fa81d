import { RedemptionCode, REDEMPTION_CODE_ALPHABET } from '@careloop/shared'
import { newRedemptionCode } from './redemption-code'

describe('redemption codes', () => {
  it('are 10 characters of the unambiguous alphabet, accepted by the shared schema', () => {
    for (let i = 0; i < 200; i++) {
      const code = newRedemptionCode()
      expect(code).toMatch(/^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{10}$/)
      expect(RedemptionCode.parse(code)).toBe(code)
    }
  })

  it('never use look-alike characters', () => {
    for (const c of ['0', 'O', '1', 'I', 'L']) expect(REDEMPTION_CODE_ALPHABET).not.toContain(c)
    expect(new Set(REDEMPTION_CODE_ALPHABET).size).toBe(REDEMPTION_CODE_ALPHABET.length)
  })

  it('draw every position from the random source over the whole alphabet', () => {
    let n = 0
    const code = newRedemptionCode((max) => n++ % max)
    expect(code).toBe(REDEMPTION_CODE_ALPHABET.slice(0, 10))
    expect(newRedemptionCode((max) => max - 1)).toBe(REDEMPTION_CODE_ALPHABET.at(-1)!.repeat(10))
  })

  it('are read case-insensitively, without spaces or dashes, when staff type them', () => {
    expect(RedemptionCode.parse(' abcdefghjk ')).toBe('ABCDEFGHJK')
    expect(RedemptionCode.parse('ABCDE FGHJK')).toBe('ABCDEFGHJK')
    expect(RedemptionCode.parse('abcde-fghjk')).toBe('ABCDEFGHJK')
    expect(RedemptionCode.safeParse('ABCDEFGHJ0').success).toBe(false)
    expect(RedemptionCode.safeParse('ABCDEFGHJ').success).toBe(false)
  })

  it('are practically unique', () => {
    const seen = new Set(Array.from({ length: 5000 }, () => newRedemptionCode()))
    expect(seen.size).toBe(5000)
  })
})

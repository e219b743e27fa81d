import { qrMatrix, runsOf } from '../../src/utils/qr'

describe('redemption QR', () => {
  it('encodes a redemption code as a square version-1 symbol with the three finder patterns', () => {
    const m = qrMatrix('AB3K7XY9PQ')
    expect(m).toHaveLength(21)
    expect(m.every((row) => row.length === 21)).toBe(true)
    // finder patterns: a dark 7-module border at three corners
    const finder = (r: number, c: number) =>
      [0, 6].every((d) => m[r + d]!.slice(c, c + 7).every(Boolean)) &&
      [0, 6].every((d) => Array.from({ length: 7 }, (_, i) => m[r + i]![c + d]).every(Boolean))
    expect(finder(0, 0)).toBe(true)
    expect(finder(0, 14)).toBe(true)
    expect(finder(14, 0)).toBe(true)
    // different codes, different symbols
    expect(qrMatrix('ZZ3K7XY9PQ')).not.toEqual(m)
  })

  it('draws a row as runs of equal modules', () => {
    expect(runsOf([true, true, false, true, false, false])).toEqual([
      { dark: true, length: 2 },
      { dark: false, length: 1 },
      { dark: true, length: 1 },
      { dark: false, length: 2 },
    ])
    const m = qrMatrix('AB3K7XY9PQ')
    for (const row of m) expect(runsOf(row).reduce((n, r) => n + r.length, 0)).toBe(21)
  })
})

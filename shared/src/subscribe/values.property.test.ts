// Property: whatever text the server wants to put in a `thing` key, fitSubscribeValue either gives up
// (nothing but control characters and spaces) or returns a value validateSubscribeData accepts.
import fc from 'fast-check'
import { checkSubscribeValue, fitSubscribeValue, validateSubscribeData } from './values'

/** Any UTF-16 code unit, so unpaired surrogates come up too. */
const codeUnits = fc.string({
  unit: fc.integer({ min: 0, max: 0xffff }).map((n) => String.fromCharCode(n)),
  maxLength: 60,
})
const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 60 }),
  codeUnits,
  fc.string({ maxLength: 60 }),
)

describe('fitSubscribeValue(thing) → validateSubscribeData', () => {
  it('always passes when fit returns a value', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const fitted = fitSubscribeValue('thing', text)
        if (fitted === undefined) return
        expect(checkSubscribeValue('thing', fitted)).toBeUndefined()
        expect(validateSubscribeData({ thing1: { value: fitted } })).toEqual({ ok: true })
      }),
      { numRuns: 2000 },
    )
  })

  it('gives up only when nothing printable is left', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const printable = text.replace(/[\p{Cc}\p{Cs}\p{Zl}\p{Zp}]/gu, '').trim() !== ''
        expect(fitSubscribeValue('thing', text) !== undefined).toBe(printable)
      }),
      { numRuns: 2000 },
    )
  })

  it('keeps short clean text as it is', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 20 }), (text) => {
        fc.pre(text.trim() === text && text !== '' && !/\p{Cc}/u.test(text))
        expect(fitSubscribeValue('thing', text)).toBe(text)
      }),
    )
  })
})

import {
  formatSegmentExpression,
  MAX_SEGMENT_EXPRESSION_DEPTH,
  MAX_SEGMENT_EXPRESSION_LENGTH,
  parseSegmentExpression,
  ParseError,
  validateSegmentExpression,
} from './expression'
import type { SegmentExpr } from './expression'
import { Prng } from './random'

const tag = (name: string): SegmentExpr => ({ kind: 'tag', name })
const not = (operand: SegmentExpr): SegmentExpr => ({ kind: 'not', operand })
const and = (a: SegmentExpr, b: SegmentExpr, ...rest: SegmentExpr[]): SegmentExpr => ({
  kind: 'and',
  operands: [a, b, ...rest],
})
const or = (a: SegmentExpr, b: SegmentExpr, ...rest: SegmentExpr[]): SegmentExpr => ({
  kind: 'or',
  operands: [a, b, ...rest],
})

function parseError(src: string): ParseError {
  try {
    parseSegmentExpression(src)
  } catch (err) {
    if (err instanceof ParseError) return err
    throw err
  }
  throw new Error(`expected ${JSON.stringify(src)} not to parse`)
}

describe('parseSegmentExpression', () => {
  it('parses the example from the domain doc', () => {
    expect(parseSegmentExpression('糖尿病 AND (age>=60 OR tier:gold) AND NOT 退订')).toEqual(
      and(
        tag('糖尿病'),
        or(
          { kind: 'compare', attribute: 'age', op: '>=', value: 60 },
          { kind: 'category', attribute: 'tier', value: 'gold' },
        ),
        not(tag('退订')),
      ),
    )
  })

  describe('precedence NOT > AND > OR', () => {
    it.each<[string, SegmentExpr]>([
      ['a OR b AND c', or(tag('a'), and(tag('b'), tag('c')))],
      ['a AND b OR c', or(and(tag('a'), tag('b')), tag('c'))],
      ['a AND b OR c AND d', or(and(tag('a'), tag('b')), and(tag('c'), tag('d')))],
      ['NOT a AND b', and(not(tag('a')), tag('b'))],
      ['NOT a OR b', or(not(tag('a')), tag('b'))],
      ['a OR NOT b AND c', or(tag('a'), and(not(tag('b')), tag('c')))],
      ['NOT NOT a', not(not(tag('a')))],
      ['a OR b OR c', or(tag('a'), tag('b'), tag('c'))],
      ['a AND b AND c', and(tag('a'), tag('b'), tag('c'))],
    ])('%s', (src, expected) => {
      expect(parseSegmentExpression(src)).toEqual(expected)
    })
  })

  describe('parentheses', () => {
    it.each<[string, SegmentExpr]>([
      ['(a OR b) AND c', and(or(tag('a'), tag('b')), tag('c'))],
      ['NOT (a OR b)', not(or(tag('a'), tag('b')))],
      ['((a))', tag('a')],
      ['(a AND b) AND c', and(and(tag('a'), tag('b')), tag('c'))],
      ['a AND (b OR (c AND NOT d))', and(tag('a'), or(tag('b'), and(tag('c'), not(tag('d')))))],
      ['（a 或 b）且 c', and(or(tag('a'), tag('b')), tag('c'))],
      ['(a)AND(b)', and(tag('a'), tag('b'))],
    ])('%s', (src, expected) => {
      expect(parseSegmentExpression(src)).toEqual(expected)
    })
  })

  describe('keywords', () => {
    it('are case-insensitive', () => {
      expect(parseSegmentExpression('a and b Or not c')).toEqual(or(and(tag('a'), tag('b')), not(tag('c'))))
    })

    it('have Chinese synonyms 且 / 或 / 非', () => {
      expect(parseSegmentExpression('糖尿病 且 非 退订 或 高血压')).toEqual(
        or(and(tag('糖尿病'), not(tag('退订'))), tag('高血压')),
      )
    })

    it('only count as whole tokens', () => {
      expect(parseSegmentExpression('非小细胞肺癌')).toEqual(tag('非小细胞肺癌'))
      expect(parseSegmentExpression('ANDROID OR NOTE')).toEqual(or(tag('ANDROID'), tag('NOTE')))
      expect(parseSegmentExpression('糖尿病且高血压')).toEqual(tag('糖尿病且高血压'))
    })
  })

  describe('tag names', () => {
    it.each<[string, string]>([
      ['糖尿病', '糖尿病'],
      ['失访高风险', '失访高风险'],
      ['术后-D7·随访', '术后-D7·随访'],
      ['_内部', '_内部'],
      ['高血压Ⅱ级', '高血压Ⅱ级'],
      ['VIP客户2024', 'VIP客户2024'],
      ['"高血压 2级"', '高血压 2级'],
      ['"2型糖尿病"', '2型糖尿病'],
      ['"AND"', 'AND'],
      ['"a \\"b\\" \\\\ c"', 'a "b" \\ c'],
      ['"age>=60"', 'age>=60'],
      ['“高血压 2级”', '高血压 2级'],
      ['age', 'age'],
    ])('%s is the tag %s', (src, name) => {
      expect(parseSegmentExpression(src)).toEqual(tag(name))
    })
  })

  describe('attributes', () => {
    it.each<[string, SegmentExpr]>([
      ['age>=60', { kind: 'compare', attribute: 'age', op: '>=', value: 60 }],
      ['age < 18', { kind: 'compare', attribute: 'age', op: '<', value: 18 }],
      ['age=45', { kind: 'compare', attribute: 'age', op: '=', value: 45 }],
      ['Age!=45', { kind: 'compare', attribute: 'age', op: '!=', value: 45 }],
      ['age<=0', { kind: 'compare', attribute: 'age', op: '<=', value: 0 }],
      ['age>007', { kind: 'compare', attribute: 'age', op: '>', value: 7 }],
      ['birthYear<1960', { kind: 'compare', attribute: 'birthYear', op: '<', value: 1960 }],
      ['birthyear>=1990', { kind: 'compare', attribute: 'birthYear', op: '>=', value: 1990 }],
      ['gender:female', { kind: 'category', attribute: 'gender', value: 'female' }],
      ['gender : Male', { kind: 'category', attribute: 'gender', value: 'male' }],
      ['gender：female', { kind: 'category', attribute: 'gender', value: 'female' }],
      ['relation:self', { kind: 'category', attribute: 'relation', value: 'self' }],
      ['relation:parent', { kind: 'category', attribute: 'relation', value: 'parent' }],
      ['tier:gold', { kind: 'category', attribute: 'tier', value: 'gold' }],
      ['tier:none', { kind: 'category', attribute: 'tier', value: 'none' }],
      ['tier:"platinum"', { kind: 'category', attribute: 'tier', value: 'platinum' }],
      ['consent:marketing', { kind: 'category', attribute: 'consent', value: 'marketing' }],
    ])('%s', (src, expected) => {
      expect(parseSegmentExpression(src)).toEqual(expected)
    })

    it('mix with tags and NOT', () => {
      expect(parseSegmentExpression('NOT age>=60 AND 糖尿病')).toEqual(
        and(not({ kind: 'compare', attribute: 'age', op: '>=', value: 60 }), tag('糖尿病')),
      )
    })
  })

  describe('errors carry position, length and message', () => {
    it.each<[string, number, number, string]>([
      ['', 0, 0, 'expression is empty at 0'],
      ['   ', 0, 0, 'expression is empty'],
      ['糖尿病 高血压', 4, 3, 'expected AND/OR before "高血压" at 4'],
      ['糖尿病 (高血压)', 4, 1, 'expected AND/OR before "(" at 4'],
      ['"a" "b"', 4, 3, 'expected AND/OR before "b" at 4'],
      ['a NOT b', 2, 3, 'expected AND/OR before NOT at 2'],
      ['a AND', 5, 0, 'unexpected end of expression at 5'],
      ['a OR OR b', 5, 2, 'unexpected OR at 5'],
      ['AND a', 0, 3, 'unexpected AND at 0'],
      ['NOT', 3, 0, 'unexpected end of expression at 3'],
      ['(a OR b', 0, 1, 'missing ")" for "(" at 0'],
      ['a AND (b OR (c)', 6, 1, 'missing ")" for "(" at 6'],
      ['(a OR b) AND c)', 14, 1, 'unexpected ")" at 14'],
      [')', 0, 1, 'unexpected ")" at 0'],
      ['()', 0, 2, 'empty parentheses at 0'],
      ['a AND ()', 6, 2, 'empty parentheses at 6'],
      ['(a b)', 3, 1, 'expected AND/OR before "b" at 3'],
      ['age>=', 5, 0, 'expected a whole number after age>= at 5'],
      ['age>=x', 5, 1, 'expected a whole number after age>= at 5, got "x"'],
      ['age>=60岁', 5, 3, 'got "60岁"'],
      ['age>=-1', 5, 2, 'expected a whole number'],
      ['age>=1234567', 5, 7, 'too large'],
      ['age:60', 3, 1, 'age is compared with =, !=, <, <=, > or >='],
      ['age>=60.5', 7, 1, 'unexpected character "." at 7'],
      ['gender=female', 6, 1, 'gender takes ":"'],
      ['gender:other', 7, 5, 'unknown gender "other" at 7 (expected male, female)'],
      ['tier:bronze', 5, 6, 'unknown tier "bronze" at 5 (expected none, silver, gold, platinum)'],
      ['relation:neighbour', 9, 9, 'unknown relation "neighbour"'],
      ['consent:research', 8, 8, 'unknown consent "research"'],
      ['tier:', 5, 0, 'unknown tier end of expression at 5'],
      ['糖尿病 AND weight>80', 8, 6, 'unknown attribute "weight" at 8'],
      ['constructor:x', 0, 11, 'unknown attribute "constructor"'],
      ['a >= 3', 0, 1, 'unknown attribute "a" at 0'],
      ['"age">=60', 5, 2, 'unexpected ">=" at 5'],
      ['>=60', 0, 2, 'unexpected ">=" at 0'],
      ['60', 0, 2, 'unexpected number 60 at 0'],
      ['2型糖尿病', 0, 5, 'tag names starting with a digit must be quoted at 0'],
      ['a && b', 2, 1, 'unexpected character "&" at 2 (use AND)'],
      ['a || b', 2, 1, '(use OR)'],
      ['!a', 0, 1, '(use NOT)'],
      ["'a'", 0, 1, '(quote with ")'],
      ['"abc', 0, 4, 'unterminated quoted name starting at 0'],
      ['a OR "b', 5, 2, 'unterminated quoted name starting at 5'],
      ['""', 0, 2, 'empty tag name at 0'],
      ['"  "', 0, 4, 'empty tag name at 0'],
      ['"a\\nb"', 2, 2, 'unknown escape "\\\\n" at 2'],
      ['"a\\', 2, 1, 'unknown escape'],
      ['😀', 0, 2, 'unexpected character "😀" at 0'],
    ])('%j → at %i (length %i): %s', (src, position, length, message) => {
      const err = parseError(src)
      expect(err).toBeInstanceOf(ParseError)
      expect(err).toBeInstanceOf(Error)
      expect(err.name).toBe('ParseError')
      expect(err.message).toContain(message)
      expect({ position: err.position, length: err.length }).toEqual({ position, length })
    })

    it('rejects overly long input', () => {
      const src = Array.from({ length: 1000 }, (_, i) => `标签${i}`).join(' OR ')
      expect(src.length).toBeGreaterThan(MAX_SEGMENT_EXPRESSION_LENGTH)
      const err = parseError(src)
      expect(err.message).toContain('too long')
      expect(err.position).toBe(MAX_SEGMENT_EXPRESSION_LENGTH)
      expect(err.position + err.length).toBe(src.length)
    })

    it('rejects nesting deeper than the limit without overflowing the stack', () => {
      const ok =
        '('.repeat(MAX_SEGMENT_EXPRESSION_DEPTH - 1) + 'a' + ')'.repeat(MAX_SEGMENT_EXPRESSION_DEPTH - 1)
      expect(parseSegmentExpression(ok)).toEqual(tag('a'))
      expect(parseError('('.repeat(1000) + 'a' + ')'.repeat(1000)).message).toContain('nested too deeply')
      expect(parseError('NOT '.repeat(900) + 'a').message).toContain('nested too deeply')
      const deepAst = Array.from({ length: 30 }, (_, i) => `x${i}`).reduce(
        (acc, leaf, i) => (i % 2 === 0 ? `(${acc}) OR ${leaf}` : `(${acc}) AND ${leaf}`),
        'a',
      )
      expect(parseError(deepAst).message).toContain('nested too deeply')
    })

    it('rejects a non-string with a ParseError', () => {
      expect(() => parseSegmentExpression(undefined as unknown as string)).toThrow(ParseError)
    })
  })
})

describe('validateSegmentExpression', () => {
  it('returns the AST and distinct tag names in order of appearance, with their places', () => {
    const r = validateSegmentExpression('糖尿病 AND ("高血压 2级" OR 糖尿病) AND NOT 退订 AND age>=60')
    expect(r.ok).toBe(true)
    if (!r.ok) return
    expect(r.tagNames).toEqual(['糖尿病', '高血压 2级', '退订'])
    expect(r.tagRefs).toEqual([
      { name: '糖尿病', position: 0, length: 3 },
      { name: '高血压 2级', position: 9, length: 8 },
      { name: '糖尿病', position: 21, length: 3 },
      { name: '退订', position: 34, length: 2 },
    ])
    expect(r.expr).toEqual(
      parseSegmentExpression('糖尿病 AND ("高血压 2级" OR 糖尿病) AND NOT 退订 AND age>=60'),
    )
  })

  it('returns the error instead of throwing', () => {
    expect(validateSegmentExpression('糖尿病 高血压')).toEqual({
      ok: false,
      error: { position: 4, length: 3, message: 'expected AND/OR before "高血压" at 4' },
    })
  })

  it('lists no tags for a pure attribute expression', () => {
    expect(validateSegmentExpression('age>=60 AND tier:gold')).toMatchObject({ ok: true, tagNames: [] })
  })
})

describe('formatSegmentExpression', () => {
  it.each<[string, string]>([
    ['糖尿病 and (age >= 60 or tier : Gold) and not 退订', '糖尿病 AND (age>=60 OR tier:gold) AND NOT 退订'],
    ['a OR b AND c', 'a OR (b AND c)'],
    ['(a OR b) AND c', '(a OR b) AND c'],
    ['((a OR b)) OR c', '(a OR b) OR c'],
    ['NOT (a AND b)', 'NOT (a AND b)'],
    ['非 非 a', 'NOT NOT a'],
    ['“高血压 2级” 或 "2型糖尿病"', '"高血压 2级" OR "2型糖尿病"'],
    ['"and" 且 "非"', '"and" AND "非"'],
    ['"a\\"b"', '"a\\"b"'],
    ['"age"', 'age'],
    ['（a）', 'a'],
    ['birthyear<1960 或 Age!=45', 'birthYear<1960 OR age!=45'],
    ['gender：Female', 'gender:female'],
  ])('%s → %s', (src, canonical) => {
    expect(formatSegmentExpression(parseSegmentExpression(src))).toBe(canonical)
    expect(parseSegmentExpression(canonical)).toEqual(parseSegmentExpression(src))
  })

  it('quotes every name that would not read back as the same tag', () => {
    for (const name of [
      'a b',
      'OR',
      'Not',
      '且',
      '1',
      '(x)',
      'x:y',
      'age>=60',
      '\\',
      '"',
      'tab\there',
      '😀',
    ]) {
      const printed = formatSegmentExpression(tag(name))
      expect(printed.startsWith('"')).toBe(true)
      expect(parseSegmentExpression(printed)).toEqual(tag(name))
    }
  })
})

describe('fuzz: any string either parses (and round-trips) or throws a well-formed ParseError', () => {
  const pieces = [
    ' ',
    ' ',
    '\t',
    '\u3000',
    '(',
    ')',
    '（',
    '）',
    '"',
    '“',
    '”',
    '\\',
    ':',
    '：',
    '=',
    '!',
    '!=',
    '<',
    '<=',
    '>',
    '>=',
    '&',
    '|',
    'AND',
    'and',
    'OR',
    'NOT',
    'not',
    '且',
    '或',
    '非',
    '糖尿病',
    '高血压',
    'a',
    'b',
    '-',
    '·',
    '_',
    '0',
    '60',
    '1960',
    'age',
    'birthYear',
    'gender',
    'female',
    'tier',
    'gold',
    'none',
    'relation',
    'self',
    'consent',
    'marketing',
    'x',
    '2型',
    '.',
    ',',
    "'",
    '\n',
    '\ud83d',
    '\ude00',
    '😀',
    'é',
    'e\u0301',
    '\u0000',
  ]

  function check(src: string): void {
    let expr: SegmentExpr
    try {
      expr = parseSegmentExpression(src)
    } catch (err) {
      if (!(err instanceof ParseError)) throw new Error(`${JSON.stringify(src)} threw ${String(err)}`)
      expect(Number.isInteger(err.position) && Number.isInteger(err.length)).toBe(true)
      expect(err.position).toBeGreaterThanOrEqual(0)
      expect(err.length).toBeGreaterThanOrEqual(0)
      expect(err.position + err.length).toBeLessThanOrEqual(src.length)
      expect(err.message).toMatch(/ at \d+/)
      const v = validateSegmentExpression(src)
      expect(v).toEqual({
        ok: false,
        error: { position: err.position, length: err.length, message: err.message },
      })
      return
    }
    const printed = formatSegmentExpression(expr)
    expect(parseSegmentExpression(printed)).toEqual(expr)
    expect(formatSegmentExpression(parseSegmentExpression(printed))).toBe(printed)
  }

  it('token soup (5000 strings)', () => {
    const rng = new Prng(42)
    let parsed = 0
    for (let i = 0; i < 5000; i += 1) {
      const src = Array.from({ length: rng.int(0, 12) }, () => rng.pick(pieces)).join(
        rng.chance(0.5) ? ' ' : '',
      )
      check(src)
      if (validateSegmentExpression(src).ok) parsed += 1
    }
    // Both branches are exercised.
    expect(parsed).toBeGreaterThan(100)
  })

  it('mutations of valid expressions (3000 strings)', () => {
    const rng = new Prng(7)
    const seeds = [
      '糖尿病 AND (age>=60 OR tier:gold) AND NOT 退订',
      '"高血压 2级" 或 (gender:female 且 非 relation:self)',
      'NOT (a OR b) AND birthYear<1960 AND consent:marketing',
    ]
    for (let i = 0; i < 3000; i += 1) {
      let src = rng.pick(seeds)
      for (let m = rng.int(1, 3); m > 0; m -= 1) {
        const at = rng.int(0, src.length)
        const r = rng.next()
        if (r < 0.4) src = src.slice(0, at) + src.slice(at + rng.int(1, 3))
        else if (r < 0.8) src = src.slice(0, at) + rng.pick(pieces) + src.slice(at)
        else src = src.slice(0, at) + src.slice(at).split('').reverse().join('')
      }
      check(src)
    }
  })

  it('random code units (2000 strings)', () => {
    const rng = new Prng(99)
    for (let i = 0; i < 2000; i += 1) {
      const src = String.fromCharCode(...Array.from({ length: rng.int(0, 20) }, () => rng.int(0, 0xffff)))
      check(src)
    }
  })
})

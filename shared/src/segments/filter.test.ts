import { parseSegmentExpression } from './expression'
import {
  compileSegmentFilter,
  evaluateSegment,
  segmentReferenceYear,
  segmentSubjectFromDocument,
} from './filter'
import type { SegmentContext, SegmentSubject } from './filter'

const tagIdsByName = new Map([
  ['糖尿病', 't-dm'],
  ['退订', 't-unsub'],
  ['高血压 2级', 't-htn2'],
  ['失访高风险', 't-lost'],
])
// 2024-12-31 18:00 UTC is 2025-01-01 02:00 in Shanghai.
const ctx: SegmentContext = {
  now: new Date('2024-12-31T18:00:00.000Z'),
  timeZone: 'Asia/Shanghai',
  tagIdsByName,
}

const patient = (over: Partial<SegmentSubject> = {}): SegmentSubject => ({
  tagIds: [],
  birthYear: null,
  gender: null,
  relation: 'self',
  marketingConsent: false,
  ...over,
})

const evalSrc = (src: string, s: SegmentSubject, c: SegmentContext = ctx): boolean =>
  evaluateSegment(parseSegmentExpression(src), s, c)
const compile = (src: string, c: SegmentContext = ctx): unknown =>
  compileSegmentFilter(parseSegmentExpression(src), c)

describe('segmentReferenceYear', () => {
  it('takes the year in the given zone', () => {
    expect(segmentReferenceYear(ctx.now, 'Asia/Shanghai')).toBe(2025)
    expect(segmentReferenceYear(ctx.now, 'UTC')).toBe(2024)
    expect(segmentReferenceYear(new Date('2025-01-01T03:00:00.000Z'), 'America/New_York')).toBe(2024)
  })
})

describe('evaluateSegment', () => {
  it('matches tags by id through the name map', () => {
    const p = patient({ tagIds: ['t-dm', 't-htn2'] })
    expect(evalSrc('糖尿病', p)).toBe(true)
    expect(evalSrc('"高血压 2级" AND NOT 退订', p)).toBe(true)
    expect(evalSrc('退订', p)).toBe(false)
    expect(evalSrc('糖尿病 AND 退订', p)).toBe(false)
    expect(evalSrc('退订 OR 失访高风险 OR 糖尿病', p)).toBe(true)
  })

  it('lets a tag name missing from the map match nobody', () => {
    const p = patient({ tagIds: ['t-dm'] })
    expect(evalSrc('未知标签', p)).toBe(false)
    expect(evalSrc('NOT 未知标签', p)).toBe(true)
    expect(evalSrc('糖尿病 OR 未知标签', p)).toBe(true)
  })

  it('computes age as the year in the hospital zone minus the birth year', () => {
    const p = patient({ birthYear: 1965 })
    // 2025 - 1965 = 60 in Shanghai, but 2024 - 1965 = 59 in UTC at the same instant.
    expect(evalSrc('age>=60', p)).toBe(true)
    expect(evalSrc('age=60', p)).toBe(true)
    expect(evalSrc('age>=60', p, { ...ctx, timeZone: 'UTC' })).toBe(false)
    expect(evalSrc('age=59', p, { ...ctx, timeZone: 'UTC' })).toBe(true)
    expect(evalSrc('age<60', p)).toBe(false)
    expect(evalSrc('age>59 AND age<=60 AND age!=61', p)).toBe(true)
    expect(evalSrc('birthYear<1966 AND birthYear>=1965 AND birthYear=1965', p)).toBe(true)
  })

  it('uses two-valued logic: a comparison without a value is false and NOT flips it', () => {
    const p = patient({ birthYear: null, gender: null })
    for (const src of ['age>=60', 'age<60', 'age=45', 'age!=45', 'birthYear<1960', 'birthYear!=1960']) {
      expect(evalSrc(src, p)).toBe(false)
      expect(evalSrc(`NOT ${src}`, p)).toBe(true)
    }
    expect(evalSrc('gender:female OR gender:male', p)).toBe(false)
    expect(evalSrc('NOT gender:female', p)).toBe(true)
  })

  it('treats a missing or null tier as none', () => {
    expect(evalSrc('tier:none', patient())).toBe(true)
    expect(evalSrc('tier:none', patient({ tier: null }))).toBe(true)
    expect(evalSrc('tier:none', patient({ tier: 'none' }))).toBe(true)
    expect(evalSrc('tier:none', patient({ tier: 'gold' }))).toBe(false)
    expect(evalSrc('tier:gold', patient({ tier: 'gold' }))).toBe(true)
    expect(
      evalSrc('tier:none OR tier:silver OR tier:gold OR tier:platinum', patient({ tier: 'bronze' })),
    ).toBe(false)
  })

  it('reads gender, relation and marketing consent', () => {
    const p = patient({ gender: 'female', relation: 'parent', marketingConsent: true })
    expect(evalSrc('gender:female AND relation:parent AND consent:marketing', p)).toBe(true)
    expect(evalSrc('gender:male OR relation:self', p)).toBe(false)
    expect(evalSrc('consent:marketing', patient())).toBe(false)
  })
})

describe('compileSegmentFilter', () => {
  it.each<[string, unknown]>([
    ['糖尿病', { 'tags.tagId': 't-dm' }],
    ['糖尿病 OR 退订', { 'tags.tagId': { $in: ['t-dm', 't-unsub'] } }],
    ['NOT 糖尿病', { 'tags.tagId': { $ne: 't-dm' } }],
    ['NOT (糖尿病 OR 退订)', { 'tags.tagId': { $nin: ['t-dm', 't-unsub'] } }],
    ['NOT 糖尿病 AND NOT 退订', { 'tags.tagId': { $nin: ['t-dm', 't-unsub'] } }],
    ['NOT NOT 糖尿病', { 'tags.tagId': 't-dm' }],
    ['糖尿病 AND 退订', { $and: [{ 'tags.tagId': 't-dm' }, { 'tags.tagId': 't-unsub' }] }],
    ['糖尿病 OR 糖尿病', { 'tags.tagId': 't-dm' }],
    // 2025 - 60 = 1965: age>=60 ⇔ birthYear<=1965, and so on with the inequality flipped.
    ['age>=60', { birthYear: { $lte: 1965 } }],
    ['age>60', { birthYear: { $lt: 1965 } }],
    ['age<18', { birthYear: { $gt: 2007 } }],
    ['age<=18', { birthYear: { $gte: 2007 } }],
    ['age=45', { birthYear: 1980 }],
    ['age!=45', { birthYear: { $nin: [1980, null] } }],
    ['birthYear<1960', { birthYear: { $lt: 1960 } }],
    ['NOT age>=60', { $nor: [{ birthYear: { $lte: 1965 } }] }],
    ['NOT NOT age>=60', { birthYear: { $lte: 1965 } }],
    ['gender:female', { gender: 'female' }],
    ['relation:self', { relation: 'self' }],
    ['tier:gold', { tier: 'gold' }],
    ['tier:none', { tier: { $in: ['none', null] } }],
    ['consent:marketing', { 'consents.marketing.granted': true }],
    [
      '糖尿病 AND (age>=60 OR tier:gold) AND NOT 退订',
      {
        $and: [
          { 'tags.tagId': 't-dm' },
          { $or: [{ birthYear: { $lte: 1965 } }, { tier: 'gold' }] },
          { 'tags.tagId': { $ne: 't-unsub' } },
        ],
      },
    ],
    // Nested groups of the same operator flatten.
    [
      '(gender:male AND tier:gold) AND relation:self',
      { $and: [{ gender: 'male' }, { tier: 'gold' }, { relation: 'self' }] },
    ],
    [
      '(gender:male OR tier:gold) OR 糖尿病',
      { $or: [{ 'tags.tagId': 't-dm' }, { gender: 'male' }, { tier: 'gold' }] },
    ],
    // Unknown tags fold to constants.
    ['未知标签', { _id: { $in: [] } }],
    ['NOT 未知标签', {}],
    ['未知标签 OR 糖尿病', { 'tags.tagId': 't-dm' }],
    ['未知标签 AND 糖尿病', { _id: { $in: [] } }],
    ['NOT 未知标签 AND gender:male', { gender: 'male' }],
    ['NOT 未知标签 OR gender:male', {}],
  ])('%s', (src, expected) => {
    expect(compile(src)).toEqual(expected)
  })

  it('uses the year of the hospital zone', () => {
    expect(compile('age>=60', { ...ctx, timeZone: 'UTC' })).toEqual({ birthYear: { $lte: 1964 } })
  })

  it('returns a fresh object each time', () => {
    const expr = parseSegmentExpression('糖尿病 OR 退订')
    const a = compileSegmentFilter(expr, ctx)
    a['tags.tagId'] = 'changed'
    expect(compileSegmentFilter(expr, ctx)).toEqual({ 'tags.tagId': { $in: ['t-dm', 't-unsub'] } })
  })
})

describe('segmentSubjectFromDocument', () => {
  it('reads the stored shape, absent and null fields included', () => {
    expect(segmentSubjectFromDocument({})).toEqual({
      tagIds: [],
      birthYear: null,
      gender: null,
      relation: '',
      tier: null,
      marketingConsent: false,
    })
    expect(
      segmentSubjectFromDocument({
        tags: [{ tagId: 'a' }, { tagId: 'b' }],
        birthYear: 1950,
        gender: 'female',
        relation: 'parent',
        tier: 'gold',
        consents: { marketing: { granted: true } },
      }),
    ).toEqual({
      tagIds: ['a', 'b'],
      birthYear: 1950,
      gender: 'female',
      relation: 'parent',
      tier: 'gold',
      marketingConsent: true,
    })
    expect(segmentSubjectFromDocument({ consents: { marketing: null }, tags: null }).marketingConsent).toBe(
      false,
    )
  })
})

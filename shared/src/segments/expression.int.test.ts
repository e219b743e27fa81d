// The compiled filter against the real engine (mongo-java-server locally, MongoDB with MONGODB_URI):
// for random patients and expressions, the documents the engine returns are exactly the patients
// evaluateSegment accepts. This guards against the in-memory matcher of the property test sharing a
// misunderstanding of MongoDB's array, null and missing-field rules with the compiler.
import { useTestDatabase } from '../../../tests/src/jest/test-database'
import { formatSegmentExpression, MAX_SEGMENT_EXPRESSION_DEPTH, parseSegmentExpression } from './expression'
import type { SegmentExpr } from './expression'
import {
  compileSegmentFilter,
  evaluateSegment,
  segmentReferenceYear,
  segmentSubjectFromDocument,
} from './filter'
import type { SegmentContext, SegmentPatientDocument } from './filter'
import { Prng, randomPatientDocument, randomSegmentExpr, SAMPLE_TAG_NAMES, sampleTagIds } from './random'

const db = useTestDatabase()

const PATIENTS = 300
const EXPRESSIONS = 100

describe('compileSegmentFilter on the real engine', () => {
  const rng = new Prng(20240601)
  const tagIdsByName = sampleTagIds()
  const ctx: SegmentContext = {
    now: new Date('2024-12-31T18:00:00.000Z'), // already 2025 in Shanghai
    timeZone: 'Asia/Shanghai',
    tagIdsByName,
  }
  const year = segmentReferenceYear(ctx.now, ctx.timeZone)
  const tagIds = [...tagIdsByName.values(), 'ffffffffffffffffffffffff']
  const docs = Array.from({ length: PATIENTS }, (_, i) => ({
    ...randomPatientDocument(rng, tagIds, year),
    seq: i,
  }))
  const exprs: SegmentExpr[] = Array.from({ length: EXPRESSIONS }, () =>
    randomSegmentExpr(rng, { maxDepth: 4, tagNames: SAMPLE_TAG_NAMES, year }),
  )
  let patients: ReturnType<typeof db.connection.collection>

  beforeAll(async () => {
    patients = db.connection.collection('segment_patients')
    // insertMany adds _id to the objects it is given; insert copies so `docs` stays as generated.
    await patients.insertMany(docs.map((d) => ({ ...d })))
  })

  function expectedSeqs(expr: SegmentExpr): number[] {
    return docs
      .filter((d) => evaluateSegment(expr, segmentSubjectFromDocument(d as SegmentPatientDocument), ctx))
      .map((d) => d.seq)
  }

  async function engineSeqs(expr: SegmentExpr): Promise<number[]> {
    const rows = await patients
      .find(compileSegmentFilter(expr, ctx), { projection: { seq: 1 } })
      .sort({ seq: 1 })
      .toArray()
    return rows.map((r) => r.seq as number)
  }

  it(`returns exactly the in-memory matches for ${EXPRESSIONS} random expressions`, async () => {
    expect(await patients.countDocuments({})).toBe(PATIENTS)
    let nonTrivial = 0
    for (const expr of exprs) {
      const expected = expectedSeqs(expr)
      const label = formatSegmentExpression(expr)
      expect({ label, count: await patients.countDocuments(compileSegmentFilter(expr, ctx)) }).toEqual({
        label,
        count: expected.length,
      })
      expect({ label, seqs: await engineSeqs(expr) }).toEqual({ label, seqs: expected })
      if (expected.length > 0 && expected.length < PATIENTS) nonTrivial += 1
    }
    expect(nonTrivial).toBeGreaterThan(EXPRESSIONS / 2)
  })

  it.each([
    // NOT over the tags array, absent tags, unknown tags, missing birth years, tier none and consents.
    'NOT 糖尿病',
    'NOT (糖尿病 OR 退订)',
    'NOT 糖尿病 AND NOT 退订',
    '糖尿病 AND 退订',
    'NOT 未知标签',
    '未知标签',
    'NOT 未知标签 AND NOT NOT 未知标签',
    'age>=60',
    'NOT age>=60',
    'age!=45',
    'NOT age!=45',
    'birthYear<1960 OR birthYear>=1990',
    'tier:none',
    'NOT tier:none',
    'tier:gold OR tier:platinum',
    'consent:marketing',
    'NOT consent:marketing',
    'gender:female OR gender:male',
    'NOT (gender:female OR gender:male)',
    'relation:self AND NOT ("高血压 2级" OR "and")',
  ])('agrees on %s', async (src) => {
    const expr = parseSegmentExpression(src)
    expect(await engineSeqs(expr)).toEqual(expectedSeqs(expr))
  })

  it('accepts the deepest expression the parser allows', async () => {
    // Levels cycle OR, AND, NOT so that each adds one to the AST depth and the filter's nesting.
    let src = '糖尿病'
    for (let depth = 2; depth <= MAX_SEGMENT_EXPRESSION_DEPTH; depth += 1) {
      if (depth % 3 === 2) src = `${src} OR age>=${depth}`
      else if (depth % 3 === 0) src = `(${src}) AND tier:none`
      else src = `NOT (${src})`
    }
    const expr = parseSegmentExpression(src)
    expect(() => parseSegmentExpression(`NOT (${src}) OR 退订`)).toThrow('nested too deeply')
    expect(await engineSeqs(expr)).toEqual(expectedSeqs(expr))
  })
})

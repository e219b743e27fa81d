// Property: for random patients and random expressions, in-memory evaluation agrees with the compiled
// MongoDB filter applied by an in-memory matcher that follows MongoDB's rules for arrays, missing fields
// and null. (expression.int.test.ts checks the same against the real engine, in case this matcher shares
// a misunderstanding with the compiler.)
import { formatSegmentExpression, parseSegmentExpression } from './expression'
import type { SegmentExpr } from './expression'
import {
  compileSegmentFilter,
  evaluateSegment,
  segmentReferenceYear,
  segmentSubjectFromDocument,
} from './filter'
import type { SegmentContext, SegmentFilter } from './filter'
import { Prng, randomPatientDocument, randomSegmentExpr, SAMPLE_TAG_NAMES, sampleTagIds } from './random'

// ---------------------------------------------------------------------------------------------------
// A MongoDB query matcher for exactly the operators the compiler emits.

const EMITTED_OPERATORS = new Set([
  '$and',
  '$or',
  '$nor',
  '$in',
  '$nin',
  '$ne',
  '$eq',
  '$lt',
  '$lte',
  '$gt',
  '$gte',
])

/**
 * The values a dotted path reaches: through arrays of subdocuments element by element; `undefined` marks
 * a branch where the field is missing. A path that reaches nothing at all (an empty array) counts as missing.
 */
function valuesAt(value: unknown, path: readonly string[]): unknown[] {
  if (path.length === 0) return [value]
  const [head, ...rest] = path
  if (Array.isArray(value)) {
    const found = value.flatMap((el) => (typeof el === 'object' && el !== null ? valuesAt(el, path) : []))
    return found.length === 0 ? [undefined] : found
  }
  if (typeof value !== 'object' || value === null) return [undefined]
  const next = (value as Record<string, unknown>)[head!]
  if (next === undefined) return [undefined]
  return valuesAt(next, rest)
}

/** Equality with MongoDB's rules: null also matches missing; an array field matches if any element does. */
function equalsAny(candidates: readonly unknown[], q: unknown): boolean {
  if (q === null) return candidates.some((v) => v === null || v === undefined)
  if (typeof q === 'object') throw new Error(`matcher: unsupported equality operand ${JSON.stringify(q)}`)
  return candidates.some((v) => v === q || (Array.isArray(v) && v.includes(q)))
}

/** Range comparison: only values of the same type compare (type bracketing); null never does. */
function rangeAny(candidates: readonly unknown[], op: string, q: unknown): boolean {
  if (typeof q !== 'number' && typeof q !== 'string') throw new Error(`matcher: bad ${op} operand`)
  const flat = candidates.flatMap((v) => (Array.isArray(v) ? [v, ...(v as unknown[])] : [v]))
  return flat.some((v) => {
    if (typeof v !== typeof q) return false
    const a = v as number | string
    switch (op) {
      case '$lt':
        return a < q
      case '$lte':
        return a <= q
      case '$gt':
        return a > q
      case '$gte':
        return a >= q
      default:
        throw new Error(`matcher: unsupported operator ${op}`)
    }
  })
}

function matchField(doc: object, field: string, condition: unknown): boolean {
  const candidates = valuesAt(doc, field.split('.'))
  const isOperatorObject =
    typeof condition === 'object' &&
    condition !== null &&
    !Array.isArray(condition) &&
    Object.keys(condition).every((k) => k.startsWith('$'))
  if (!isOperatorObject) return equalsAny(candidates, condition)
  return Object.entries(condition as Record<string, unknown>).every(([op, q]) => {
    switch (op) {
      case '$eq':
        return equalsAny(candidates, q)
      case '$ne':
        return !equalsAny(candidates, q)
      case '$in':
        if (!Array.isArray(q)) throw new Error('matcher: $in needs an array')
        return q.some((x) => equalsAny(candidates, x))
      case '$nin':
        if (!Array.isArray(q)) throw new Error('matcher: $nin needs an array')
        return !q.some((x) => equalsAny(candidates, x))
      default:
        return rangeAny(candidates, op, q)
    }
  })
}

function matches(doc: object, filter: SegmentFilter): boolean {
  return Object.entries(filter).every(([key, condition]) => {
    if (key === '$and' || key === '$or' || key === '$nor') {
      if (!Array.isArray(condition) || condition.length === 0) throw new Error(`matcher: bad ${key}`)
      const clauses = condition as SegmentFilter[]
      if (key === '$and') return clauses.every((c) => matches(doc, c))
      if (key === '$or') return clauses.some((c) => matches(doc, c))
      return !clauses.some((c) => matches(doc, c))
    }
    if (key.startsWith('$')) throw new Error(`matcher: unsupported top-level operator ${key}`)
    return matchField(doc, key, condition)
  })
}

function operatorsIn(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) operatorsIn(v, into)
  else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      if (k.startsWith('$')) into.add(k)
      operatorsIn(v, into)
    }
  }
  return into
}

// ---------------------------------------------------------------------------------------------------

const CONTEXTS: { label: string; now: Date; timeZone: string; seed: number }[] = [
  // Shanghai is already in 2025 while UTC is still in 2024.
  {
    label: 'Shanghai on new year',
    now: new Date('2024-12-31T18:00:00.000Z'),
    timeZone: 'Asia/Shanghai',
    seed: 1,
  },
  { label: 'UTC', now: new Date('2024-12-31T18:00:00.000Z'), timeZone: 'UTC', seed: 2 },
  { label: 'Urumqi mid-year', now: new Date('2023-06-15T04:00:00.000Z'), timeZone: 'Asia/Urumqi', seed: 3 },
]

const PATIENTS = 300
const EXPRESSIONS = 400

describe.each(CONTEXTS)(
  'evaluateSegment agrees with compileSegmentFilter ($label)',
  ({ now, timeZone, seed }) => {
    const rng = new Prng(seed)
    const tagIdsByName = sampleTagIds()
    const ctx: SegmentContext = { now, timeZone, tagIdsByName }
    const year = segmentReferenceYear(now, timeZone)
    // One id that no name maps to: carried by patients, matched by no expression.
    const tagIds = [...tagIdsByName.values(), 'ffffffffffffffffffffffff']
    const docs = Array.from({ length: PATIENTS }, () => randomPatientDocument(rng, tagIds, year))
    const subjects = docs.map(segmentSubjectFromDocument)
    const exprs: SegmentExpr[] = Array.from({ length: EXPRESSIONS }, () =>
      randomSegmentExpr(rng, { maxDepth: 4, tagNames: SAMPLE_TAG_NAMES, year }),
    )

    it(`on ${PATIENTS} patients × ${EXPRESSIONS} expressions`, () => {
      let nonTrivial = 0
      for (const expr of exprs) {
        const filter = compileSegmentFilter(expr, ctx)
        let count = 0
        for (let i = 0; i < docs.length; i += 1) {
          const expected = evaluateSegment(expr, subjects[i]!, ctx)
          const actual = matches(docs[i]!, filter)
          if (expected !== actual) {
            throw new Error(
              `disagreement on ${formatSegmentExpression(expr)}\nfilter ${JSON.stringify(filter)}\n` +
                `doc ${JSON.stringify(docs[i])}\nevaluate=${expected} filter=${actual}`,
            )
          }
          if (expected) count += 1
        }
        if (count > 0 && count < docs.length) nonTrivial += 1
      }
      // The generators are not degenerate: most expressions split the population.
      expect(nonTrivial).toBeGreaterThan(EXPRESSIONS / 2)
    })

    it('emits only the supported operators, as plain JSON', () => {
      for (const expr of exprs) {
        const filter = compileSegmentFilter(expr, ctx)
        for (const op of operatorsIn(filter)) expect(EMITTED_OPERATORS).toContain(op)
        expect(JSON.parse(JSON.stringify(filter))).toEqual(filter)
      }
    })

    it('round-trips every expression through the printer', () => {
      for (const expr of exprs) {
        const text = formatSegmentExpression(expr)
        expect(parseSegmentExpression(text)).toEqual(expr)
      }
    })
  },
)

describe('the matcher itself follows MongoDB rules', () => {
  it('treats missing, null and empty arrays as MongoDB does', () => {
    expect(matches({}, { 'tags.tagId': { $ne: 'a' } })).toBe(true)
    expect(matches({ tags: [] }, { 'tags.tagId': { $nin: ['a'] } })).toBe(true)
    expect(matches({ tags: [{ tagId: 'a' }, { tagId: 'b' }] }, { 'tags.tagId': { $ne: 'a' } })).toBe(false)
    expect(matches({ tags: [{ tagId: 'a' }, { tagId: 'b' }] }, { 'tags.tagId': 'b' })).toBe(true)
    expect(matches({}, { tier: { $in: ['none', null] } })).toBe(true)
    expect(matches({ birthYear: null }, { birthYear: { $lt: 2000 } })).toBe(false)
    expect(matches({}, { birthYear: { $nin: [1, null] } })).toBe(false)
    expect(matches({ consents: null }, { 'consents.marketing.granted': true })).toBe(false)
    expect(matches({ a: 1 }, { _id: { $in: [] } })).toBe(false)
    expect(matches({ a: 1 }, { $nor: [{ a: 1 }] })).toBe(false)
    expect(() => matches({}, { $where: 'x' })).toThrow('unsupported')
  })
})

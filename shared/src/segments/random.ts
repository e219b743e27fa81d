// Seeded random segment expressions and patient documents, for the property and integration tests (and
// usable by benchmarks). Deterministic for a given seed; not exported from the package index.

import { RELATIONS } from '../api/auth'
import { CATEGORY_VALUES, COMPARE_OPS } from './expression'
import type { CategoryAttribute, CategoryExpr, SegmentExpr } from './expression'
import type { SegmentPatientDocument } from './filter'

/** mulberry32: a tiny 32-bit PRNG, good enough for test data. */
export class Prng {
  private state: number
  constructor(seed: number) {
    this.state = seed >>> 0
  }
  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0)
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1))
  }
  chance(p: number): boolean {
    return this.next() < p
  }
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list')
    return items[Math.floor(this.next() * items.length)]!
  }
}

/** Tag names covering CJK, a quoted name with a space, a keyword-like name and a `-`/`·` name. */
export const SAMPLE_TAG_NAMES = [
  '糖尿病',
  '高血压 2级',
  '失访高风险',
  '退订',
  '2型糖尿病',
  'VIP',
  'and',
  '术后-D7·随访',
] as const

/** A tag id per sample name (24-hex strings, as the server stores them). */
export function sampleTagIds(): Map<string, string> {
  return new Map(SAMPLE_TAG_NAMES.map((name, i) => [name, (i + 1).toString(16).padStart(24, 'a')]))
}

/** A name that no tag map contains: it must match nobody. */
export const UNKNOWN_TAG_NAME = '未知标签'

export interface RandomExprOptions {
  /** Maximum AST depth (a leaf is depth 1). */
  maxDepth: number
  tagNames: readonly string[]
  /** Reference year, to centre age and birth-year literals on the generated birth years. */
  year: number
}

function randomLeaf(rng: Prng, o: RandomExprOptions): SegmentExpr {
  const r = rng.next()
  if (r < 0.45) return { kind: 'tag', name: rng.chance(0.08) ? UNKNOWN_TAG_NAME : rng.pick(o.tagNames) }
  if (r < 0.7) {
    const op = rng.pick(COMPARE_OPS)
    return rng.chance(0.6)
      ? { kind: 'compare', attribute: 'age', op, value: rng.int(0, 100) }
      : { kind: 'compare', attribute: 'birthYear', op, value: rng.int(o.year - 100, o.year) }
  }
  const attribute = rng.pick(Object.keys(CATEGORY_VALUES) as CategoryAttribute[])
  const value = rng.pick<string>(CATEGORY_VALUES[attribute])
  return { kind: 'category', attribute, value } as CategoryExpr
}

/** A random well-formed AST of depth at most `maxDepth`. */
export function randomSegmentExpr(rng: Prng, o: RandomExprOptions): SegmentExpr {
  if (o.maxDepth <= 1 || rng.chance(0.3)) return randomLeaf(rng, o)
  const sub = { ...o, maxDepth: o.maxDepth - 1 }
  const r = rng.next()
  if (r < 0.25) return { kind: 'not', operand: randomSegmentExpr(rng, sub) }
  const n = rng.int(2, 3)
  const first = randomSegmentExpr(rng, sub)
  const second = randomSegmentExpr(rng, sub)
  const rest = Array.from({ length: n - 2 }, () => randomSegmentExpr(rng, sub))
  return { kind: r < 0.62 ? 'and' : 'or', operands: [first, second, ...rest] }
}

/**
 * A random patient document in the stored shape, deliberately varying how "no value" is stored:
 * absent fields, nulls, empty tag arrays, consents without a marketing entry, unknown tier values.
 */
export function randomPatientDocument(
  rng: Prng,
  tagIds: readonly string[],
  year: number,
): SegmentPatientDocument & Record<string, unknown> {
  const doc: SegmentPatientDocument & Record<string, unknown> = {}
  const t = rng.next()
  if (t < 0.1) {
    // no tags field at all
  } else if (t < 0.2) {
    doc.tags = []
  } else {
    const count = rng.int(1, 4)
    doc.tags = Array.from({ length: count }, () => ({
      tagId: rng.pick(tagIds),
      reason: rng.pick(['manual', 'rule:E11', 'csv']),
      at: '2024-01-01T00:00:00.000Z',
    }))
  }
  const b = rng.next()
  if (b < 0.1) doc.birthYear = null
  else if (b >= 0.2) doc.birthYear = rng.int(year - 100, year)
  const g = rng.next()
  if (g < 0.1) doc.gender = null
  else if (g >= 0.15) doc.gender = rng.chance(0.5) ? 'male' : 'female'
  if (!rng.chance(0.03)) doc.relation = rng.pick(RELATIONS)
  const tier = rng.next()
  if (tier < 0.1) doc.tier = null
  else if (tier < 0.2) doc.tier = 'bronze'
  else if (tier >= 0.3) doc.tier = rng.pick(['none', 'silver', 'gold', 'platinum'])
  const c = rng.next()
  if (c < 0.1) doc.consents = {}
  else if (c < 0.2) doc.consents = { marketing: {} }
  else if (c < 0.3) doc.consents = null
  else if (c >= 0.4) doc.consents = { marketing: { granted: rng.chance(0.5) } }
  doc.name = `患者${rng.int(1, 9999)}`
  return doc
}

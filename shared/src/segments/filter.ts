// Evaluating a segment expression (see ./expression.ts) for one patient in memory, and compiling it to a
// plain MongoDB filter. Both implement the same two-valued semantics, and a property test plus an
// integration test against the real engine prove they agree:
//
// - A tag matches when the patient carries the tag's id. A tag name missing from `tagIdsByName` matches
//   nobody (so `NOT 未知标签` matches everybody); reporting unknown names is the caller's job.
// - `age` is `year(now in timeZone) - birthYear`: the age the patient reaches during the current calendar
//   year, a documented approximation (we store no birthday). `age>=60` in Asia/Shanghai on 2025-01-01
//   00:30 (still 2024 in UTC) uses 2025.
// - Two-valued logic, no SQL NULL: a comparison with a missing value is false, and NOT flips it. So with
//   no birth year, `age>=60`, `age<60` and `age!=45` are all false, while `NOT age>=60` is true; with no
//   gender, `gender:female` and `gender:male` are both false.
// - `tier:none` matches a patient whose tier is 'none', null or absent; `tier:gold` only 'gold'.
// - `consent:marketing` matches when marketing consent is granted (`true`); absent means not granted.
//
// The filter uses only $and, $or, $nor, $in, $nin, $ne, $lt, $lte, $gt, $gte and implicit equality,
// all supported by MongoDB 6+ and mongo-java-server.

import type { CategoryExpr, CompareOp, SegmentExpr } from './expression'

/** What in-memory evaluation needs to know about one patient. */
export interface SegmentSubject {
  tagIds: readonly string[]
  birthYear: number | null
  gender: 'male' | 'female' | null
  relation: string
  /** Absent or null means 'none'. */
  tier?: string | null
  marketingConsent: boolean
}

export interface SegmentContext {
  now: Date
  /** IANA zone of the hospital, e.g. 'Asia/Shanghai'; decides which year "now" is. */
  timeZone: string
  /** Tag name → tag id (the string stored in `tags.tagId`). */
  tagIdsByName: ReadonlyMap<string, string>
}

/**
 * The patient document shape the compiled filter queries. Any other fields may be present. Every field
 * may be absent; the filter treats absent and null alike (as "no value").
 */
export interface SegmentPatientDocument {
  /** Assigned tags, one subdocument each (other fields such as actor and reason are ignored). */
  tags?: readonly { readonly tagId: string }[] | null
  birthYear?: number | null
  gender?: 'male' | 'female' | null
  relation?: string | null
  /** 'none' | 'silver' | 'gold' | 'platinum'; absent or null means 'none'. */
  tier?: string | null
  consents?: { readonly marketing?: { readonly granted?: boolean | null } | null } | null
}

/** The document paths the filter uses (for indexes and for projections). */
export const SEGMENT_DOCUMENT_FIELDS = {
  tagId: 'tags.tagId',
  birthYear: 'birthYear',
  gender: 'gender',
  relation: 'relation',
  tier: 'tier',
  marketingConsent: 'consents.marketing.granted',
} as const

/** A JSON MongoDB filter: plain objects, arrays, strings, numbers, booleans and null. */
export type SegmentFilterValue =
  | string
  | number
  | boolean
  | null
  | SegmentFilterValue[]
  | { [operator: string]: SegmentFilterValue }
export type SegmentFilter = { [field: string]: SegmentFilterValue }

/** Reads a patient document (shape above) the way the compiled filter reads it. */
export function segmentSubjectFromDocument(doc: SegmentPatientDocument): SegmentSubject {
  const tagIds: string[] = []
  for (const t of doc.tags ?? []) {
    if (typeof t === 'object' && t !== null && typeof t.tagId === 'string') tagIds.push(t.tagId)
  }
  return {
    tagIds,
    birthYear: typeof doc.birthYear === 'number' ? doc.birthYear : null,
    gender: doc.gender === 'male' || doc.gender === 'female' ? doc.gender : null,
    relation: typeof doc.relation === 'string' ? doc.relation : '',
    tier: typeof doc.tier === 'string' ? doc.tier : null,
    marketingConsent: doc.consents?.marketing?.granted === true,
  }
}

const yearFormats = new Map<string, Intl.DateTimeFormat>()

/** The calendar year of `now` in `timeZone` (throws RangeError for an unknown zone). */
export function segmentReferenceYear(now: Date, timeZone: string): number {
  let fmt = yearFormats.get(timeZone)
  if (fmt === undefined) {
    fmt = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', era: 'short' })
    yearFormats.set(timeZone, fmt)
  }
  const parts = fmt.formatToParts(now)
  const year = Number(parts.find((p) => p.type === 'year')?.value)
  const bc = parts.find((p) => p.type === 'era')?.value === 'BC'
  return bc ? 1 - year : year
}

/** `left op right` for the comparison operators of expressions and tag rules. */
export function compareNumbers(left: number, op: CompareOp, right: number): boolean {
  switch (op) {
    case '=':
      return left === right
    case '!=':
      return left !== right
    case '<':
      return left < right
    case '<=':
      return left <= right
    case '>':
      return left > right
    case '>=':
      return left >= right
  }
}

function categoryMatches(expr: CategoryExpr, s: SegmentSubject): boolean {
  switch (expr.attribute) {
    case 'gender':
      return s.gender === expr.value
    case 'relation':
      return s.relation === expr.value
    case 'tier':
      return (s.tier ?? 'none') === expr.value
    case 'consent':
      return s.marketingConsent
  }
}

function evaluate(expr: SegmentExpr, s: SegmentSubject, ctx: SegmentContext, year: () => number): boolean {
  switch (expr.kind) {
    case 'tag': {
      const id = ctx.tagIdsByName.get(expr.name)
      return id !== undefined && s.tagIds.includes(id)
    }
    case 'compare': {
      if (s.birthYear === null) return false
      const left = expr.attribute === 'age' ? year() - s.birthYear : s.birthYear
      return compareNumbers(left, expr.op, expr.value)
    }
    case 'category':
      return categoryMatches(expr, s)
    case 'not':
      return !evaluate(expr.operand, s, ctx, year)
    case 'and':
      return expr.operands.every((o) => evaluate(o, s, ctx, year))
    case 'or':
      return expr.operands.some((o) => evaluate(o, s, ctx, year))
  }
}

/** Whether one patient belongs to the segment (same answer as the compiled filter on its document). */
export function evaluateSegment(expr: SegmentExpr, patient: SegmentSubject, ctx: SegmentContext): boolean {
  let cached: number | undefined
  const year = (): number => (cached ??= segmentReferenceYear(ctx.now, ctx.timeZone))
  return evaluate(expr, patient, ctx, year)
}

// ---------------------------------------------------------------------------------------------------
// Compiler. An intermediate form keeps tag sets apart so that OR of tags becomes one $in, NOT of tags a
// $ne / $nin (on an array path these mean "no element equals", and match an absent array), and constant
// parts (unknown tags) fold away.

type Node =
  | { k: 'all' }
  | { k: 'none' }
  /** Has at least one of these tag ids. */
  | { k: 'anyTag'; ids: string[] }
  /** Has none of these tag ids. */
  | { k: 'noTag'; ids: string[] }
  | { k: 'filter'; f: SegmentFilter }

const TAG = SEGMENT_DOCUMENT_FIELDS.tagId
const BIRTH_YEAR = SEGMENT_DOCUMENT_FIELDS.birthYear

/** age op v ⇔ birthYear op' (year - v): the inequality flips because age falls as birthYear rises. */
const FLIP: Record<CompareOp, CompareOp> = {
  '=': '=',
  '!=': '!=',
  '<': '>',
  '<=': '>=',
  '>': '<',
  '>=': '<=',
}
const MONGO_OP: Record<Exclude<CompareOp, '=' | '!='>, string> = {
  '<': '$lt',
  '<=': '$lte',
  '>': '$gt',
  '>=': '$gte',
}

function birthYearFilter(op: CompareOp, value: number): SegmentFilter {
  switch (op) {
    case '=':
      return { [BIRTH_YEAR]: value }
    case '!=':
      // $ne alone would match an absent or null birth year; a comparison with no value is false.
      return { [BIRTH_YEAR]: { $nin: [value, null] } }
    default:
      // Range operators never match null or an absent field (MongoDB's type bracketing).
      return { [BIRTH_YEAR]: { [MONGO_OP[op]]: value } }
  }
}

function union(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])]
}

function toFilter(n: Node): SegmentFilter {
  switch (n.k) {
    case 'all':
      return {}
    case 'none':
      return { _id: { $in: [] } }
    case 'anyTag':
      return n.ids.length === 1 ? { [TAG]: n.ids[0]! } : { [TAG]: { $in: n.ids } }
    case 'noTag':
      return n.ids.length === 1 ? { [TAG]: { $ne: n.ids[0]! } } : { [TAG]: { $nin: n.ids } }
    case 'filter':
      return n.f
  }
}

/** The clauses of `f` when it is exactly `{ [op]: [...] }`, to flatten nested $and / $or. */
function clausesOf(f: SegmentFilter, op: '$and' | '$or'): SegmentFilter[] | undefined {
  const keys = Object.keys(f)
  const v = f[op]
  return keys.length === 1 && Array.isArray(v) ? (v as SegmentFilter[]) : undefined
}

function combine(op: '$and' | '$or', nodes: Node[]): Node {
  const [only, second] = nodes
  if (only === undefined) return { k: op === '$and' ? 'all' : 'none' }
  if (second === undefined) return only
  const clauses = nodes.flatMap((n) => {
    const f = toFilter(n)
    return clausesOf(f, op) ?? [f]
  })
  return { k: 'filter', f: { [op]: clauses } }
}

function categoryFilter(expr: CategoryExpr): SegmentFilter {
  switch (expr.attribute) {
    case 'gender':
      return { [SEGMENT_DOCUMENT_FIELDS.gender]: expr.value }
    case 'relation':
      return { [SEGMENT_DOCUMENT_FIELDS.relation]: expr.value }
    case 'tier':
      // `tier: null` also matches an absent field.
      return { [SEGMENT_DOCUMENT_FIELDS.tier]: expr.value === 'none' ? { $in: ['none', null] } : expr.value }
    case 'consent':
      return { [SEGMENT_DOCUMENT_FIELDS.marketingConsent]: true }
  }
}

function negate(inner: Node): Node {
  switch (inner.k) {
    case 'all':
      return { k: 'none' }
    case 'none':
      return { k: 'all' }
    case 'anyTag':
      return { k: 'noTag', ids: inner.ids }
    case 'noTag':
      return { k: 'anyTag', ids: inner.ids }
    case 'filter': {
      const negated = inner.f.$nor
      if (Object.keys(inner.f).length === 1 && Array.isArray(negated) && negated.length === 1) {
        return { k: 'filter', f: negated[0] as SegmentFilter }
      }
      // $nor matches exactly the documents the clause does not match, missing fields included.
      return { k: 'filter', f: { $nor: [inner.f] } }
    }
  }
}

function compileNode(expr: SegmentExpr, ctx: SegmentContext, year: () => number): Node {
  switch (expr.kind) {
    case 'tag': {
      const id = ctx.tagIdsByName.get(expr.name)
      return id === undefined ? { k: 'none' } : { k: 'anyTag', ids: [id] }
    }
    case 'compare':
      return expr.attribute === 'age'
        ? { k: 'filter', f: birthYearFilter(FLIP[expr.op], year() - expr.value) }
        : { k: 'filter', f: birthYearFilter(expr.op, expr.value) }
    case 'category':
      return { k: 'filter', f: categoryFilter(expr) }
    case 'not':
      return negate(compileNode(expr.operand, ctx, year))
    case 'and': {
      const rest: Node[] = []
      let noTag: string[] | undefined
      for (const o of expr.operands) {
        const n = compileNode(o, ctx, year)
        if (n.k === 'none') return n
        if (n.k === 'all') continue
        if (n.k === 'noTag') noTag = union(noTag ?? [], n.ids)
        else rest.push(n)
      }
      // Negative tag conditions go last: they rarely exclude anyone, so an engine that tests clauses in
      // order (mongo-java-server has no planner) rejects most patients on the selective ones first.
      if (noTag !== undefined) rest.push({ k: 'noTag', ids: noTag })
      return combine('$and', rest)
    }
    case 'or': {
      const rest: Node[] = []
      let anyTag: string[] | undefined
      for (const o of expr.operands) {
        const n = compileNode(o, ctx, year)
        if (n.k === 'all') return n
        if (n.k === 'none') continue
        if (n.k === 'anyTag') anyTag = union(anyTag ?? [], n.ids)
        else rest.push(n)
      }
      if (anyTag !== undefined) rest.unshift({ k: 'anyTag', ids: anyTag })
      return combine('$or', rest)
    }
  }
}

/**
 * A MongoDB filter over `SegmentPatientDocument` matching exactly the patients `evaluateSegment` accepts
 * (with `now` fixed at compile time). Always a fresh plain object; `{}` when everyone matches and
 * `{ _id: { $in: [] } }` when nobody can. Tag ids are compared as strings.
 */
export function compileSegmentFilter(expr: SegmentExpr, ctx: SegmentContext): SegmentFilter {
  let cached: number | undefined
  const year = (): number => (cached ??= segmentReferenceYear(ctx.now, ctx.timeZone))
  return toFilter(compileNode(expr, ctx, year))
}

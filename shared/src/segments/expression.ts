// The segment tag-expression language (F8): parser, validator and canonical printer. Pure: no I/O, no
// database types. Evaluation and the MongoDB filter compiler live in ./filter.ts.
//
// Grammar (precedence NOT > AND > OR; AND and OR are left-associative and n-ary):
//
//   expr     := and (OR and)*
//   and      := unary (AND unary)*
//   unary    := NOT unary | primary
//   primary  := "(" expr ")" | tag | compare | category
//   tag      := NAME | QUOTED
//   compare  := ("age" | "birthYear") ("=" | "!=" | "<" | "<=" | ">" | ">=") INTEGER
//   category := ("gender" | "relation" | "tier" | "consent") ":" NAME
//
// - Keywords AND / OR / NOT are case-insensitive; 且 / 或 / 非 are synonyms. A keyword is only a keyword
//   as a whole token: `非小细胞肺癌` is one tag name, `非 糖尿病` is NOT 糖尿病.
// - NAME: letters of any script (CJK included), combining marks, digits, `_`, `-`, `·`, `・`; it must not
//   start with a digit or combining mark. Anything else (spaces, operators, a leading digit such as
//   `2型糖尿病`, a keyword used as a name) is written quoted: `"高血压 2级"`, `"2型糖尿病"`, with `\"` and
//   `\\` as the only escapes. “…” (Chinese quotes) also quote, （ ） also group and ： is also `:`.
// - A NAME immediately followed by a comparison operator or `:` is an attribute; attribute names are
//   case-insensitive (`Age>=60`, `birthyear<1960`) and values are case-insensitive (`gender:Female`).
//   A bare NAME that happens to spell an attribute (`age`) is an ordinary tag name.
// - Two operands next to each other (`糖尿病 高血压`) are an error: "expected AND/OR".
// - Positions are 0-based offsets in UTF-16 code units (what String.prototype.slice and a textarea's
//   selectionStart use); for CJK text that is one unit per character.

import { RELATIONS } from '../api/auth'

export const NUMERIC_ATTRIBUTES = ['age', 'birthYear'] as const
export type NumericAttribute = (typeof NUMERIC_ATTRIBUTES)[number]

export const COMPARE_OPS = ['=', '!=', '<', '<=', '>', '>='] as const
export type CompareOp = (typeof COMPARE_OPS)[number]

export const SEGMENT_TIERS = ['none', 'silver', 'gold', 'platinum'] as const
export type SegmentTier = (typeof SEGMENT_TIERS)[number]

/** Categorical attributes and the values each accepts (`attribute:value`). */
export const CATEGORY_VALUES = {
  gender: ['male', 'female'],
  relation: RELATIONS,
  tier: SEGMENT_TIERS,
  consent: ['marketing'],
} as const satisfies Record<string, readonly string[]>
export type CategoryAttribute = keyof typeof CATEGORY_VALUES

/** The AST. `and` / `or` always have at least two operands; parentheses leave no node of their own. */
export type SegmentExpr =
  | { kind: 'tag'; name: string }
  | { kind: 'compare'; attribute: NumericAttribute; op: CompareOp; value: number }
  | CategoryExpr
  | { kind: 'not'; operand: SegmentExpr }
  | { kind: 'and'; operands: [SegmentExpr, SegmentExpr, ...SegmentExpr[]] }
  | { kind: 'or'; operands: [SegmentExpr, SegmentExpr, ...SegmentExpr[]] }

export type CategoryExpr = {
  [A in CategoryAttribute]: { kind: 'category'; attribute: A; value: (typeof CATEGORY_VALUES)[A][number] }
}[CategoryAttribute]

/** Longest accepted source, in UTF-16 code units. */
export const MAX_SEGMENT_EXPRESSION_LENGTH = 4000
/**
 * Deepest accepted AST (a tag alone is depth 1). Keeps the parser's recursion bounded for any input and
 * the compiled filter well inside MongoDB's 100-level nesting limit.
 */
export const MAX_SEGMENT_EXPRESSION_DEPTH = 24
/** Largest integer literal accepted in a comparison. */
const MAX_INTEGER_DIGITS = 6

/** A syntax or validation error in a segment expression; `position` and `length` locate it in the source. */
export class ParseError extends Error {
  override readonly name = 'ParseError'
  constructor(
    message: string,
    /** 0-based offset (UTF-16 code units) of the offending text. */
    readonly position: number,
    /** Length of the offending text; 0 at the end of the input. */
    readonly length: number,
  ) {
    super(message)
  }
}

export interface SegmentTagRef {
  name: string
  position: number
  length: number
}

export type SegmentValidation =
  | {
      ok: true
      expr: SegmentExpr
      /** Distinct tag names in order of first appearance; the caller checks which exist. */
      tagNames: string[]
      /** Every tag occurrence with its place in the source, to underline unknown tags. */
      tagRefs: SegmentTagRef[]
    }
  | { ok: false; error: { position: number; length: number; message: string } }

// ---------------------------------------------------------------------------------------------------
// Lexer

type Token =
  | { type: 'lparen' | 'rparen' | 'eof'; pos: number; len: number }
  | { type: 'word'; text: string; pos: number; len: number }
  | { type: 'quoted'; text: string; pos: number; len: number }
  | { type: 'number'; text: string; pos: number; len: number }
  /** A digit run glued to name characters, e.g. `2型糖尿病`: never valid unquoted. */
  | { type: 'badword'; text: string; pos: number; len: number }
  | { type: 'op'; op: CompareOp | ':'; pos: number; len: number }

const NAME_START = String.raw`\p{L}\p{Nl}\p{No}_·・\-`
const NAME_CONT = String.raw`\p{L}\p{M}\p{N}_·・\-`
const WORD_RE = new RegExp(`[${NAME_START}][${NAME_CONT}]*`, 'uy')
const NUMBER_RE = /[0-9]+/y
const NAME_CONT_RE = new RegExp(`[${NAME_CONT}]*`, 'uy')
const BARE_NAME_RE = new RegExp(`^[${NAME_START}][${NAME_CONT}]*$`, 'u')
const WHITESPACE_RE = /\s+/y

const KEYWORDS = new Map<string, 'AND' | 'OR' | 'NOT'>([
  ['and', 'AND'],
  ['or', 'OR'],
  ['not', 'NOT'],
  ['且', 'AND'],
  ['或', 'OR'],
  ['非', 'NOT'],
])

function keywordOf(tok: Token): 'AND' | 'OR' | 'NOT' | undefined {
  return tok.type === 'word' ? KEYWORDS.get(tok.text.toLowerCase()) : undefined
}

/** A short, printable rendering of source text for messages. */
function show(text: string): string {
  const clipped = text.length > 24 ? `${text.slice(0, 24)}…` : text
  return JSON.stringify(clipped)
}

function lex(src: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  const match = (re: RegExp): string | undefined => {
    re.lastIndex = i
    const m = re.exec(src)
    return m === null || m[0] === '' ? undefined : m[0]
  }
  while (i < src.length) {
    const ws = match(WHITESPACE_RE)
    if (ws !== undefined) {
      i += ws.length
      continue
    }
    const c = src[i]!
    const two = src.slice(i, i + 2)
    if (c === '(' || c === '（') {
      tokens.push({ type: 'lparen', pos: i, len: 1 })
      i += 1
    } else if (c === ')' || c === '）') {
      tokens.push({ type: 'rparen', pos: i, len: 1 })
      i += 1
    } else if (two === '!=' || two === '<=' || two === '>=') {
      tokens.push({ type: 'op', op: two, pos: i, len: 2 })
      i += 2
    } else if (c === '=' || c === '<' || c === '>' || c === ':' || c === '：') {
      tokens.push({ type: 'op', op: c === '：' ? ':' : c, pos: i, len: 1 })
      i += 1
    } else if (c === '"' || c === '“') {
      const close = c === '"' ? '"' : '”'
      let text = ''
      let j = i + 1
      for (;;) {
        if (j >= src.length) {
          throw new ParseError(`unterminated quoted name starting at ${i}`, i, src.length - i)
        }
        const d = src[j]!
        if (d === close) break
        if (d === '\\') {
          const e = src[j + 1]
          if (e === '"' || e === '\\' || e === '”') {
            text += e
            j += 2
            continue
          }
          throw new ParseError(
            `unknown escape ${show(src.slice(j, j + 2))} at ${j} (only \\" and \\\\ are allowed)`,
            j,
            Math.min(2, src.length - j),
          )
        }
        text += d
        j += 1
      }
      if (text.trim() === '') throw new ParseError(`empty tag name at ${i}`, i, j + 1 - i)
      tokens.push({ type: 'quoted', text, pos: i, len: j + 1 - i })
      i = j + 1
    } else {
      const num = match(NUMBER_RE)
      if (num !== undefined) {
        NAME_CONT_RE.lastIndex = i + num.length
        const glued = NAME_CONT_RE.exec(src)?.[0] ?? ''
        if (glued !== '') {
          const text = num + glued
          tokens.push({ type: 'badword', text, pos: i, len: text.length })
          i += text.length
        } else {
          tokens.push({ type: 'number', text: num, pos: i, len: num.length })
          i += num.length
        }
        continue
      }
      const word = match(WORD_RE)
      if (word !== undefined) {
        tokens.push({ type: 'word', text: word, pos: i, len: word.length })
        i += word.length
        continue
      }
      const cp = src.codePointAt(i)!
      const ch = String.fromCodePoint(cp)
      const hint =
        c === '&'
          ? ' (use AND)'
          : c === '|'
            ? ' (use OR)'
            : c === '!'
              ? ' (use NOT)'
              : c === "'"
                ? ' (quote with ")'
                : ''
      throw new ParseError(`unexpected character ${show(ch)} at ${i}${hint}`, i, ch.length)
    }
  }
  tokens.push({ type: 'eof', pos: src.length, len: 0 })
  return tokens
}

// ---------------------------------------------------------------------------------------------------
// Parser

const ATTRIBUTE_NAMES = new Map<string, NumericAttribute | CategoryAttribute>([
  ['age', 'age'],
  ['birthyear', 'birthYear'],
  ['gender', 'gender'],
  ['relation', 'relation'],
  ['tier', 'tier'],
  ['consent', 'consent'],
])

function isNumericAttribute(a: NumericAttribute | CategoryAttribute): a is NumericAttribute {
  return a === 'age' || a === 'birthYear'
}

function describe(tok: Token): string {
  switch (tok.type) {
    case 'eof':
      return 'end of expression'
    case 'lparen':
      return '"("'
    case 'rparen':
      return '")"'
    case 'op':
      return show(tok.op)
    default:
      return show(tok.text)
  }
}

class Parser {
  private index = 0
  readonly tagRefs: SegmentTagRef[] = []
  private nesting = 0

  constructor(private readonly tokens: Token[]) {}

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.index + offset, this.tokens.length - 1)]!
  }

  private next(): Token {
    const tok = this.peek()
    if (this.index < this.tokens.length - 1) this.index += 1
    return tok
  }

  parseAll(): SegmentExpr {
    const first = this.peek()
    if (first.type === 'eof') throw new ParseError('expression is empty at 0', 0, 0)
    const expr = this.parseOr()
    const tok = this.peek()
    if (tok.type !== 'eof') throw this.unexpectedAfterOperand(tok)
    return expr
  }

  private unexpectedAfterOperand(tok: Token): ParseError {
    if (tok.type === 'rparen') return new ParseError(`unexpected ")" at ${tok.pos}`, tok.pos, tok.len)
    if (tok.type === 'op') {
      return new ParseError(
        `unexpected ${describe(tok)} at ${tok.pos} (only age, birthYear, gender, relation, tier and consent can be compared)`,
        tok.pos,
        tok.len,
      )
    }
    if (keywordOf(tok) === 'NOT') {
      return new ParseError(`expected AND/OR before NOT at ${tok.pos}`, tok.pos, tok.len)
    }
    return new ParseError(`expected AND/OR before ${describe(tok)} at ${tok.pos}`, tok.pos, tok.len)
  }

  private enter(tok: Token): void {
    this.nesting += 1
    if (this.nesting > MAX_SEGMENT_EXPRESSION_DEPTH) {
      throw new ParseError(`expression is nested too deeply at ${tok.pos}`, tok.pos, tok.len)
    }
  }

  private parseOr(): SegmentExpr {
    const operands = [this.parseAnd()]
    while (keywordOf(this.peek()) === 'OR') {
      this.next()
      operands.push(this.parseAnd())
    }
    const [a, b, ...rest] = operands
    return b === undefined ? a! : { kind: 'or', operands: [a!, b, ...rest] }
  }

  private parseAnd(): SegmentExpr {
    const operands = [this.parseUnary()]
    while (keywordOf(this.peek()) === 'AND') {
      this.next()
      operands.push(this.parseUnary())
    }
    const [a, b, ...rest] = operands
    return b === undefined ? a! : { kind: 'and', operands: [a!, b, ...rest] }
  }

  private parseUnary(): SegmentExpr {
    const tok = this.peek()
    if (keywordOf(tok) === 'NOT') {
      this.next()
      this.enter(tok)
      const operand = this.parseUnary()
      this.nesting -= 1
      return { kind: 'not', operand }
    }
    return this.parsePrimary()
  }

  private parsePrimary(): SegmentExpr {
    const tok = this.next()
    switch (tok.type) {
      case 'lparen': {
        this.enter(tok)
        if (this.peek().type === 'rparen') {
          const close = this.peek()
          throw new ParseError(`empty parentheses at ${tok.pos}`, tok.pos, close.pos + close.len - tok.pos)
        }
        const inner = this.parseOr()
        const close = this.peek()
        if (close.type !== 'rparen') {
          if (close.type === 'eof') {
            throw new ParseError(`missing ")" for "(" at ${tok.pos}`, tok.pos, tok.len)
          }
          throw this.unexpectedAfterOperand(close)
        }
        this.next()
        this.nesting -= 1
        return inner
      }
      case 'quoted':
        this.tagRefs.push({ name: tok.text, position: tok.pos, length: tok.len })
        return { kind: 'tag', name: tok.text }
      case 'word': {
        const kw = keywordOf(tok)
        if (kw !== undefined) {
          throw new ParseError(
            `unexpected ${kw} at ${tok.pos} (expected a tag, an attribute or "("; quote a tag named ${kw}: "${tok.text}")`,
            tok.pos,
            tok.len,
          )
        }
        const after = this.peek()
        if (after.type === 'op') return this.parseAttribute(tok)
        this.tagRefs.push({ name: tok.text, position: tok.pos, length: tok.len })
        return { kind: 'tag', name: tok.text }
      }
      case 'badword':
        throw new ParseError(
          `tag names starting with a digit must be quoted at ${tok.pos}: "${tok.text}"`,
          tok.pos,
          tok.len,
        )
      case 'number':
        throw new ParseError(
          `unexpected number ${tok.text} at ${tok.pos} (expected a tag, an attribute or "(")`,
          tok.pos,
          tok.len,
        )
      case 'eof':
        throw new ParseError(
          `unexpected end of expression at ${tok.pos} (expected a tag, an attribute or "(")`,
          tok.pos,
          0,
        )
      case 'rparen':
        throw new ParseError(`unexpected ")" at ${tok.pos}`, tok.pos, tok.len)
      case 'op':
        throw new ParseError(
          `unexpected ${describe(tok)} at ${tok.pos} (expected a tag, an attribute or "(")`,
          tok.pos,
          tok.len,
        )
    }
  }

  private parseAttribute(nameTok: Extract<Token, { type: 'word' }>): SegmentExpr {
    const opTok = this.next() as Extract<Token, { type: 'op' }>
    const attribute = ATTRIBUTE_NAMES.get(nameTok.text.toLowerCase())
    if (attribute === undefined) {
      throw new ParseError(
        `unknown attribute ${show(nameTok.text)} at ${nameTok.pos} (attributes: age, birthYear, gender, relation, tier, consent)`,
        nameTok.pos,
        nameTok.len,
      )
    }
    const valueTok = this.next()
    if (isNumericAttribute(attribute)) {
      if (opTok.op === ':') {
        throw new ParseError(
          `${attribute} is compared with =, !=, <, <=, > or >= (e.g. ${attribute}>=60), not ":" at ${opTok.pos}`,
          opTok.pos,
          opTok.len,
        )
      }
      if (valueTok.type !== 'number') {
        throw new ParseError(
          `expected a whole number after ${attribute}${opTok.op} at ${valueTok.pos}, got ${describe(valueTok)}`,
          valueTok.pos,
          valueTok.len,
        )
      }
      if (valueTok.text.length > MAX_INTEGER_DIGITS) {
        throw new ParseError(
          `number ${show(valueTok.text)} is too large at ${valueTok.pos}`,
          valueTok.pos,
          valueTok.len,
        )
      }
      return { kind: 'compare', attribute, op: opTok.op, value: Number(valueTok.text) }
    }
    if (opTok.op !== ':') {
      throw new ParseError(
        `${attribute} takes ":" (e.g. ${attribute}:${CATEGORY_VALUES[attribute][0]}), not ${show(opTok.op)} at ${opTok.pos}`,
        opTok.pos,
        opTok.len,
      )
    }
    const allowed: readonly string[] = CATEGORY_VALUES[attribute]
    const valueText = valueTok.type === 'word' || valueTok.type === 'quoted' ? valueTok.text : undefined
    const value = valueText === undefined ? undefined : allowed.find((v) => v === valueText.toLowerCase())
    if (value === undefined) {
      const got = valueText === undefined ? describe(valueTok) : show(valueText)
      throw new ParseError(
        `unknown ${attribute} ${got} at ${valueTok.pos} (expected ${allowed.join(', ')})`,
        valueTok.pos,
        valueTok.len,
      )
    }
    return { kind: 'category', attribute, value } as CategoryExpr
  }
}

function depthOf(expr: SegmentExpr): number {
  switch (expr.kind) {
    case 'not':
      return 1 + depthOf(expr.operand)
    case 'and':
    case 'or':
      return 1 + Math.max(...expr.operands.map(depthOf))
    default:
      return 1
  }
}

function parseWithRefs(src: string): { expr: SegmentExpr; tagRefs: SegmentTagRef[] } {
  if (typeof src !== 'string') throw new ParseError('expression must be a string at 0', 0, 0)
  if (src.length > MAX_SEGMENT_EXPRESSION_LENGTH) {
    throw new ParseError(
      `expression is too long at ${MAX_SEGMENT_EXPRESSION_LENGTH} (at most ${MAX_SEGMENT_EXPRESSION_LENGTH} characters)`,
      MAX_SEGMENT_EXPRESSION_LENGTH,
      src.length - MAX_SEGMENT_EXPRESSION_LENGTH,
    )
  }
  const parser = new Parser(lex(src))
  const expr = parser.parseAll()
  // The parser bounds nesting of parentheses and NOT; and/or levels add at most two per group.
  if (depthOf(expr) > MAX_SEGMENT_EXPRESSION_DEPTH) {
    throw new ParseError(`expression is nested too deeply at 0`, 0, src.length)
  }
  return { expr, tagRefs: parser.tagRefs }
}

/** Parses a segment expression into its AST. Throws ParseError (and nothing else) on bad input. */
export function parseSegmentExpression(src: string): SegmentExpr {
  return parseWithRefs(src).expr
}

/** Parses without throwing; on success also lists the tag names the caller must resolve. */
export function validateSegmentExpression(src: string): SegmentValidation {
  try {
    const { expr, tagRefs } = parseWithRefs(src)
    return { ok: true, expr, tagNames: [...new Set(tagRefs.map((r) => r.name))], tagRefs }
  } catch (err) {
    if (err instanceof ParseError) {
      return { ok: false, error: { position: err.position, length: err.length, message: err.message } }
    }
    throw err
  }
}

// ---------------------------------------------------------------------------------------------------
// Printer

/** True when `name` can be written without quotes (and reads back as the same tag). */
function isBareName(name: string): boolean {
  return BARE_NAME_RE.test(name) && !KEYWORDS.has(name.toLowerCase())
}

function formatTag(name: string): string {
  return isBareName(name) ? name : `"${name.replace(/[\\"]/g, (c) => `\\${c}`)}"`
}

/**
 * The canonical text of an expression: ASCII keywords in upper case, single spaces, no spaces around
 * attribute operators, parentheses only where needed plus around an AND inside an OR (for readers).
 * `parseSegmentExpression(formatSegmentExpression(e))` deep-equals `e`.
 */
export function formatSegmentExpression(expr: SegmentExpr): string {
  switch (expr.kind) {
    case 'tag':
      return formatTag(expr.name)
    case 'compare':
      return `${expr.attribute}${expr.op}${expr.value}`
    case 'category':
      return `${expr.attribute}:${expr.value}`
    case 'not': {
      const inner = formatSegmentExpression(expr.operand)
      return expr.operand.kind === 'and' || expr.operand.kind === 'or' ? `NOT (${inner})` : `NOT ${inner}`
    }
    case 'and':
      return expr.operands
        .map((o) => {
          const s = formatSegmentExpression(o)
          return o.kind === 'and' || o.kind === 'or' ? `(${s})` : s
        })
        .join(' AND ')
    case 'or':
      return expr.operands
        .map((o) => {
          const s = formatSegmentExpression(o)
          return o.kind === 'and' || o.kind === 'or' ? `(${s})` : s
        })
        .join(' OR ')
  }
}

/**
 * Value rules of WeChat subscribe messages (platform.md §2.2). The server fits and validates every
 * value before `subscribe/send`, and the simulator validates with the same code, so a 47003
 * (`argument invalid! data.thing1.value …`) never surprises us in production.
 *
 * A data key is a type prefix plus an index (`thing1`, `time12`, `character_string2`). Lengths count
 * Unicode code points. "Symbols" never include control characters (`\n`, `\t` …), line/paragraph
 * separators or unpaired surrogates. Where WeChat's rule is loose we are strict: a value we accept,
 * WeChat accepts too.
 */

export const SUBSCRIBE_KEY_TYPES = [
  'thing',
  'number',
  'letter',
  'symbol',
  'character_string',
  'time',
  'date',
  'amount',
  'phone_number',
  'car_number',
  'name',
  'phrase',
  'enum',
] as const
export type SubscribeKeyType = (typeof SUBSCRIBE_KEY_TYPES)[number]

export type SubscribeData = Record<string, { value: string }>

export interface SubscribeValueOptions {
  /** `enum` keys: the values the template allows. */
  enumValues?: readonly string[]
}

export interface SubscribeDataOptions {
  /** The template's keys: each must be present (missing → "is empty"). Default: the keys of `data`. */
  keys?: readonly string[]
  /** Allowed values per `enum` key. */
  enumValues?: Readonly<Record<string, readonly string[]>>
}

export type SubscribeDataCheck = { ok: true } | { ok: false; field: string; message: string }

const KEY = new RegExp(`^(${SUBSCRIBE_KEY_TYPES.join('|')})([1-9]\\d{0,3})$`)

/** `thing1` → 'thing', `phone_number3` → 'phone_number'; undefined for anything else. */
export function subscribeKeyType(key: string): SubscribeKeyType | undefined {
  const m = KEY.exec(key)
  return m ? (m[1] as SubscribeKeyType) : undefined
}

/** Longest value per type, in code points (time/date/enum have no length rule of their own). */
export const SUBSCRIBE_MAX_LENGTH: Readonly<Partial<Record<SubscribeKeyType, number>>> = {
  thing: 20,
  number: 32,
  letter: 32,
  symbol: 5,
  character_string: 32,
  phone_number: 17,
  car_number: 8,
  name: 20,
  phrase: 5,
}

type Problem = { kind: 'empty' | 'too-long' | 'invalid'; reason: string }

const CONTROL = /[\p{Cc}\p{Cs}\p{Zl}\p{Zp}]/u
const CONTROL_RUNS = /[\p{Cc}\p{Cs}\p{Zl}\p{Zp}]+/gu
const HAN = /\p{Script=Han}/u
const len = (s: string): number => [...s].length

const tooLong = (max: number, what = 'characters'): Problem => ({
  kind: 'too-long',
  reason: `exceeds ${max} ${what}`,
})
const invalid = (reason: string): Problem => ({ kind: 'invalid', reason })

/** Characters-only rule with a length cap: `allowed` must match the whole value. */
function capped(value: string, allowed: RegExp, max: number, what: string): Problem | undefined {
  if (!allowed.test(value)) return invalid(`must be ${what}`)
  return len(value) > max ? tooLong(max) : undefined
}

// ---- dates and times: `2019年10月1日`, `2019-10-01`, `2019/10/1`, `2019.10.1`; `15:01`, `15:01:30` ----

const DATE = /^(\d{4})(?:年(\d{1,2})月(\d{1,2})日|([-/.])(\d{1,2})\4(\d{1,2}))/
const TIME = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/

function validDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate()
}

function validTime(s: string): boolean {
  const m = TIME.exec(s)
  if (!m) return false
  return Number(m[1]) <= 23 && Number(m[2]) <= 59 && (m[3] === undefined || Number(m[3]) <= 59)
}

/** One side of a range: `[date][ ]time` for `time`, `date[ [ ]time]` for `date`. */
function validMoment(part: string, need: 'time' | 'date'): boolean {
  const d = DATE.exec(part)
  if (d) {
    const [y, mo, da] = d[2] !== undefined ? [d[1], d[2], d[3]] : [d[1], d[5], d[6]]
    if (!validDate(Number(y), Number(mo), Number(da))) return false
    const rest = part.slice(d[0].length).trim()
    return rest === '' ? need === 'date' : validTime(rest)
  }
  return need === 'time' && validTime(part)
}

function checkMoment(value: string, need: 'time' | 'date'): Problem | undefined {
  const parts = value.split('~').map((p) => p.trim())
  if (parts.length > 2 || !parts.every((p) => p !== '' && validMoment(p, need)))
    return invalid(
      need === 'time'
        ? 'must be a 24-hour time (HH:mm), optionally after a date, or a range joined by ~'
        : 'must be a date (2019年10月1日, 2019-10-01, 2019/10/01 or 2019.10.01), optionally with a time, or a range joined by ~',
    )
  return undefined
}

function problemOf(
  type: SubscribeKeyType,
  value: string,
  opts: SubscribeValueOptions = {},
): Problem | undefined {
  if (value.trim() === '') return { kind: 'empty', reason: 'is empty' }
  switch (type) {
    case 'thing':
      if (CONTROL.test(value)) return invalid('contains control characters')
      return len(value) > 20 ? tooLong(20) : undefined
    case 'number': {
      if (!/^\d+(\.\d+)?$/.test(value)) return invalid('must be digits, optionally with decimals')
      return value.replace('.', '').length > 32 ? tooLong(32, 'digits') : undefined
    }
    case 'letter':
      return capped(value, /^[A-Za-z]+$/, 32, 'letters only')
    case 'symbol':
      return capped(value, /^[\p{P}\p{S}]+$/u, 5, 'symbols only')
    case 'character_string':
      return capped(value, /^[\x21-\x7e]+$/, 32, 'digits, letters or symbols')
    case 'phone_number':
      return capped(value, /^(?=.*\d)[\d+\-() #*]+$/, 17, 'a phone number (digits and + - ( ) # *)')
    case 'car_number':
      return capped(value, /^\p{Script=Han}?[A-Za-z0-9]+\p{Script=Han}?$/u, 8, 'a car number plate')
    case 'name': {
      if (!/^[\p{L}\p{M}\p{P}\p{S} ]+$/u.test(value) || CONTROL.test(value))
        return invalid('must be letters, CJK characters or symbols')
      // Any CJK character makes it a Chinese name: ≤10; otherwise ≤20 letters/symbols.
      const max = HAN.test(value) ? 10 : 20
      return len(value) > max ? tooLong(max) : undefined
    }
    case 'phrase':
      return capped(value, /^\p{Script=Han}+$/u, 5, 'CJK characters only')
    case 'amount': {
      const m = /^\p{Sc}(\d+(?:\.\d+)?)元?$/u.exec(value)
      if (!m) return invalid('must be one currency symbol and digits, optionally ending in 元')
      return m[1]!.replace('.', '').length > 10 ? tooLong(10, 'digits') : undefined
    }
    case 'time':
    case 'date':
      return checkMoment(value, type)
    case 'enum':
      if (opts.enumValues && !opts.enumValues.includes(value))
        return invalid('is not a value of the template')
      return undefined
  }
}

/** Undefined when `value` is valid for a key of `type`, else the reason (`is empty`, `exceeds 20 characters` …). */
export function checkSubscribeValue(
  type: SubscribeKeyType,
  value: string,
  opts?: SubscribeValueOptions,
): string | undefined {
  return problemOf(type, value, opts)?.reason
}

const WECHAT_WORDING: Record<Problem['kind'], string> = {
  empty: 'is empty',
  'too-long': 'exceeds limit',
  invalid: 'invalid',
}

/**
 * Validates a whole `data` object like `subscribe/send` does. The failure message is WeChat's 47003
 * wording: `argument invalid! data.thing1.value is empty` / `… exceeds limit` / `… invalid`.
 */
export function validateSubscribeData(
  data: SubscribeData,
  opts: SubscribeDataOptions = {},
): SubscribeDataCheck {
  const keys = opts.keys ?? Object.keys(data)
  for (const field of keys) {
    const fail = (kind: Problem['kind']): SubscribeDataCheck => ({
      ok: false,
      field,
      message: `argument invalid! data.${field}.value ${WECHAT_WORDING[kind]}`,
    })
    const type = subscribeKeyType(field)
    if (!type) return fail('invalid')
    const entry: unknown = Object.prototype.hasOwnProperty.call(data, field) ? data[field] : undefined
    const value: unknown =
      typeof entry === 'object' && entry !== null ? (entry as { value?: unknown }).value : undefined
    if (value === undefined || value === null) return fail('empty')
    if (typeof value !== 'string') return fail('invalid')
    const problem = problemOf(type, value, { enumValues: opts.enumValues?.[field] })
    if (problem) return fail(problem.kind)
  }
  return { ok: true }
}

/**
 * Best effort to make `value` valid for `type`, or undefined when it cannot be. `thing`: control
 * characters become spaces, the ends are trimmed and anything past 20 characters is cut to 19 plus
 * `…`. Every other type is only trimmed: it passes if then valid (a phrase, a name or an id is never
 * shortened, since a cut one would say something else).
 */
export function fitSubscribeValue(type: SubscribeKeyType, value: string): string | undefined {
  if (type === 'thing') {
    const clean = value.replace(CONTROL_RUNS, ' ').trim()
    if (clean === '') return undefined
    const chars = [...clean]
    return chars.length <= 20 ? clean : `${chars.slice(0, 19).join('').trimEnd()}…`
  }
  const trimmed = value.replace(CONTROL_RUNS, ' ').trim()
  return problemOf(type, trimmed) ? undefined : trimmed
}

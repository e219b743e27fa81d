import {
  TagRuleAtom,
  TagRuleCondition,
  type PatientEventKind,
  type Relation,
  type TagRuleCompareOp,
} from '@careloop/shared'

/**
 * The condition builder's editable form of a rule atom (shared/src/tag-rules/condition.ts): every input
 * as typed, so a half-typed number is not lost. `toAtom` turns it into what the schema checks.
 */
export type AtomType = 'age' | 'gender' | 'relation' | 'event' | 'noEvent' | 'eventCount'

export interface AtomDraft {
  id: number
  type: AtomType
  op: TagRuleCompareOp
  eq: '=' | '!='
  value: string
  gender: 'male' | 'female'
  relation: Relation
  kind: PatientEventKind
  codePrefix: string
  /** `days` of noEvent, `withinDays` of event and eventCount. */
  days: string
}

export const ATOM_TYPE_LABEL: Record<AtomType, string> = {
  age: '年龄',
  gender: '性别',
  relation: '与账号关系',
  event: '有临床记录',
  noEvent: '长期没有记录',
  eventCount: '记录次数',
}

let nextId = 1

const BASE: Omit<AtomDraft, 'id' | 'type'> = {
  op: '>=',
  eq: '=',
  value: '',
  gender: 'female',
  relation: 'self',
  kind: 'diagnosis',
  codePrefix: '',
  days: '',
}

/** A new atom of a type with sensible starting values (age ≥ 60, no visit in 90 days …). */
export const newAtom = (type: AtomType): AtomDraft => {
  const d: AtomDraft = { ...BASE, id: nextId++, type }
  switch (type) {
    case 'age':
      return { ...d, op: '>=', value: '60' }
    case 'event':
      return { ...d, kind: 'diagnosis', codePrefix: 'E11' }
    case 'noEvent':
      return { ...d, kind: 'visit', days: '90' }
    case 'eventCount':
      return { ...d, kind: 'visit', days: '365', op: '>=', value: '3' }
    default:
      return d
  }
}

/** Changing an atom's type keeps its id (its row) and starts from that type's defaults. */
export const retype = (d: AtomDraft, type: AtomType): AtomDraft => ({ ...newAtom(type), id: d.id })

export const fromAtom = (a: TagRuleAtom): AtomDraft => {
  const d = { ...BASE, id: nextId++ }
  if ('attr' in a) {
    switch (a.attr) {
      case 'age':
        return { ...d, type: 'age', op: a.op, value: String(a.value) }
      case 'gender':
        return { ...d, type: 'gender', eq: a.op, gender: a.value }
      case 'relation':
        return { ...d, type: 'relation', eq: a.op, relation: a.value }
    }
  }
  if ('event' in a)
    return {
      ...d,
      type: 'event',
      kind: a.event,
      codePrefix: a.codePrefix ?? '',
      days: a.withinDays === undefined ? '' : String(a.withinDays),
    }
  if ('noEvent' in a)
    return { ...d, type: 'noEvent', kind: a.noEvent, codePrefix: a.codePrefix ?? '', days: String(a.days) }
  return {
    ...d,
    type: 'eventCount',
    kind: a.eventCount,
    codePrefix: a.codePrefix ?? '',
    days: String(a.withinDays),
    op: a.op,
    value: String(a.value),
  }
}

const num = (s: string): number | undefined => (s.trim() === '' ? undefined : Number(s.trim()))
const opt = (s: string): string | undefined => (s.trim() === '' ? undefined : s.trim())

/** The atom as the schema sees it (unchecked). */
export const toAtom = (d: AtomDraft): unknown => {
  switch (d.type) {
    case 'age':
      return { attr: 'age', op: d.op, value: num(d.value) }
    case 'gender':
      return { attr: 'gender', op: d.eq, value: d.gender }
    case 'relation':
      return { attr: 'relation', op: d.eq, value: d.relation }
    case 'event':
      return { event: d.kind, codePrefix: opt(d.codePrefix), withinDays: num(d.days) }
    case 'noEvent':
      return { noEvent: d.kind, days: num(d.days), codePrefix: opt(d.codePrefix) }
    case 'eventCount':
      return {
        eventCount: d.kind,
        withinDays: num(d.days),
        op: d.op,
        value: num(d.value),
        codePrefix: opt(d.codePrefix),
      }
  }
}

/** Which draft input a schema path names (`value`, `days` for days / withinDays, `codePrefix`). */
export type DraftField = 'value' | 'days' | 'codePrefix' | 'other'
const fieldOf = (key: unknown): DraftField =>
  key === 'value'
    ? 'value'
    : key === 'days' || key === 'withinDays'
      ? 'days'
      : key === 'codePrefix'
        ? 'codePrefix'
        : 'other'

/** A Chinese message for a rejected input of an atom (the schema's own words are English). */
export const fieldText = (d: AtomDraft, field: DraftField, serverMessage: string): string => {
  switch (field) {
    case 'value':
      return d.type === 'age' ? '请填写 0–150 的整数' : '请填写 0–10000 的整数'
    case 'days':
      return '请填写 1–3650 的整数天数'
    case 'codePrefix':
      return '编码前缀只能包含字母、数字、. 和 -，例如 E11'
    default:
      return serverMessage
  }
}

export type AtomErrors = Partial<Record<DraftField, string>>

/** The schema's verdict on one atom, as messages per input. */
export const checkAtom = (d: AtomDraft): AtomErrors => {
  const r = TagRuleAtom.safeParse(toAtom(d))
  if (r.success) return {}
  const out: AtomErrors = {}
  for (const i of r.error.issues) {
    const f = fieldOf(i.path[0])
    out[f] ??= fieldText(d, f, i.message)
  }
  return out
}

/** The whole condition, parsed; null while an atom is invalid. */
export const toCondition = (mode: 'all' | 'any', atoms: AtomDraft[]): TagRuleCondition | null => {
  const r = TagRuleCondition.safeParse({ [mode]: atoms.map(toAtom) })
  return r.success ? r.data : null
}

/**
 * Server `VALIDATION_FAILED` issues on `condition.all.1.value` mapped to atom 1's input; the rest by
 * their first path segment.
 */
export const serverAtomErrors = (
  issues: { path: string; message: string }[],
  atoms: AtomDraft[],
): Record<number, AtomErrors> => {
  const out: Record<number, AtomErrors> = {}
  for (const { path, message } of issues) {
    const m = /^condition\.(?:all|any)\.(\d+)\.?(\w*)/.exec(path)
    const d = m ? atoms[Number(m[1])] : undefined
    if (!m || !d) continue
    const f = fieldOf(m[2])
    ;(out[d.id] ??= {})[f] ??= fieldText(d, f, message)
  }
  return out
}

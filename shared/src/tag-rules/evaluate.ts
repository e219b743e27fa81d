// Evaluating a tag rule's condition (./condition.ts) for one patient: a pure function of the patient's
// attributes, the patient's clinical events and "now". Semantics:
//
// - `age` is `year(now in timeZone) - birthYear`, exactly as segments compute it (../segments/filter.ts).
//   Two-valued logic as in segments: any comparison with a missing value (no birth year, no gender) is
//   false, whatever the operator.
// - "Within N days" means at or after `now - N × 24 h` (elapsed time, not calendar days).
// - `codePrefix` matches an event whose code starts with it, ignoring case; an event without a code never
//   matches a prefix.
// - `{event: k, withinDays?}` holds when some event of kind k (matching the prefix) exists, within N days
//   if given. The explanation names the latest such event.
// - `{noEvent: k, days: N}` ("no visit in 90 days") holds when no event of kind k (matching the prefix)
//   is within the last N days, and the patient has been known long enough to tell: either an older such
//   event exists (the latest is more than N days old), or there is none and the profile was created at
//   least N days ago. A patient registered yesterday is not "lost to follow-up".
// - `{eventCount: k, withinDays: N, op, value}` compares the number of such events within N days.

import { compareNumbers, segmentReferenceYear } from '../segments/filter'
import {
  PATIENT_EVENT_KIND_LABELS,
  type PatientEventKind,
  type TagRuleAtom,
  type TagRuleCompareOp,
  type TagRuleCondition,
} from './condition'

/** What a rule may know about a patient besides the events. */
export interface TagRuleSubject {
  birthYear: number | null
  gender: 'male' | 'female' | null
  relation: string
  /** When the profile was created (for `noEvent`). */
  createdAt: Date
}

/** One clinical event of the patient. */
export interface TagRuleEvent {
  kind: PatientEventKind
  code: string | null
  at: Date
}

export interface TagRuleContext {
  now: Date
  /** IANA zone of the hospital (config.timezone): decides the year for ages and the dates shown. */
  timeZone: string
}

/** Whether a condition holds, and for each atom that made it hold a Chinese sentence naming the data. */
export interface ConditionResult {
  holds: boolean
  reasons: string[]
}

export interface TagRuleResult {
  holds: boolean
  /** `规则「name」：诊断 E11.9（2026-10-01）`; null when the rule does not hold. */
  because: string | null
}

const DAY_MS = 24 * 60 * 60 * 1000

export const RELATION_LABELS: Record<string, string> = {
  self: '本人',
  parent: '父母',
  spouse: '配偶',
  child: '子女',
  sibling: '兄弟姐妹',
  other: '其他',
}
const GENDER_LABELS: Record<string, string> = { male: '男', female: '女' }
const OP_LABELS: Record<TagRuleCompareOp, string> = {
  '=': '=',
  '!=': '≠',
  '<': '<',
  '<=': '≤',
  '>': '>',
  '>=': '≥',
}

const dateFormats = new Map<string, Intl.DateTimeFormat>()

/** `2026-10-01`: the calendar date of `d` in `timeZone`. */
export function formatRuleDate(d: Date, timeZone: string): string {
  let fmt = dateFormats.get(timeZone)
  if (fmt === undefined) {
    fmt = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
    dateFormats.set(timeZone, fmt)
  }
  const parts = fmt.formatToParts(d)
  const part = (t: string) => parts.find((p) => p.type === t)?.value ?? ''
  return `${part('year')}-${part('month')}-${part('day')}`
}

const codeMatches = (code: string | null, prefix: string | undefined): boolean =>
  prefix === undefined || (code !== null && code.toUpperCase().startsWith(prefix.toUpperCase()))

/** Events of a kind matching a prefix, newest first. */
function matching(events: readonly TagRuleEvent[], kind: PatientEventKind, prefix?: string): TagRuleEvent[] {
  return events
    .filter((e) => e.kind === kind && codeMatches(e.code, prefix))
    .sort((a, b) => b.at.getTime() - a.at.getTime())
}

const withinDays = (at: Date, days: number, now: Date): boolean =>
  at.getTime() >= now.getTime() - days * DAY_MS
const within = (e: TagRuleEvent, days: number, now: Date): boolean => withinDays(e.at, days, now)

/** `诊断 E11.9（2026-10-01）` */
const eventText = (e: TagRuleEvent, tz: string): string =>
  `${PATIENT_EVENT_KIND_LABELS[e.kind]}${e.code ? ` ${e.code}` : ''}（${formatRuleDate(e.at, tz)}）`

const prefixText = (prefix: string | undefined): string => (prefix ? `（编码以 ${prefix} 开头）` : '')

/** The atom's verdict and, when it holds, the sentence explaining why. */
function evaluateAtom(
  a: TagRuleAtom,
  s: TagRuleSubject,
  events: readonly TagRuleEvent[],
  ctx: TagRuleContext,
  year: () => number,
): string | null {
  if ('attr' in a) {
    switch (a.attr) {
      case 'age': {
        if (s.birthYear === null) return null
        const age = year() - s.birthYear
        return compareNumbers(age, a.op, a.value) ? `年龄 ${age} 岁（${OP_LABELS[a.op]} ${a.value}）` : null
      }
      case 'gender': {
        if (s.gender === null) return null
        const holds = a.op === '=' ? s.gender === a.value : s.gender !== a.value
        return holds ? `性别${GENDER_LABELS[s.gender]}` : null
      }
      case 'relation': {
        const holds = a.op === '=' ? s.relation === a.value : s.relation !== a.value
        return holds ? `关系为${RELATION_LABELS[s.relation] ?? s.relation}` : null
      }
    }
  }
  const tz = ctx.timeZone
  if ('event' in a) {
    const hits = matching(events, a.event, a.codePrefix).filter(
      (e) => a.withinDays === undefined || within(e, a.withinDays, ctx.now),
    )
    const latest = hits[0]
    if (latest === undefined) return null
    return a.withinDays === undefined
      ? eventText(latest, tz)
      : `近 ${a.withinDays} 天内${eventText(latest, tz)}`
  }
  if ('noEvent' in a) {
    const label = `${PATIENT_EVENT_KIND_LABELS[a.noEvent]}${prefixText(a.codePrefix)}`
    const latest = matching(events, a.noEvent, a.codePrefix)[0]
    if (latest !== undefined)
      return within(latest, a.days, ctx.now)
        ? null
        : `最近一次${label}在 ${formatRuleDate(latest.at, tz)}，已超过 ${a.days} 天`
    return withinDays(s.createdAt, a.days, ctx.now)
      ? null
      : `无${label}记录，建档于 ${formatRuleDate(s.createdAt, tz)}，已超过 ${a.days} 天`
  }
  const n = matching(events, a.eventCount, a.codePrefix).filter((e) =>
    within(e, a.withinDays, ctx.now),
  ).length
  return compareNumbers(n, a.op, a.value)
    ? `近 ${a.withinDays} 天${PATIENT_EVENT_KIND_LABELS[a.eventCount]}${prefixText(a.codePrefix)} ${n} 次（${OP_LABELS[a.op]} ${a.value}）`
    : null
}

/** Evaluates a condition: whether it holds and the reasons (one per atom that holds, in order). */
export function evaluateCondition(
  condition: TagRuleCondition,
  subject: TagRuleSubject,
  events: readonly TagRuleEvent[],
  ctx: TagRuleContext,
): ConditionResult {
  let cached: number | undefined
  const year = (): number => (cached ??= segmentReferenceYear(ctx.now, ctx.timeZone))
  const atoms = 'all' in condition ? condition.all : condition.any
  const reasons: string[] = []
  for (const a of atoms) {
    const r = evaluateAtom(a, subject, events, ctx, year)
    if (r !== null) reasons.push(r)
    else if ('all' in condition) return { holds: false, reasons: [] }
  }
  return { holds: reasons.length > 0, reasons }
}

/** `规则「name」：reason；reason` */
export function explainTagRule(name: string, reasons: readonly string[]): string {
  return `规则「${name}」：${reasons.join('；')}`
}

/** Evaluates a rule for one patient: `{holds, because}` with a Chinese explanation naming the data. */
export function evaluateTagRule(
  rule: { name: string; condition: TagRuleCondition },
  subject: TagRuleSubject,
  events: readonly TagRuleEvent[],
  ctx: TagRuleContext,
): TagRuleResult {
  const r = evaluateCondition(rule.condition, subject, events, ctx)
  return { holds: r.holds, because: r.holds ? explainTagRule(rule.name, r.reasons) : null }
}

/** A Chinese description of one atom, e.g. `年龄 ≥ 60`, `超过 90 天无就诊`. */
export function describeTagRuleAtom(a: TagRuleAtom): string {
  if ('attr' in a) {
    switch (a.attr) {
      case 'age':
        return `年龄 ${OP_LABELS[a.op]} ${a.value}`
      case 'gender':
        return `性别${a.op === '=' ? '为' : '不是'}${GENDER_LABELS[a.value]}`
      case 'relation':
        return `关系${a.op === '=' ? '为' : '不是'}${RELATION_LABELS[a.value] ?? a.value}`
    }
  }
  if ('event' in a)
    return `${a.withinDays === undefined ? '' : `近 ${a.withinDays} 天内`}有${PATIENT_EVENT_KIND_LABELS[a.event]}记录${prefixText(a.codePrefix)}`
  if ('noEvent' in a)
    return `超过 ${a.days} 天无${PATIENT_EVENT_KIND_LABELS[a.noEvent]}${prefixText(a.codePrefix)}`
  return `近 ${a.withinDays} 天${PATIENT_EVENT_KIND_LABELS[a.eventCount]}${prefixText(a.codePrefix)}次数 ${OP_LABELS[a.op]} ${a.value}`
}

/** A Chinese description of a condition, e.g. `同时满足：年龄 ≥ 60；有诊断记录（编码以 E11 开头）`. */
export function describeTagRuleCondition(c: TagRuleCondition): string {
  return 'all' in c
    ? `同时满足：${c.all.map(describeTagRuleAtom).join('；')}`
    : `满足任一：${c.any.map(describeTagRuleAtom).join('；')}`
}

import { zodIssues } from '../errors'
import { TagRuleCondition, type TagRuleAtom } from './condition'
import {
  describeTagRuleCondition,
  evaluateCondition,
  evaluateTagRule,
  formatRuleDate,
  type TagRuleEvent,
  type TagRuleSubject,
} from './evaluate'

const TZ = 'Asia/Shanghai'
const NOW = new Date('2026-10-20T02:00:00Z') // 10:00 in Shanghai
const ctx = { now: NOW, timeZone: TZ }
const daysAgo = (n: number) => new Date(NOW.getTime() - n * 86_400_000)

const subject = (o: Partial<TagRuleSubject> = {}): TagRuleSubject => ({
  birthYear: 1960,
  gender: 'female',
  relation: 'self',
  createdAt: daysAgo(400),
  ...o,
})
const ev = (kind: TagRuleEvent['kind'], at: Date, code: string | null = null): TagRuleEvent => ({
  kind,
  code,
  at,
})
const holds = (atom: TagRuleAtom, s = subject(), events: TagRuleEvent[] = []) =>
  evaluateCondition({ all: [atom] }, s, events, ctx)

describe('tag rule evaluation', () => {
  it('explains a diagnosis rule with the code and the date in the hospital zone', () => {
    // 2026-09-30 17:00 UTC is already 10-01 in Shanghai
    const events = [
      ev('diagnosis', new Date('2026-09-30T17:00:00Z'), 'E11.9'),
      ev('diagnosis', daysAgo(500), 'I10'),
    ]
    const r = evaluateTagRule(
      { name: '糖尿病自动标签', condition: { all: [{ event: 'diagnosis', codePrefix: 'E11' }] } },
      subject(),
      events,
      ctx,
    )
    expect(r).toEqual({ holds: true, because: '规则「糖尿病自动标签」：诊断 E11.9（2026-10-01）' })
    const no = evaluateTagRule(
      { name: 'x', condition: { all: [{ event: 'diagnosis', codePrefix: 'E10' }] } },
      subject(),
      events,
      ctx,
    )
    expect(no).toEqual({ holds: false, because: null })
  })

  it('matches code prefixes ignoring case, names the latest event, honours withinDays', () => {
    const events = [
      ev('diagnosis', daysAgo(100), 'E11.2'),
      ev('diagnosis', daysAgo(10), 'e11.9'),
      ev('visit', daysAgo(1)),
    ]
    expect(holds({ event: 'diagnosis', codePrefix: 'E11' }, subject(), events).reasons).toEqual([
      `诊断 e11.9（${formatRuleDate(daysAgo(10), TZ)}）`,
    ])
    expect(holds({ event: 'diagnosis', codePrefix: 'e11.2', withinDays: 30 }, subject(), events).holds).toBe(
      false,
    )
    expect(
      holds({ event: 'diagnosis', codePrefix: 'E11.2', withinDays: 100 }, subject(), events).reasons,
    ).toEqual([`近 100 天内诊断 E11.2（${formatRuleDate(daysAgo(100), TZ)}）`])
    // an event without a code never matches a prefix
    expect(holds({ event: 'visit', codePrefix: 'A' }, subject(), events).holds).toBe(false)
    expect(holds({ event: 'visit' }, subject(), events).holds).toBe(true)
  })

  it('computes age in the hospital zone like segments, and a missing value never matches', () => {
    // 2024-12-31 17:00 UTC is 2025-01-01 in Shanghai: age counts with 2025
    const newYear = { now: new Date('2024-12-31T17:00:00Z'), timeZone: TZ }
    const atom: TagRuleAtom = { attr: 'age', op: '>=', value: 65 }
    expect(evaluateCondition({ all: [atom] }, subject(), [], newYear)).toEqual({
      holds: true,
      reasons: ['年龄 65 岁（≥ 65）'],
    })
    expect(evaluateCondition({ all: [atom] }, subject(), [], { ...newYear, timeZone: 'UTC' }).holds).toBe(
      false,
    )
    expect(holds({ attr: 'age', op: '<', value: 200 }, subject({ birthYear: null })).holds).toBe(false)
    expect(holds({ attr: 'age', op: '!=', value: 1 }, subject({ birthYear: null })).holds).toBe(false)
    expect(holds({ attr: 'gender', op: '!=', value: 'male' }, subject({ gender: null })).holds).toBe(false)
    expect(holds({ attr: 'gender', op: '=', value: 'female' }).reasons).toEqual(['性别女'])
    expect(holds({ attr: 'gender', op: '!=', value: 'female' }).holds).toBe(false)
    expect(
      holds({ attr: 'relation', op: '!=', value: 'self' }, subject({ relation: 'parent' })).reasons,
    ).toEqual(['关系为父母'])
  })

  it('noEvent: the latest visit is more than N days old, or none and the profile is older than N days', () => {
    const atom: TagRuleAtom = { noEvent: 'visit', days: 90 }
    expect(holds(atom, subject(), [ev('visit', daysAgo(91)), ev('visit', daysAgo(200))]).reasons).toEqual([
      `最近一次就诊在 ${formatRuleDate(daysAgo(91), TZ)}，已超过 90 天`,
    ])
    expect(holds(atom, subject(), [ev('visit', daysAgo(91)), ev('visit', daysAgo(89))]).holds).toBe(false)
    // exactly 90 days ago still counts as within
    expect(holds(atom, subject(), [ev('visit', daysAgo(90))]).holds).toBe(false)
    // other kinds do not count as visits
    expect(holds(atom, subject(), [ev('diagnosis', daysAgo(1), 'E11')]).holds).toBe(true)
    expect(holds(atom, subject({ createdAt: daysAgo(120) })).reasons).toEqual([
      `无就诊记录，建档于 ${formatRuleDate(daysAgo(120), TZ)}，已超过 90 天`,
    ])
    // a patient registered recently is not lost to follow-up yet
    expect(holds(atom, subject({ createdAt: daysAgo(30) })).holds).toBe(false)
    // but an old visit imported for a new profile is
    expect(holds(atom, subject({ createdAt: daysAgo(3) }), [ev('visit', daysAgo(100))]).holds).toBe(true)
  })

  it('eventCount counts matching events within the window', () => {
    const events = [
      ev('visit', daysAgo(10)),
      ev('visit', daysAgo(100)),
      ev('visit', daysAgo(364)),
      ev('visit', daysAgo(366)),
    ]
    expect(
      holds({ eventCount: 'visit', withinDays: 365, op: '>=', value: 3 }, subject(), events).reasons,
    ).toEqual(['近 365 天就诊 3 次（≥ 3）'])
    expect(holds({ eventCount: 'visit', withinDays: 365, op: '>', value: 3 }, subject(), events).holds).toBe(
      false,
    )
    expect(holds({ eventCount: 'surgery', withinDays: 30, op: '=', value: 0 }, subject(), events).holds).toBe(
      true,
    )
  })

  it('all needs every atom; any lists every atom that holds', () => {
    const events = [ev('diagnosis', daysAgo(5), 'E11.9')]
    const atoms: TagRuleAtom[] = [
      { attr: 'age', op: '>=', value: 60 },
      { event: 'diagnosis', codePrefix: 'E11' },
      { attr: 'gender', op: '=', value: 'male' },
    ]
    expect(evaluateCondition({ all: atoms }, subject(), events, ctx)).toEqual({ holds: false, reasons: [] })
    expect(evaluateCondition({ all: atoms.slice(0, 2) }, subject(), events, ctx).reasons).toHaveLength(2)
    const any = evaluateTagRule({ name: '高危', condition: { any: atoms } }, subject(), events, ctx)
    expect(any.because).toBe(
      `规则「高危」：年龄 66 岁（≥ 60）；诊断 E11.9（${formatRuleDate(daysAgo(5), TZ)}）`,
    )
    expect(evaluateCondition({ any: [atoms[2]!] }, subject(), events, ctx).holds).toBe(false)
  })

  it('describes conditions in Chinese', () => {
    expect(
      describeTagRuleCondition({
        all: [
          { attr: 'age', op: '>=', value: 60 },
          { event: 'diagnosis', codePrefix: 'E11', withinDays: 30 },
          { noEvent: 'visit', days: 90 },
          { eventCount: 'visit', withinDays: 365, op: '<', value: 2 },
        ],
      }),
    ).toBe(
      '同时满足：年龄 ≥ 60；近 30 天内有诊断记录（编码以 E11 开头）；超过 90 天无就诊；近 365 天就诊次数 < 2',
    )
    expect(describeTagRuleCondition({ any: [{ attr: 'gender', op: '!=', value: 'male' }] })).toBe(
      '满足任一：性别不是男',
    )
  })
})

describe('the condition schema', () => {
  const paths = (v: unknown) => {
    const r = TagRuleCondition.safeParse(v)
    return r.success ? [] : zodIssues(r.error).map((i) => i.path)
  }

  it('accepts the documented atoms', () => {
    const c = {
      any: [
        { attr: 'age', op: '>=', value: 60 },
        { attr: 'gender', op: '=', value: 'female' },
        { attr: 'relation', op: '!=', value: 'self' },
        { event: 'diagnosis', codePrefix: 'E11' },
        { event: 'surgery', withinDays: 30 },
        { noEvent: 'visit', days: 90 },
        { eventCount: 'visit', withinDays: 365, op: '>=', value: 3 },
      ],
    }
    expect(TagRuleCondition.parse(c)).toEqual(c)
  })

  it('names the exact path of a bad field', () => {
    expect(
      paths({
        all: [
          { attr: 'age', op: '>=', value: 60 },
          { attr: 'age', op: '~', value: 1 },
        ],
      }),
    ).toEqual(['all.1.op'])
    expect(paths({ all: [{ attr: 'height', op: '=', value: 1 }] })).toEqual(['all.0.attr'])
    expect(paths({ any: [{ noEvent: 'visit' }] })).toEqual(['any.0.days'])
    expect(paths({ any: [{ event: 'diagnosis', codePrefix: 'E11*' }] })).toEqual(['any.0.codePrefix'])
    expect(paths({ any: [{ event: 'birthday' }] })).toEqual(['any.0.event'])
    expect(paths({ any: [{ eventCount: 'visit', withinDays: 0, op: '>=', value: 1 }] })).toEqual([
      'any.0.withinDays',
    ])
    expect(paths({ any: [{ event: 'visit', extra: 1 }] })).toEqual(['any.0'])
    expect(paths({ any: [{ foo: 1 }] })).toEqual(['any.0'])
    expect(paths({ any: [] })).toEqual(['any'])
    expect(paths({ all: [], any: [] })).toEqual(['(root)'])
    expect(paths({})).toEqual(['(root)'])
    expect(paths('age>=60')).toEqual(['(root)'])
  })
})

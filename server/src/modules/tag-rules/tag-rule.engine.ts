import {
  evaluateCondition,
  evaluateTagRule,
  explainTagRule,
  TagRuleCondition,
  type TagRuleEvent,
  type TagRuleResult,
} from '@careloop/shared'
import type { Clock } from '../../clock'
import type { Logger } from '../../logger'
import type { PatientEventRepo } from '../patient-events/patient-event.repo'
import type { TagActor, TagRepo } from '../tags/tag.repo'
import type { TagRuleDoc } from './tag-rule.model'
import type { RulePatient, TagRuleRepo } from './tag-rule.repo'

/**
 * Applies auto-tag rules to patients (F7). For one patient and a set of rules it reconciles the tags
 * the rules own with what the rules say now:
 *
 * - A tag row is owned by rule X when its source is 'rule' and `by.id` is `rule:X`. It stays while X
 *   exists, is enabled, still targets that tag and holds; otherwise it is removed (so disabling,
 *   deleting or retargeting a rule takes its tags back at the next run). Rows of any other source
 *   (manual, import, WeCom) are never touched.
 * - A rule that holds adds its tag unless the patient already has the tag (from any source: a manual
 *   tag stays manual). Removals happen before additions, so when two rules target one tag and the owner
 *   stops holding, the other takes over in the same pass.
 *
 * Every change goes through TagRepo.assign / unassign (guarded and idempotent, with history), so a
 * second run changes nothing.
 */

export const RULE_ACTOR_PREFIX = 'rule:'
const BATCH = 200
const SAMPLE_SIZE = 5

/** A stored rule whose condition passed the schema. */
export interface ActiveRule {
  id: string
  name: string
  tagId: string
  enabled: boolean
  condition: TagRuleCondition
}

export interface RuleTagChangeRecord {
  patientId: string
  tagId: string
  ruleId: string
  action: 'added' | 'removed'
  reason: string
}

export interface TagRuleEngine {
  /** Reconciles every rule with one patient (after an event); the changes it made. */
  applyToPatient(patientId: string): Promise<RuleTagChangeRecord[]>
  /** Reconciles every rule with every live patient, in batches (the nightly job). */
  applyToAll(): Promise<{ patients: number; added: number; removed: number }>
  /** Applies one rule to every live patient (a disabled rule only removes its tags). */
  runRule(rule: TagRuleDoc): Promise<{ matched: number; added: number; removed: number }>
  /** Live patients the condition holds for now: the count and the first few with the reason. */
  preview(
    condition: TagRuleCondition,
    name: string,
  ): Promise<{ count: number; sample: { patient: RulePatient; because: string }[] }>
}

const ruleIdOf = (by: { kind: string; id: string | null } | undefined): string | null =>
  by?.kind === 'system' && by.id?.startsWith(RULE_ACTOR_PREFIX) ? by.id.slice(RULE_ACTOR_PREFIX.length) : null

const count = (changes: readonly RuleTagChangeRecord[], action: RuleTagChangeRecord['action']): number =>
  changes.filter((c) => c.action === action).length

const needsEvents = (c: TagRuleCondition): boolean => ('all' in c ? c.all : c.any).some((a) => !('attr' in a))

export const createTagRuleEngine = (deps: {
  rules: TagRuleRepo
  events: PatientEventRepo
  tags: TagRepo
  clock: Clock
  timeZone: string
  logger?: Logger
}): TagRuleEngine => {
  const { rules, events, tags, clock } = deps
  const ctx = () => ({ now: clock.now(), timeZone: deps.timeZone })

  /** Stored rules whose condition is valid; a corrupt one is logged and left out (its tags then go). */
  const loadRules = async (): Promise<ActiveRule[]> => {
    const out: ActiveRule[] = []
    for (const r of await rules.list()) {
      const c = TagRuleCondition.safeParse(r.condition)
      if (!c.success) {
        deps.logger?.error({ ruleId: r._id.toHexString() }, 'tag rule with an invalid condition skipped')
        continue
      }
      out.push({
        id: r._id.toHexString(),
        name: r.name,
        tagId: r.tagId,
        enabled: r.enabled,
        condition: c.data,
      })
    }
    return out
  }

  /**
   * Reconciles `active` (the enabled rules that apply) with one patient, touching only the rows `owns`
   * says belong to this run. `known` names rules for removal reasons.
   */
  const reconcile = async (
    p: RulePatient,
    evs: readonly TagRuleEvent[],
    active: readonly ActiveRule[],
    owns: (ruleId: string) => boolean,
    known: ReadonlyMap<string, ActiveRule>,
  ): Promise<{ changes: RuleTagChangeRecord[]; matched: number }> => {
    const now = clock.now()
    const verdicts = new Map<string, TagRuleResult>(
      active.map((r) => [r.id, evaluateTagRule(r, p, evs, ctx())]),
    )
    const byId = new Map(active.map((r) => [r.id, r]))
    const changes: RuleTagChangeRecord[] = []
    const has = new Set(p.tags.map((t) => t.tagId))

    for (const row of p.tags) {
      if (row.source !== 'rule') continue
      const ruleId = ruleIdOf(row.by)
      if (ruleId === null || !owns(ruleId)) continue
      const r = byId.get(ruleId)
      if (r && r.tagId === row.tagId && verdicts.get(ruleId)?.holds) continue
      const k = known.get(ruleId)
      const reason = !k
        ? `规则 ${ruleId} 已删除`
        : !k.enabled
          ? `规则「${k.name}」已停用`
          : k.tagId !== row.tagId
            ? `规则「${k.name}」已改为其他标签`
            : `规则「${k.name}」不再成立`
      const actor: TagActor = { kind: 'system', id: `${RULE_ACTOR_PREFIX}${ruleId}` }
      const removed = await tags.unassign(
        p.id,
        row.tagId,
        { source: 'rule', reason, by: actor, at: now },
        { source: 'rule', byId: actor.id! },
      )
      if (removed) {
        has.delete(row.tagId)
        changes.push({ patientId: p.id, tagId: row.tagId, ruleId, action: 'removed', reason })
      }
    }

    let matched = 0
    for (const r of active) {
      const v = verdicts.get(r.id)
      if (!v?.holds) continue
      matched++
      if (has.has(r.tagId)) continue
      const reason = v.because!
      const added = await tags.assign(p.id, {
        tagId: r.tagId,
        source: 'rule',
        reason,
        by: { kind: 'system', id: `${RULE_ACTOR_PREFIX}${r.id}` },
        at: now,
      })
      has.add(r.tagId)
      if (added) changes.push({ patientId: p.id, tagId: r.tagId, ruleId: r.id, action: 'added', reason })
    }
    return { changes, matched }
  }

  /** Calls `each` for every live patient batch with its events (loaded only when a rule needs them). */
  const walk = async (
    withEvents: boolean,
    each: (batch: RulePatient[], evs: Map<string, TagRuleEvent[]>) => Promise<boolean | void>,
  ): Promise<void> => {
    let after: string | null = null
    for (;;) {
      const batch = await rules.livePatients(after, BATCH)
      if (batch.length === 0) return
      const evs = withEvents
        ? await events.ruleEventsOf(batch.map((p) => p.id))
        : new Map<string, TagRuleEvent[]>()
      if ((await each(batch, evs)) === false) return
      after = batch[batch.length - 1]!.id
      if (batch.length < BATCH) return
    }
  }

  const NONE: TagRuleEvent[] = []

  return {
    async applyToPatient(patientId) {
      const p = await rules.livePatient(patientId)
      if (!p) return []
      const all = await loadRules()
      const active = all.filter((r) => r.enabled)
      const evs = (await events.ruleEventsOf([patientId])).get(patientId) ?? NONE
      const known = new Map(all.map((r) => [r.id, r]))
      return (await reconcile(p, evs, active, () => true, known)).changes
    },

    async applyToAll() {
      const all = await loadRules()
      const active = all.filter((r) => r.enabled)
      const known = new Map(all.map((r) => [r.id, r]))
      let patients = 0
      let added = 0
      let removed = 0
      await walk(
        active.some((r) => needsEvents(r.condition)),
        async (batch, evs) => {
          for (const p of batch) {
            patients++
            const { changes } = await reconcile(p, evs.get(p.id) ?? NONE, active, () => true, known)
            added += count(changes, 'added')
            removed += count(changes, 'removed')
          }
        },
      )
      return { patients, added, removed }
    },

    async runRule(doc) {
      const id = doc._id.toHexString()
      const parsed = TagRuleCondition.safeParse(doc.condition)
      const rule: ActiveRule | null = parsed.success
        ? { id, name: doc.name, tagId: doc.tagId, enabled: doc.enabled, condition: parsed.data }
        : null
      const active = rule?.enabled ? [rule] : []
      const known = new Map(rule ? [[id, rule]] : [])
      let matched = 0
      let added = 0
      let removed = 0
      await walk(
        active.some((r) => needsEvents(r.condition)),
        async (batch, evs) => {
          for (const p of batch) {
            const r = await reconcile(p, evs.get(p.id) ?? NONE, active, (x) => x === id, known)
            matched += r.matched
            added += count(r.changes, 'added')
            removed += count(r.changes, 'removed')
          }
        },
      )
      return { matched, added, removed }
    },

    async preview(condition, name) {
      let count = 0
      const sample: { patient: RulePatient; because: string }[] = []
      await walk(needsEvents(condition), (batch, evs) => {
        for (const p of batch) {
          const r = evaluateCondition(condition, p, evs.get(p.id) ?? NONE, ctx())
          if (!r.holds) continue
          count++
          if (sample.length < SAMPLE_SIZE)
            sample.push({ patient: p, because: explainTagRule(name, r.reasons) })
        }
        return Promise.resolve()
      })
      return { count, sample }
    },
  }
}

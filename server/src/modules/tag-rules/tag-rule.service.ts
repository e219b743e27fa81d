import {
  AppError,
  describeTagRuleCondition,
  TagRuleCondition,
  type CreateTagRuleRequest,
  type TagRule,
  type TagRulePreviewResponse,
  type TagRuleRunResponse,
  type TagRulesResponse,
  type UpdateTagRuleRequest,
} from '@careloop/shared'
import type { StaffPrincipal } from '../../http/context'
import { maskName } from '../../privacy/pii-crypto'
import type { AuditLog } from '../audit/audit.repo'
import { staffActor, type RequestMeta } from '../staff/staff.service'
import type { TagRepo } from '../tags/tag.repo'
import type { TagRuleEngine } from './tag-rule.engine'
import type { TagRuleDoc } from './tag-rule.model'
import { TagRuleNameTakenError, type TagRuleRepo } from './tag-rule.repo'

/** Auto-tag rules as staff manage them (F7): CRUD, preview and run now. Every call is audited. */
export interface TagRuleService {
  list(): Promise<TagRulesResponse>
  create(p: StaffPrincipal, body: CreateTagRuleRequest, meta: RequestMeta): Promise<TagRule>
  update(p: StaffPrincipal, id: string, body: UpdateTagRuleRequest, meta: RequestMeta): Promise<TagRule>
  remove(p: StaffPrincipal, id: string, meta: RequestMeta): Promise<TagRulesResponse>
  run(p: StaffPrincipal, id: string, meta: RequestMeta): Promise<TagRuleRunResponse>
  preview(
    p: StaffPrincipal,
    condition: TagRuleCondition,
    name: string | undefined,
    meta: RequestMeta,
  ): Promise<TagRulePreviewResponse>
}

export const createTagRuleService = (deps: {
  rules: TagRuleRepo
  tags: TagRepo
  engine: TagRuleEngine
  audit: AuditLog
}): TagRuleService => {
  const { rules, audit } = deps

  /** A stored rule as staff see it; null for one whose stored condition no longer passes the schema. */
  const present = (r: TagRuleDoc, tagNames: ReadonlyMap<string, string>): TagRule | null => {
    const c = TagRuleCondition.safeParse(r.condition)
    if (!c.success) return null
    return {
      id: r._id.toHexString(),
      name: r.name,
      tagId: r.tagId,
      tagName: tagNames.get(r.tagId) ?? null,
      enabled: r.enabled,
      condition: c.data,
      description: describeTagRuleCondition(c.data),
      createdAt: r.createdAt.toISOString(),
      updatedAt: r.updatedAt.toISOString(),
    }
  }
  const presentOne = async (r: TagRuleDoc): Promise<TagRule> => {
    const out = present(r, await tagNames())
    if (!out) throw new Error(`tag rule ${r._id.toHexString()} has an invalid stored condition`)
    return out
  }
  const tagNames = async () => new Map((await deps.tags.tags()).map((t) => [t._id.toHexString(), t.name]))
  const listView = async (): Promise<TagRulesResponse> => {
    const [all, names] = await Promise.all([rules.list(), tagNames()])
    // Conditions are validated before they are stored; one that no longer parses is left out (the engine skips it too).
    return { rules: all.map((r) => present(r, names)).filter((r): r is TagRule => r !== null) }
  }
  const requireTag = async (tagId: string) => {
    if (!(await deps.tags.findTag(tagId))) throw new AppError('TAG_NOT_FOUND', 'No such tag')
  }
  const named = async <T>(name: string | undefined, run: () => Promise<T>): Promise<T> => {
    try {
      return await run()
    } catch (e) {
      if (e instanceof TagRuleNameTakenError)
        throw new AppError('TAG_RULE_NAME_TAKEN', `A rule named ${name ?? ''} exists`)
      throw e
    }
  }

  return {
    list: listView,

    async create(p, body, meta) {
      await requireTag(body.tagId)
      const r = await named(body.name, () =>
        rules.create({
          name: body.name,
          tagId: body.tagId,
          enabled: body.enabled ?? true,
          condition: body.condition,
          by: p.staffId,
        }),
      )
      await audit.record({
        actor: staffActor(p),
        action: 'tag_rule.create',
        detail: { ruleId: r._id.toHexString(), name: r.name, tagId: r.tagId, enabled: r.enabled },
        ...meta,
      })
      return presentOne(r)
    },

    async update(p, id, body, meta) {
      if (!(await rules.find(id))) throw new AppError('TAG_RULE_NOT_FOUND', 'No such tag rule')
      if (body.tagId !== undefined) await requireTag(body.tagId)
      const r = await named(body.name, () => rules.update(id, body, p.staffId))
      if (!r) throw new AppError('TAG_RULE_NOT_FOUND', 'No such tag rule')
      await audit.record({
        actor: staffActor(p),
        action: 'tag_rule.update',
        detail: { ruleId: id, fields: Object.keys(body), enabled: r.enabled },
        ...meta,
      })
      return presentOne(r)
    },

    async remove(p, id, meta) {
      const before = await rules.find(id)
      if (before && (await rules.remove(id)))
        await audit.record({
          actor: staffActor(p),
          action: 'tag_rule.delete',
          detail: { ruleId: id, name: before.name, tagId: before.tagId },
          ...meta,
        })
      return listView()
    },

    async run(p, id, meta) {
      const r = await rules.find(id)
      if (!r) throw new AppError('TAG_RULE_NOT_FOUND', 'No such tag rule')
      const out = await deps.engine.runRule(r)
      await audit.record({
        actor: staffActor(p),
        action: 'tag_rule.run',
        detail: { ruleId: id, ...out },
        ...meta,
      })
      return out
    },

    async preview(p, condition, name, meta) {
      const { count, sample } = await deps.engine.preview(condition, name ?? '预览')
      await audit.record({
        actor: staffActor(p),
        action: 'tag_rule.preview',
        detail: { condition, count, patientIds: sample.map((s) => s.patient.id) },
        ...meta,
      })
      return {
        count,
        description: describeTagRuleCondition(condition),
        sample: sample.map(({ patient, because }) => ({
          id: patient.id,
          name: patient.name ? maskName(patient.name) : null,
          gender: patient.gender,
          birthYear: patient.birthYear,
          because,
        })),
      }
    },
  }
}

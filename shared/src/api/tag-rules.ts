import { TagRuleCondition } from '../tag-rules/condition'
import { z } from '../zod'
import { GENDERS, ObjectIdString } from './auth'
import { defineRoute } from './route'
import { IdParams } from './staff'

/**
 * Rule-based auto tags (F7). A rule gives its tag to every patient its condition holds for (source
 * 'rule', the reason naming the data), and takes it back when the condition stops holding. It never
 * touches a tag a patient already has from another source. Rules run when an event is recorded for a
 * patient, nightly for everyone, and on demand (`runTagRule`).
 */

const RuleName = z
  .string({ required_error: 'name is required' })
  .trim()
  .min(1, 'name must not be empty')
  .max(30, 'name must be at most 30 characters')

export const TagRule = z
  .object({
    id: ObjectIdString,
    name: z.string(),
    tagId: ObjectIdString,
    /** The tag's name; null when the tag no longer exists. */
    tagName: z.string().nullable(),
    enabled: z.boolean(),
    condition: TagRuleCondition,
    /** The condition in Chinese, e.g. `同时满足：年龄 ≥ 60；有诊断记录（编码以 E11 开头）`. */
    description: z.string(),
    createdAt: z.string().datetime(),
    updatedAt: z.string().datetime(),
  })
  .openapi('TagRule')
export type TagRule = z.infer<typeof TagRule>

export const TagRulesResponse = z.object({ rules: z.array(TagRule) }).openapi('TagRulesResponse')
export type TagRulesResponse = z.infer<typeof TagRulesResponse>

export const CreateTagRuleRequest = z
  .object({
    name: RuleName,
    tagId: ObjectIdString,
    /** Defaults to true. */
    enabled: z.boolean().optional(),
    condition: TagRuleCondition,
  })
  .strict()
  .openapi('CreateTagRuleRequest')
export type CreateTagRuleRequest = z.infer<typeof CreateTagRuleRequest>

/** Any of the fields; `{enabled: false}` disables a rule (its tags go at the next run). */
export const UpdateTagRuleRequest = z
  .object({
    name: RuleName.optional(),
    tagId: ObjectIdString.optional(),
    enabled: z.boolean().optional(),
    condition: TagRuleCondition.optional(),
  })
  .strict()
  .refine((v) => Object.keys(v).length > 0, 'give at least one of name, tagId, enabled, condition')
  .openapi('UpdateTagRuleRequest')
export type UpdateTagRuleRequest = z.infer<typeof UpdateTagRuleRequest>

export const TagRulePreviewRequest = z
  .object({
    condition: TagRuleCondition,
    /** Used in the explanations (default 预览). */
    name: RuleName.optional(),
  })
  .strict()
  .openapi('TagRulePreviewRequest')
export type TagRulePreviewRequest = z.infer<typeof TagRulePreviewRequest>

/** A patient a condition matches, masked (no contact data), with why it matches. */
export const TagRuleSampleRow = z.object({
  id: ObjectIdString,
  name: z.string().nullable(),
  gender: z.enum(GENDERS).nullable(),
  birthYear: z.number().int().nullable(),
  because: z.string(),
})
export type TagRuleSampleRow = z.infer<typeof TagRuleSampleRow>

export const TagRulePreviewResponse = z
  .object({
    /** Live patients the condition holds for now. */
    count: z.number().int().nonnegative(),
    /** Up to 5 of them, masked. */
    sample: z.array(TagRuleSampleRow),
    description: z.string(),
  })
  .openapi('TagRulePreviewResponse')
export type TagRulePreviewResponse = z.infer<typeof TagRulePreviewResponse>

/** What one run of a rule did: patients it holds for, tags it added, tags it took back. */
export const TagRuleRunResponse = z
  .object({
    matched: z.number().int().nonnegative(),
    added: z.number().int().nonnegative(),
    removed: z.number().int().nonnegative(),
  })
  .openapi('TagRuleRunResponse')
export type TagRuleRunResponse = z.infer<typeof TagRuleRunResponse>

/** Rules act on many patients: the roles that manage tags. */
const RULE_ROLES = ['marketer', 'head_nurse', 'admin'] as const

export const tagRuleRoutes = {
  listTagRules: defineRoute({
    id: 'listTagRules',
    method: 'get',
    path: '/api/v1/staff/tag-rules',
    summary: 'Auto-tag rules (F7), with their conditions in Chinese',
    tag: 'tag-rules',
    auth: 'staff',
    roles: RULE_ROLES,
    response: TagRulesResponse,
  }),
  createTagRule: defineRoute({
    id: 'createTagRule',
    method: 'post',
    path: '/api/v1/staff/tag-rules',
    summary: 'Create an auto-tag rule (applied to patients by the next event, nightly run or run now)',
    tag: 'tag-rules',
    auth: 'staff',
    roles: RULE_ROLES,
    body: CreateTagRuleRequest,
    response: TagRule,
    status: 201,
    errors: ['VALIDATION_FAILED', 'TAG_NOT_FOUND', 'TAG_RULE_NAME_TAKEN'],
  }),
  updateTagRule: defineRoute({
    id: 'updateTagRule',
    method: 'put',
    path: '/api/v1/staff/tag-rules/:id',
    summary:
      'Change a rule: name, tag, condition, enable or disable (disabled rules lose their tags at the next run)',
    tag: 'tag-rules',
    auth: 'staff',
    roles: RULE_ROLES,
    params: IdParams,
    body: UpdateTagRuleRequest,
    response: TagRule,
    errors: ['VALIDATION_FAILED', 'TAG_RULE_NOT_FOUND', 'TAG_NOT_FOUND', 'TAG_RULE_NAME_TAKEN'],
  }),
  deleteTagRule: defineRoute({
    id: 'deleteTagRule',
    method: 'delete',
    path: '/api/v1/staff/tag-rules/:id',
    summary:
      'Delete a rule (idempotent; the tags it applied go at the next run); answers the remaining rules',
    tag: 'tag-rules',
    auth: 'staff',
    roles: RULE_ROLES,
    params: IdParams,
    response: TagRulesResponse,
    errors: ['VALIDATION_FAILED'],
  }),
  runTagRule: defineRoute({
    id: 'runTagRule',
    method: 'post',
    path: '/api/v1/staff/tag-rules/:id/run',
    summary: 'Apply one rule to every patient now (a disabled rule only takes its tags back)',
    tag: 'tag-rules',
    auth: 'staff',
    roles: RULE_ROLES,
    params: IdParams,
    response: TagRuleRunResponse,
    errors: ['VALIDATION_FAILED', 'TAG_RULE_NOT_FOUND'],
  }),
  previewTagRule: defineRoute({
    id: 'previewTagRule',
    method: 'post',
    path: '/api/v1/staff/tag-rules/preview',
    summary: 'How many patients a condition holds for now, with a few masked examples and why',
    tag: 'tag-rules',
    auth: 'staff',
    roles: RULE_ROLES,
    body: TagRulePreviewRequest,
    response: TagRulePreviewResponse,
    errors: ['VALIDATION_FAILED'],
  }),
}

import { z } from '../zod'
import { ObjectIdString } from './auth'
import { defineRoute } from './route'
import { IdParams } from './staff'

/** Tag groups organise tags by what they describe (F6). */
export const TAG_GROUP_KINDS = ['disease', 'stage', 'value', 'behaviour', 'other'] as const
export const TagGroupKind = z.enum(TAG_GROUP_KINDS)

/** Names are used in segment expressions: no spaces or operator characters, so they need no quoting. */
export const TagName = z
  .string({ required_error: 'name is required' })
  .trim()
  .min(1, 'name must not be empty')
  .max(20, 'name must be at most 20 characters')
  .regex(/^[\p{L}\p{N}_·-]+$/u, 'name may contain letters, digits, _ - · only')
  .refine((v) => !/^\d/.test(v), 'name must not start with a digit')
  .refine((v) => !/^(and|or|not)$/i.test(v), 'name must not be AND, OR or NOT')

export const Tag = z
  .object({
    id: ObjectIdString,
    groupId: ObjectIdString,
    name: z.string(),
    description: z.string().nullable(),
  })
  .openapi('Tag')
export type Tag = z.infer<typeof Tag>

export const TagGroup = z
  .object({ id: ObjectIdString, name: z.string(), kind: TagGroupKind, tags: z.array(Tag) })
  .openapi('TagGroup')
export type TagGroup = z.infer<typeof TagGroup>

export const TagGroupsResponse = z.object({ groups: z.array(TagGroup) }).openapi('TagGroupsResponse')
export type TagGroupsResponse = z.infer<typeof TagGroupsResponse>

export const CreateTagGroupRequest = z
  .object({ name: z.string().trim().min(1, 'name must not be empty').max(20), kind: TagGroupKind })
  .strict()
  .openapi('CreateTagGroupRequest')

export const CreateTagRequest = z
  .object({ name: TagName, description: z.string().trim().max(100).nullable().optional() })
  .strict()
  .openapi('CreateTagRequest')

/** One tag on a patient, with why it is there (F6/F7): who or what applied it, when, and the reason. */
export const PatientTag = z
  .object({
    tagId: ObjectIdString,
    name: z.string(),
    groupName: z.string(),
    source: z.enum(['manual', 'rule', 'wecom', 'import']),
    reason: z.string(),
    by: z.object({
      kind: z.enum(['staff', 'system']),
      id: z.string().nullable(),
      name: z.string().nullable(),
    }),
    at: z.string().datetime(),
  })
  .openapi('PatientTag')
export type PatientTag = z.infer<typeof PatientTag>

export const PatientTagsResponse = z.object({ tags: z.array(PatientTag) }).openapi('PatientTagsResponse')
export type PatientTagsResponse = z.infer<typeof PatientTagsResponse>

export const AssignTagRequest = z
  .object({
    tagId: ObjectIdString,
    reason: z
      .string({ required_error: 'reason is required' })
      .trim()
      .min(1, 'reason must not be empty')
      .max(100),
  })
  .strict()
  .openapi('AssignTagRequest')
export type AssignTagRequest = z.infer<typeof AssignTagRequest>

export const PatientTagParams = z.object({ id: ObjectIdString, tagId: ObjectIdString })
export const UnassignTagQuery = z
  .object({
    reason: z
      .string({ required_error: 'reason is required' })
      .trim()
      .min(1, 'reason must not be empty')
      .max(100),
  })
  .strict()

const TAG_EDITORS = ['marketer', 'head_nurse', 'admin'] as const
const TAGGERS = ['nurse', 'head_nurse', 'admin'] as const

export const tagRoutes = {
  listTagGroups: defineRoute({
    id: 'listTagGroups',
    method: 'get',
    path: '/api/v1/staff/tag-groups',
    summary: 'Tag groups and their tags',
    tag: 'tags',
    auth: 'staff',
    roles: ['nurse', 'head_nurse', 'marketer', 'admin'],
    response: TagGroupsResponse,
  }),
  createTagGroup: defineRoute({
    id: 'createTagGroup',
    method: 'post',
    path: '/api/v1/staff/tag-groups',
    summary: 'Create a tag group',
    tag: 'tags',
    auth: 'staff',
    roles: TAG_EDITORS,
    body: CreateTagGroupRequest,
    response: TagGroupsResponse,
    status: 201,
    errors: ['VALIDATION_FAILED', 'TAG_NAME_TAKEN'],
  }),
  createTag: defineRoute({
    id: 'createTag',
    method: 'post',
    path: '/api/v1/staff/tag-groups/:id/tags',
    summary: 'Create a tag in a group (names are unique across groups: expressions use them)',
    tag: 'tags',
    auth: 'staff',
    roles: TAG_EDITORS,
    params: IdParams,
    body: CreateTagRequest,
    response: TagGroupsResponse,
    status: 201,
    errors: ['VALIDATION_FAILED', 'TAG_NAME_TAKEN', 'TAG_GROUP_NOT_FOUND'],
  }),
  patientTags: defineRoute({
    id: 'patientTags',
    method: 'get',
    path: '/api/v1/staff/patients/:id/tags',
    summary: "A patient's tags with the reason each applies (within the caller's scope)",
    tag: 'tags',
    auth: 'staff',
    roles: TAGGERS,
    params: IdParams,
    response: PatientTagsResponse,
    errors: ['PATIENT_NOT_FOUND'],
  }),
  assignTag: defineRoute({
    id: 'assignTag',
    method: 'post',
    path: '/api/v1/staff/patients/:id/tags',
    summary: 'Tag a patient (idempotent: tagging twice keeps the first reason)',
    tag: 'tags',
    auth: 'staff',
    roles: TAGGERS,
    params: IdParams,
    body: AssignTagRequest,
    response: PatientTagsResponse,
    errors: ['VALIDATION_FAILED', 'PATIENT_NOT_FOUND', 'TAG_NOT_FOUND'],
  }),
  unassignTag: defineRoute({
    id: 'unassignTag',
    method: 'delete',
    path: '/api/v1/staff/patients/:id/tags/:tagId',
    summary: 'Remove a tag from a patient, with a reason (idempotent)',
    tag: 'tags',
    auth: 'staff',
    roles: TAGGERS,
    params: PatientTagParams,
    query: UnassignTagQuery,
    response: PatientTagsResponse,
    errors: ['VALIDATION_FAILED', 'PATIENT_NOT_FOUND'],
  }),
}

import { z } from '../zod'
import { GENDERS, ObjectIdString, Relation } from './auth'
import { defineRoute } from './route'

export const SegmentExpression = z
  .string({ required_error: 'expression is required' })
  .trim()
  .min(1, 'expression must not be empty')
  .max(4000, 'expression must be at most 4000 characters')

export const SegmentPreviewRequest = z
  .object({ expression: SegmentExpression })
  .strict()
  .openapi('SegmentPreviewRequest')

/** A member of a segment as a marketer may see it: masked name, no contact data. */
export const SegmentSampleRow = z.object({
  id: ObjectIdString,
  name: z.string().nullable(),
  gender: z.enum(GENDERS).nullable(),
  birthYear: z.number().int().nullable(),
  relation: Relation,
  tags: z.array(z.string()),
})

export const SegmentPreviewResponse = z
  .object({
    /** The canonical form of the expression. */
    expression: z.string(),
    count: z.number().int().nonnegative(),
    /** Up to 5 members, masked. */
    sample: z.array(SegmentSampleRow),
  })
  .openapi('SegmentPreviewResponse')
export type SegmentPreviewResponse = z.infer<typeof SegmentPreviewResponse>

export const SaveSegmentRequest = z
  .object({
    name: z.string({ required_error: 'name is required' }).trim().min(1, 'name must not be empty').max(30),
    expression: SegmentExpression,
  })
  .strict()
  .openapi('SaveSegmentRequest')

export const Segment = z
  .object({
    id: ObjectIdString,
    name: z.string(),
    expression: z.string(),
    createdAt: z.string().datetime(),
    createdBy: z.string().nullable(),
  })
  .openapi('Segment')
export type Segment = z.infer<typeof Segment>

export const SegmentsResponse = z.object({ segments: z.array(Segment) }).openapi('SegmentsResponse')
export type SegmentsResponse = z.infer<typeof SegmentsResponse>

/** Segments are aggregates: the roles that plan outreach. Nurses work with their own patients instead. */
const SEGMENT_ROLES = ['marketer', 'head_nurse', 'admin'] as const

export const segmentRoutes = {
  previewSegment: defineRoute({
    id: 'previewSegment',
    method: 'post',
    path: '/api/v1/staff/segments/preview',
    summary: 'Live count and a masked sample of the patients a tag expression selects',
    tag: 'segments',
    auth: 'staff',
    roles: SEGMENT_ROLES,
    body: SegmentPreviewRequest,
    response: SegmentPreviewResponse,
    errors: ['VALIDATION_FAILED', 'SEGMENT_INVALID'],
  }),
  listSegments: defineRoute({
    id: 'listSegments',
    method: 'get',
    path: '/api/v1/staff/segments',
    summary: 'Saved segments',
    tag: 'segments',
    auth: 'staff',
    roles: SEGMENT_ROLES,
    response: SegmentsResponse,
  }),
  saveSegment: defineRoute({
    id: 'saveSegment',
    method: 'post',
    path: '/api/v1/staff/segments',
    summary: 'Save a segment (its expression must be valid and name only existing tags)',
    tag: 'segments',
    auth: 'staff',
    roles: SEGMENT_ROLES,
    body: SaveSegmentRequest,
    response: SegmentsResponse,
    status: 201,
    errors: ['VALIDATION_FAILED', 'SEGMENT_INVALID', 'SEGMENT_NAME_TAKEN'],
  }),
}

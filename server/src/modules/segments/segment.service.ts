import {
  AppError,
  compileSegmentFilter,
  formatSegmentExpression,
  validateSegmentExpression,
  type SegmentExpr,
  type SegmentPreviewResponse,
  type SegmentsResponse,
} from '@careloop/shared'
import type { Clock } from '../../clock'
import type { StaffPrincipal } from '../../http/context'
import { maskName } from '../../privacy/pii-crypto'
import type { AuditLog } from '../audit/audit.repo'
import { staffActor, type RequestMeta } from '../staff/staff.service'
import type { TagRepo } from '../tags/tag.repo'
import { SegmentNameTakenError, type SegmentIdsOptions, type SegmentRepo } from './segment.repo'

const SAMPLE_SIZE = 5

/**
 * A segment expression compiled once (tag names resolved, "now" fixed), for campaigns: the live
 * patients it selects, as a count and as ids streamed in batches. Same filter as preview.
 */
export interface ResolvedSegment {
  /** The canonical form of the expression. */
  expression: string
  count(): Promise<number>
  ids(opts?: SegmentIdsOptions): AsyncIterable<string[]>
}

export interface SegmentService {
  preview(p: StaffPrincipal, expression: string, meta: RequestMeta): Promise<SegmentPreviewResponse>
  list(): Promise<SegmentsResponse>
  save(p: StaffPrincipal, name: string, expression: string, meta: RequestMeta): Promise<SegmentsResponse>
  /** Throws SEGMENT_INVALID like preview. Not audited here: the caller (e.g. a campaign) records its use. */
  resolve(expression: string): Promise<ResolvedSegment>
}

export const createSegmentService = (deps: {
  segments: SegmentRepo
  tags: TagRepo
  audit: AuditLog
  clock: Clock
  timeZone: string
}): SegmentService => {
  /** Parses an expression and resolves its tag names; errors point at the offending text. */
  const compile = async (src: string) => {
    const v = validateSegmentExpression(src)
    if (!v.ok) throw new AppError('SEGMENT_INVALID', v.error.message, v.error)
    const all = await deps.tags.tags()
    const tagIdsByName = new Map(all.map((t) => [t.name, t._id.toHexString()]))
    const unknown = v.tagRefs.find((r) => !tagIdsByName.has(r.name))
    if (unknown)
      throw new AppError('SEGMENT_INVALID', `unknown tag "${unknown.name}" at ${unknown.position}`, {
        position: unknown.position,
        length: unknown.length,
        message: `unknown tag "${unknown.name}"`,
      })
    const tagNameById = new Map(all.map((t) => [t._id.toHexString(), t.name]))
    const expr: SegmentExpr = v.expr
    return {
      expr,
      tagNameById,
      filter: compileSegmentFilter(expr, { now: deps.clock.now(), timeZone: deps.timeZone, tagIdsByName }),
    }
  }

  const listView = async (): Promise<SegmentsResponse> => ({
    segments: (await deps.segments.list()).map((s) => ({
      id: s._id.toHexString(),
      name: s.name,
      expression: s.expression,
      createdAt: s.createdAt.toISOString(),
      createdBy: s.createdBy ?? null,
    })),
  })

  return {
    async preview(p, expression, meta) {
      const { expr, filter, tagNameById } = await compile(expression)
      const { count, sample } = await deps.segments.preview(filter, SAMPLE_SIZE)
      const canonical = formatSegmentExpression(expr)
      await deps.audit.record({
        actor: staffActor(p),
        action: 'segment.preview',
        detail: { expression: canonical, count },
        ...meta,
      })
      return {
        expression: canonical,
        count,
        sample: sample.map((d) => ({
          id: d._id.toHexString(),
          name: d.name ? maskName(d.name) : null,
          gender: (d.gender as 'male' | 'female' | null) ?? null,
          birthYear: d.birthYear ?? null,
          relation: d.relation,
          tags: (d.tags ?? [])
            .map((t) => tagNameById.get(t.tagId))
            .filter((n): n is string => n !== undefined),
        })),
      }
    },
    list: listView,
    async resolve(expression) {
      const { expr, filter } = await compile(expression)
      return {
        expression: formatSegmentExpression(expr),
        count: () => deps.segments.count(filter),
        ids: (opts) => deps.segments.ids(filter, opts),
      }
    },
    async save(p, name, expression, meta) {
      const { expr } = await compile(expression)
      try {
        await deps.segments.save(name, formatSegmentExpression(expr), p.staffId)
      } catch (e) {
        if (e instanceof SegmentNameTakenError)
          throw new AppError('SEGMENT_NAME_TAKEN', `A segment named ${name} exists`)
        throw e
      }
      await deps.audit.record({ actor: staffActor(p), action: 'segment.save', detail: { name }, ...meta })
      return listView()
    },
  }
}

import {
  AppError,
  DEFAULT_BLOCKED_CLAIMS,
  DEFAULT_CONTENT_DISCLAIMER,
  type ArticleDetail,
  type ArticleListQuery,
  type ArticleListResponse,
  type BlockedClaimsSettings,
  type CreateArticleRequest,
  type PutBlockedClaimsRequest,
  type ReviewDecisionRequest,
  type ReviewStep,
  type UpdateArticleRequest,
} from '@careloop/shared'
import type { Clock } from '../../clock'
import type { StaffPrincipal } from '../../http/context'
import type { AuditLog } from '../audit/audit.repo'
import type { StaffRepo } from '../staff/staff.repo'
import { staffActor, type RequestMeta } from '../staff/staff.service'
import { findBlockedClaim, normalise } from './blocked-claims'
import type { ArticleDoc, VersionEntry } from './content.model'
import { presentDetail, presentSummary, staffIdsOf } from './content-present'
import type { ContentRepo } from './content.repo'
import {
  CONTENT_FIELDS,
  editContent,
  newVersion,
  reviewVersion,
  submitVersion,
  type ContentFields,
} from './content-workflow'
import { sanitizeArticleHtml } from './html-sanitize'

export interface ContentService {
  list(q: ArticleListQuery): Promise<ArticleListResponse>
  get(id: string): Promise<ArticleDetail>
  create(p: StaffPrincipal, body: CreateArticleRequest, meta: RequestMeta): Promise<ArticleDetail>
  update(p: StaffPrincipal, id: string, body: UpdateArticleRequest, meta: RequestMeta): Promise<ArticleDetail>
  submit(p: StaffPrincipal, id: string, version: number, meta: RequestMeta): Promise<ArticleDetail>
  review(
    p: StaffPrincipal,
    id: string,
    step: ReviewStep,
    body: ReviewDecisionRequest,
    meta: RequestMeta,
  ): Promise<ArticleDetail>
  blockedClaims(): Promise<BlockedClaimsSettings>
  putBlockedClaims(
    p: StaffPrincipal,
    body: PutBlockedClaimsRequest,
    meta: RequestMeta,
  ): Promise<BlockedClaimsSettings>
}

/** Compare-and-set attempts before a write conflict is reported (409 CONTENT_STATE). */
const CAS_ATTEMPTS = 5

export const createContentService = (deps: {
  articles: ContentRepo
  staff: Pick<StaffRepo, 'findByIds'>
  audit: AuditLog
  clock: Clock
}): ContentService => {
  const { articles, audit, clock } = deps

  const names = async (ids: string[]) =>
    new Map((await deps.staff.findByIds(ids)).map((s) => [s.id, s.name] as const))

  const detail = async (d: ArticleDoc): Promise<ArticleDetail> =>
    presentDetail(d, await names(staffIdsOf([d])))

  const load = async (id: string): Promise<ArticleDoc> => {
    const d = await articles.find(id)
    if (!d) throw new AppError('CONTENT_NOT_FOUND', 'No such article')
    return d
  }

  const settings = async () => {
    const s = await articles.settings()
    return {
      phrases: s?.phrases ?? [...DEFAULT_BLOCKED_CLAIMS],
      defaultDisclaimer: s?.defaultDisclaimer ?? DEFAULT_CONTENT_DISCLAIMER,
      updatedAt: s?.updatedAt ?? null,
      updatedBy: s?.updatedBy ?? null,
    }
  }

  /** What a version must pass to enter (and leave) review: a disclaimer, no blocked claim. */
  const checker = async (): Promise<(v: VersionEntry) => void> => {
    const { phrases } = await settings()
    return (v) => {
      if (!v.disclaimer.trim())
        throw new AppError('CONTENT_DISCLAIMER_REQUIRED', 'A medical disclaimer is required before review', {
          field: 'disclaimer',
        })
      const hit = findBlockedClaim(v, phrases)
      if (hit)
        throw new AppError(
          'CONTENT_BLOCKED_CLAIM',
          `「${hit.match}」 in ${hit.field} is a blocked medical claim (${hit.phrase})`,
          hit,
        )
    }
  }

  /**
   * Reads the article, applies `change` and writes it compare-and-set, re-reading on a concurrent
   * write. `change` answers `undefined` for "nothing to write" (a repeated step).
   */
  const mutate = async (
    id: string,
    change: (d: ArticleDoc) => { versions?: VersionEntry[]; category?: string; tags?: string[] } | undefined,
  ): Promise<{ doc: ArticleDoc; changed: boolean }> => {
    for (let i = 0; i < CAS_ATTEMPTS; i++) {
      const d = await load(id)
      const c = change(d)
      if (!c) return { doc: d, changed: false }
      const written = await articles.write(d._id, d.rev, c, clock.now())
      if (written) return { doc: written, changed: true }
    }
    throw new AppError('CONTENT_STATE', 'The article is being changed by someone else; try again')
  }

  const contentPatch = (body: UpdateArticleRequest): Partial<ContentFields> => {
    const patch: Partial<ContentFields> = {}
    for (const k of CONTENT_FIELDS) if (body[k] !== undefined) Object.assign(patch, { [k]: body[k] ?? null })
    if (patch.bodyHtml !== undefined) patch.bodyHtml = sanitizeArticleHtml(patch.bodyHtml)
    return patch
  }

  const record = (p: StaffPrincipal, action: string, articleId: string, meta: RequestMeta, detail = {}) =>
    audit.record({ actor: staffActor(p), action, detail: { articleId, ...detail }, ...meta })

  const blockedClaims = async (): Promise<BlockedClaimsSettings> => {
    const s = await settings()
    const by = s.updatedBy ? await names([s.updatedBy]) : new Map<string, string>()
    return {
      phrases: s.phrases,
      defaultDisclaimer: s.defaultDisclaimer,
      updatedAt: s.updatedAt?.toISOString() ?? null,
      updatedBy: s.updatedBy ? { id: s.updatedBy, name: by.get(s.updatedBy) ?? null } : null,
    }
  }

  return {
    async list(q) {
      const { rows, total } = await articles.list(q, q.page, q.pageSize)
      return { articles: rows.map(presentSummary), total, page: q.page, pageSize: q.pageSize }
    },
    get: async (id) => detail(await load(id)),
    async create(p, body, meta) {
      const now = clock.now()
      const fields: ContentFields = {
        title: body.title,
        summary: body.summary,
        coverUrl: body.coverUrl ?? null,
        bodyHtml: sanitizeArticleHtml(body.bodyHtml),
        disclaimer: body.disclaimer,
      }
      const { doc: d, created } = await articles.create({
        category: body.category,
        tags: body.tags,
        createdBy: p.staffId,
        requestKey: body.requestId ? `${p.staffId}:${body.requestId}` : undefined,
        versions: [newVersion(1, fields, { by: p.staffId, now, basedOn: null })],
        now,
      })
      if (created) await record(p, 'content.create', d._id.toHexString(), meta)
      return detail(d)
    },
    async update(p, id, body, meta) {
      const patch = contentPatch(body)
      const { doc, changed } = await mutate(id, (d) => ({
        ...(Object.keys(patch).length
          ? { versions: editContent(d.versions, patch, p.staffId, clock.now()) }
          : {}),
        ...(body.category !== undefined ? { category: body.category } : {}),
        ...(body.tags !== undefined ? { tags: body.tags } : {}),
      }))
      if (changed)
        await record(p, 'content.update', id, meta, {
          version: doc.workingVersion,
          fields: Object.keys(body),
        })
      return detail(doc)
    },
    async submit(p, id, version, meta) {
      const check = await checker()
      const { doc, changed } = await mutate(id, (d) => {
        const r = submitVersion(d.versions, version, p.staffId, clock.now(), check)
        return r.changed ? { versions: r.versions } : undefined
      })
      if (changed) await record(p, 'content.submit', id, meta, { version })
      return detail(doc)
    },
    async review(p, id, step, body, meta) {
      const check = await checker()
      const actor = { id: p.staffId, role: p.role }
      const { doc, changed } = await mutate(id, (d) => {
        const r = reviewVersion(
          d.versions,
          step,
          body.version,
          actor,
          body.decision,
          body.comment || null,
          clock.now(),
          check,
        )
        return r.changed ? { versions: r.versions } : undefined
      })
      if (changed)
        await record(p, `content.${step}_${body.decision}`, id, meta, {
          version: body.version,
          comment: body.comment ?? null,
        })
      return detail(doc)
    },
    blockedClaims,
    async putBlockedClaims(p, body, meta) {
      const current = await settings()
      // one entry per normalised phrase ("根治" and "根 治" are the same claim)
      const seen = new Set<string>()
      const phrases = body.phrases.filter((ph) => {
        const key = normalise(ph).text
        if (!key || seen.has(key)) return false
        seen.add(key)
        return true
      })
      if (phrases.length === 0)
        throw new AppError('VALIDATION_FAILED', 'No usable phrase', [
          { path: 'phrases', message: 'phrases must contain letters or digits' },
        ])
      await articles.saveSettings({
        phrases,
        defaultDisclaimer: body.defaultDisclaimer ?? current.defaultDisclaimer,
        updatedAt: clock.now(),
        updatedBy: p.staffId,
      })
      await audit.record({
        actor: staffActor(p),
        action: 'content.blocked_claims',
        detail: { phrases: phrases.length },
        ...meta,
      })
      return blockedClaims()
    },
  }
}

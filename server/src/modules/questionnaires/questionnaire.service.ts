import {
  AppError,
  validateQuestionnaireDefinition,
  type PublishedQuestionnaire,
  type Questionnaire,
  type QuestionnaireDefinition,
  type QuestionnaireListQuery,
  type QuestionnaireListResponse,
} from '@careloop/shared'
import type { Clock } from '../../clock'
import type { StaffPrincipal } from '../../http/context'
import type { AuditLog } from '../audit/audit.repo'
import { staffActor, type RequestMeta } from '../staff/staff.service'
import type { QuestionnaireDoc, QuestionnaireRepo, QuestionnaireVersionDoc } from './questionnaire.repo'

/** Writes race only with other staff edits of the same questionnaire: a few re-reads settle it. */
const MAX_ATTEMPTS = 10

export interface QuestionnaireService {
  list(p: StaffPrincipal, q: QuestionnaireListQuery): Promise<QuestionnaireListResponse>
  get(id: string): Promise<Questionnaire>
  create(p: StaffPrincipal, def: QuestionnaireDefinition, meta: RequestMeta): Promise<Questionnaire>
  update(
    p: StaffPrincipal,
    id: string,
    def: QuestionnaireDefinition,
    meta: RequestMeta,
  ): Promise<Questionnaire>
  publish(p: StaffPrincipal, id: string, meta: RequestMeta): Promise<Questionnaire>
  archive(p: StaffPrincipal, id: string, meta: RequestMeta): Promise<Questionnaire>
  /** The published version patients answer (404 when not published or archived). */
  published(id: string): Promise<{ doc: QuestionnaireDoc; version: QuestionnaireVersionDoc }>
  /** The published version for the answering page: no scores, rules or bands. */
  forPatient(id: string): Promise<PublishedQuestionnaire>
}

export const presentQuestionnaire = (d: QuestionnaireDoc): Questionnaire => ({
  id: d._id.toHexString(),
  title: d.definition.title,
  kind: d.definition.kind,
  description: d.definition.description,
  questions: d.definition.questions,
  redFlags: d.definition.redFlags,
  scoring: d.definition.scoring,
  status: d.status,
  version: d.version,
  publishedVersion: d.publishedVersion,
  hasUnpublishedChanges: d.publishedVersion !== d.version,
  publishedAt: d.publishedAt?.toISOString() ?? null,
  createdAt: d.createdAt.toISOString(),
  updatedAt: d.updatedAt.toISOString(),
})

const notFound = (): AppError => new AppError('QUESTIONNAIRE_NOT_FOUND', 'No such questionnaire')

/** 400 QUESTIONNAIRE_INVALID with every problem, each naming its path. */
export const assertValidDefinition = (def: QuestionnaireDefinition): void => {
  const issues = validateQuestionnaireDefinition(def)
  if (issues.length)
    throw new AppError(
      'QUESTIONNAIRE_INVALID',
      `Invalid questionnaire: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
      issues,
    )
}

export const createQuestionnaireService = (deps: {
  questionnaires: QuestionnaireRepo
  audit: AuditLog
  clock: Clock
}): QuestionnaireService => {
  const { questionnaires: repo, audit, clock } = deps

  const load = async (id: string): Promise<QuestionnaireDoc> => {
    const d = await repo.findById(id)
    if (!d) throw notFound()
    return d
  }

  const record = (p: StaffPrincipal, action: string, d: QuestionnaireDoc, meta: RequestMeta) =>
    audit.record({
      actor: staffActor(p),
      action,
      detail: { questionnaireId: d._id.toHexString(), version: d.version, status: d.status },
      ...meta,
    })

  const published = async (id: string) => {
    const doc = await repo.findById(id)
    if (!doc || doc.status !== 'published' || doc.publishedVersion === null) throw notFound()
    const version = await repo.findVersion(id, doc.publishedVersion)
    if (!version) throw notFound()
    return { doc, version }
  }

  return {
    async list(p, q) {
      // Marketers see satisfaction surveys only (their aggregates), never clinical questionnaires.
      const kinds = p.role === 'marketer' ? (['satisfaction'] as const) : undefined
      if (kinds && q.kind && !kinds.includes(q.kind as 'satisfaction')) return { questionnaires: [] }
      const rows = await repo.list({ status: q.status, kinds: q.kind ? [q.kind] : kinds && [...kinds] })
      return {
        questionnaires: rows.map((d) => ({
          id: d._id.toHexString(),
          title: d.title,
          kind: d.kind,
          status: d.status,
          version: d.version,
          publishedVersion: d.publishedVersion,
          hasUnpublishedChanges: d.publishedVersion !== d.version,
          questionCount: d.definition.questions.length,
          updatedAt: d.updatedAt.toISOString(),
        })),
      }
    },

    get: async (id) => presentQuestionnaire(await load(id)),

    async create(p, def, meta) {
      assertValidDefinition(def)
      const d = await repo.create(def, p.staffId)
      await record(p, 'questionnaire.create', d, meta)
      return presentQuestionnaire(d)
    },

    async update(p, id, def, meta) {
      assertValidDefinition(def)
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const d = await load(id)
        if (d.status === 'archived')
          throw new AppError(
            'QUESTIONNAIRE_ARCHIVED',
            'An archived questionnaire cannot be edited; publish it again first',
          )
        // A version that has a snapshot (published, or being published) is frozen: edit the next one.
        const frozen = (await repo.findVersion(id, d.version)) !== null
        const next = await repo.replace(id, d, def, frozen ? d.version + 1 : d.version, p.staffId)
        if (next) {
          await record(p, 'questionnaire.update', next, meta)
          return presentQuestionnaire(next)
        }
      }
      throw new Error(`questionnaire ${id}: too many concurrent edits`)
    },

    async publish(p, id, meta) {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const d = await load(id)
        if (d.status === 'published' && d.publishedVersion === d.version) return presentQuestionnaire(d)
        assertValidDefinition(d.definition)
        const snap = await repo.snapshot({
          questionnaireId: id,
          version: d.version,
          revision: d.revision,
          definition: d.definition,
          publishedAt: clock.now(),
        })
        if (snap.revision !== d.revision) {
          // This version was snapshotted from older content (an edit raced an earlier publish that
          // never completed): the snapshot stays as it is and the content moves to the next version.
          await repo.bumpVersion(id, d.revision)
          continue
        }
        const done = await repo.markPublished(id, d.revision, d.version, clock.now())
        if (done) {
          await record(p, 'questionnaire.publish', done, meta)
          return presentQuestionnaire(done)
        }
      }
      throw new Error(`questionnaire ${id}: too many concurrent edits`)
    },

    async archive(p, id, meta) {
      const before = await load(id)
      if (before.status === 'archived') return presentQuestionnaire(before)
      const d = await repo.archive(id, p.staffId)
      if (!d) throw notFound()
      await record(p, 'questionnaire.archive', d, meta)
      return presentQuestionnaire(d)
    },

    published,

    async forPatient(id) {
      const { version } = await published(id)
      const def = version.definition
      return {
        id,
        version: version.version,
        title: def.title,
        kind: def.kind,
        description: def.description,
        questions: def.questions.map((q) => {
          const { scored: _scored, options, ...rest } = q
          return options
            ? { ...rest, options: options.map((o) => ({ value: o.value, label: o.label })) }
            : rest
        }),
      }
    },
  }
}

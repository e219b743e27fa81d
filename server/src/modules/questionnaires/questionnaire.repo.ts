import type { QuestionnaireDefinition, QuestionnaireKind, QuestionnaireStatus } from '@careloop/shared'
import { isValidObjectId, Types, type Connection } from 'mongoose'
import { isDuplicateKey } from '../../db/duplicate-key'
import {
  questionnaireModel,
  questionnaireVersionModel,
  type QuestionnaireDoc,
  type QuestionnaireVersionDoc,
} from './questionnaire.model'

export type { QuestionnaireDoc, QuestionnaireVersionDoc }

export interface QuestionnaireRepo {
  create(def: QuestionnaireDefinition, by: string): Promise<QuestionnaireDoc>
  findById(id: string): Promise<QuestionnaireDoc | null>
  list(filter: { status?: QuestionnaireStatus; kinds?: QuestionnaireKind[] }): Promise<QuestionnaireDoc[]>
  /**
   * Replaces the definition as `version` if the document is still at `seen` (revision and published
   * version); null when someone wrote in between (the caller re-reads and decides again).
   */
  replace(
    id: string,
    seen: Pick<QuestionnaireDoc, 'revision' | 'publishedVersion'>,
    def: QuestionnaireDefinition,
    version: number,
    by: string,
  ): Promise<QuestionnaireDoc | null>
  /** Moves an unchanged document (still at `revision`) to the next version; null on a race. */
  bumpVersion(id: string, revision: number): Promise<QuestionnaireDoc | null>
  /** Marks `version` published if the content is still at `revision`; null on a race. */
  markPublished(id: string, revision: number, version: number, at: Date): Promise<QuestionnaireDoc | null>
  archive(id: string, by: string): Promise<QuestionnaireDoc | null>
  /** Writes the snapshot of a version, or returns the one already written (never overwrites). */
  snapshot(
    input: Omit<QuestionnaireVersionDoc, '_id' | 'questionnaireId'> & { questionnaireId: string },
  ): Promise<QuestionnaireVersionDoc>
  findVersion(id: string, version: number): Promise<QuestionnaireVersionDoc | null>
  /** The snapshots of these (questionnaire, version) pairs. */
  findVersions(pairs: { questionnaireId: string; version: number }[]): Promise<QuestionnaireVersionDoc[]>
}

const oid = (id: string): Types.ObjectId | null => (isValidObjectId(id) ? new Types.ObjectId(id) : null)

export const createQuestionnaireRepo = (conn: Connection): QuestionnaireRepo => {
  const Q = questionnaireModel(conn)
  const V = questionnaireVersionModel(conn)

  const findVersion = async (id: string, version: number): Promise<QuestionnaireVersionDoc | null> => {
    const _id = oid(id)
    return _id ? V.findOne({ questionnaireId: _id, version }).lean<QuestionnaireVersionDoc>() : null
  }

  return {
    async create(def, by) {
      const d = await Q.create({
        title: def.title,
        kind: def.kind,
        definition: def,
        status: 'draft',
        version: 1,
        publishedVersion: null,
        publishedAt: null,
        revision: 1,
        createdBy: by,
        updatedBy: by,
      })
      return d.toObject<QuestionnaireDoc>()
    },

    async findById(id) {
      const _id = oid(id)
      return _id ? Q.findById(_id).lean<QuestionnaireDoc>() : null
    },

    list(f) {
      const q: Record<string, unknown> = {}
      if (f.status) q.status = f.status
      if (f.kinds) q.kind = { $in: f.kinds }
      return Q.find(q).sort({ updatedAt: -1, _id: -1 }).limit(500).lean<QuestionnaireDoc[]>()
    },

    async replace(id, seen, def, version, by) {
      const _id = oid(id)
      if (!_id) return null
      return Q.findOneAndUpdate(
        {
          _id,
          revision: seen.revision,
          publishedVersion: seen.publishedVersion,
          status: { $ne: 'archived' },
        },
        {
          $set: { title: def.title, kind: def.kind, definition: def, version, updatedBy: by },
          $inc: { revision: 1 },
        },
        { new: true },
      ).lean<QuestionnaireDoc>()
    },

    async bumpVersion(id, revision) {
      const _id = oid(id)
      if (!_id) return null
      return Q.findOneAndUpdate(
        { _id, revision },
        { $inc: { version: 1, revision: 1 } },
        { new: true },
      ).lean<QuestionnaireDoc>()
    },

    async markPublished(id, revision, version, at) {
      const _id = oid(id)
      if (!_id) return null
      return Q.findOneAndUpdate(
        { _id, revision, version },
        { $set: { status: 'published', publishedVersion: version, publishedAt: at } },
        { new: true },
      ).lean<QuestionnaireDoc>()
    },

    async archive(id, by) {
      const _id = oid(id)
      if (!_id) return null
      return Q.findOneAndUpdate(
        { _id },
        { $set: { status: 'archived', updatedBy: by } },
        { new: true },
      ).lean<QuestionnaireDoc>()
    },

    async snapshot(input) {
      const questionnaireId = new Types.ObjectId(input.questionnaireId)
      try {
        const d = await V.create({ ...input, questionnaireId })
        return d.toObject<QuestionnaireVersionDoc>()
      } catch (e) {
        if (!isDuplicateKey(e)) throw e
        const existing = await V.findOne({
          questionnaireId,
          version: input.version,
        }).lean<QuestionnaireVersionDoc>()
        if (!existing) throw e
        return existing
      }
    },

    findVersion,

    async findVersions(pairs) {
      if (!pairs.length) return []
      const or = [...new Map(pairs.map((p) => [`${p.questionnaireId}:${p.version}`, p])).values()].map(
        (p) => ({ questionnaireId: new Types.ObjectId(p.questionnaireId), version: p.version }),
      )
      return V.find({ $or: or }).lean<QuestionnaireVersionDoc[]>()
    },
  }
}

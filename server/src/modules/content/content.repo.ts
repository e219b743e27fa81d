import { Types, type Connection, type FilterQuery } from 'mongoose'
import { isDuplicateKey } from '../../db/duplicate-key'
import {
  articleModel,
  contentSettingsModel,
  type ArticleDoc,
  type ContentSettingsDoc,
  type VersionEntry,
} from './content.model'
import { derive } from './content-workflow'

export type NewArticle = Pick<ArticleDoc, 'category' | 'tags' | 'createdBy' | 'requestKey'> & {
  versions: VersionEntry[]
  now: Date
}

export interface ArticleFilter {
  q?: string
  status?: string
  category?: string
  tag?: string
}

export interface ContentRepo {
  find(id: string): Promise<ArticleDoc | null>
  /** Creates the article; with a `requestKey` already used, answers that article instead. */
  create(a: NewArticle): Promise<{ doc: ArticleDoc; created: boolean }>
  /**
   * Writes new versions / metadata if the article is still at `rev` (compare-and-set); the derived
   * fields are recomputed from `versions`. Null when someone else wrote first.
   */
  write(
    id: Types.ObjectId,
    rev: number,
    change: { versions?: VersionEntry[]; category?: string; tags?: string[] },
    now: Date,
  ): Promise<ArticleDoc | null>
  list(f: ArticleFilter, page: number, pageSize: number): Promise<{ rows: ArticleDoc[]; total: number }>
  /** Articles with an approved version, newest approval first (versions not loaded). */
  published(o: { category?: string; limit: number }): Promise<ArticleDoc[]>
  settings(): Promise<ContentSettingsDoc | null>
  saveSettings(s: Omit<ContentSettingsDoc, '_id' | 'key'>): Promise<ContentSettingsDoc>
}

const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

export const createContentRepo = (conn: Connection): ContentRepo => {
  const A = articleModel(conn)
  const S = contentSettingsModel(conn)
  const SETTINGS_KEY = 'content'
  return {
    find: (id) => (Types.ObjectId.isValid(id) ? A.findById(id).lean<ArticleDoc>() : Promise.resolve(null)),
    async create(a) {
      const doc = {
        category: a.category,
        tags: a.tags,
        versions: a.versions,
        ...derive(a.versions),
        rev: 1,
        ...(a.requestKey ? { requestKey: a.requestKey } : {}),
        createdBy: a.createdBy,
        createdAt: a.now,
        updatedAt: a.now,
      }
      try {
        const created = await A.create(doc)
        return { doc: created.toObject<ArticleDoc>(), created: true }
      } catch (e) {
        if (!isDuplicateKey(e) || !a.requestKey) throw e
        const first = await A.findOne({ requestKey: a.requestKey }).lean<ArticleDoc>()
        if (!first) throw e
        return { doc: first, created: false }
      }
    },
    write(id, rev, change, now) {
      const set: Record<string, unknown> = { updatedAt: now }
      if (change.versions) Object.assign(set, { versions: change.versions, ...derive(change.versions) })
      if (change.category !== undefined) set.category = change.category
      if (change.tags !== undefined) set.tags = change.tags
      return A.findOneAndUpdate(
        { _id: id, rev },
        { $set: set, $inc: { rev: 1 } },
        { new: true },
      ).lean<ArticleDoc>()
    },
    async list(f, page, pageSize) {
      const filter: FilterQuery<ArticleDoc> = {}
      if (f.status) filter.status = f.status
      if (f.category) filter.category = f.category
      if (f.tag) filter.tags = f.tag
      if (f.q) {
        const re = new RegExp(escapeRegex(f.q), 'i')
        filter.$or = [{ title: re }, { 'published.title': re }]
      }
      const [rows, total] = await Promise.all([
        A.find(filter, { versions: 0 })
          .sort({ updatedAt: -1, _id: -1 })
          .skip((page - 1) * pageSize)
          .limit(pageSize)
          .lean<ArticleDoc[]>(),
        A.countDocuments(filter),
      ])
      return { rows, total }
    },
    published(o) {
      const filter: FilterQuery<ArticleDoc> = { published: { $ne: null } }
      if (o.category) filter.category = o.category
      return A.find(filter, { versions: 0 })
        .sort({ 'published.at': -1, _id: -1 })
        .limit(o.limit)
        .lean<ArticleDoc[]>()
    },
    settings: () => S.findOne({ key: SETTINGS_KEY }).lean<ContentSettingsDoc>(),
    async saveSettings(s) {
      const save = () =>
        S.findOneAndUpdate(
          { key: SETTINGS_KEY },
          { $set: { ...s, key: SETTINGS_KEY } },
          { upsert: true, new: true },
        ).lean<ContentSettingsDoc>()
      try {
        return await save()
      } catch (e) {
        // two first saves raced on the upsert: the document exists now
        if (!isDuplicateKey(e)) throw e
        return await save()
      }
    },
  }
}

import type { ArticleDetail, ArticleSummaryRow, PatientArticle, PatientArticleRow } from '@careloop/shared'
import type { ArticleDoc, PublishedEntry, VersionEntry } from './content.model'

/** Staff names by id, for "who wrote / reviewed". */
export type StaffNames = Map<string, string>

export const staffIdsOf = (docs: ArticleDoc[]): string[] => [
  ...new Set(
    docs.flatMap((d) => (d.versions ?? []).flatMap((v) => [v.createdBy, ...v.reviews.map((r) => r.by)])),
  ),
]

const ref = (id: string, names: StaffNames) => ({ id, name: names.get(id) ?? null })

export const presentSummary = (d: ArticleDoc): ArticleSummaryRow => ({
  id: d._id.toHexString(),
  title: d.title,
  summary: d.summary,
  coverUrl: d.coverUrl ?? null,
  category: d.category,
  tags: d.tags,
  status: d.status,
  workingVersion: d.workingVersion,
  approvedVersion: d.published?.n ?? null,
  approvedAt: d.published?.at.toISOString() ?? null,
  createdAt: d.createdAt.toISOString(),
  updatedAt: d.updatedAt.toISOString(),
})

const presentVersion = (v: VersionEntry, names: StaffNames) => ({
  n: v.n,
  title: v.title,
  summary: v.summary,
  coverUrl: v.coverUrl,
  bodyHtml: v.bodyHtml,
  disclaimer: v.disclaimer,
  state: v.state,
  basedOn: v.basedOn,
  createdBy: ref(v.createdBy, names),
  createdAt: v.createdAt.toISOString(),
  updatedAt: v.updatedAt.toISOString(),
  submittedAt: v.submittedAt?.toISOString() ?? null,
  reviews: v.reviews.map((r) => ({
    step: r.step,
    decision: r.decision,
    by: ref(r.by, names),
    at: r.at.toISOString(),
    comment: r.comment,
  })),
})

export const presentDetail = (d: ArticleDoc, names: StaffNames): ArticleDetail => ({
  ...presentSummary(d),
  versions: [...d.versions].reverse().map((v) => presentVersion(v, names)),
})

export const presentPatientRow = (d: ArticleDoc & { published: PublishedEntry }): PatientArticleRow => ({
  id: d._id.toHexString(),
  version: d.published.n,
  title: d.published.title,
  summary: d.published.summary,
  coverUrl: d.published.coverUrl,
  category: d.category,
  publishedAt: d.published.at.toISOString(),
})

export const presentPatientArticle = (
  d: ArticleDoc & { published: PublishedEntry },
  v: VersionEntry,
): PatientArticle => ({
  ...presentPatientRow(d),
  tags: d.tags,
  bodyHtml: v.bodyHtml,
  disclaimer: v.disclaimer,
})

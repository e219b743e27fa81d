import {
  AppError,
  type ArticleStatus,
  type ReviewDecision,
  type ReviewStep,
  type StaffRole,
} from '@careloop/shared'
import type { PublishedEntry, VersionEntry } from './content.model'

/**
 * The review workflow of F22 as pure functions over an article's versions (the service reads the
 * article, applies one of these, and writes the result compare-and-set):
 *
 *   draft ──submit──▶ clinical_review ──approve (head nurse)──▶ compliance_review ──approve (admin)──▶ approved
 *                          │ reject                                   │ reject
 *                          ▼                                          ▼
 *                       rejected + a new draft copy             rejected + a new draft copy
 *
 * Editing an approved article opens a new draft (n+1); when that one is approved the previous
 * approved version becomes `superseded`. Separation of duties: nobody reviews a version they wrote or
 * submitted, and the compliance reviewer is not the clinical reviewer (admins may take either step). Repeating a step already taken (a retried request) changes nothing.
 */

export interface Actor {
  id: string
  role: StaffRole
}

export interface ContentFields {
  title: string
  summary: string
  coverUrl: string | null
  bodyHtml: string
  disclaimer: string
}

export const CONTENT_FIELDS = ['title', 'summary', 'coverUrl', 'bodyHtml', 'disclaimer'] as const

const fieldsOf = (v: ContentFields): ContentFields => ({
  title: v.title,
  summary: v.summary,
  coverUrl: v.coverUrl,
  bodyHtml: v.bodyHtml,
  disclaimer: v.disclaimer,
})

const withEditor = (editors: string[], by: string): string[] =>
  editors.includes(by) ? editors : [...editors, by]

export const newVersion = (
  n: number,
  fields: ContentFields,
  o: { by: string; now: Date; basedOn: number | null; editors?: string[] },
): VersionEntry => ({
  n,
  ...fieldsOf(fields),
  state: 'draft',
  basedOn: o.basedOn,
  createdBy: o.by,
  editors: o.editors ?? [o.by],
  createdAt: o.now,
  updatedAt: o.now,
  submittedAt: null,
  submittedBy: null,
  reviews: [],
})

const working = (versions: VersionEntry[]): VersionEntry => versions[versions.length - 1]!

/** The fields kept beside the versions for lists and look-ups. */
export const derive = (
  versions: VersionEntry[],
): {
  status: ArticleStatus
  title: string
  summary: string
  coverUrl: string | null
  workingVersion: number
  published: PublishedEntry | null
} => {
  const w = working(versions)
  const approved = versions.find((v) => v.state === 'approved')
  const approvedAt = approved?.reviews
    .filter((r) => r.step === 'compliance' && r.decision === 'approve')
    .at(-1)?.at
  return {
    status: w.state === 'rejected' || w.state === 'superseded' ? 'draft' : w.state,
    title: w.title,
    summary: w.summary,
    coverUrl: w.coverUrl,
    workingVersion: w.n,
    published: approved
      ? {
          n: approved.n,
          title: approved.title,
          summary: approved.summary,
          coverUrl: approved.coverUrl,
          at: approvedAt ?? approved.updatedAt,
        }
      : null,
  }
}

/** Edits the working draft, or opens a new draft from the approved working version. */
export const editContent = (
  versions: VersionEntry[],
  patch: Partial<ContentFields>,
  by: string,
  now: Date,
): VersionEntry[] => {
  const w = working(versions)
  if (w.state === 'draft')
    return [
      ...versions.slice(0, -1),
      { ...w, ...fieldsOf({ ...w, ...patch }), editors: withEditor(w.editors, by), updatedAt: now },
    ]
  if (w.state === 'approved')
    return [...versions, newVersion(w.n + 1, { ...w, ...patch }, { by, now, basedOn: w.n })]
  throw new AppError('CONTENT_STATE', `Version ${w.n} is under review (${w.state}) and cannot be edited`, {
    version: w.n,
    state: w.state,
  })
}

const versionOf = (versions: VersionEntry[], n: number): VersionEntry => {
  const v = versions.find((x) => x.n === n)
  if (!v) throw new AppError('CONTENT_NOT_FOUND', `This article has no version ${n}`, { version: n })
  return v
}

const replace = (versions: VersionEntry[], v: VersionEntry): VersionEntry[] =>
  versions.map((x) => (x.n === v.n ? v : x))

/**
 * Submits draft `n` for clinical review after `check` (blocked claims, disclaimer) passes. A version
 * past its draft state answers unchanged (a retried submission).
 */
export const submitVersion = (
  versions: VersionEntry[],
  n: number,
  by: string,
  now: Date,
  check: (v: VersionEntry) => void,
): { versions: VersionEntry[]; changed: boolean } => {
  const v = versionOf(versions, n)
  if (v.state !== 'draft') return { versions, changed: false }
  check(v)
  return {
    versions: replace(versions, {
      ...v,
      state: 'clinical_review',
      submittedAt: now,
      submittedBy: by,
      editors: withEditor(v.editors, by),
      updatedAt: now,
    }),
    changed: true,
  }
}

const AWAITING: Record<ReviewStep, VersionEntry['state']> = {
  clinical: 'clinical_review',
  compliance: 'compliance_review',
}

/**
 * Takes a review step on version `n`. `check` runs before a compliance approval (the blocked-claims
 * list may have grown since submission).
 */
export const reviewVersion = (
  versions: VersionEntry[],
  step: ReviewStep,
  n: number,
  actor: Actor,
  decision: ReviewDecision,
  comment: string | null,
  now: Date,
  check: (v: VersionEntry) => void,
): { versions: VersionEntry[]; changed: boolean } => {
  const v = versionOf(versions, n)
  if (v.state !== AWAITING[step]) {
    const same = v.reviews.some((r) => r.step === step && r.by === actor.id && r.decision === decision)
    if (same) return { versions, changed: false }
    throw new AppError('CONTENT_STATE', `Version ${n} is ${v.state}, not awaiting ${step} review`, {
      version: n,
      state: v.state,
    })
  }
  if (v.editors.includes(actor.id))
    throw new AppError(
      'CONTENT_REVIEW_FORBIDDEN',
      'You wrote or submitted this version: another reviewer must review it',
    )
  if (step === 'compliance' && v.reviews.some((r) => r.step === 'clinical' && r.by === actor.id))
    throw new AppError(
      'CONTENT_REVIEW_FORBIDDEN',
      'You took the clinical review of this version: another admin must approve compliance',
    )
  if (step === 'compliance' && decision === 'approve') check(v)
  const reviews = [...v.reviews, { step, decision, by: actor.id, role: actor.role, at: now, comment }]
  if (decision === 'reject') {
    const next = newVersion(working(versions).n + 1, v, {
      by: v.createdBy,
      now,
      basedOn: v.n,
      editors: v.editors,
    })
    return {
      versions: [...replace(versions, { ...v, state: 'rejected', reviews, updatedAt: now }), next],
      changed: true,
    }
  }
  if (step === 'clinical')
    return {
      versions: replace(versions, { ...v, state: 'compliance_review', reviews, updatedAt: now }),
      changed: true,
    }
  return {
    versions: versions.map((x) =>
      x.n === n
        ? { ...v, state: 'approved' as const, reviews, updatedAt: now }
        : x.state === 'approved'
          ? { ...x, state: 'superseded' as const, updatedAt: now }
          : x,
    ),
    changed: true,
  }
}

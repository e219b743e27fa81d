import type {
  ArticleStatus,
  ArticleSummaryRow,
  ArticleVersion,
  BlockedClaimDetails,
  ReviewStep,
} from '@careloop/shared'
import { ApiError, errorText } from './api'

/** Labels and wording of 健康科普 (the content library, F22). */

/** The status chip of an article: its working version's state, or 已驳回 for a rejected one's new draft. */
export type ArticleChip = ArticleStatus | 'rejected'

export const ARTICLE_CHIP_LABEL: Record<ArticleChip, string> = {
  draft: '草稿',
  clinical_review: '临床审核中',
  compliance_review: '合规审核中',
  approved: '已发布',
  rejected: '已驳回',
}

export const VERSION_STATE_LABEL: Record<ArticleVersion['state'], string> = {
  draft: '草稿',
  clinical_review: '临床审核中',
  compliance_review: '合规审核中',
  approved: '已发布',
  rejected: '已驳回',
  superseded: '已被新版本替代',
}

export const REVIEW_STEP_LABEL: Record<ReviewStep, string> = { clinical: '临床审核', compliance: '合规审批' }

/**
 * 已驳回: the working draft was opened by a rejection. New versions come only from a rejection or from
 * editing the approved version (which opens approved + 1), so a draft beyond that was a rejection's copy.
 */
export const articleChip = (a: Pick<ArticleSummaryRow, 'status' | 'workingVersion' | 'approvedVersion'>) =>
  a.status === 'draft' && a.workingVersion > (a.approvedVersion ?? 0) + 1 ? 'rejected' : a.status

export const FIELD_LABEL: Record<BlockedClaimDetails['field'], string> = {
  title: '标题',
  summary: '摘要',
  bodyHtml: '正文',
}

/** The details of a CONTENT_BLOCKED_CLAIM error, when the error is one. */
export const blockedClaimOf = (e: unknown): BlockedClaimDetails | null => {
  if (!(e instanceof ApiError) || e.code !== 'CONTENT_BLOCKED_CLAIM') return null
  const d = e.details as Partial<BlockedClaimDetails> | null | undefined
  if (!d || typeof d.phrase !== 'string' || typeof d.index !== 'number' || typeof d.match !== 'string')
    return null
  if (d.field !== 'title' && d.field !== 'summary' && d.field !== 'bodyHtml') return null
  return { phrase: d.phrase, field: d.field, index: d.index, match: d.match }
}

/** The errors of the content routes in Chinese. */
export const contentErrorText = (e: unknown): string => {
  if (!(e instanceof ApiError)) return errorText(e)
  switch (e.code) {
    case 'CONTENT_NOT_FOUND':
      return '未找到该文章，可能已被删除，请刷新页面'
    case 'CONTENT_STATE':
      return '文章状态已变化（可能正在审核或已被他人处理），请刷新页面后再操作'
    case 'CONTENT_DISCLAIMER_REQUIRED':
      return '提交审核前请填写免责声明'
    case 'CONTENT_REVIEW_FORBIDDEN':
      return '您撰写或提交了该版本，或已做过临床审核：请由其他人员审核'
    case 'CONTENT_BLOCKED_CLAIM': {
      const b = blockedClaimOf(e)
      return b ? `${FIELD_LABEL[b.field]}含违规用语「${b.match}」，请修改后再提交` : '内容含违规用语'
    }
    default:
      return errorText(e)
  }
}

/** Validation messages of the article schemas in Chinese. */
export const zhContentIssue = (message: string): string => {
  const rules: [RegExp, string][] = [
    [/must not be empty|is required/, '请填写此项'],
    [/must be at most (\d+) characters/, '不能超过 $1 个字'],
    [/must be an http\(s\) URL|must be a URL/, '请填写以 http:// 或 https:// 开头的链接'],
    [/at most (\d+) tags/, '最多 $1 个标签'],
    [/tags must not repeat/, '标签不能重复'],
    [/comment is required when rejecting/, '驳回时请填写修改意见'],
    [/at least one phrase/, '至少保留一个违规词'],
    [/at most (\d+) phrases/, '最多 $1 个违规词'],
  ]
  for (const [re, zh] of rules) {
    const m = re.exec(message)
    if (m) return zh.replace('$1', m[1] ?? '')
  }
  return message
}

/** 30 秒 / 2 分 5 秒 */
export const seconds = (s: number): string => {
  const n = Math.round(s)
  return n < 60 ? `${n} 秒` : `${Math.floor(n / 60)} 分 ${n % 60} 秒`
}

import { ArticleDetail, DEFAULT_CONTENT_DISCLAIMER, type CreateArticleRequest } from '@careloop/shared'
import type { ServerHarness } from './server-harness'

/** A clean article (no blocked claim, with a disclaimer), ready to submit. */
export const cleanArticle = (title = '控制血糖的五个好习惯', over: Partial<CreateArticleRequest> = {}) => ({
  title,
  summary: '饮食、运动、监测、用药与复诊',
  category: '糖尿病',
  tags: ['糖尿病'],
  bodyHtml: '<h2>规律监测</h2><p>每天固定时间测量血糖，记录在小程序里。</p><p>适量运动，均衡饮食。</p>',
  disclaimer: DEFAULT_CONTENT_DISCLAIMER,
  ...over,
})

export interface ContentTokens {
  /** Writes and submits. */
  marketer: string
  /** Clinical review. */
  head: string
  /** Compliance approval (must not be the author). */
  admin: string
}

const call = async (
  h: Pick<ServerHarness, 'request'>,
  method: string,
  path: string,
  token: string,
  body?: unknown,
): Promise<ArticleDetail> => {
  const r = await h.request(method, path, { token, body })
  if (r.status !== 200 && r.status !== 201)
    throw new Error(`${method} ${path} failed: ${r.status} ${JSON.stringify(r.body)}`)
  return ArticleDetail.parse(r.body)
}

/**
 * Writes an article as the marketer and takes it as far as `upTo`: `draft`, `clinical_review`
 * (submitted), `compliance_review` (clinically approved) or `approved`.
 */
export const articleIn = async (
  h: Pick<ServerHarness, 'request'>,
  t: ContentTokens,
  upTo: 'draft' | 'clinical_review' | 'compliance_review' | 'approved',
  over: Partial<CreateArticleRequest> = {},
): Promise<ArticleDetail> => {
  let a = await call(h, 'POST', '/api/v1/staff/articles', t.marketer, cleanArticle(over.title, over))
  if (upTo === 'draft') return a
  const v = a.workingVersion
  a = await call(h, 'POST', `/api/v1/staff/articles/${a.id}/submit`, t.marketer, { version: v })
  if (upTo === 'clinical_review') return a
  const approve = { version: v, decision: 'approve' }
  a = await call(h, 'POST', `/api/v1/staff/articles/${a.id}/clinical-review`, t.head, approve)
  if (upTo === 'compliance_review') return a
  return call(h, 'POST', `/api/v1/staff/articles/${a.id}/compliance-review`, t.admin, approve)
}

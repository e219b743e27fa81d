import {
  campaignRoutes,
  contentRoutes,
  type ArticleStatus,
  type CampaignDecisionRequest,
  type CampaignInput,
  type CampaignState,
  type CreateArticleRequest,
  type PutBlockedClaimsRequest,
  type ReviewDecisionRequest,
  type UpdateArticleRequest,
  type z,
} from '@careloop/shared'
import { call } from './api'

export interface ArticleFilter {
  q?: string
  status?: ArticleStatus
  category?: string
  tag?: string
  page: number
  pageSize: number
}

const c = contentRoutes
const k = campaignRoutes

/** The console client of 健康科普 (content library) and 营销活动 (campaigns): their staff routes. */
export const marketingApi = {
  listArticles: (query: ArticleFilter) => call(c.listArticles, { query: { ...query } }),
  getArticle: (id: string) => call(c.getArticle, { params: { id } }),
  createArticle: (body: z.input<typeof CreateArticleRequest>) => call(c.createArticle, { body }),
  updateArticle: (id: string, body: UpdateArticleRequest) => call(c.updateArticle, { params: { id }, body }),
  submitArticle: (id: string, version: number) =>
    call(c.submitArticle, { params: { id }, body: { version } }),
  reviewArticle: (id: string, step: 'clinical' | 'compliance', body: ReviewDecisionRequest) =>
    call(step === 'clinical' ? c.clinicalReview : c.complianceReview, { params: { id }, body }),
  articleStats: (id: string) => call(c.articleStats, { params: { id } }),
  blockedClaims: () => call(c.getBlockedClaims),
  putBlockedClaims: (body: PutBlockedClaimsRequest) => call(c.putBlockedClaims, { body }),

  listCampaigns: (state?: CampaignState) => call(k.listCampaigns, { query: { state, limit: 200 } }),
  getCampaign: (id: string) => call(k.getCampaign, { params: { id } }),
  createCampaign: (body: z.input<typeof CampaignInput>) => call(k.createCampaign, { body }),
  updateCampaign: (id: string, body: z.input<typeof CampaignInput>) =>
    call(k.updateCampaign, { params: { id }, body }),
  submitCampaign: (id: string) => call(k.submitCampaign, { params: { id } }),
  decideCampaign: (id: string, body: CampaignDecisionRequest) =>
    call(k.decideCampaign, { params: { id }, body }),
  previewCampaign: (id: string) => call(k.previewCampaign, { params: { id } }),
  pauseCampaign: (id: string) => call(k.pauseCampaign, { params: { id } }),
  resumeCampaign: (id: string) => call(k.resumeCampaign, { params: { id } }),
  cancelCampaign: (id: string) => call(k.cancelCampaign, { params: { id } }),
  campaignStats: (id: string) => call(k.campaignStats, { params: { id } }),
  campaignRun: (id: string, runId: string) => call(k.getCampaignRun, { params: { id, runId } }),
}

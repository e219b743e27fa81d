import {
  apiRoutes,
  ARTICLE_STATUSES,
  CAMPAIGN_STATES,
  campaignRoutes,
  contentRoutes,
  type ArticleStatus,
  type CampaignState,
  followupRoutes,
  pushRoutes,
  questionnaireRoutes,
  taskRoutes,
  type ApiRoute,
  type ApiRouteId,
  type StaffRole,
} from '@careloop/shared'
import { useEffect, useState } from 'react'

/** The console's pages, parsed from the location hash (#/patients?q=王&page=2). */
export type Route =
  | { name: 'login'; next: string | null }
  | { name: 'patients'; q: string; page: number }
  | { name: 'patient'; id: string }
  | { name: 'tags'; tab: TagsTab }
  | { name: 'segments' }
  | { name: 'communities' }
  | { name: 'community'; id: string }
  | { name: 'plans' }
  | { name: 'plan'; id: string }
  | { name: 'questionnaires' }
  | { name: 'questionnaire'; id: string }
  | { name: 'questionnaireStats'; id: string }
  | { name: 'tasks'; view: TasksView }
  | { name: 'rates' }
  | { name: 'outbox'; status: OutboxFilter }
  | { name: 'staff' }
  | { name: 'audit' }
  | { name: 'status' }
  // 积分与会员
  | { name: 'pointsRules' }
  | { name: 'pointsLiability' }
  | { name: 'rewards' }
  | { name: 'redemptions' }
  | { name: 'orders' }
  | { name: 'order'; id: string }
  | { name: 'membershipPlans' }
  // 内容与活动
  | { name: 'articles'; q: string; status: ArticleStatus | 'all'; page: number }
  | { name: 'article'; id: string }
  | { name: 'articleEdit'; id: string }
  | { name: 'blockedClaims' }
  | { name: 'campaigns'; state: CampaignState | 'all' }
  | { name: 'campaign'; id: string }
  | { name: 'campaignEdit'; id: string }
  | { name: 'campaignApproval'; id: string }
  | { name: 'notFound' }

export type PageName = Exclude<Route['name'], 'login' | 'notFound'>

/** The tabs of 标签管理: groups and tags, auto-tag rules, CSV import. */
export const TAGS_TABS = ['groups', 'rules', 'import'] as const
export type TagsTab = (typeof TAGS_TABS)[number]

/** 待办任务: due by today (overdue included), or every open task. */
export const TASKS_VIEWS = ['today', 'open'] as const
export type TasksView = (typeof TASKS_VIEWS)[number]

/** 消息推送's status filter: everything, or one outbox status. */
export const OUTBOX_FILTERS = [
  'all',
  'pending',
  'sending',
  'sent',
  'failed',
  'dead',
  'cancelled',
  'skipped',
] as const
export type OutboxFilter = (typeof OUTBOX_FILTERS)[number]

export const parseHash = (hash: string): Route => {
  const raw = hash.replace(/^#/, '') || '/'
  const [path = '/', search = ''] = raw.split('?', 2)
  const query = new URLSearchParams(search)
  const parts = path.split('/').filter(Boolean)
  switch (parts[0]) {
    case undefined:
      return { name: 'patients', q: '', page: 1 }
    case 'login':
      return { name: 'login', next: query.get('next') }
    case 'patients': {
      if (parts[1]) return { name: 'patient', id: decodeURIComponent(parts[1]) }
      const page = Number(query.get('page') ?? '1')
      return {
        name: 'patients',
        q: query.get('q') ?? '',
        page: Number.isInteger(page) && page > 0 ? page : 1,
      }
    }
    case 'tags': {
      const tab = TAGS_TABS.find((t) => t === query.get('tab')) ?? 'groups'
      return { name: 'tags', tab }
    }
    case 'segments':
      return { name: 'segments' }
    case 'communities':
      return parts[1] ? { name: 'community', id: decodeURIComponent(parts[1]) } : { name: 'communities' }
    case 'plans':
      return parts[1] ? { name: 'plan', id: decodeURIComponent(parts[1]) } : { name: 'plans' }
    case 'questionnaires':
      if (parts[1] && parts[2] === 'stats')
        return { name: 'questionnaireStats', id: decodeURIComponent(parts[1]) }
      return parts[1]
        ? { name: 'questionnaire', id: decodeURIComponent(parts[1]) }
        : { name: 'questionnaires' }
    case 'tasks':
      return { name: 'tasks', view: TASKS_VIEWS.find((v) => v === query.get('view')) ?? 'today' }
    case 'rates':
      return { name: 'rates' }
    case 'outbox':
      return { name: 'outbox', status: OUTBOX_FILTERS.find((v) => v === query.get('status')) ?? 'all' }
    case 'staff':
      return { name: 'staff' }
    case 'audit':
      return { name: 'audit' }
    case 'status':
      return { name: 'status' }
    case 'points':
      return parts[1] === 'liability' ? { name: 'pointsLiability' } : { name: 'pointsRules' }
    case 'rewards':
      return { name: 'rewards' }
    case 'redemptions':
      return { name: 'redemptions' }
    case 'orders':
      return parts[1] ? { name: 'order', id: decodeURIComponent(parts[1]) } : { name: 'orders' }
    case 'membership':
      return { name: 'membershipPlans' }
    case 'articles': {
      const id = parts[1] ? decodeURIComponent(parts[1]) : null
      if (id === 'blocked-claims') return { name: 'blockedClaims' }
      if (id === 'new' || (id && parts[2] === 'edit')) return { name: 'articleEdit', id }
      if (id) return { name: 'article', id }
      const page = Number(query.get('page') ?? '1')
      return {
        name: 'articles',
        q: query.get('q') ?? '',
        status: ARTICLE_STATUSES.find((v) => v === query.get('status')) ?? 'all',
        page: Number.isInteger(page) && page > 0 ? page : 1,
      }
    }
    case 'campaigns': {
      const id = parts[1] ? decodeURIComponent(parts[1]) : null
      if (id === 'new' || (id && parts[2] === 'edit')) return { name: 'campaignEdit', id }
      if (id && parts[2] === 'approval') return { name: 'campaignApproval', id }
      if (id) return { name: 'campaign', id }
      return { name: 'campaigns', state: CAMPAIGN_STATES.find((v) => v === query.get('state')) ?? 'all' }
    }
    default:
      return { name: 'notFound' }
  }
}

export const navigate = (path: string): void => {
  window.location.hash = path
}

/** The current route; re-renders on every hash change. */
export const useRoute = (): Route => {
  const [route, setRoute] = useState(() => parseHash(window.location.hash))
  useEffect(() => {
    const on = () => setRoute(parseHash(window.location.hash))
    window.addEventListener('hashchange', on)
    return () => window.removeEventListener('hashchange', on)
  }, [])
  return route
}

export const patientsPath = (q: string, page: number): string => {
  const query = new URLSearchParams()
  if (q) query.set('q', q)
  if (page > 1) query.set('page', String(page))
  const s = query.toString()
  return s ? `/patients?${s}` : '/patients'
}

export const tagsPath = (tab: TagsTab): string => (tab === 'groups' ? '/tags' : `/tags?tab=${tab}`)

/** Whether the shared route catalogue lets `role` call the route (the server's role × route matrix). */
export const mayCall = (role: StaffRole, route: ApiRouteId): boolean =>
  apiRoutes[route].roles?.includes(role) ?? false

const rolesOf = (route: ApiRouteId): readonly StaffRole[] => apiRoutes[route].roles ?? []

/** Like mayCall, for a route object of the shared contract (any module's routes). */
export const mayUse = (role: StaffRole, route: ApiRoute): boolean => route.roles?.includes(role) ?? false

/** Which console pages each role may open; mirrors the server's role × route matrix. */
export const PAGE_ROLES: Record<PageName, readonly StaffRole[]> = {
  patients: ['nurse', 'head_nurse', 'marketer', 'admin'],
  patient: ['nurse', 'head_nurse', 'admin'],
  tags: rolesOf('listTagGroups'),
  segments: rolesOf('previewSegment'),
  communities: rolesOf('listCommunities'),
  community: rolesOf('getCommunity'),
  plans: followupRoutes.listPlans.roles ?? [],
  plan: followupRoutes.getPlan.roles ?? [],
  questionnaires: questionnaireRoutes.listQuestionnaires.roles ?? [],
  questionnaire: questionnaireRoutes.getQuestionnaire.roles ?? [],
  questionnaireStats: questionnaireRoutes.questionnaireStats.roles ?? [],
  tasks: taskRoutes.listTasks.roles ?? [],
  rates: followupRoutes.followupRates.roles ?? [],
  outbox: pushRoutes.listOutbox.roles ?? [],
  staff: ['admin'],
  audit: ['admin'],
  status: ['nurse', 'head_nurse', 'marketer', 'admin'],
  pointsRules: rolesOf('listPointsRules'),
  pointsLiability: rolesOf('pointsLiability'),
  rewards: rolesOf('listRewards'),
  redemptions: rolesOf('listRedemptions'),
  orders: rolesOf('listMembershipOrders'),
  order: rolesOf('getMembershipOrder'),
  membershipPlans: rolesOf('staffMembershipPlans'),
  articles: contentRoutes.listArticles.roles ?? [],
  article: contentRoutes.getArticle.roles ?? [],
  articleEdit: contentRoutes.createArticle.roles ?? [],
  blockedClaims: contentRoutes.getBlockedClaims.roles ?? [],
  campaigns: campaignRoutes.listCampaigns.roles ?? [],
  campaign: campaignRoutes.getCampaign.roles ?? [],
  campaignEdit: campaignRoutes.createCampaign.roles ?? [],
  campaignApproval: campaignRoutes.previewCampaign.roles ?? [],
}

export const canOpen = (role: StaffRole, page: PageName): boolean => PAGE_ROLES[page].includes(role)

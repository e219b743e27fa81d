import type { ClientConfig, StaffLoginResponse } from '@careloop/shared'
import { useCallback, useEffect, useMemo, useState } from 'react'
import { api, setUnauthorizedHandler } from './api'
import { EmptyState } from './components/Feedback'
import { Layout } from './components/Layout'
import { ArticleEditorPage } from './pages/ArticleEditorPage'
import { ArticlePage } from './pages/ArticlePage'
import { ArticlesPage } from './pages/ArticlesPage'
import { AuditPage } from './pages/AuditPage'
import { BlockedClaimsPage } from './pages/BlockedClaimsPage'
import { CampaignApprovalPage } from './pages/CampaignApprovalPage'
import { CampaignDetailPage } from './pages/CampaignDetailPage'
import { CampaignEditorPage } from './pages/CampaignEditorPage'
import { CampaignsPage } from './pages/CampaignsPage'
import { CommunitiesPage } from './pages/CommunitiesPage'
import { CommunityDetailPage } from './pages/CommunityDetailPage'
import { LoginPage } from './pages/LoginPage'
import { OutboxPage } from './pages/OutboxPage'
import { PlanEditorPage } from './pages/PlanEditorPage'
import { PlansPage } from './pages/PlansPage'
import { QuestionnaireEditorPage } from './pages/QuestionnaireEditorPage'
import { QuestionnairesPage } from './pages/QuestionnairesPage'
import { QuestionnaireStatsPage } from './pages/QuestionnaireStatsPage'
import { RatesPage } from './pages/RatesPage'
import { TasksPage } from './pages/TasksPage'
import { PatientDetailPage } from './pages/PatientDetailPage'
import { PatientsPage } from './pages/PatientsPage'
import { SegmentsPage } from './pages/SegmentsPage'
import { StaffPage } from './pages/StaffPage'
import { StatusPage } from './pages/StatusPage'
import { TagsPage } from './pages/TagsPage'
import { MembershipPlansPage } from './pages/MembershipPlansPage'
import { OrderDetailPage } from './pages/OrderDetailPage'
import { OrdersPage } from './pages/OrdersPage'
import { PointsLiabilityPage } from './pages/PointsLiabilityPage'
import { PointsRulesPage } from './pages/PointsRulesPage'
import { RedemptionsPage } from './pages/RedemptionsPage'
import { RewardsPage } from './pages/RewardsPage'
import { canOpen, navigate, useRoute, type PageName, type Route } from './router'
import { clearSession, loadSession, saveSession, SessionContext, type Session } from './session'

const pageOf = (r: Route): PageName | null => (r.name === 'login' || r.name === 'notFound' ? null : r.name)

const Page = ({ route }: { route: Route }) => {
  switch (route.name) {
    case 'patients':
      return <PatientsPage q={route.q} page={route.page} />
    case 'patient':
      return <PatientDetailPage id={route.id} />
    case 'tags':
      return <TagsPage tab={route.tab} />
    case 'segments':
      return <SegmentsPage />
    case 'communities':
      return <CommunitiesPage />
    case 'community':
      return <CommunityDetailPage id={route.id} />
    case 'plans':
      return <PlansPage />
    case 'plan':
      return <PlanEditorPage key={route.id} id={route.id} />
    case 'questionnaires':
      return <QuestionnairesPage />
    case 'questionnaire':
      return <QuestionnaireEditorPage key={route.id} id={route.id} />
    case 'questionnaireStats':
      return <QuestionnaireStatsPage id={route.id} />
    case 'tasks':
      return <TasksPage view={route.view} />
    case 'rates':
      return <RatesPage />
    case 'outbox':
      return <OutboxPage status={route.status} />
    case 'staff':
      return <StaffPage />
    case 'audit':
      return <AuditPage />
    case 'status':
      return <StatusPage />
    case 'pointsRules':
      return <PointsRulesPage />
    case 'pointsLiability':
      return <PointsLiabilityPage />
    case 'rewards':
      return <RewardsPage />
    case 'redemptions':
      return <RedemptionsPage />
    case 'orders':
      return <OrdersPage />
    case 'order':
      return <OrderDetailPage key={route.id} id={route.id} />
    case 'membershipPlans':
      return <MembershipPlansPage />
    case 'articles':
      return <ArticlesPage q={route.q} status={route.status} page={route.page} />
    case 'article':
      return <ArticlePage key={route.id} id={route.id} />
    case 'articleEdit':
      return <ArticleEditorPage key={route.id} id={route.id} />
    case 'blockedClaims':
      return <BlockedClaimsPage />
    case 'campaigns':
      return <CampaignsPage state={route.state} />
    case 'campaign':
      return <CampaignDetailPage key={route.id} id={route.id} />
    case 'campaignEdit':
      return <CampaignEditorPage key={route.id} id={route.id} />
    case 'campaignApproval':
      return <CampaignApprovalPage key={route.id} id={route.id} />
    case 'login':
      return null
    default:
      return <EmptyState title="页面不存在" hint="请从左侧导航选择功能。" />
  }
}

/**
 * The console: the login page until a staff member signs in (the token lives in sessionStorage,
 * so it ends with the tab), then the role's pages in the signed-in layout. Any 401 returns to login.
 */
export const App = () => {
  const route = useRoute()
  const [session, setSession] = useState<Session | null>(() => loadSession())
  const [notice, setNotice] = useState<string | null>(null)
  const [config, setConfig] = useState<ClientConfig | null>(null)

  const logout = useCallback((message: string | null) => {
    clearSession()
    setSession(null)
    setNotice(message)
    if (message === null) navigate('/login')
  }, [])

  useEffect(() => {
    setUnauthorizedHandler(() => logout('登录已过期或账号已被停用，请重新登录'))
    return () => setUnauthorizedHandler(null)
  }, [logout])

  useEffect(() => {
    void api.clientConfig().then(setConfig)
  }, [])

  // Re-read who we are once per token: a role change or deactivation applies without re-login.
  const token = session?.token
  useEffect(() => {
    if (!token) return
    let alive = true
    void api.me().then(
      (r) =>
        alive &&
        setSession((s) => {
          if (!s || s.token !== token) return s
          const next = { ...s, staff: r.staff }
          saveSession(next)
          return next
        }),
      () => undefined,
    )
    return () => {
      alive = false
    }
  }, [token])

  // The access token has a fixed lifetime: return to login when it ends.
  const expiresAt = session?.expiresAt
  useEffect(() => {
    if (!expiresAt) return
    const t = setTimeout(
      () => logout('登录已过期，请重新登录'),
      Math.min(expiresAt - Date.now(), 2 ** 31 - 1),
    )
    return () => clearTimeout(t)
  }, [expiresAt, logout])

  useEffect(() => {
    if (session && route.name === 'login') navigate(route.next ?? '/patients')
  }, [session, route])

  const onLoggedIn = (r: StaffLoginResponse) => {
    const s: Session = { token: r.accessToken, expiresAt: Date.now() + r.expiresIn * 1000, staff: r.staff }
    saveSession(s)
    setNotice(null)
    setSession(s)
  }

  const sessionApi = useMemo(
    () => (session ? { session, logout: () => logout(null) } : null),
    [session, logout],
  )

  if (!sessionApi) return <LoginPage notice={notice} onLoggedIn={onLoggedIn} />

  const page = pageOf(route)
  const allowed = page === null || canOpen(sessionApi.session.staff.role, page)
  return (
    <SessionContext.Provider value={sessionApi}>
      <Layout
        active={page}
        hospitalName={config?.hospitalName ?? '运营控制台'}
        simulated={config?.mode === 'simulated'}
      >
        {allowed ? (
          <Page route={route} />
        ) : (
          <EmptyState title="无权访问此页面" hint="您的角色不能使用该功能，如需开通请联系系统管理员。" />
        )}
      </Layout>
    </SessionContext.Provider>
  )
}

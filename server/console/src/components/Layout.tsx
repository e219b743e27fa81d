import { Fragment, type ReactNode } from 'react'
import { ROLE_LABEL } from '../labels'
import { canOpen, type PageName } from '../router'
import { useSession } from '../session'

const ICONS: Record<string, ReactNode> = {
  patients: (
    <path d="M9 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8Zm-7 9c0-3.3 3.1-6 7-6s7 2.7 7 6M17 11a3 3 0 1 0 0-6M22 20c0-2.4-1.6-4.4-4-5.2" />
  ),
  tags: (
    <path d="M3 12.2V4a1 1 0 0 1 1-1h8.2a1 1 0 0 1 .7.3l8 8a1 1 0 0 1 0 1.4l-8.2 8.2a1 1 0 0 1-1.4 0l-8-8a1 1 0 0 1-.3-.7ZM8 8.5h.01" />
  ),
  segments: <path d="M3 4h18l-7 8.5V19l-4 2v-8.5L3 4Z" />,
  communities: (
    <path d="M4 5h11a1 1 0 0 1 1 1v7a1 1 0 0 1-1 1H9l-4 3v-3H4a1 1 0 0 1-1-1V6a1 1 0 0 1 1-1ZM19 9h1a1 1 0 0 1 1 1v7a1 1 0 0 1-1 1h-1v3l-4-3h-4" />
  ),
  staff: <path d="M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8Zm-8 9c0-3.9 3.6-7 8-7s8 3.1 8 7M19 3v4M17 5h4" />,
  audit: <path d="M6 3h9l4 4v14H6zM14 3v5h5M9 12h7M9 16h7" />,
  status: <path d="M3 12h4l3-8 4 16 3-8h4" />,
  tasks: <path d="M9 6h11M9 12h11M9 18h11M4 6l1 1 2-2M4 12l1 1 2-2M4 18l1 1 2-2" />,
  plans: (
    <path d="M4 6a1 1 0 0 1 1-1h14a1 1 0 0 1 1 1v13a1 1 0 0 1-1 1H5a1 1 0 0 1-1-1V6Zm0 4h16M8 3v4M16 3v4M8 14h3M13 14h3M8 17h3" />
  ),
  questionnaires: (
    <path d="M9 4h6v3H9zM7 5.5H5.5a1 1 0 0 0-1 1V20a1 1 0 0 0 1 1h13a1 1 0 0 0 1-1V6.5a1 1 0 0 0-1-1H17M8 12l2 2 4-4M8 17h8" />
  ),
  rates: <path d="M4 20h16M7 16v-5M12 16V7M17 16v-8" />,
  outbox: <path d="M21 3 10 14M21 3l-7 18-4-7-7-4 18-7Z" />,
  pointsRules: <path d="M12 3l2.6 5.3 5.9.9-4.3 4.1 1 5.8L12 16.4 6.8 19.1l1-5.8L3.5 9.2l5.9-.9L12 3Z" />,
  pointsLiability: <path d="M4 19h16M6 15l4-4 3 3 5-6M18 8h-3M18 8v3" />,
  rewards: (
    <path d="M4 10h16v10H4zM3 7h18v3H3zM12 7v13M12 7c-1.5-3-5-3.5-5-1.2C7 7 9.5 7 12 7Zm0 0c1.5-3 5-3.5 5-1.2C17 7 14.5 7 12 7Z" />
  ),
  redemptions: (
    <path d="M4 8V5a1 1 0 0 1 1-1h3M16 4h3a1 1 0 0 1 1 1v3M20 16v3a1 1 0 0 1-1 1h-3M8 20H5a1 1 0 0 1-1-1v-3M4 12h16" />
  ),
  orders: <path d="M6 3h12v18l-3-2-3 2-3-2-3 2V3ZM9 8h6M9 12h6M9 16h3" />,
  membershipPlans: <path d="M3 7h18v11a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1V7Zm0 0 2-3h14l2 3M8 12l2 2 4-4" />,
  articles: (
    <path d="M4 5a1 1 0 0 1 1-1h6l1 1 1-1h6a1 1 0 0 1 1 1v13a1 1 0 0 1-1 1h-6l-1 1-1-1H5a1 1 0 0 1-1-1V5Zm8 0v15M7 8h2M7 11h2M15 8h2M15 11h2" />
  ),
  campaigns: (
    <path d="M4 10v4a1 1 0 0 0 1 1h2l6 4V5L7 9H5a1 1 0 0 0-1 1Zm13-1.5a5 5 0 0 1 0 7M19.5 6a8.5 8.5 0 0 1 0 12" />
  ),
}

const Icon = ({ name }: { name: string }) => (
  <svg className="nav-icon" viewBox="0 0 24 24" aria-hidden>
    <g fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round">
      {ICONS[name]}
    </g>
  </svg>
)

const NAV: { section: string; page: PageName; label: string; path: string; icon: string }[] = [
  { section: '工作台', page: 'patients', label: '患者管理', path: '#/patients', icon: 'patients' },
  { section: '工作台', page: 'tasks', label: '待办任务', path: '#/tasks', icon: 'tasks' },
  { section: '随访管理', page: 'plans', label: '随访方案', path: '#/plans', icon: 'plans' },
  {
    section: '随访管理',
    page: 'questionnaires',
    label: '问卷管理',
    path: '#/questionnaires',
    icon: 'questionnaires',
  },
  { section: '随访管理', page: 'rates', label: '随访统计', path: '#/rates', icon: 'rates' },
  { section: '患者运营', page: 'tags', label: '标签管理', path: '#/tags', icon: 'tags' },
  { section: '患者运营', page: 'segments', label: '人群分群', path: '#/segments', icon: 'segments' },
  { section: '患者运营', page: 'communities', label: '病友社群', path: '#/communities', icon: 'communities' },
  { section: '患者运营', page: 'outbox', label: '消息推送', path: '#/outbox', icon: 'outbox' },
  { section: '内容与活动', page: 'articles', label: '健康科普', path: '#/articles', icon: 'articles' },
  { section: '内容与活动', page: 'campaigns', label: '营销活动', path: '#/campaigns', icon: 'campaigns' },
  {
    section: '积分与会员',
    page: 'redemptions',
    label: '兑换核销',
    path: '#/redemptions',
    icon: 'redemptions',
  },
  { section: '积分与会员', page: 'rewards', label: '奖品管理', path: '#/rewards', icon: 'rewards' },
  { section: '积分与会员', page: 'pointsRules', label: '积分规则', path: '#/points', icon: 'pointsRules' },
  {
    section: '积分与会员',
    page: 'pointsLiability',
    label: '积分负债',
    path: '#/points/liability',
    icon: 'pointsLiability',
  },
  { section: '积分与会员', page: 'orders', label: '订单与退款', path: '#/orders', icon: 'orders' },
  {
    section: '积分与会员',
    page: 'membershipPlans',
    label: '会员方案',
    path: '#/membership',
    icon: 'membershipPlans',
  },
  { section: '系统', page: 'staff', label: '员工管理', path: '#/staff', icon: 'staff' },
  { section: '系统', page: 'audit', label: '审计日志', path: '#/audit', icon: 'audit' },
  { section: '系统', page: 'status', label: '系统状态', path: '#/status', icon: 'status' },
]

/** The page whose nav item is highlighted (a detail page highlights its list). */
const NAV_OF: Partial<Record<PageName, PageName>> = {
  patient: 'patients',
  community: 'communities',
  plan: 'plans',
  questionnaire: 'questionnaires',
  questionnaireStats: 'questionnaires',
  order: 'orders',
  article: 'articles',
  articleEdit: 'articles',
  blockedClaims: 'articles',
  campaign: 'campaigns',
  campaignEdit: 'campaigns',
  campaignApproval: 'campaigns',
}

export const Brand = ({ sub }: { sub: string }) => (
  <div className="brand">
    <span className="logo">CL</span>
    <div>
      <div className="brand-name">CareLoop 私域患者运营平台</div>
      <div className="brand-sub">{sub}</div>
    </div>
  </div>
)

/** The signed-in frame: header with the staff member and 退出, navigation by role, the page. */
export const Layout = ({
  active,
  hospitalName,
  simulated,
  children,
}: {
  active: PageName | null
  hospitalName: string
  simulated: boolean
  children: ReactNode
}) => {
  const { session, logout } = useSession()
  const { staff } = session
  const current = active ? (NAV_OF[active] ?? active) : null
  const items = NAV.filter((n) => canOpen(staff.role, n.page))
  return (
    <div className="shell">
      <header className="topbar">
        <Brand sub={`${hospitalName} · 运营控制台`} />
        <div className="topbar-right">
          {simulated ? <span className="badge badge-sim">模拟器模式 · 不连接真实微信</span> : null}
          <div className="user-chip" data-testid="current-staff">
            <span className="avatar" aria-hidden>
              {[...staff.name][0] ?? '?'}
            </span>
            <span className="user-name">{staff.name}</span>
            <span className={`role-tag role-${staff.role}`}>{ROLE_LABEL[staff.role]}</span>
          </div>
          <button type="button" className="btn btn-ghost-light" onClick={logout}>
            退出
          </button>
        </div>
      </header>
      <div className="body">
        <nav className="sidebar" aria-label="主导航">
          {items.map((n, i) => (
            <Fragment key={n.page}>
              {items[i - 1]?.section !== n.section ? <div className="nav-section">{n.section}</div> : null}
              <a
                href={n.path}
                className={`nav-item${current === n.page ? ' nav-item-active' : ''}`}
                aria-current={current === n.page ? 'page' : undefined}
              >
                <Icon name={n.icon} />
                {n.label}
              </a>
            </Fragment>
          ))}
          <div className="sidebar-foot">
            <div>账号：{staff.username}</div>
            <div>数据访问均记录审计日志</div>
          </div>
        </nav>
        <main className="content">{children}</main>
      </div>
    </div>
  )
}

import type { Community, PendingGroupSendsResponse } from '@careloop/shared'
import { useState } from 'react'
import { api } from '../api'
import { communityErrorText, formatMinute } from '../communityText'
import { CommunityForm, useOwnerCandidates } from '../components/CommunityForm'
import { CapacityBar, CommunityStatusBadge, Flow } from '../components/CommunityStats'
import { Banner, EmptyState, Loading, PageHeader } from '../components/Feedback'
import { mayCall, navigate } from '../router'
import { useSession } from '../session'
import { useLoad } from '../useLoad'

/** 待确认群发: mass-send tasks the owners still have to confirm in WeCom, overdue ones first. */
const PendingSends = ({ data }: { data: PendingGroupSendsResponse }) => {
  const sends = [...data.sends].sort(
    (a, b) => Number(b.overdue) - Number(a.overdue) || a.deadline.localeCompare(b.deadline),
  )
  if (sends.length === 0) return null
  const overdue = sends.filter((s) => s.overdue).length
  return (
    <section className="panel pending-sends" data-testid="pending-sends">
      <div className="panel-head">
        <h2>待护士确认的群发</h2>
        <span className="panel-count">
          {sends.length} 条{overdue > 0 ? `，其中 ${overdue} 条已逾期` : ''}
        </span>
      </div>
      <p className="panel-lead">
        群发任务已生成到群主的企业微信，需群主在企业微信中点「发送」确认；超过确认期限仍未确认时，系统提醒护士长。
      </p>
      <ul className="pending-list">
        {sends.map((s) => (
          <li key={s.itemId} className={`pending-item${s.overdue ? ' pending-overdue' : ''}`}>
            <a className="pending-community" href={`#/communities/${s.communityId}`}>
              {s.communityName}
            </a>
            <span className="pending-text" title={s.text}>
              {s.text}
            </span>
            <span className="pending-owner">群主 {s.ownerNurse.name ?? '—'}</span>
            <span className={`sop-state ${s.overdue ? 'sop-overdue' : 'sop-pending'}`}>
              {s.overdue ? (s.escalatedAt ? '已逾期 · 已提醒护士长' : '已逾期') : '待确认'}
            </span>
            <span className="pending-deadline nowrap">截止 {s.deadlineLocal}</span>
          </li>
        ))}
      </ul>
    </section>
  )
}

/** The totals over the listed communities. */
const Summary = ({ list }: { list: Community[] }) => {
  const active = list.filter((c) => c.status === 'active')
  const sum = (f: (c: Community) => number) => active.reduce((n, c) => n + f(c), 0)
  const tiles: [string, string, string][] = [
    ['运营中的社群', String(active.length), `共 ${list.length} 个社群`],
    ['群成员', String(sum((c) => c.stats.membersNow)), `其中客户 ${sum((c) => c.stats.customersNow)} 位`],
    ['已关联患者档案', String(sum((c) => c.stats.patientsLinked)), '按扫码入群码或微信身份关联'],
    [
      '近 7 天 入群 / 退群',
      `+${sum((c) => c.stats.joined7d)} / −${sum((c) => c.stats.left7d)}`,
      `近 30 天 +${sum((c) => c.stats.joined30d)} / −${sum((c) => c.stats.left30d)}`,
    ],
  ]
  return (
    <div className="summary-tiles" data-testid="communities-summary">
      {tiles.map(([title, value, hint]) => (
        <div key={title} className="stat-tile">
          <div className="card-title">{title}</div>
          <div className="stat-value">{value}</div>
          <div className="card-hint">{hint}</div>
        </div>
      ))}
    </div>
  )
}

/**
 * 病友社群: every community the role may see with its statistics; head nurses and admins link a
 * nurse's WeCom customer group as a new community; the pending group sends to confirm.
 */
export const CommunitiesPage = () => {
  const { session } = useSession()
  const role = session.staff.role
  const canManage = mayCall(role, 'createCommunity')
  const canPending = mayCall(role, 'pendingGroupSends')
  const list = useLoad(() => api.listCommunities(), [])
  const pending = useLoad(() => (canPending ? api.pendingGroupSends() : Promise.resolve(null)), [canPending])
  const groups = useLoad(() => (canManage ? api.listTagGroups() : Promise.resolve(null)), [canManage])
  const [creating, setCreating] = useState(false)
  const [notice, setNotice] = useState<string | null>(null)
  const [showArchived, setShowArchived] = useState(false)
  const owners = useOwnerCandidates(list.data?.communities ?? null)

  const all = list.data?.communities ?? []
  const hidden = all.filter((c) => c.status !== 'active').length
  const rows = showArchived ? all : all.filter((c) => c.status === 'active')

  return (
    <>
      <PageHeader
        title="病友社群"
        lead="按病种运营的企业微信客户群：患者扫专属入群码加入后自动关联档案、打上病种标签；群内容按排期生成群发任务，由群主护士确认发送。"
        actions={
          canManage ? (
            <button
              type="button"
              className="btn btn-primary"
              disabled={creating}
              onClick={() => {
                setNotice(null)
                setCreating(true)
              }}
            >
              + 新建社群
            </button>
          ) : null
        }
      />
      {notice ? (
        <Banner tone="success" onClose={() => setNotice(null)}>
          {notice}
        </Banner>
      ) : null}
      {role === 'marketer' ? (
        <Banner tone="info">
          您可以查看各社群的统计数据；成员名单和群内容排期仅护士、护士长和管理员可见。
        </Banner>
      ) : role === 'nurse' ? (
        <Banner tone="info">这里显示您担任群主的社群。新建社群请联系护士长或管理员。</Banner>
      ) : null}
      {creating ? (
        groups.data ? (
          <CommunityForm
            editing={null}
            tagGroups={groups.data}
            owners={owners.owners}
            ownersListed={owners.listed}
            onCancel={() => setCreating(false)}
            onSaved={(c) => {
              setCreating(false)
              list.reload()
              pending.reload()
              setNotice(`已创建社群“${c.name}”，并已同步企业微信群“${c.groupName ?? c.chatId}”的当前成员`)
            }}
          />
        ) : groups.error ? (
          <Banner tone="error">标签加载失败：{communityErrorText(groups.error)}</Banner>
        ) : (
          <Loading text="正在加载标签…" />
        )
      ) : null}
      {list.error ? (
        <Banner tone="error">
          社群加载失败：{communityErrorText(list.error)}{' '}
          <button type="button" className="link-button" onClick={list.reload}>
            重试
          </button>
        </Banner>
      ) : null}
      {list.data && all.length > 0 ? <Summary list={all} /> : null}
      {pending.data ? <PendingSends data={pending.data} /> : null}
      {pending.error ? (
        <Banner tone="error">待确认群发加载失败：{communityErrorText(pending.error)}</Banner>
      ) : null}

      <div className="panel table-panel">
        {hidden > 0 ? (
          <div className="table-toolbar">
            <label className="checkbox-inline">
              <input
                type="checkbox"
                checked={showArchived}
                onChange={(e) => setShowArchived(e.target.checked)}
              />
              显示已归档和已解散的社群（{hidden} 个）
            </label>
          </div>
        ) : null}
        <table className="table" data-testid="communities-table">
          <thead>
            <tr>
              <th>社群</th>
              <th>病种</th>
              <th>群主护士</th>
              <th className="col-capacity">群成员 / 容量</th>
              <th>已关联患者</th>
              <th>近 7 天</th>
              <th>近 30 天</th>
              <th>本月群发</th>
              <th>状态</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((c) => (
              <tr
                key={c.id}
                className={`row-link${c.status === 'active' ? '' : ' row-inactive'}`}
                onClick={() => navigate(`/communities/${c.id}`)}
                data-testid="community-row"
                data-name={c.name}
              >
                <td>
                  <a
                    className="cell-strong community-link"
                    href={`#/communities/${c.id}`}
                    onClick={(e) => e.stopPropagation()}
                  >
                    {c.name}
                  </a>
                  <div className="subtle">企业微信群：{c.groupName ?? '未同步'}</div>
                </td>
                <td>
                  {c.diseaseTag.name ? (
                    <span className="chip chip-tag">{c.diseaseTag.name}</span>
                  ) : (
                    <span className="muted">标签已删除</span>
                  )}
                </td>
                <td className="nowrap">
                  {c.ownerNurse.name ?? '—'}
                  {c.ownerNurse.id === session.staff.id ? <span className="me-tag">我</span> : null}
                </td>
                <td className="col-capacity">
                  <CapacityBar stats={c.stats} compact />
                </td>
                <td className="num">{c.stats.patientsLinked}</td>
                <td className="nowrap">
                  <Flow joined={c.stats.joined7d} left={c.stats.left7d} />
                </td>
                <td className="nowrap">
                  <Flow joined={c.stats.joined30d} left={c.stats.left30d} />
                </td>
                <td className="nowrap">
                  {c.stats.sendsThisMonth.used} / {c.stats.sendsThisMonth.cap}
                  {c.stats.pendingSends > 0 ? (
                    <div className="subtle text-warn">{c.stats.pendingSends} 条待确认</div>
                  ) : null}
                </td>
                <td>
                  <CommunityStatusBadge status={c.status} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {list.loading && !list.data ? <Loading text="正在加载社群…" /> : null}
        {list.data && rows.length === 0 ? (
          <EmptyState
            title={all.length > 0 ? '没有运营中的社群' : '还没有病友社群'}
            hint={
              all.length > 0
                ? '勾选上方“显示已归档和已解散的社群”查看全部。'
                : canManage
                  ? '先请群主护士在企业微信中创建客户群，再点击右上角“新建社群”关联该群。'
                  : role === 'nurse'
                    ? '护士长或管理员把您设为社群群主后，社群会显示在这里。'
                    : '护士长或管理员创建社群后，会显示在这里。'
            }
          />
        ) : null}
      </div>
      {list.data && all.length > 0 ? (
        <p className="subtle footnote">
          统计按企业微信成员变动事件与定时同步计算；最近同步：
          {formatMinute(
            all
              .map((c) => c.lastSyncedAt)
              .filter((x): x is string => x !== null)
              .sort()
              .at(-1) ?? null,
          )}
        </p>
      ) : null}
    </>
  )
}

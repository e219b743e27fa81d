import type { CommunityDetail, CommunityMembership } from '@careloop/shared'
import { useState, type ReactNode } from 'react'
import { api } from '../api'
import { communityErrorText, END_REASON_LABEL, formatMinute, VIA_LABEL } from '../communityText'
import { CommunityForm, useOwnerCandidates } from '../components/CommunityForm'
import { CommunityStatTiles, CommunityStatusBadge } from '../components/CommunityStats'
import { Banner, EmptyState, Loading } from '../components/Feedback'
import { GroupSop } from '../components/GroupSop'
import { mayCall } from '../router'
import { useSession } from '../session'
import { useLoad } from '../useLoad'

type MembersTab = 'members' | 'history'

/** A member's name, linked to the patient's detail when the stay is linked to a profile. */
const Who = ({ m, clinical }: { m: CommunityMembership; clinical: boolean }) => (
  <>
    <span className="cell-strong">{m.name ?? (m.memberType === 'staff' ? '医院员工' : '微信用户')}</span>
    {m.memberType === 'staff' ? <span className="member-staff">员工</span> : null}
    {m.patientId ? (
      <div className="subtle">
        档案：
        {clinical ? (
          <a href={`#/patients/${m.patientId}`}>{m.patientName ?? '已关联'}</a>
        ) : (
          (m.patientName ?? '已关联')
        )}
      </div>
    ) : m.memberType === 'customer' ? (
      <div className="subtle">未关联档案</div>
    ) : null}
  </>
)

/** 当前成员 and 入退群记录 (not for marketers: the server sends aggregates only). */
const Members = ({ detail, clinical }: { detail: CommunityDetail; clinical: boolean }) => {
  const [tab, setTab] = useState<MembersTab>('members')
  const members = detail.members ?? []
  const history = detail.history ?? []
  return (
    <section className="panel" data-testid="community-members">
      <div className="panel-head panel-head-tabs">
        <h2>群成员</h2>
        <nav className="tabs tabs-inline" aria-label="群成员">
          {(
            [
              ['members', `当前成员（${members.length}）`],
              ['history', `入退群记录（最近 ${history.length} 条）`],
            ] as const
          ).map(([t, label]) => (
            <button
              key={t}
              type="button"
              className={`tab${t === tab ? ' tab-active' : ''}`}
              aria-pressed={t === tab}
              onClick={() => setTab(t)}
            >
              {label}
            </button>
          ))}
        </nav>
      </div>
      {tab === 'members' ? (
        members.length === 0 ? (
          <EmptyState title="群里还没有成员" hint="患者在小程序中领取入群码扫码加入后，会显示在这里。" />
        ) : (
          <div className="table-wrap">
            <table className="table table-dense" data-testid="members-table">
              <thead>
                <tr>
                  <th>成员</th>
                  <th>入群方式</th>
                  <th>邀请人</th>
                  <th>入群时间</th>
                </tr>
              </thead>
              <tbody>
                {members.map((m, i) => (
                  <tr key={`${m.joinedAt}-${i}`} data-testid="member-row">
                    <td>
                      <Who m={m} clinical={clinical} />
                    </td>
                    <td>{VIA_LABEL[m.via]}</td>
                    <td>{m.invitor ?? '—'}</td>
                    <td className="nowrap mono">{formatMinute(m.joinedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )
      ) : history.length === 0 ? (
        <EmptyState title="暂无入退群记录" />
      ) : (
        <div className="table-wrap">
          <table className="table table-dense" data-testid="history-table">
            <thead>
              <tr>
                <th>成员</th>
                <th>入群</th>
                <th>退群</th>
                <th>入群方式</th>
              </tr>
            </thead>
            <tbody>
              {history.map((m, i) => (
                <tr key={`${m.joinedAt}-${i}`} data-testid="history-row">
                  <td>
                    <Who m={m} clinical={clinical} />
                  </td>
                  <td className="nowrap mono">{formatMinute(m.joinedAt)}</td>
                  <td className="nowrap">
                    {m.leftAt ? (
                      <>
                        <span className="mono">{formatMinute(m.leftAt)}</span>
                        {m.endReason ? <div className="subtle">{END_REASON_LABEL[m.endReason]}</div> : null}
                      </>
                    ) : (
                      <span className="state state-on">在群中</span>
                    )}
                  </td>
                  <td>{VIA_LABEL[m.via]}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}

/**
 * A community: who runs it and on which WeCom group, its statistics, the group SOP schedule (nurses,
 * head nurses, admins), members and join/leave history (not marketers); managers edit and archive.
 */
export const CommunityDetailPage = ({ id }: { id: string }) => {
  const { session } = useSession()
  const role = session.staff.role
  const canManage = mayCall(role, 'updateCommunity')
  const canSop = mayCall(role, 'listGroupSop')
  const clinical = mayCall(role, 'getPatient')
  const detail = useLoad(() => api.getCommunity(id), [id])
  const groups = useLoad(() => (canManage ? api.listTagGroups() : Promise.resolve(null)), [canManage])
  const owners = useOwnerCandidates(detail.data ? [detail.data.community] : null)
  const [editing, setEditing] = useState(false)
  const [notice, setNotice] = useState<{ tone: 'success' | 'error'; text: string } | null>(null)
  const [busy, setBusy] = useState(false)
  const [confirmArchive, setConfirmArchive] = useState(false)

  const back = (
    <a className="back-link" href="#/communities">
      ← 返回社群列表
    </a>
  )
  if (detail.error && !detail.data)
    return (
      <>
        {back}
        <Banner tone="error">{communityErrorText(detail.error)}</Banner>
      </>
    )
  if (!detail.data)
    return (
      <>
        {back}
        <Loading text="正在加载社群…" />
      </>
    )

  const c = detail.data.community
  const setStatus = async (status: 'active' | 'archived') => {
    setBusy(true)
    setNotice(null)
    try {
      await api.updateCommunity(c.id, { status })
      setConfirmArchive(false)
      detail.reload()
      setNotice({
        tone: 'success',
        text:
          status === 'archived'
            ? `已归档社群“${c.name}”：小程序不再推荐，也不能安排新的群内容`
            : `已恢复运营社群“${c.name}”`,
      })
    } catch (e) {
      setNotice({ tone: 'error', text: communityErrorText(e) })
    } finally {
      setBusy(false)
    }
  }

  const facts: [string, ReactNode][] = [
    [
      '病种标签',
      c.diseaseTag.name ? (
        <span className="chip chip-tag">{c.diseaseTag.name}</span>
      ) : (
        <span className="muted">标签已删除</span>
      ),
    ],
    [
      '群主护士',
      `${c.ownerNurse.name ?? '—'}${c.ownerNurse.wecomUserId ? `（${c.ownerNurse.wecomUserId}）` : ''}`,
    ],
    ['企业微信群', c.groupName ?? '未同步'],
    ['群 ID', <span className="code">{c.chatId}</span>],
    ['最近同步', formatMinute(c.lastSyncedAt)],
    ['创建时间', formatMinute(c.createdAt)],
  ]

  return (
    <>
      {back}
      {notice ? (
        <Banner tone={notice.tone} onClose={() => setNotice(null)}>
          {notice.text}
        </Banner>
      ) : null}
      {editing && groups.data ? (
        <CommunityForm
          editing={c}
          tagGroups={groups.data}
          owners={owners.owners}
          ownersListed={owners.listed}
          onCancel={() => setEditing(false)}
          onSaved={(saved) => {
            setEditing(false)
            detail.reload()
            setNotice({ tone: 'success', text: `已保存社群“${saved.name}”的修改` })
          }}
        />
      ) : (
        <section className="panel community-head" data-testid="community-card">
          <div className="community-title">
            <span className="community-avatar" aria-hidden>
              {[...c.name][0]}
            </span>
            <div className="community-title-text">
              <h1>
                {c.name} <CommunityStatusBadge status={c.status} />
              </h1>
              <p className="lead">{c.description ?? '暂无简介'}</p>
            </div>
            {canManage ? (
              <div className="page-actions">
                {c.status === 'archived' ? (
                  <button
                    type="button"
                    className="btn"
                    disabled={busy}
                    onClick={() => void setStatus('active')}
                  >
                    恢复运营
                  </button>
                ) : c.status === 'active' ? (
                  confirmArchive ? (
                    <span className="confirm-inline">
                      归档后不再推荐给患者，确认？
                      <button
                        type="button"
                        className="btn btn-danger btn-small"
                        disabled={busy}
                        onClick={() => void setStatus('archived')}
                      >
                        确认归档
                      </button>
                      <button
                        type="button"
                        className="btn btn-small"
                        onClick={() => setConfirmArchive(false)}
                      >
                        取消
                      </button>
                    </span>
                  ) : (
                    <button type="button" className="btn" onClick={() => setConfirmArchive(true)}>
                      归档
                    </button>
                  )
                ) : null}
                {c.status !== 'dismissed' ? (
                  <button
                    type="button"
                    className="btn btn-primary"
                    disabled={!groups.data}
                    onClick={() => {
                      setNotice(null)
                      setEditing(true)
                    }}
                  >
                    编辑
                  </button>
                ) : null}
              </div>
            ) : null}
          </div>
          <dl className="facts community-facts">
            {facts.map(([k, v]) => (
              <div key={k} className="fact">
                <dt>{k}</dt>
                <dd>{v}</dd>
              </div>
            ))}
          </dl>
          {c.status === 'dismissed' ? (
            <Banner tone="warning">该企业微信群已被群主解散，社群已停止运营，统计保留至解散时。</Banner>
          ) : null}
        </section>
      )}

      <CommunityStatTiles stats={c.stats} />

      {canSop ? <GroupSop community={c} onChanged={detail.reload} /> : null}

      {detail.data.members !== null ? (
        <Members detail={detail.data} clinical={clinical} />
      ) : (
        <section className="panel">
          <EmptyState title="成员名单不对运营专员开放" hint="为保护患者隐私，这里只显示汇总统计。" />
        </section>
      )}
    </>
  )
}

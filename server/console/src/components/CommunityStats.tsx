import type { Community, CommunityStats as Stats } from '@careloop/shared'
import { COMMUNITY_STATUS_LABEL, monthLabel } from '../communityText'

/** How full the group is: 成员 / 容量 with a bar that turns amber at 80 % and red when full. */
export const CapacityBar = ({ stats, compact = false }: { stats: Stats; compact?: boolean }) => {
  const pct = Math.min(100, stats.capacityUsePercent)
  const tone = stats.full ? 'full' : pct >= 80 ? 'high' : 'ok'
  return (
    <div className={`capacity${compact ? ' capacity-compact' : ''}`} data-testid="capacity">
      <div className="capacity-text">
        <span className="capacity-now">{stats.membersNow}</span>
        <span className="capacity-cap"> / {stats.capacity} 人</span>
        {stats.full ? <span className="capacity-flag">已满员</span> : null}
      </div>
      <div
        className={`capacity-track capacity-${tone}`}
        role="meter"
        aria-valuemin={0}
        aria-valuemax={stats.capacity}
        aria-valuenow={stats.membersNow}
        aria-label={`群成员 ${stats.membersNow} / ${stats.capacity}`}
      >
        <span
          className="capacity-fill"
          style={{ width: `${Math.max(pct, stats.membersNow > 0 ? 2 : 0)}%` }}
        />
      </div>
      {compact ? null : <div className="capacity-pct">已用 {stats.capacityUsePercent}%</div>}
    </div>
  )
}

/** +3 / −1: joins and leaves of a window. */
export const Flow = ({ joined, left }: { joined: number; left: number }) => (
  <span className="flow">
    <span className={joined > 0 ? 'flow-in' : 'flow-zero'}>+{joined}</span>
    <span className="flow-sep">/</span>
    <span className={left > 0 ? 'flow-out' : 'flow-zero'}>−{left}</span>
  </span>
)

export const CommunityStatusBadge = ({ status }: { status: Community['status'] }) => (
  <span className={`community-status community-${status}`}>{COMMUNITY_STATUS_LABEL[status]}</span>
)

/** The statistics tiles of a community's detail page. */
export const CommunityStatTiles = ({ stats }: { stats: Stats }) => {
  const q = stats.sendsThisMonth
  return (
    <div className="stat-tiles" data-testid="community-stats">
      <div className="stat-tile stat-tile-wide">
        <div className="card-title">群成员 / 容量</div>
        <CapacityBar stats={stats} />
      </div>
      <div className="stat-tile">
        <div className="card-title">客户（患者及家属）</div>
        <div className="stat-value">{stats.customersNow}</div>
        <div className="card-hint">
          其余 {Math.max(0, stats.membersNow - stats.customersNow)} 位为医院员工
        </div>
      </div>
      <div className="stat-tile">
        <div className="card-title">已关联患者档案</div>
        <div className="stat-value" data-testid="stat-linked">
          {stats.patientsLinked}
        </div>
        <div className="card-hint">
          {stats.customersNow > stats.patientsLinked
            ? `${stats.customersNow - stats.patientsLinked} 位客户尚未关联档案`
            : '群内客户均已关联档案'}
        </div>
      </div>
      <div className="stat-tile">
        <div className="card-title">近 7 天 入群 / 退群</div>
        <div className="stat-value">
          <Flow joined={stats.joined7d} left={stats.left7d} />
        </div>
        <div className="card-hint">
          近 30 天 <Flow joined={stats.joined30d} left={stats.left30d} />
        </div>
      </div>
      <div className="stat-tile">
        <div className="card-title">{monthLabel(q.month)}群发</div>
        <div className="stat-value">
          {q.used}
          <span className="stat-unit"> / {q.cap} 次</span>
        </div>
        <div className="card-hint">
          {stats.pendingSends > 0 ? (
            <span className="text-warn">{stats.pendingSends} 条待护士确认</span>
          ) : (
            `还可排 ${q.remaining} 次`
          )}
        </div>
      </div>
    </div>
  )
}

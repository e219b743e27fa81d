import { followupRoutes, type FollowupPlan } from '@careloop/shared'
import { useState } from 'react'
import { api } from '../api'
import { Banner, EmptyState, Loading, PageHeader } from '../components/Feedback'
import { formatDate } from '../format'
import { ANCHOR_LABEL, followupErrorText, STEP_KIND_LABEL } from '../followupText'
import { mayUse, navigate } from '../router'
import { useSession } from '../session'
import { useLoad } from '../useLoad'

const FILTERS = { active: '使用中', archived: '已归档', all: '全部' } as const
type Filter = keyof typeof FILTERS

/** The plan's steps as a compact timeline: D+1 提醒 · D+3 问卷 · … */
export const StepTimeline = ({ plan, max = 6 }: { plan: FollowupPlan; max?: number }) => {
  const steps = [...plan.steps].sort((a, b) => a.offsetDays - b.offsetDays || a.time.localeCompare(b.time))
  return (
    <div className="step-timeline">
      {steps.slice(0, max).map((s) => (
        <span key={s.key} className={`step-pill step-pill-${s.kind}`} title={s.title}>
          <b>D+{s.offsetDays}</b> {STEP_KIND_LABEL[s.kind]}
        </span>
      ))}
      {steps.length > max ? <span className="muted">等 {steps.length} 步</span> : null}
    </div>
  )
}

/** 随访方案: the plan templates; head nurses and admins create and edit them, nurses read them. */
export const PlansPage = () => {
  const { session } = useSession()
  const editable = mayUse(session.staff.role, followupRoutes.createPlan)
  const [filter, setFilter] = useState<Filter>('active')
  const plans = useLoad(() => api.listPlans(filter), [filter])
  const list = plans.data?.plans ?? []

  return (
    <>
      <PageHeader
        title="随访方案"
        lead="以手术、出院、首诊或入组日为基准，按 D+N 天自动安排提醒、问卷、宣教和护士任务；逾期未完成的步骤记为漏访并生成护士任务。"
        actions={
          editable ? (
            <a className="btn btn-primary" href="#/plans/new">
              + 新建方案
            </a>
          ) : null
        }
      />
      {!editable ? (
        <Banner tone="info">
          您可以查看随访方案并在患者详情中为患者入组；新建和修改方案需要护士长或管理员。
        </Banner>
      ) : null}
      {plans.error ? (
        <Banner tone="error">
          随访方案加载失败：{followupErrorText(plans.error)}{' '}
          <button type="button" className="link-button" onClick={plans.reload}>
            重试
          </button>
        </Banner>
      ) : null}
      <div className="panel table-panel">
        <div className="table-toolbar table-toolbar-split">
          <div className="segmented" role="group" aria-label="方案状态">
            {(Object.keys(FILTERS) as Filter[]).map((f) => (
              <button
                key={f}
                type="button"
                className={`segmented-item${f === filter ? ' segmented-on' : ''}`}
                aria-pressed={f === filter}
                onClick={() => setFilter(f)}
              >
                {FILTERS[f]}
              </button>
            ))}
          </div>
          {plans.data ? <span className="panel-count">共 {list.length} 个方案</span> : null}
        </div>
        <table className="table" data-testid="plans-table">
          <thead>
            <tr>
              <th>方案</th>
              <th>基准日</th>
              <th>随访步骤</th>
              <th>自动入组标签</th>
              <th className="num">在组患者</th>
              <th>版本</th>
              <th>状态</th>
            </tr>
          </thead>
          <tbody>
            {list.map((p) => (
              <tr
                key={p.id}
                className={`row-link${p.status === 'active' ? '' : ' row-inactive'}`}
                onClick={() => navigate(`/plans/${p.id}`)}
                data-testid="plan-row"
                data-name={p.name}
              >
                <td>
                  <a className="cell-strong" href={`#/plans/${p.id}`} onClick={(e) => e.stopPropagation()}>
                    {p.name}
                  </a>
                  {p.description ? <div className="subtle clamp-1">{p.description}</div> : null}
                </td>
                <td className="nowrap">{ANCHOR_LABEL[p.anchor]}</td>
                <td>
                  <StepTimeline plan={p} />
                </td>
                <td>
                  {p.autoEnrolTag ? (
                    <span className="chip chip-small chip-tag">{p.autoEnrolTag.name ?? '标签已删除'}</span>
                  ) : (
                    <span className="muted">—</span>
                  )}
                </td>
                <td className="num">{p.activeEnrolments}</td>
                <td className="nowrap">
                  v{p.version}
                  <div className="subtle">{formatDate(p.updatedAt)} 更新</div>
                </td>
                <td>
                  <span className={`state ${p.status === 'active' ? 'state-on' : 'state-off'}`}>
                    {p.status === 'active' ? '使用中' : '已归档'}
                  </span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {plans.loading && !plans.data ? <Loading text="正在加载随访方案…" /> : null}
        {plans.data && list.length === 0 ? (
          <EmptyState
            title={filter === 'archived' ? '没有已归档的方案' : '还没有随访方案'}
            hint={
              editable && filter !== 'archived'
                ? '点击右上角“新建方案”，例如“术后随访”：D+1 提醒、D+3 问卷、D+7 宣教。'
                : '护士长或管理员创建方案后，会显示在这里。'
            }
          />
        ) : null}
      </div>
    </>
  )
}

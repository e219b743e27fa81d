import type { MembershipPlan } from '@careloop/shared'
import { useState } from 'react'
import { Banner, EmptyState, Loading, PageHeader } from '../components/Feedback'
import { MembershipPlanForm } from '../components/MembershipPlanForm'
import { loyaltyApi } from '../loyaltyApi'
import { loyaltyErrorText, PERIOD_LABEL, QUOTA_LABEL, TIER_LABEL, yuan } from '../loyaltyText'
import { mayCall } from '../router'
import { useSession } from '../session'
import { useLoad } from '../useLoad'

/** 会员方案: the paid membership plans (price, period, tier, quotas); admins create and edit them. */
export const MembershipPlansPage = () => {
  const { session } = useSession()
  const editable = mayCall(session.staff.role, 'saveMembershipPlan')
  const plans = useLoad(() => loyaltyApi.membershipPlans(), [])
  const [editor, setEditor] = useState<{ plan: MembershipPlan | null } | null>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const list = [...(plans.data?.plans ?? [])].sort((a, b) => a.sort - b.sort)

  const saved = (p: MembershipPlan, created: boolean) => {
    const others = (plans.data?.plans ?? []).filter((x) => x.code !== p.code)
    plans.set({ plans: [...others, p] })
    setEditor(null)
    setNotice(
      created
        ? `已创建会员方案“${p.name}”（${yuan(p.priceFen)}）`
        : `已保存“${p.name}”，之后的购买按新条款执行`,
    )
  }

  return (
    <>
      <PageHeader
        title="会员方案"
        lead="患者在小程序用微信支付购买付费会员：会员期内享受对应等级的积分倍数和每月服务配额。"
        actions={
          editable ? (
            <button type="button" className="btn btn-primary" onClick={() => setEditor({ plan: null })}>
              + 新建方案
            </button>
          ) : null
        }
      />
      {!editable ? <Banner tone="info">您可以查看会员方案；新建和修改方案需要系统管理员。</Banner> : null}
      {notice ? (
        <Banner tone="success" onClose={() => setNotice(null)}>
          {notice}
        </Banner>
      ) : null}
      {plans.error ? <Banner tone="error">会员方案加载失败：{loyaltyErrorText(plans.error)}</Banner> : null}
      <div className="panel table-panel">
        <table className="table" data-testid="membership-plans-table">
          <thead>
            <tr>
              <th>方案</th>
              <th>周期</th>
              <th className="num">价格</th>
              <th>会员等级</th>
              <th>每月服务配额</th>
              <th>权益说明</th>
              <th>状态</th>
              {editable ? <th className="cell-actions">操作</th> : null}
            </tr>
          </thead>
          <tbody>
            {list.map((p) => (
              <tr
                key={p.code}
                data-testid="membership-plan-row"
                className={p.active ? undefined : 'row-inactive'}
              >
                <td>
                  <div className="cell-strong">{p.name}</div>
                  <div className="subtle mono">{p.code}</div>
                </td>
                <td className="nowrap">{PERIOD_LABEL[p.period]}</td>
                <td className="num cell-strong">{yuan(p.priceFen)}</td>
                <td>
                  <span className={`tier-badge tier-${p.tier}`}>{TIER_LABEL[p.tier]}</span>
                </td>
                <td className="nowrap">
                  {p.quotas.length === 0
                    ? '—'
                    : p.quotas.map((q) => `${QUOTA_LABEL[q.kind] ?? q.kind} ${q.perMonth} 次`).join('，')}
                </td>
                <td>
                  <div className="clamp-1" title={p.benefits}>
                    {p.benefits || <span className="muted">—</span>}
                  </div>
                </td>
                <td>
                  <span className={`state ${p.active ? 'state-on' : 'state-off'}`}>
                    {p.active ? '在售' : '停售'}
                  </span>
                </td>
                {editable ? (
                  <td className="cell-actions">
                    <button type="button" className="link-button" onClick={() => setEditor({ plan: p })}>
                      编辑
                    </button>
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
        {plans.loading && !plans.data ? <Loading text="正在加载会员方案…" /> : null}
        {plans.data && list.length === 0 ? <EmptyState title="还没有会员方案" /> : null}
      </div>
      {editor ? (
        <div className="drawer-backdrop" onClick={() => setEditor(null)}>
          <aside
            className="drawer drawer-wide"
            onClick={(e) => e.stopPropagation()}
            aria-label="会员方案表单"
          >
            <MembershipPlanForm
              key={editor.plan?.code ?? 'new'}
              editing={editor.plan}
              taken={list.map((p) => p.code)}
              onSaved={saved}
              onCancel={() => setEditor(null)}
            />
          </aside>
        </div>
      ) : null}
    </>
  )
}

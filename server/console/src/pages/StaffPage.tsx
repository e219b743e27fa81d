import type { Staff } from '@careloop/shared'
import { useState } from 'react'
import { api, errorText } from '../api'
import { Banner, EmptyState, Loading, PageHeader } from '../components/Feedback'
import { StaffForm } from '../components/StaffForm'
import { formatDate } from '../format'
import { ROLE_LABEL } from '../labels'
import { useSession } from '../session'
import { useLoad } from '../useLoad'

type Editor = { mode: 'create' } | { mode: 'edit'; staff: Staff } | null

/** 员工管理 (admin): the accounts, create, edit role / active / password / WeCom userid. */
export const StaffPage = () => {
  const { session } = useSession()
  const list = useLoad(() => api.listStaff(), [])
  const [editor, setEditor] = useState<Editor>(null)
  const [notice, setNotice] = useState<string | null>(null)

  const saved = (s: Staff, created: boolean) => {
    setEditor(null)
    setNotice(created ? `已创建账号 ${s.username}（${ROLE_LABEL[s.role]}）` : `已保存 ${s.name} 的修改`)
    list.reload()
  }
  const staff = list.data?.staff ?? []

  return (
    <>
      <PageHeader
        title="员工管理"
        lead="管理控制台账号与角色。停用的账号立即失去访问权限；所有修改写入审计日志。"
        actions={
          <button
            type="button"
            className="btn btn-primary"
            onClick={() => {
              setNotice(null)
              setEditor({ mode: 'create' })
            }}
          >
            + 新建员工
          </button>
        }
      />
      {notice ? (
        <Banner tone="success" onClose={() => setNotice(null)}>
          {notice}
        </Banner>
      ) : null}
      {list.error ? <Banner tone="error">员工列表加载失败：{errorText(list.error)}</Banner> : null}
      <div className="panel table-panel">
        <table className="table" data-testid="staff-table">
          <thead>
            <tr>
              <th>姓名</th>
              <th>登录账号</th>
              <th>角色</th>
              <th>企业微信 UserID</th>
              <th>状态</th>
              <th>创建日期</th>
              <th className="cell-actions">操作</th>
            </tr>
          </thead>
          <tbody>
            {staff.map((s) => (
              <tr key={s.id} data-testid="staff-row" className={s.active ? undefined : 'row-inactive'}>
                <td className="cell-strong">
                  {s.name}
                  {s.id === session.staff.id ? <span className="me-tag">我</span> : null}
                </td>
                <td className="mono">{s.username}</td>
                <td>
                  <span className={`role-tag role-${s.role}`}>{ROLE_LABEL[s.role]}</span>
                </td>
                <td className="mono">{s.wecomUserId ?? <span className="muted">未绑定</span>}</td>
                <td>
                  <span className={`state ${s.active ? 'state-on' : 'state-off'}`}>
                    {s.active ? '启用' : '停用'}
                  </span>
                </td>
                <td>{formatDate(s.createdAt)}</td>
                <td className="cell-actions">
                  <button
                    type="button"
                    className="link-button"
                    onClick={() => {
                      setNotice(null)
                      setEditor({ mode: 'edit', staff: s })
                    }}
                  >
                    编辑
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {list.loading && !list.data ? <Loading text="正在加载员工…" /> : null}
        {list.data && staff.length === 0 ? <EmptyState title="暂无员工账号" /> : null}
      </div>
      {editor ? (
        <div className="drawer-backdrop" onClick={() => setEditor(null)}>
          <aside className="drawer" onClick={(e) => e.stopPropagation()} aria-label="员工表单">
            <StaffForm
              key={editor.mode === 'edit' ? editor.staff.id : 'new'}
              editing={editor.mode === 'edit' ? editor.staff : null}
              selfId={session.staff.id}
              onSaved={saved}
              onCancel={() => setEditor(null)}
            />
          </aside>
        </div>
      ) : null}
    </>
  )
}

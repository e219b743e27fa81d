import type { TagRule } from '@careloop/shared'
import { useState } from 'react'
import { api, errorText } from '../api'
import { formatDateTime } from '../format'
import { mayCall } from '../router'
import { useSession } from '../session'
import { useLoad } from '../useLoad'
import { Banner, EmptyState, Loading } from './Feedback'
import { RuleEditor } from './RuleEditor'

type Editor = { mode: 'create' } | { mode: 'edit'; rule: TagRule } | null
type Notice = { tone: 'success' | 'error'; text: string } | null

/**
 * 规则 tab of 标签管理: the auto-tag rules with their conditions in Chinese; create, edit, enable or
 * disable, run now, delete.
 */
export const TagRules = () => {
  const { session } = useSession()
  const role = session.staff.role
  const canWrite = mayCall(role, 'createTagRule')
  const rules = useLoad(() => api.listTagRules(), [])
  const groups = useLoad(() => api.listTagGroups(), [])
  const [editor, setEditor] = useState<Editor>(null)
  const [notice, setNotice] = useState<Notice>(null)
  const [busy, setBusy] = useState<string | null>(null)
  const [deleting, setDeleting] = useState<string | null>(null)

  const replace = (r: TagRule) =>
    rules.data && rules.set({ rules: rules.data.rules.map((x) => (x.id === r.id ? r : x)) })

  /** One write on a rule row: the row's buttons wait, the outcome is the notice. */
  const act = async (r: TagRule, what: string, run: () => Promise<string>) => {
    setBusy(`${r.id}:${what}`)
    setNotice(null)
    try {
      setNotice({ tone: 'success', text: await run() })
    } catch (e) {
      setNotice({ tone: 'error', text: `规则“${r.name}”${what}失败：${errorText(e)}` })
    } finally {
      setBusy(null)
    }
  }
  const toggle = (r: TagRule) =>
    act(r, r.enabled ? '停用' : '启用', async () => {
      replace(await api.updateTagRule(r.id, { enabled: !r.enabled }))
      return r.enabled
        ? `已停用规则“${r.name}”，它打上的标签将在下次执行时移除`
        : `已启用规则“${r.name}”，将在下次执行时生效；也可以点“立即执行”`
    })
  const run = (r: TagRule) =>
    act(r, '执行', async () => {
      const out = await api.runTagRule(r.id)
      return r.enabled
        ? `规则“${r.name}”已执行：当前符合 ${out.matched} 位患者，新增 ${out.added} 个标签，移除 ${out.removed} 个标签`
        : `规则“${r.name}”已停用，本次移除了它打上的 ${out.removed} 个标签`
    })
  const remove = (r: TagRule) =>
    act(r, '删除', async () => {
      rules.set(await api.deleteTagRule(r.id))
      setDeleting(null)
      return `已删除规则“${r.name}”，它打上的标签将在下次执行时移除`
    })

  const list = rules.data?.rules ?? []
  const open = editor !== null
  return (
    <>
      <div className="tab-toolbar">
        <p className="lead">
          规则在患者有新的就诊、诊断等记录时、每晚定时任务中以及点击“立即执行”时运行，并为每个标签记录依据。
        </p>
        {canWrite ? (
          <button
            type="button"
            className="btn btn-primary"
            disabled={open}
            onClick={() => {
              setNotice(null)
              setEditor({ mode: 'create' })
            }}
          >
            + 新建规则
          </button>
        ) : null}
      </div>
      {notice ? (
        <Banner tone={notice.tone} onClose={() => setNotice(null)}>
          {notice.text}
        </Banner>
      ) : null}
      {editor ? (
        groups.data ? (
          <RuleEditor
            key={editor.mode === 'edit' ? editor.rule.id : 'new'}
            editing={editor.mode === 'edit' ? editor.rule : null}
            groups={groups.data}
            onCancel={() => setEditor(null)}
            onSaved={(r, created) => {
              setEditor(null)
              rules.reload()
              setNotice({
                tone: 'success',
                text: created
                  ? `已创建规则“${r.name}”。可点“立即执行”马上为符合条件的患者打上“${r.tagName ?? ''}”`
                  : `已保存规则“${r.name}”的修改，将在下次执行时生效`,
              })
            }}
          />
        ) : groups.error ? (
          <Banner tone="error">标签加载失败：{errorText(groups.error)}</Banner>
        ) : (
          <Loading text="正在加载标签…" />
        )
      ) : null}
      {rules.error ? (
        <Banner tone="error">
          规则加载失败：{errorText(rules.error)}{' '}
          <button type="button" className="link-button" onClick={rules.reload}>
            重试
          </button>
        </Banner>
      ) : null}
      <div className="panel table-panel">
        <table className="table" data-testid="rules-table">
          <thead>
            <tr>
              <th>规则</th>
              <th>打上标签</th>
              <th>状态</th>
              <th>更新时间</th>
              {canWrite ? <th className="cell-actions">操作</th> : null}
            </tr>
          </thead>
          <tbody>
            {list.map((r) => {
              const rowBusy = busy?.startsWith(`${r.id}:`) ?? false
              return (
                <tr key={r.id} data-testid="rule-row" data-name={r.name}>
                  <td>
                    <div className="cell-strong">{r.name}</div>
                    <div className="rule-row-desc">{r.description}</div>
                  </td>
                  <td>
                    {r.tagName ? (
                      <span className="chip chip-tag">{r.tagName}</span>
                    ) : (
                      <span className="muted">标签已删除</span>
                    )}
                  </td>
                  <td>
                    <span className={`state ${r.enabled ? 'state-on' : 'state-off'}`}>
                      {r.enabled ? '启用' : '停用'}
                    </span>
                  </td>
                  <td className="nowrap">{formatDateTime(r.updatedAt)}</td>
                  {canWrite ? (
                    <td className="cell-actions nowrap">
                      {deleting === r.id ? (
                        <span className="confirm-inline">
                          确认删除？
                          <button
                            type="button"
                            className="link-button link-danger"
                            disabled={rowBusy}
                            onClick={() => void remove(r)}
                          >
                            删除
                          </button>
                          <button type="button" className="link-button" onClick={() => setDeleting(null)}>
                            取消
                          </button>
                        </span>
                      ) : (
                        <span className="row-actions">
                          <button
                            type="button"
                            className="link-button"
                            disabled={rowBusy}
                            onClick={() => void run(r)}
                          >
                            {busy === `${r.id}:执行` ? '正在执行…' : '立即执行'}
                          </button>
                          <button
                            type="button"
                            className="link-button"
                            disabled={rowBusy}
                            onClick={() => void toggle(r)}
                          >
                            {r.enabled ? '停用' : '启用'}
                          </button>
                          <button
                            type="button"
                            className="link-button"
                            disabled={open}
                            onClick={() => {
                              setNotice(null)
                              setEditor({ mode: 'edit', rule: r })
                            }}
                          >
                            编辑
                          </button>
                          <button
                            type="button"
                            className="link-button link-danger"
                            disabled={rowBusy}
                            onClick={() => setDeleting(r.id)}
                          >
                            删除
                          </button>
                        </span>
                      )}
                    </td>
                  ) : null}
                </tr>
              )
            })}
          </tbody>
        </table>
        {rules.loading && !rules.data ? <Loading text="正在加载规则…" /> : null}
        {rules.data && list.length === 0 ? (
          <EmptyState
            title="还没有自动打标签规则"
            hint="例如：诊断编码以 E11 开头 → 糖尿病；超过 90 天未就诊 → 失访高风险。"
          />
        ) : null}
      </div>
    </>
  )
}

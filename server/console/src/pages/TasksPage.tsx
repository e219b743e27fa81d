import type { NurseTask } from '@careloop/shared'
import { useMemo, useState } from 'react'
import { api } from '../api'
import { Banner, EmptyState, Loading, PageHeader } from '../components/Feedback'
import { followupErrorText, TASK_KIND_LABEL } from '../followupText'
import { TASKS_VIEWS, type TasksView } from '../router'
import { useSession } from '../session'
import { useStaffDirectory } from '../staffDirectory'
import { useLoad } from '../useLoad'

const VIEW_LABEL: Record<TasksView, string> = { today: '今日待办', open: '全部未完成' }

/** Urgent first, then overdue, then the soonest due. */
const taskOrder = (a: NurseTask, b: NurseTask): number =>
  Number(b.priority === 'urgent') - Number(a.priority === 'urgent') ||
  Number(b.overdue) - Number(a.overdue) ||
  a.dueAt.localeCompare(b.dueAt)

/** 完成 with an optional note, inline in the row. */
const CompleteInline = ({
  task,
  onDone,
}: {
  task: NurseTask
  onDone: (t: NurseTask, already: boolean) => void
}) => {
  const [open, setOpen] = useState(false)
  const [note, setNote] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  if (!open)
    return (
      <button type="button" className="btn btn-small btn-primary" onClick={() => setOpen(true)}>
        完成
      </button>
    )
  const submit = async () => {
    setBusy(true)
    setError(null)
    try {
      const r = await api.completeTask(task.id, note)
      onDone(r.task, r.alreadyDone)
    } catch (e) {
      setError(followupErrorText(e))
      setBusy(false)
    }
  }
  return (
    <div className="complete-inline">
      <input
        className="input"
        aria-label="处理记录"
        autoFocus
        maxLength={200}
        value={note}
        placeholder="处理记录（可选），如：已电话随访，伤口愈合良好"
        onChange={(e) => setNote(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') void submit()
          if (e.key === 'Escape') setOpen(false)
        }}
      />
      <button
        type="button"
        className="btn btn-small btn-primary"
        disabled={busy}
        onClick={() => void submit()}
      >
        {busy ? '提交中…' : '确认完成'}
      </button>
      <button type="button" className="btn btn-small" disabled={busy} onClick={() => setOpen(false)}>
        取消
      </button>
      {error ? <div className="field-error">{error}</div> : null}
    </div>
  )
}

/** 待办任务: the nurse's (head nurse, admin: everyone's) follow-up tasks, urgent first, 完成 with a note. */
export const TasksPage = ({ view }: { view: TasksView }) => {
  const { session } = useSession()
  const role = session.staff.role
  const directory = useStaffDirectory()
  const canFilterNurse = role === 'head_nurse' || role === 'admin'
  const [nurseId, setNurseId] = useState('')
  const tasks = useLoad(() => api.listTasks(view, nurseId || undefined), [view, nurseId])
  const [notice, setNotice] = useState<string | null>(null)
  const list = useMemo(() => [...(tasks.data?.tasks ?? [])].sort(taskOrder), [tasks.data])
  const urgent = list.filter((t) => t.priority === 'urgent').length
  const overdue = list.filter((t) => t.overdue).length
  const nurses = (directory.staff ?? []).filter((s) => s.role === 'nurse' || s.role === 'head_nurse')

  return (
    <>
      <PageHeader
        title="待办任务"
        lead={
          role === 'nurse'
            ? '您负责的患者的随访任务、漏访跟进、问卷预警和指标异常，以及尚未分配护士的任务。'
            : '全部护士的随访任务、漏访跟进、问卷预警和指标异常；紧急任务排在最前。'
        }
      />
      <nav className="tabs" aria-label="任务视图">
        {TASKS_VIEWS.map((v) => (
          <a
            key={v}
            href={v === 'today' ? '#/tasks' : `#/tasks?view=${v}`}
            className={`tab${v === view ? ' tab-active' : ''}`}
            aria-current={v === view ? 'page' : undefined}
          >
            {VIEW_LABEL[v]}
          </a>
        ))}
      </nav>
      {notice ? (
        <Banner tone="success" onClose={() => setNotice(null)}>
          {notice}
        </Banner>
      ) : null}
      {tasks.error ? (
        <Banner tone="error">
          任务加载失败：{followupErrorText(tasks.error)}{' '}
          <button type="button" className="link-button" onClick={tasks.reload}>
            重试
          </button>
        </Banner>
      ) : null}
      {tasks.data ? (
        <div className="summary-tiles summary-tiles-3" data-testid="tasks-summary">
          <div className="stat-tile">
            <div className="card-title">{VIEW_LABEL[view]}</div>
            <div className="stat-value">{list.length}</div>
          </div>
          <div className={`stat-tile${urgent > 0 ? ' stat-tile-alert' : ''}`}>
            <div className="card-title">紧急</div>
            <div className="stat-value">{urgent}</div>
          </div>
          <div className={`stat-tile${overdue > 0 ? ' stat-tile-warn' : ''}`}>
            <div className="card-title">已逾期</div>
            <div className="stat-value">{overdue}</div>
          </div>
        </div>
      ) : null}
      <div className="panel table-panel">
        {canFilterNurse ? (
          <div className="table-toolbar table-toolbar-split">
            <label className="checkbox-inline">
              责任护士
              <select
                id="tasks-nurse"
                className="input input-auto"
                value={nurseId}
                onChange={(e) => setNurseId(e.target.value)}
              >
                <option value="">全部护士</option>
                {nurses.map((n) => (
                  <option key={n.id} value={n.id}>
                    {n.name}
                  </option>
                ))}
              </select>
            </label>
            {tasks.data ? <span className="panel-count">共 {tasks.data.total} 条</span> : null}
          </div>
        ) : null}
        <table className="table" data-testid="tasks-table">
          <thead>
            <tr>
              <th>优先级</th>
              <th>任务</th>
              <th>患者</th>
              <th>到期</th>
              <th>责任护士</th>
              <th className="cell-actions">操作</th>
            </tr>
          </thead>
          <tbody>
            {list.map((t) => (
              <tr
                key={t.id}
                className={t.priority === 'urgent' ? 'row-urgent' : undefined}
                data-testid="task-row"
              >
                <td className="nowrap">
                  {t.priority === 'urgent' ? (
                    <span className="badge-urgent">紧急</span>
                  ) : (
                    <span className="badge-normal">普通</span>
                  )}
                </td>
                <td>
                  <div className="task-title">
                    <span className={`task-kind task-kind-${t.kind}`}>{TASK_KIND_LABEL[t.kind]}</span>
                    <span className="cell-strong">{t.title}</span>
                  </div>
                  {t.detail ? <div className="subtle task-detail">{t.detail}</div> : null}
                  <div className="subtle mono">#{t.ref}</div>
                </td>
                <td className="nowrap">
                  <a href={`#/patients/${t.patient.id}`}>{t.patient.name ?? '未填写姓名'}</a>
                </td>
                <td className="nowrap">
                  <span className="mono">{t.dueAtLocal}</span>
                  {t.overdue ? <span className="badge-overdue">已逾期</span> : null}
                </td>
                <td className="nowrap">
                  {t.nurse ? (
                    (t.nurse.name ?? directory.nameOf(t.nurse.id))
                  ) : (
                    <span className="muted">未分配</span>
                  )}
                </td>
                <td className="cell-actions">
                  {t.status === 'open' ? (
                    <CompleteInline
                      task={t}
                      onDone={(done, already) => {
                        setNotice(
                          already
                            ? `“${done.title}”此前已由${done.doneBy?.name ?? '其他同事'}完成`
                            : `已完成：${done.title}（${done.patient.name ?? '患者'}）`,
                        )
                        tasks.reload()
                      }}
                    />
                  ) : (
                    <span className="muted">{t.status === 'done' ? '已完成' : '已取消'}</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {tasks.loading && !tasks.data ? <Loading text="正在加载任务…" /> : null}
        {tasks.data && list.length === 0 ? (
          <EmptyState
            title={view === 'today' ? '今天没有待办任务' : '没有未完成的任务'}
            hint="随访步骤到期、漏访、问卷预警和指标异常时，任务会出现在这里。"
          />
        ) : null}
      </div>
    </>
  )
}

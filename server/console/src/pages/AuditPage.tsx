import type { AuditEntry } from '@careloop/shared'
import { useCallback, useEffect, useState, type FormEvent } from 'react'
import { api, ApiError, errorText } from '../api'
import { Banner, EmptyState, Loading, PageHeader } from '../components/Feedback'
import { Field } from '../components/Field'
import { formatDateTime, shortId } from '../format'
import { ACTION_LABEL, actionLabel, roleLabel } from '../labels'

const LIMIT = 50

interface Filters {
  patientId: string
  action: string
}

const actorName = (a: AuditEntry['actor']): string =>
  a.name ?? (a.kind === 'system' ? '系统' : a.kind === 'patient' ? '患者本人' : a.id ? shortId(a.id) : '—')

const actorRole = (a: AuditEntry['actor']): string =>
  a.kind === 'staff' ? roleLabel(a.role) : a.kind === 'patient' ? '患者' : '系统'

/** 审计日志 (admin): newest first, filter by patient and action, 加载更多 pages back with `before`. */
export const AuditPage = () => {
  const [draft, setDraft] = useState<Filters>({ patientId: '', action: '' })
  const [filters, setFilters] = useState<Filters>({ patientId: '', action: '' })
  const [entries, setEntries] = useState<AuditEntry[]>([])
  const [hasMore, setHasMore] = useState(false)
  const [loading, setLoading] = useState(true)
  const [error, setError] = useState<string | null>(null)
  const [fieldError, setFieldError] = useState<string | undefined>()

  const load = useCallback(
    async (before: string | undefined) => {
      setLoading(true)
      setError(null)
      try {
        const r = await api.listAudit({
          patientId: filters.patientId || undefined,
          action: filters.action || undefined,
          before,
          limit: LIMIT,
        })
        setEntries((prev) => (before ? [...prev, ...r.entries] : r.entries))
        setHasMore(r.entries.length === LIMIT)
      } catch (e) {
        if (e instanceof ApiError && e.fieldErrors().patientId) setFieldError('患者 ID 应为 24 位字母数字')
        setError(errorText(e))
      } finally {
        setLoading(false)
      }
    },
    [filters],
  )

  useEffect(() => {
    setEntries([])
    void load(undefined)
  }, [load])

  const apply = (ev: FormEvent) => {
    ev.preventDefault()
    const patientId = draft.patientId.trim()
    if (patientId && !/^[0-9a-f]{24}$/.test(patientId)) {
      setFieldError('患者 ID 应为 24 位字母数字')
      return
    }
    setFieldError(undefined)
    setFilters({ patientId, action: draft.action.trim() })
  }
  const reset = () => {
    setFieldError(undefined)
    setDraft({ patientId: '', action: '' })
    setFilters({ patientId: '', action: '' })
  }

  return (
    <>
      <PageHeader
        title="审计日志"
        lead="员工对患者数据的每一次查看与修改、以及患者的每一次授权变更，按时间倒序。"
      />
      <form className="panel filters" onSubmit={apply}>
        <Field label="患者 ID" htmlFor="audit-patient" error={fieldError}>
          <input
            id="audit-patient"
            className="input code"
            value={draft.patientId}
            onChange={(e) => setDraft({ ...draft, patientId: e.target.value })}
            placeholder="24 位患者 ID"
          />
        </Field>
        <Field label="操作" htmlFor="audit-action">
          <input
            id="audit-action"
            className="input"
            list="audit-actions"
            value={draft.action}
            onChange={(e) => setDraft({ ...draft, action: e.target.value })}
            placeholder="例如 patient.list"
          />
          <datalist id="audit-actions">
            {Object.entries(ACTION_LABEL).map(([code, label]) => (
              <option key={code} value={code}>
                {label}
              </option>
            ))}
          </datalist>
        </Field>
        <div className="filter-actions">
          <button type="submit" className="btn btn-primary">
            查询
          </button>
          <button type="button" className="btn" onClick={reset}>
            重置
          </button>
        </div>
      </form>
      {error ? <Banner tone="error">审计日志加载失败：{error}</Banner> : null}
      <div className="panel table-panel">
        <table className="table table-dense" data-testid="audit-table">
          <thead>
            <tr>
              <th>时间</th>
              <th>操作人</th>
              <th>角色</th>
              <th>操作</th>
              <th>患者</th>
              <th>IP</th>
              <th>详情</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => {
              const detail = JSON.stringify(e.detail)
              return (
                <tr key={e.id} data-testid="audit-row" data-id={e.id} data-action={e.action}>
                  <td className="nowrap">{formatDateTime(e.at)}</td>
                  <td className="cell-strong nowrap">{actorName(e.actor)}</td>
                  <td className="nowrap">{actorRole(e.actor)}</td>
                  <td className="nowrap">
                    <div>{actionLabel(e.action)}</div>
                    <div className="code subtle">{e.action}</div>
                  </td>
                  <td className="mono nowrap">
                    {e.patientId ? (
                      <a href={`#/patients/${e.patientId}`} title={e.patientId}>
                        {shortId(e.patientId)}
                      </a>
                    ) : (
                      '—'
                    )}
                  </td>
                  <td className="mono">{e.ip ?? '—'}</td>
                  <td>
                    {detail === '{}' ? (
                      <span className="muted">—</span>
                    ) : (
                      <code className="json" title={detail}>
                        {detail}
                      </code>
                    )}
                  </td>
                </tr>
              )
            })}
          </tbody>
        </table>
        {loading ? <Loading text="正在加载审计记录…" /> : null}
        {!loading && !error && entries.length === 0 ? (
          <EmptyState
            title="没有符合条件的审计记录"
            hint={filters.patientId || filters.action ? '请调整筛选条件后重试。' : undefined}
          />
        ) : null}
        {hasMore && !loading ? (
          <div className="load-more">
            <button type="button" className="btn" onClick={() => void load(entries.at(-1)?.at)}>
              加载更多
            </button>
          </div>
        ) : null}
        {!hasMore && entries.length > 0 && !loading ? (
          <div className="table-foot muted">已显示全部 {entries.length} 条记录</div>
        ) : null}
      </div>
    </>
  )
}

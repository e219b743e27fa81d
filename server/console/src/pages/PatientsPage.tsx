import type { StaffPatientRow } from '@careloop/shared'
import { useEffect, useState, type FormEvent } from 'react'
import { api, errorText } from '../api'
import { Banner, EmptyState, Loading, PageHeader } from '../components/Feedback'
import { Pagination } from '../components/Pagination'
import { dash, formatDate } from '../format'
import { GENDER_LABEL, RELATION_LABEL } from '../labels'
import { canOpen, navigate, patientsPath } from '../router'
import { useSession } from '../session'
import { useStaffDirectory } from '../staffDirectory'
import { useLoad } from '../useLoad'

const PAGE_SIZE = 20

const SCOPE_NOTE: Record<string, string> = {
  nurse: '仅显示分配给您的责任患者。',
  head_nurse: '显示本院全部患者，可在详情页分配责任护士。',
  marketer: '运营角色只能查看脱敏后的患者列表，不能打开患者详情。',
  admin: '显示本院全部患者。',
}

/**
 * 患者: search (name / hospital id / full phone / full ID number), a paged table, masked as the server
 * returns it (the ID number masked for clinical roles, null — shown as — for marketers).
 */
export const PatientsPage = ({ q, page }: { q: string; page: number }) => {
  const { session } = useSession()
  const role = session.staff.role
  const clinical = canOpen(role, 'patient')
  const directory = useStaffDirectory()
  const [draft, setDraft] = useState(q)
  useEffect(() => setDraft(q), [q])

  const list = useLoad(() => api.listPatients({ q: q || undefined, page, pageSize: PAGE_SIZE }), [q, page])

  const search = (ev: FormEvent) => {
    ev.preventDefault()
    navigate(patientsPath(draft.trim(), 1))
  }
  const open = (p: StaffPatientRow) => {
    if (clinical) navigate(`/patients/${p.id}`)
  }

  const rows = list.data?.patients ?? []
  return (
    <>
      <PageHeader title="患者管理" lead={SCOPE_NOTE[role]} />
      <form className="toolbar" onSubmit={search} role="search">
        <input
          className="input search-input"
          aria-label="搜索患者"
          placeholder="姓名 / 住院号 / 完整手机号 / 身份证号"
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
        />
        <button type="submit" className="btn btn-primary">
          搜索
        </button>
        {q ? (
          <button type="button" className="btn" onClick={() => navigate(patientsPath('', 1))}>
            清除
          </button>
        ) : null}
        {list.loading && list.data ? <span className="toolbar-note">正在刷新…</span> : null}
      </form>
      {list.error ? (
        <Banner tone="error">
          患者列表加载失败：{errorText(list.error)}{' '}
          <button type="button" className="link-button" onClick={list.reload}>
            重试
          </button>
        </Banner>
      ) : null}
      <div className="panel table-panel">
        <table className="table" data-testid="patients-table">
          <thead>
            <tr>
              <th>姓名</th>
              <th>性别</th>
              <th>出生年份</th>
              <th>手机</th>
              <th>住院号</th>
              <th>身份证号</th>
              <th>关系</th>
              <th>责任护士</th>
              <th>建档日期</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((p) => (
              <tr
                key={p.id}
                className={clinical ? 'row-link' : undefined}
                onClick={() => open(p)}
                data-testid="patient-row"
              >
                <td className="cell-strong">
                  {clinical ? (
                    <a href={`#/patients/${p.id}`} onClick={(e) => e.stopPropagation()}>
                      {p.name ?? '未填写'}
                    </a>
                  ) : (
                    (p.name ?? '未填写')
                  )}
                </td>
                <td>{p.gender ? GENDER_LABEL[p.gender] : '—'}</td>
                <td>{dash(p.birthYear)}</td>
                <td className="mono">{dash(p.phone)}</td>
                <td className="mono">{dash(p.hospitalPatientId)}</td>
                <td className="mono" data-testid="patient-id-number">
                  {dash(p.idNumber)}
                </td>
                <td>{RELATION_LABEL[p.relation]}</td>
                <td
                  className={p.assignedNurseId ? undefined : 'muted'}
                  title={p.assignedNurseId ?? undefined}
                >
                  {directory.nameOf(p.assignedNurseId)}
                </td>
                <td>{formatDate(p.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {list.loading && !list.data ? <Loading text="正在加载患者…" /> : null}
        {list.data && rows.length === 0 ? (
          <EmptyState
            title={q ? `没有找到与“${q}”匹配的患者` : '暂无患者'}
            hint={
              q
                ? '手机号需输入完整的 11 位号码，身份证号需输入完整的 18 位；也可以按姓名或住院号搜索。'
                : role === 'nurse'
                  ? '护士长或管理员为您分配责任患者后，会显示在这里。'
                  : '患者在小程序中登录并同意隐私政策后会出现在这里。'
            }
          />
        ) : null}
        {list.data && list.data.total > 0 ? (
          <Pagination
            total={list.data.total}
            page={list.data.page}
            pageSize={list.data.pageSize}
            unit="位患者"
            onPage={(p) => navigate(patientsPath(q, p))}
          />
        ) : null}
      </div>
    </>
  )
}

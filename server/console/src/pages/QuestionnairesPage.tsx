import { questionnaireRoutes, type QuestionnaireStatus as Status } from '@careloop/shared'
import { useState } from 'react'
import { api } from '../api'
import { Banner, EmptyState, Loading, PageHeader } from '../components/Feedback'
import { formatDateTime } from '../format'
import { followupErrorText, QUESTIONNAIRE_KIND_LABEL } from '../followupText'
import { mayUse, navigate } from '../router'
import { useSession } from '../session'
import { useLoad } from '../useLoad'
import { QuestionnaireStatus } from './QuestionnaireEditorPage'

const FILTERS: Record<'all' | Status, string> = {
  all: '全部',
  draft: '草稿',
  published: '已发布',
  archived: '已归档',
}
type Filter = keyof typeof FILTERS

/** 问卷管理: every questionnaire with its state; builders create and edit, everyone with access sees stats. */
export const QuestionnairesPage = () => {
  const { session } = useSession()
  const role = session.staff.role
  const editable = mayUse(role, questionnaireRoutes.createQuestionnaire)
  const canOpen = mayUse(role, questionnaireRoutes.getQuestionnaire)
  const [filter, setFilter] = useState<Filter>('all')
  const list = useLoad(() => api.listQuestionnaires(filter === 'all' ? {} : { status: filter }), [filter])
  const rows = list.data?.questionnaires ?? []

  return (
    <>
      <PageHeader
        title="问卷管理"
        lead="随访问卷与满意度调查：支持单选、多选、数值、文本、量表五种题型，可设置计分分段和预警规则；发布后可在随访方案中选用。"
        actions={
          editable ? (
            <a className="btn btn-primary" href="#/questionnaires/new">
              + 新建问卷
            </a>
          ) : null
        }
      />
      {role === 'marketer' ? (
        <Banner tone="info">您可以查看满意度调查的统计结果；临床随访问卷仅医护人员可见。</Banner>
      ) : !editable ? (
        <Banner tone="info">您可以查看问卷和统计；新建、编辑和发布问卷需要护士长或管理员。</Banner>
      ) : null}
      {list.error ? (
        <Banner tone="error">
          问卷加载失败：{followupErrorText(list.error)}{' '}
          <button type="button" className="link-button" onClick={list.reload}>
            重试
          </button>
        </Banner>
      ) : null}
      <div className="panel table-panel">
        <div className="table-toolbar table-toolbar-split">
          <div className="segmented" role="group" aria-label="问卷状态">
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
          {list.data ? <span className="panel-count">共 {rows.length} 份问卷</span> : null}
        </div>
        <table className="table" data-testid="questionnaires-table">
          <thead>
            <tr>
              <th>问卷</th>
              <th>类型</th>
              <th className="num">题目</th>
              <th>状态</th>
              <th>版本</th>
              <th>最近修改</th>
              <th className="cell-actions">操作</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((q) => (
              <tr
                key={q.id}
                className={`${canOpen ? 'row-link' : ''}${q.status === 'archived' ? ' row-inactive' : ''}`}
                onClick={canOpen ? () => navigate(`/questionnaires/${q.id}`) : undefined}
                data-testid="questionnaire-row"
                data-title={q.title}
              >
                <td className="cell-strong">
                  {canOpen ? (
                    <a href={`#/questionnaires/${q.id}`} onClick={(e) => e.stopPropagation()}>
                      {q.title}
                    </a>
                  ) : (
                    q.title
                  )}
                </td>
                <td>
                  <span className={`kind-pill kind-pill-${q.kind}`}>{QUESTIONNAIRE_KIND_LABEL[q.kind]}</span>
                </td>
                <td className="num">{q.questionCount}</td>
                <td className="nowrap">
                  <QuestionnaireStatus q={q} />
                </td>
                <td className="nowrap">
                  {q.publishedVersion ? `发布 v${q.publishedVersion}` : '未发布'}
                  {q.version !== q.publishedVersion ? (
                    <div className="subtle">编辑中 v{q.version}</div>
                  ) : null}
                </td>
                <td className="nowrap subtle">{formatDateTime(q.updatedAt)}</td>
                <td className="cell-actions nowrap">
                  {q.publishedVersion ? (
                    <a href={`#/questionnaires/${q.id}/stats`} onClick={(e) => e.stopPropagation()}>
                      统计
                    </a>
                  ) : (
                    <span className="muted">—</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {list.loading && !list.data ? <Loading text="正在加载问卷…" /> : null}
        {list.data && rows.length === 0 ? (
          <EmptyState
            title={filter === 'all' ? '还没有问卷' : `没有${FILTERS[filter]}的问卷`}
            hint={editable ? '点击右上角“新建问卷”，例如“术后第 3 天随访问卷”。' : undefined}
          />
        ) : null}
      </div>
    </>
  )
}

import { questionnaireRoutes, QUESTION_TYPES, type Questionnaire, type QuestionType } from '@careloop/shared'
import { useEffect, useState } from 'react'
import { api } from '../api'
import { Banner, Loading, PageHeader } from '../components/Feedback'
import { Field } from '../components/Field'
import { QuestionEditor } from '../components/QuestionEditor'
import { RedFlagRules, ScoreBands } from '../components/ScoringRules'
import { formatDateTime } from '../format'
import {
  followupErrorText,
  issuesOf,
  pathErrors,
  QUESTION_TYPE_LABEL,
  QUESTIONNAIRE_KIND_LABEL,
  QUESTIONNAIRE_STATUS_LABEL,
} from '../followupText'
import {
  definitionOf,
  draftOfQuestionnaire,
  newOption,
  newQuestion,
  type QuestionDraft,
  type QuestionnaireDraft,
} from '../questionnaireDraft'
import { mayUse, navigate } from '../router'
import { useSession } from '../session'
import { useLoad } from '../useLoad'

let flash: string | null = null

export const QuestionnaireStatus = ({
  q,
}: {
  q: Pick<Questionnaire, 'status' | 'hasUnpublishedChanges'>
}) => (
  <>
    <span className={`q-status q-status-${q.status}`}>{QUESTIONNAIRE_STATUS_LABEL[q.status]}</span>
    {q.status === 'published' && q.hasUnpublishedChanges ? (
      <span className="q-status q-status-draft">有未发布的修改</span>
    ) : null}
  </>
)

/** The questionnaire builder: questions of five types, red-flag rules, score bands; draft → 发布. */
export const QuestionnaireEditorPage = ({ id }: { id: string }) => {
  const { session } = useSession()
  const role = session.staff.role
  const editable = mayUse(role, questionnaireRoutes.createQuestionnaire)
  const isNew = id === 'new'
  const loaded = useLoad(() => (isNew ? Promise.resolve(null) : api.getQuestionnaire(id)), [id])
  const [draft, setDraft] = useState<QuestionnaireDraft | null>(isNew ? draftOfQuestionnaire(null) : null)
  const [dirty, setDirty] = useState(false)
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [banner, setBanner] = useState<{ tone: 'success' | 'error'; text: string } | null>(() => {
    const f = flash
    flash = null
    return f ? { tone: 'success', text: f } : null
  })
  const [busy, setBusy] = useState(false)

  useEffect(() => {
    if (loaded.data) {
      setDraft(draftOfQuestionnaire(loaded.data))
      setDirty(false)
    }
  }, [loaded.data])

  const back = (
    <a className="back-link" href="#/questionnaires">
      ← 返回问卷管理
    </a>
  )
  if (loaded.error)
    return (
      <>
        {back}
        <Banner tone="error">{followupErrorText(loaded.error)}</Banner>
      </>
    )
  if (!draft)
    return (
      <>
        {back}
        <Loading text="正在加载问卷…" />
      </>
    )

  const q = loaded.data
  const archived = q?.status === 'archived'
  const readOnly = !editable || archived
  const change = (patch: Partial<QuestionnaireDraft>) => {
    setDraft((d) => (d ? { ...d, ...patch } : d))
    setDirty(true)
  }
  const setQuestion = (i: number, patch: Partial<QuestionDraft>) => {
    const questions = draft.questions.map((x, k) => {
      if (k !== i) return x
      const next = { ...x, ...patch }
      // a choice question needs two options to start with
      if ((next.type === 'single' || next.type === 'multiple') && next.options.length < 2) {
        const a = next.options[0] ?? newOption([])
        next.options = [a, newOption([a])]
      }
      return next
    })
    change({ questions })
  }
  const moveQuestion = (i: number, by: -1 | 1) => {
    const questions = [...draft.questions]
    const [x] = questions.splice(i, 1)
    questions.splice(i + by, 0, x!)
    change({ questions })
  }
  const addQuestion = (type: QuestionType) =>
    change({ questions: [...draft.questions, newQuestion(draft.questions, type)] })

  /** Saves the draft (create or update), then publishes when asked; returns false when it failed. */
  const save = async (publish: boolean) => {
    setBanner(null)
    const { def, issues } = definitionOf(draft)
    if (issues.length > 0) {
      setErrors(pathErrors(issues))
      setBanner({ tone: 'error', text: `有 ${issues.length} 处需要修改（已标红），请修改后再保存` })
      return
    }
    setErrors({})
    setBusy(true)
    try {
      let saved = isNew
        ? await api.createQuestionnaire(def)
        : dirty || !q
          ? await api.updateQuestionnaire(id, def)
          : q
      if (publish) saved = await api.publishQuestionnaire(saved.id)
      setDirty(false)
      const text = publish
        ? `已发布“${saved.title}” v${saved.publishedVersion ?? saved.version}，可在随访方案中选用`
        : saved.status === 'published'
          ? `已保存为草稿 v${saved.version}；患者仍填写已发布的 v${saved.publishedVersion}，点击“发布”后生效`
          : `已保存草稿“${saved.title}”`
      if (isNew) {
        flash = text
        navigate(`/questionnaires/${saved.id}`)
      } else {
        loaded.set(saved)
        setBanner({ tone: 'success', text })
      }
    } catch (e) {
      const fields = pathErrors(issuesOf(e))
      setErrors(fields)
      setBanner({
        tone: 'error',
        text:
          Object.keys(fields).length > 0 ? '保存失败：请修改标红的内容' : `保存失败：${followupErrorText(e)}`,
      })
    } finally {
      setBusy(false)
    }
  }

  const archive = async () => {
    if (!q) return
    setBusy(true)
    setBanner(null)
    try {
      loaded.set(await api.archiveQuestionnaire(q.id))
      setBanner({ tone: 'success', text: '问卷已归档：患者不能再打开或填写；重新发布即可恢复' })
    } catch (e) {
      setBanner({ tone: 'error', text: followupErrorText(e) })
    } finally {
      setBusy(false)
    }
  }

  const canPublish = editable && (isNew || dirty || q?.status !== 'published' || q.hasUnpublishedChanges)
  return (
    <>
      {back}
      <PageHeader
        title={isNew ? '新建问卷' : (q?.title ?? '问卷')}
        lead={
          q ? (
            <span className="q-lead">
              <QuestionnaireStatus q={q} />
              {QUESTIONNAIRE_KIND_LABEL[q.kind]} · 编辑中 v{q.version}
              {q.publishedVersion ? ` · 患者填写 v${q.publishedVersion}` : ' · 尚未发布'}
              {q.publishedAt ? ` · 发布于 ${formatDateTime(q.publishedAt)}` : ''}
            </span>
          ) : (
            '添加题目、预警规则和计分分段；保存为草稿，发布后患者才能填写，随访方案才能选用。'
          )
        }
        actions={
          <>
            {q?.publishedVersion && mayUse(role, questionnaireRoutes.questionnaireStats) ? (
              <a className="btn" href={`#/questionnaires/${q.id}/stats`}>
                查看统计
              </a>
            ) : null}
            {q && editable && !archived ? (
              <button type="button" className="btn" disabled={busy} onClick={() => void archive()}>
                归档
              </button>
            ) : null}
          </>
        }
      />
      {banner ? (
        <Banner tone={banner.tone} onClose={() => setBanner(null)}>
          {banner.text}
        </Banner>
      ) : null}
      {!editable ? <Banner tone="info">您可以查看问卷内容；编辑和发布问卷需要护士长或管理员。</Banner> : null}
      {archived && editable ? (
        <Banner tone="warning">
          该问卷已归档，患者不能填写。
          <button type="button" className="link-button" disabled={busy} onClick={() => void save(true)}>
            重新发布
          </button>
          后可继续编辑。
        </Banner>
      ) : null}
      {q?.status === 'published' && !q.hasUnpublishedChanges && editable ? (
        <Banner tone="info">
          修改已发布的问卷会生成新的草稿版本，发布前患者仍填写当前版本，已有答卷不受影响。
        </Banner>
      ) : null}

      <form onSubmit={(e) => e.preventDefault()} noValidate data-testid="questionnaire-form">
        <fieldset className="plain-fieldset" disabled={readOnly || busy}>
          <section className="panel">
            <h2>基本信息</h2>
            <div className="form-grid-2">
              <Field label="问卷标题" htmlFor="title" error={errors.title}>
                <input
                  id="title"
                  className="input"
                  maxLength={60}
                  value={draft.title}
                  placeholder="例如：术后第 3 天随访问卷"
                  onChange={(e) => change({ title: e.target.value })}
                />
              </Field>
              <Field
                label="问卷类型"
                htmlFor="kind"
                error={errors.kind}
                hint={
                  draft.kind === 'satisfaction'
                    ? '满意度调查按计分题换算为 0–100 分，运营专员可查看统计'
                    : '临床随访问卷用于随访方案，可设置预警规则'
                }
              >
                <select
                  id="kind"
                  className="input"
                  value={draft.kind}
                  onChange={(e) => change({ kind: e.target.value as QuestionnaireDraft['kind'] })}
                >
                  <option value="clinical">{QUESTIONNAIRE_KIND_LABEL.clinical}</option>
                  <option value="satisfaction">{QUESTIONNAIRE_KIND_LABEL.satisfaction}</option>
                </select>
              </Field>
            </div>
            <Field label="填写说明" htmlFor="description" error={errors.description}>
              <textarea
                id="description"
                className="input textarea"
                rows={2}
                maxLength={500}
                value={draft.description}
                placeholder="显示在问卷开头，例如：请根据您今天的情况作答"
                onChange={(e) => change({ description: e.target.value })}
              />
            </Field>
          </section>

          <section className="panel">
            <div className="panel-head">
              <h2>题目</h2>
              <span className="panel-count">共 {draft.questions.length} 题</span>
            </div>
            {errors.questions ? <Banner tone="error">{errors.questions}</Banner> : null}
            {draft.questions.map((x, i) => (
              <QuestionEditor
                key={x.uid}
                q={x}
                index={i}
                count={draft.questions.length}
                errors={errors}
                readOnly={readOnly}
                onChange={(p) => setQuestion(i, p)}
                onMove={(by) => moveQuestion(i, by)}
                onRemove={() => change({ questions: draft.questions.filter((_, k) => k !== i) })}
              />
            ))}
            {!readOnly ? (
              <div className="add-question">
                <span className="muted">添加题目：</span>
                {QUESTION_TYPES.map((t) => (
                  <button key={t} type="button" className="btn btn-small" onClick={() => addQuestion(t)}>
                    + {QUESTION_TYPE_LABEL[t]}题
                  </button>
                ))}
              </div>
            ) : null}
          </section>

          <section className="panel">
            <div className="panel-head">
              <h2>预警规则</h2>
              <span className="panel-count">
                答卷满足任一条件时，给责任护士生成紧急任务并发送企业微信提醒
              </span>
            </div>
            <RedFlagRules
              rules={draft.redFlags}
              questions={draft.questions}
              errors={errors}
              readOnly={readOnly}
              onChange={(redFlags) => change({ redFlags })}
            />
          </section>

          <section className="panel">
            <div className="panel-head">
              <h2>计分分段</h2>
              <span className="panel-count">总分 = 所选选项分值 + 计分的数值/量表题；分段含两端</span>
            </div>
            <ScoreBands
              bands={draft.bands}
              errors={errors}
              readOnly={readOnly}
              onChange={(bands) => change({ bands })}
            />
          </section>
        </fieldset>
        {editable && !archived ? (
          <div className="form-footer">
            {dirty ? <span className="muted footer-note">有未保存的修改</span> : null}
            <a className="btn" href="#/questionnaires">
              取消
            </a>
            <button
              type="button"
              className="btn"
              disabled={busy || (!dirty && !isNew)}
              onClick={() => void save(false)}
            >
              保存草稿
            </button>
            <button
              type="button"
              className="btn btn-primary"
              disabled={busy || !canPublish}
              onClick={() => void save(true)}
            >
              {busy ? '正在保存…' : dirty || isNew ? '保存并发布' : '发布'}
            </button>
          </div>
        ) : null}
      </form>
    </>
  )
}

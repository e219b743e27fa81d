import { followupRoutes, PLAN_ANCHORS, tagRoutes, type FollowupPlan } from '@careloop/shared'
import { useEffect, useState, type FormEvent } from 'react'
import { api, ApiError } from '../api'
import { Banner, Loading, PageHeader } from '../components/Feedback'
import { Field } from '../components/Field'
import { PlanSteps } from '../components/PlanSteps'
import { PlanThresholds } from '../components/PlanThresholds'
import { TagOptions } from '../components/TagOptions'
import { formatDateTime } from '../format'
import { ANCHOR_LABEL, followupErrorText, issuesOf, pathErrors } from '../followupText'
import { draftOf, requestOf, type PlanDraft } from '../planDraft'
import { mayUse, navigate } from '../router'
import { useSession } from '../session'
import { useLoad } from '../useLoad'

/** A notice to show once on the page a save navigated to. */
let flash: string | null = null

const ANCHOR_HINT: Record<FollowupPlan['anchor'], string> = {
  surgery: '以患者的手术日期为 D+0（取临床记录中最近的手术，或入组时填写）',
  discharge: '以出院日期为 D+0',
  first_visit: '以首诊（门诊）日期为 D+0',
  enrolment: '以入组当天为 D+0',
}

/** The plan builder: new (`id` = new) or an existing plan; read-only for nurses. */
export const PlanEditorPage = ({ id }: { id: string }) => {
  const { session } = useSession()
  const role = session.staff.role
  const editable = mayUse(role, followupRoutes.createPlan)
  const isNew = id === 'new'
  const plan = useLoad(() => (isNew ? Promise.resolve(null) : api.getPlan(id)), [id])
  const questionnaires = useLoad(() => api.listQuestionnaires({ status: 'published' }), [])
  const tags = useLoad(
    () => (mayUse(role, tagRoutes.listTagGroups) ? api.listTagGroups() : Promise.resolve(null)),
    [role],
  )
  const [draft, setDraft] = useState<PlanDraft | null>(isNew ? draftOf(null) : null)
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [banner, setBanner] = useState<{ tone: 'success' | 'error'; text: string } | null>(() => {
    const f = flash
    flash = null
    return f ? { tone: 'success', text: f } : null
  })
  const [busy, setBusy] = useState(false)
  const [confirmArchive, setConfirmArchive] = useState(false)

  useEffect(() => {
    if (plan.data) setDraft(draftOf(plan.data))
  }, [plan.data])

  const back = (
    <a className="back-link" href="#/plans">
      ← 返回随访方案
    </a>
  )
  if (plan.error)
    return (
      <>
        {back}
        <Banner tone="error">{followupErrorText(plan.error)}</Banner>
      </>
    )
  if (!draft)
    return (
      <>
        {back}
        <Loading text="正在加载随访方案…" />
      </>
    )

  const current = plan.data
  const readOnly = !editable
  const change = (patch: Partial<PlanDraft>) => setDraft((d) => (d ? { ...d, ...patch } : d))

  const fail = (e: unknown) => {
    const fields = pathErrors(issuesOf(e))
    if (e instanceof ApiError && e.code === 'FOLLOWUP_PLAN_NAME_TAKEN') fields.name = followupErrorText(e)
    setErrors(fields)
    setBanner({
      tone: 'error',
      text:
        Object.keys(fields).length > 0
          ? '保存失败：请修改标红的内容后再保存'
          : `保存失败：${followupErrorText(e)}`,
    })
  }

  const save = async (ev: FormEvent) => {
    ev.preventDefault()
    setBanner(null)
    const { body, issues } = requestOf(draft)
    if (issues.length > 0) {
      setErrors(pathErrors(issues))
      setBanner({ tone: 'error', text: '请修改标红的内容后再保存' })
      return
    }
    setErrors({})
    setBusy(true)
    try {
      if (isNew) {
        const p = await api.createPlan(body)
        flash = `已创建随访方案“${p.name}”（${p.steps.length} 个步骤）`
        navigate(`/plans/${p.id}`)
      } else {
        const p = await api.updatePlan(id, body)
        plan.set(p)
        setBanner({ tone: 'success', text: `已保存为 v${p.version}；已入组的患者继续按入组时的版本执行` })
      }
    } catch (e) {
      fail(e)
    } finally {
      setBusy(false)
    }
  }

  const setStatus = async (status: 'active' | 'archived') => {
    setBusy(true)
    setBanner(null)
    try {
      const p = await api.updatePlan(id, { status })
      plan.set(p)
      setConfirmArchive(false)
      setBanner({
        tone: 'success',
        text: status === 'archived' ? '方案已归档：不再接受新入组，进行中的随访继续执行' : '方案已恢复使用',
      })
    } catch (e) {
      setBanner({ tone: 'error', text: followupErrorText(e) })
    } finally {
      setBusy(false)
    }
  }

  const title = isNew ? '新建随访方案' : (current?.name ?? '随访方案')
  return (
    <>
      {back}
      <PageHeader
        title={title}
        lead={
          current ? (
            <>
              <span className={`state ${current.status === 'active' ? 'state-on' : 'state-off'}`}>
                {current.status === 'active' ? '使用中' : '已归档'}
              </span>{' '}
              v{current.version} · {current.activeEnrolments} 位患者在组 · 最近修改{' '}
              {formatDateTime(current.updatedAt)}
            </>
          ) : (
            '填写基本信息，按 D+N 天安排随访步骤；保存后即可在患者详情中入组。'
          )
        }
        actions={
          current && editable ? (
            current.status === 'active' ? (
              confirmArchive ? (
                <span className="confirm-inline">
                  归档后不再接受新入组？
                  <button
                    type="button"
                    className="btn btn-danger btn-small"
                    disabled={busy}
                    onClick={() => void setStatus('archived')}
                  >
                    确认归档
                  </button>
                  <button type="button" className="btn btn-small" onClick={() => setConfirmArchive(false)}>
                    取消
                  </button>
                </span>
              ) : (
                <button type="button" className="btn" onClick={() => setConfirmArchive(true)}>
                  归档方案
                </button>
              )
            ) : (
              <button type="button" className="btn" disabled={busy} onClick={() => void setStatus('active')}>
                恢复使用
              </button>
            )
          ) : null
        }
      />
      {banner ? (
        <Banner tone={banner.tone} onClose={() => setBanner(null)}>
          {banner.text}
        </Banner>
      ) : null}
      {readOnly ? <Banner tone="info">您可以查看方案内容；修改方案需要护士长或管理员。</Banner> : null}
      {current && current.activeEnrolments > 0 && editable ? (
        <Banner tone="warning">
          当前有 {current.activeEnrolments} 位患者按此方案随访。保存修改会生成新版本 v{current.version + 1}
          ，只对之后入组的患者生效。
        </Banner>
      ) : null}
      <form onSubmit={(e) => void save(e)} noValidate data-testid="plan-form">
        <fieldset className="plain-fieldset" disabled={readOnly || busy}>
          <section className="panel">
            <h2>基本信息</h2>
            <div className="form-grid-2">
              <Field label="方案名称" htmlFor="name" error={errors.name}>
                <input
                  id="name"
                  className="input"
                  maxLength={40}
                  value={draft.name}
                  placeholder="例如：术后随访"
                  onChange={(e) => change({ name: e.target.value })}
                />
              </Field>
              <Field label="基准日期" htmlFor="anchor" error={errors.anchor} hint={ANCHOR_HINT[draft.anchor]}>
                <select
                  id="anchor"
                  className="input"
                  value={draft.anchor}
                  onChange={(e) => change({ anchor: e.target.value as PlanDraft['anchor'] })}
                >
                  {PLAN_ANCHORS.map((a) => (
                    <option key={a} value={a}>
                      {ANCHOR_LABEL[a]}
                    </option>
                  ))}
                </select>
              </Field>
              <Field label="方案说明" htmlFor="description" error={errors.description}>
                <textarea
                  id="description"
                  className="input textarea"
                  rows={2}
                  maxLength={500}
                  value={draft.description}
                  placeholder="适用人群、注意事项（护士可见）"
                  onChange={(e) => change({ description: e.target.value })}
                />
              </Field>
              <Field
                label="自动入组标签"
                htmlFor="autoEnrolTagId"
                error={errors.autoEnrolTagId}
                hint="患者被打上此标签（规则、导入或手动）时自动入组；不选则只能手动入组"
              >
                <select
                  id="autoEnrolTagId"
                  className="input"
                  value={draft.autoEnrolTagId}
                  onChange={(e) => change({ autoEnrolTagId: e.target.value })}
                >
                  {tags.data ? (
                    <TagOptions groups={tags.data.groups} placeholder="不自动入组" />
                  ) : (
                    <option value={draft.autoEnrolTagId}>
                      {current?.autoEnrolTag?.name ?? (tags.loading ? '正在加载标签…' : '不自动入组')}
                    </option>
                  )}
                </select>
              </Field>
            </div>
          </section>

          <section className="panel">
            <div className="panel-head">
              <h2>随访步骤</h2>
              <span className="panel-count">
                {draft.steps.length} 步 · D+N 表示基准日后第 N 天；完成窗口内未完成记为漏访，并给护士生成任务
              </span>
            </div>
            {questionnaires.data && questionnaires.data.questionnaires.length === 0 ? (
              <Banner tone="info">
                还没有已发布的问卷。问卷步骤需先在<a href="#/questionnaires">问卷管理</a>中创建并发布问卷。
              </Banner>
            ) : null}
            <PlanSteps
              steps={draft.steps}
              onChange={(steps) => change({ steps })}
              errors={errors}
              questionnaires={questionnaires.data?.questionnaires ?? null}
              readOnly={readOnly}
            />
          </section>

          <section className="panel">
            <h2>指标阈值</h2>
            <PlanThresholds draft={draft} onChange={change} errors={errors} />
          </section>
        </fieldset>
        {editable ? (
          <div className="form-footer">
            <a className="btn" href="#/plans">
              取消
            </a>
            <button type="submit" className="btn btn-primary" disabled={busy}>
              {busy ? '正在保存…' : isNew ? '创建方案' : '保存修改'}
            </button>
          </div>
        ) : null}
      </form>
    </>
  )
}

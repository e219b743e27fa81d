import { type Campaign } from '@careloop/shared'
import { useEffect, useState, type FormEvent } from 'react'
import { api, ApiError } from '../api'
import { draftOf, requestOf, type CampaignDraft } from '../campaignDraft'
import { campaignErrorText, CAMPAIGN_STATE_LABEL, zhCampaignIssue } from '../campaignText'
import { CampaignAudience } from '../components/CampaignAudience'
import { CampaignContent } from '../components/CampaignContent'
import { CampaignDelivery } from '../components/CampaignDelivery'
import type { ExpressionError } from '../components/ExpressionEditor'
import { Banner, Loading, PageHeader } from '../components/Feedback'
import { Field } from '../components/Field'
import { flash } from '../flash'
import { issuesOf } from '../followupText'
import { marketingApi } from '../marketingApi'
import { navigate } from '../router'
import { locate } from '../segmentPreview'
import { useLoad } from '../useLoad'

/** 新建活动 / 编辑活动: a draft campaign (a rejected one is a draft again); 提交审批 saves and submits. */
export const CampaignEditorPage = ({ id }: { id: string }) => {
  const isNew = id === 'new'
  const loaded = useLoad(() => (isNew ? Promise.resolve(null) : marketingApi.getCampaign(id)), [id])
  const groups = useLoad(() => api.listTagGroups(), [])
  const segments = useLoad(() => api.listSegments(), [])
  const articles = useLoad(() => marketingApi.listArticles({ page: 1, pageSize: 100 }), [])
  const [campaign, setCampaign] = useState<Campaign | null>(null)
  const [draft, setDraft] = useState<CampaignDraft | null>(isNew ? draftOf(null) : null)
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [saveInvalid, setSaveInvalid] = useState<ExpressionError | null>(null)
  const [banner, setBanner] = useState<{ tone: 'success' | 'error'; text: string } | null>(null)
  const [busy, setBusy] = useState<null | 'save' | 'submit'>(null)

  useEffect(() => {
    if (!loaded.data) return
    setCampaign(loaded.data.campaign)
    setDraft(draftOf(loaded.data.campaign))
  }, [loaded.data])

  const back = (
    <a className="back-link" href={campaign ? `#/campaigns/${campaign.id}` : '#/campaigns'}>
      ← {campaign ? '返回活动' : '返回营销活动'}
    </a>
  )
  if (loaded.error)
    return (
      <>
        {back}
        <Banner tone="error">{campaignErrorText(loaded.error)}</Banner>
      </>
    )
  if (!draft)
    return (
      <>
        {back}
        <Loading text="正在加载活动…" />
      </>
    )

  const locked = campaign !== null && campaign.state !== 'draft'
  const change = (patch: Partial<CampaignDraft>) => {
    setDraft((d) => (d ? { ...d, ...patch } : d))
    if ('expression' in patch || 'audience' in patch) setSaveInvalid(null)
  }

  const fail = (e: unknown) => {
    const fields: Record<string, string> = {}
    for (const i of issuesOf(e)) fields[i.path] ??= zhCampaignIssue(i.message)
    if (e instanceof ApiError && e.code === 'SEGMENT_INVALID') {
      const at = locate(e, draft.expression)
      if (at) setSaveInvalid(at)
    }
    setErrors(fields)
    setBanner({ tone: 'error', text: `保存失败：${campaignErrorText(e)}` })
  }

  const run = async (what: 'save' | 'submit', ev?: FormEvent) => {
    ev?.preventDefault()
    setBanner(null)
    const { body, issues } = requestOf(draft)
    if (issues.length > 0) {
      setErrors(Object.fromEntries(issues.map((i) => [i.path, i.message])))
      setBanner({ tone: 'error', text: '请先填写标红的内容' })
      return
    }
    setErrors({})
    setBusy(what)
    try {
      const saved = campaign
        ? (await marketingApi.updateCampaign(campaign.id, body)).campaign
        : (await marketingApi.createCampaign(body)).campaign
      setCampaign(saved)
      if (!campaign) window.history.replaceState(null, '', `#/campaigns/${saved.id}/edit`)
      if (what === 'save') {
        setBanner({ tone: 'success', text: `已保存草稿“${saved.name}”` })
        return
      }
      await marketingApi.submitCampaign(saved.id)
      flash.set(`已提交审批：请护士长或管理员（非本人）查看预览后审批`)
      navigate(`/campaigns/${saved.id}`)
    } catch (e) {
      fail(e)
    } finally {
      setBusy(null)
    }
  }

  return (
    <>
      {back}
      <PageHeader
        title={isNew && !campaign ? '新建营销活动' : `编辑活动：${campaign?.name ?? ''}`}
        lead="选择目标人群和内容，设置渠道与发送时间；提交后由护士长或管理员（非本人）审批，通过后按时发送。"
      />
      {banner ? (
        <Banner tone={banner.tone} onClose={() => setBanner(null)}>
          {banner.text}
        </Banner>
      ) : null}
      {locked ? (
        <Banner tone="warning">
          该活动{CAMPAIGN_STATE_LABEL[campaign.state]}，不能再修改。被驳回的活动会回到草稿，可修改后重新提交。
        </Banner>
      ) : null}
      <form onSubmit={(e) => void run('submit', e)} noValidate data-testid="campaign-form">
        <fieldset className="plain-fieldset" disabled={locked || busy !== null}>
          <section className="panel">
            <Field label="活动名称" htmlFor="campaign-name" error={errors.name} hint="40 字以内，仅员工可见">
              <input
                id="campaign-name"
                className="input"
                maxLength={40}
                value={draft.name}
                placeholder="例如：糖尿病患者每周健康科普"
                onChange={(e) => change({ name: e.target.value })}
              />
            </Field>
          </section>
          <CampaignAudience
            draft={draft}
            change={change}
            errors={errors}
            groups={groups.data?.groups ?? null}
            groupsError={groups.error}
            segments={segments.data?.segments ?? null}
            saveInvalid={saveInvalid}
          />
          <CampaignContent
            draft={draft}
            change={change}
            errors={errors}
            articles={articles.data?.articles ?? null}
          />
          <CampaignDelivery draft={draft} change={change} errors={errors} />
        </fieldset>
        {!locked ? (
          <div className="form-footer">
            <a className="btn" href={campaign ? `#/campaigns/${campaign.id}` : '#/campaigns'}>
              取消
            </a>
            <button type="button" className="btn" disabled={busy !== null} onClick={() => void run('save')}>
              {busy === 'save' ? '正在保存…' : '保存草稿'}
            </button>
            <button type="submit" className="btn btn-primary" disabled={busy !== null}>
              {busy === 'submit' ? '正在提交…' : '提交审批'}
            </button>
          </div>
        ) : null}
      </form>
    </>
  )
}

import { contentRoutes } from '@careloop/shared'
import { useEffect, useState, type FormEvent } from 'react'
import { Banner, Loading, PageHeader } from '../components/Feedback'
import { Field } from '../components/Field'
import { formatMinute } from '../communityText'
import { contentErrorText } from '../contentText'
import { issuesOf } from '../followupText'
import { marketingApi } from '../marketingApi'
import { mayUse } from '../router'
import { useSession } from '../session'
import { useLoad } from '../useLoad'

/** 违规用语设置: the blocked medical claims checked on submission, and the default disclaimer (admins edit). */
export const BlockedClaimsPage = () => {
  const { session } = useSession()
  const editable = mayUse(session.staff.role, contentRoutes.putBlockedClaims)
  const settings = useLoad(() => marketingApi.blockedClaims(), [])
  const [phrases, setPhrases] = useState<string[]>([])
  const [disclaimer, setDisclaimer] = useState('')
  const [adding, setAdding] = useState('')
  const [addError, setAddError] = useState<string | undefined>()
  const [banner, setBanner] = useState<{ tone: 'success' | 'error'; text: string } | null>(null)
  const [busy, setBusy] = useState(false)

  useEffect(() => {
    if (!settings.data) return
    setPhrases(settings.data.phrases)
    setDisclaimer(settings.data.defaultDisclaimer)
  }, [settings.data])

  const add = (ev: FormEvent) => {
    ev.preventDefault()
    const p = adding.trim()
    if (!p) return setAddError('请输入违规用语')
    if (p.length > 30) return setAddError('不能超过 30 个字')
    if (phrases.includes(p)) return setAddError('已在列表中')
    setPhrases([...phrases, p])
    setAdding('')
    setAddError(undefined)
  }

  const save = async () => {
    setBanner(null)
    if (phrases.length === 0) return setBanner({ tone: 'error', text: '至少保留一个违规用语' })
    if (!disclaimer.trim()) return setBanner({ tone: 'error', text: '请填写默认免责声明' })
    setBusy(true)
    try {
      const s = await marketingApi.putBlockedClaims({ phrases, defaultDisclaimer: disclaimer })
      settings.set(s)
      setBanner({ tone: 'success', text: `已保存：${s.phrases.length} 个违规用语，新提交的文章按新列表检查` })
    } catch (e) {
      const issue = issuesOf(e)[0]
      setBanner({ tone: 'error', text: issue ? `保存失败：${issue.message}` : contentErrorText(e) })
    } finally {
      setBusy(false)
    }
  }

  const s = settings.data
  const dirty = s && (s.phrases.join('|') !== phrases.join('|') || s.defaultDisclaimer !== disclaimer)
  return (
    <>
      <a className="back-link" href="#/articles">
        ← 返回健康科普
      </a>
      <PageHeader
        title="违规用语设置"
        lead="文章提交审核和合规审批时检查标题、摘要和正文；全角半角、大小写和字间的空格或符号不影响识别。"
      />
      {banner ? (
        <Banner tone={banner.tone} onClose={() => setBanner(null)}>
          {banner.text}
        </Banner>
      ) : null}
      {!editable ? <Banner tone="info">您可以查看违规用语；修改需要系统管理员。</Banner> : null}
      {settings.error ? <Banner tone="error">{contentErrorText(settings.error)}</Banner> : null}
      {!s && settings.loading ? <Loading /> : null}
      {s ? (
        <>
          <section className="panel" data-testid="blocked-claims">
            <div className="panel-head">
              <h2>违规医疗用语</h2>
              <span className="panel-count">
                共 {phrases.length} 个
                {s.updatedAt
                  ? ` · ${s.updatedBy?.name ?? '管理员'} 于 ${formatMinute(s.updatedAt)} 修改`
                  : ' · 系统默认'}
              </span>
            </div>
            <div className="chip-list blocked-list">
              {phrases.map((p) => (
                <span key={p} className="chip chip-blocked">
                  {p}
                  {editable ? (
                    <button
                      type="button"
                      className="chip-remove"
                      aria-label={`删除 ${p}`}
                      onClick={() => setPhrases(phrases.filter((x) => x !== p))}
                    >
                      ×
                    </button>
                  ) : null}
                </span>
              ))}
            </div>
            {editable ? (
              <form className="inline-form" onSubmit={add} noValidate>
                <Field label="添加违规用语" htmlFor="claim-new" error={addError} hint="例如 根治、包治百病">
                  <input
                    id="claim-new"
                    className="input"
                    value={adding}
                    maxLength={30}
                    onChange={(e) => {
                      setAdding(e.target.value)
                      setAddError(undefined)
                    }}
                  />
                </Field>
                <div className="inline-actions">
                  <button type="submit" className="btn">
                    添加
                  </button>
                </div>
              </form>
            ) : null}
          </section>
          <section className="panel">
            <Field label="默认免责声明" htmlFor="claim-disclaimer" hint="写文章时可一键填入">
              <textarea
                id="claim-disclaimer"
                className="input textarea"
                rows={3}
                maxLength={500}
                value={disclaimer}
                disabled={!editable}
                onChange={(e) => setDisclaimer(e.target.value)}
              />
            </Field>
          </section>
          {editable ? (
            <div className="form-footer">
              <button
                type="button"
                className="btn btn-primary"
                disabled={busy || !dirty}
                onClick={() => void save()}
              >
                {busy ? '正在保存…' : '保存设置'}
              </button>
            </div>
          ) : null}
        </>
      ) : null}
    </>
  )
}

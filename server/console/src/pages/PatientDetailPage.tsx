import { CONSENT_PURPOSES, followupRoutes, questionnaireRoutes, readingRoutes } from '@careloop/shared'
import { useState } from 'react'
import { api, errorText } from '../api'
import { AssignNurse } from '../components/AssignNurse'
import { Banner, EmptyState, Loading } from '../components/Feedback'
import { PatientAnswers } from '../components/PatientAnswers'
import { PatientEvents } from '../components/PatientEvents'
import { PatientFollowup } from '../components/PatientFollowup'
import { PatientLoyalty } from '../components/PatientLoyalty'
import { PatientReadings } from '../components/PatientReadings'
import { PatientTags } from '../components/PatientTags'
import { dash, formatDate } from '../format'
import { CONSENT_LABEL, GENDER_LABEL, RELATION_LABEL } from '../labels'
import { mayCall, mayUse } from '../router'
import { useSession } from '../session'
import { useStaffDirectory } from '../staffDirectory'
import { useLoad } from '../useLoad'

const MONO_FACTS = new Set(['手机', '住院号', '身份证号', '患者 ID'])

/**
 * 患者详情 (clinical roles): the row fields, consent state, tags with their reasons, clinical events,
 * nurse assignment, the server's sections.
 */
export const PatientDetailPage = ({ id }: { id: string }) => {
  const { session } = useSession()
  const role = session.staff.role
  const directory = useStaffDirectory()
  const detail = useLoad(() => api.getPatient(id), [id])
  const [tagsVersion, setTagsVersion] = useState(0)

  const back = (
    <a className="back-link" href="#/patients">
      ← 返回患者列表
    </a>
  )
  if (detail.error)
    return (
      <>
        {back}
        <Banner tone="error">{errorText(detail.error)}</Banner>
      </>
    )
  if (!detail.data)
    return (
      <>
        {back}
        <Loading text="正在加载患者信息…" />
      </>
    )

  const { patient: p, consents, sections } = detail.data
  const facts: [string, string][] = [
    ['性别', p.gender ? GENDER_LABEL[p.gender] : '—'],
    ['出生年份', dash(p.birthYear)],
    ['手机', dash(p.phone)],
    ['住院号', dash(p.hospitalPatientId)],
    ['身份证号', dash(p.idNumber)],
    ['关系', RELATION_LABEL[p.relation]],
    ['责任护士', directory.nameOf(p.assignedNurseId)],
    ['建档日期', formatDate(p.createdAt)],
    ['患者 ID', p.id],
  ]
  return (
    <>
      {back}
      <section className="panel patient-card" data-testid="patient-card">
        <div className="patient-head">
          <span className="patient-avatar" aria-hidden>
            {[...(p.name ?? '?')][0]}
          </span>
          <div>
            <h1 className="patient-name">{p.name ?? '未填写姓名'}</h1>
            <div className="patient-sub">
              {[p.gender ? GENDER_LABEL[p.gender] : null, p.birthYear ? `${p.birthYear} 年生` : null]
                .filter(Boolean)
                .join(' · ') || '基本信息未完善'}
            </div>
          </div>
        </div>
        <dl className="facts">
          {facts.map(([k, v]) => (
            <div key={k} className="fact">
              <dt>{k}</dt>
              <dd className={MONO_FACTS.has(k) ? 'mono' : undefined}>{v}</dd>
            </div>
          ))}
        </dl>
      </section>

      <section className="panel">
        <h2>授权同意</h2>
        <div className="consents" data-testid="consents">
          {CONSENT_PURPOSES.map((purpose) => {
            const granted = consents[purpose] === true
            return (
              <span key={purpose} className={`consent ${granted ? 'consent-on' : 'consent-off'}`}>
                {CONSENT_LABEL[purpose]}：{granted ? '已同意' : '未同意'}
              </span>
            )
          })}
        </div>
      </section>

      {mayCall(role, 'patientTags') ? <PatientTags patientId={p.id} refreshKey={tagsVersion} /> : null}

      {mayCall(role, 'listPatientEvents') ? (
        <PatientEvents patientId={p.id} onTagsChanged={() => setTagsVersion((v) => v + 1)} />
      ) : null}

      {mayUse(role, followupRoutes.patientEnrolments) ? (
        <PatientFollowup patientId={p.id} directory={directory} />
      ) : null}
      {mayUse(role, questionnaireRoutes.patientAnswers) ? <PatientAnswers patientId={p.id} /> : null}
      {mayUse(role, readingRoutes.patientReadings) ? <PatientReadings patientId={p.id} /> : null}
      {mayCall(role, 'patientMembership') ? <PatientLoyalty patientId={p.id} /> : null}

      {role === 'head_nurse' || role === 'admin' ? (
        <AssignNurse
          patientId={p.id}
          current={p.assignedNurseId}
          directory={directory}
          onAssigned={(d) => detail.set(d)}
        />
      ) : null}

      {sections.length === 0 ? (
        <section className="panel">
          <EmptyState title="暂无更多档案信息" hint="积分与社群等信息将在后续版本中显示。" />
        </section>
      ) : (
        sections.map((s) => (
          <section key={s.key} className="panel" data-testid={`section-${s.key}`}>
            <h2>{s.title}</h2>
            {s.items.length === 0 ? (
              <div className="muted">暂无记录</div>
            ) : (
              <ul className="section-items">
                {s.items.map((item, i) => (
                  <li key={i}>{item}</li>
                ))}
              </ul>
            )}
          </section>
        ))
      )}
    </>
  )
}

import type { StaffAnswer } from '@careloop/shared'
import { useState } from 'react'
import { api } from '../api'
import { formatMinute } from '../communityText'
import { followupErrorText, QUESTIONNAIRE_KIND_LABEL } from '../followupText'
import { useLoad } from '../useLoad'
import { Banner, Loading } from './Feedback'

/** Answers shown before 显示全部. */
const FIRST = 3

const AnswerCard = ({ a, open, onToggle }: { a: StaffAnswer; open: boolean; onToggle: () => void }) => {
  const flagged = new Set(a.redFlags.map((f) => f.questionKey))
  return (
    <div className={`answer${a.redFlags.length > 0 ? ' answer-flagged' : ''}`} data-testid="answer">
      <div className="answer-head">
        <div className="answer-title">
          <b>{a.title}</b>
          <span className="subtle">
            v{a.version} · {QUESTIONNAIRE_KIND_LABEL[a.kind]}
          </span>
        </div>
        <div className="answer-score">
          {a.score !== null ? (
            <span>
              得分 <b>{a.score}</b>
            </span>
          ) : null}
          {a.band ? <span className="chip chip-small chip-tag">{a.band}</span> : null}
          {a.satisfaction !== null ? (
            <span>
              满意度 <b>{Math.round(a.satisfaction)}</b>/100
            </span>
          ) : null}
        </div>
        <span className="subtle mono">{formatMinute(a.createdAt)}</span>
        <button type="button" className="link-button" onClick={onToggle}>
          {open ? '收起' : '查看答卷'}
        </button>
      </div>
      {a.redFlags.length > 0 ? (
        <div className="red-flags" data-testid="answer-red-flags">
          {a.redFlags.map((f) => (
            <span key={f.key} className="red-flag">
              ⚠ {f.label}
            </span>
          ))}
        </div>
      ) : null}
      {open ? (
        <dl className="answer-items">
          {a.items.map((it) => (
            <div key={it.key} className={`answer-item${flagged.has(it.key) ? ' answer-item-flagged' : ''}`}>
              <dt>{it.text}</dt>
              <dd>{it.display || <span className="muted">未作答</span>}</dd>
            </div>
          ))}
        </dl>
      ) : null}
    </div>
  )
}

/** 问卷答卷 of the patient detail: answers newest first, score and band, red flags highlighted. */
export const PatientAnswers = ({ patientId }: { patientId: string }) => {
  const answers = useLoad(() => api.patientAnswers(patientId), [patientId])
  const [showAll, setShowAll] = useState(false)
  const [open, setOpen] = useState<string | null>(null)
  const list = answers.data?.answers ?? []
  const flagged = list.filter((a) => a.redFlags.length > 0).length
  const shown = showAll ? list : list.slice(0, FIRST)

  return (
    <section className="panel" data-testid="patient-answers">
      <div className="panel-head">
        <h2>问卷答卷</h2>
        {answers.data ? (
          <span className="panel-count">
            共 {list.length} 份
            {flagged > 0 ? <span className="text-danger">，{flagged} 份触发预警</span> : null}
          </span>
        ) : null}
      </div>
      {answers.error ? <Banner tone="error">答卷加载失败：{followupErrorText(answers.error)}</Banner> : null}
      {answers.loading && !answers.data ? <Loading text="正在加载答卷…" /> : null}
      {answers.data && list.length === 0 ? (
        <div className="empty-inline">
          暂无答卷。随访方案中的问卷步骤到期后，患者在小程序中填写的答卷会显示在这里。
        </div>
      ) : null}
      {shown.map((a, i) => (
        <AnswerCard
          key={a.id}
          a={a}
          open={open === a.id || (open === null && i === 0 && a.redFlags.length > 0)}
          onToggle={() => setOpen(open === a.id ? '' : a.id)}
        />
      ))}
      {list.length > FIRST ? (
        <button type="button" className="link-button" onClick={() => setShowAll((v) => !v)}>
          {showAll ? '收起' : `显示全部 ${list.length} 份`}
        </button>
      ) : null}
    </section>
  )
}

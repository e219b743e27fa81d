import { READING_KINDS, type ReadingKind, type StaffReading } from '@careloop/shared'
import { useState } from 'react'
import { api } from '../api'
import { formatMinute } from '../communityText'
import { followupErrorText, GLUCOSE_CONTEXT_LABEL, METRIC_LABEL, READING_KIND_LABEL } from '../followupText'
import { useLoad } from '../useLoad'
import { Banner, Loading } from './Feedback'

const FIRST = 10

const valueText = (r: StaffReading): string =>
  r.kind === 'bp' ? `${r.systolic ?? '—'}/${r.diastolic ?? '—'}` : String(r.value ?? '—')

/** Why a reading is abnormal: 收缩压 165 高于 140（方案阈值）. */
const findingText = (f: StaffReading['findings'][number]): string => {
  const side =
    f.max !== null && f.value > f.max
      ? `高于 ${f.max}`
      : f.min !== null && f.value < f.min
        ? `低于 ${f.min}`
        : '超出范围'
  return `${METRIC_LABEL[f.metric]} ${f.value} ${side}（${f.source === 'plan' ? '方案阈值' : '医院默认'}）`
}

/** 健康指标 of the patient detail: readings newest first, abnormal ones marked with the reason. */
export const PatientReadings = ({ patientId }: { patientId: string }) => {
  const readings = useLoad(() => api.patientReadings(patientId), [patientId])
  const [kind, setKind] = useState<ReadingKind | 'all'>('all')
  const [showAll, setShowAll] = useState(false)
  const all = readings.data?.readings ?? []
  const list = kind === 'all' ? all : all.filter((r) => r.kind === kind)
  const shown = showAll ? list : list.slice(0, FIRST)
  const abnormal = all.filter((r) => r.abnormal).length

  return (
    <section className="panel" data-testid="patient-readings">
      <div className="panel-head panel-head-split">
        <h2>健康指标</h2>
        {readings.data ? (
          <span className="panel-count">
            共 {all.length} 条{abnormal > 0 ? <span className="text-danger">，{abnormal} 条异常</span> : null}
          </span>
        ) : null}
        {all.length > 0 ? (
          <div className="segmented panel-head-action" role="group" aria-label="指标类型">
            {(['all', ...READING_KINDS] as const).map((k) => (
              <button
                key={k}
                type="button"
                className={`segmented-item${k === kind ? ' segmented-on' : ''}`}
                aria-pressed={k === kind}
                onClick={() => setKind(k)}
              >
                {k === 'all' ? '全部' : READING_KIND_LABEL[k]}
              </button>
            ))}
          </div>
        ) : null}
      </div>
      {readings.error ? (
        <Banner tone="error">指标加载失败：{followupErrorText(readings.error)}</Banner>
      ) : null}
      {readings.loading && !readings.data ? <Loading text="正在加载健康指标…" /> : null}
      {readings.data && all.length === 0 ? (
        <div className="empty-inline">暂无测量记录。患者在小程序中记录的血压、血糖和体重会显示在这里。</div>
      ) : null}
      {list.length > 0 ? (
        <div className="table-wrap">
          <table className="table table-dense" data-testid="readings-table">
            <thead>
              <tr>
                <th>测量时间</th>
                <th>指标</th>
                <th className="num">数值</th>
                <th>单位</th>
                <th>判断</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((r) => (
                <tr key={r.id} className={r.abnormal ? 'row-abnormal' : undefined} data-testid="reading-row">
                  <td className="nowrap mono">{formatMinute(r.measuredAt)}</td>
                  <td className="nowrap">
                    {READING_KIND_LABEL[r.kind]}
                    {r.context ? (
                      <span className="subtle">（{GLUCOSE_CONTEXT_LABEL[r.context]}）</span>
                    ) : null}
                  </td>
                  <td className={`num reading-value${r.abnormal ? ' text-danger' : ''}`}>{valueText(r)}</td>
                  <td className="muted">{r.unit}</td>
                  <td>
                    {r.abnormal ? (
                      <>
                        <span className="badge-urgent">异常</span>
                        {r.findings.map((f, i) => (
                          <span key={i} className="finding">
                            {findingText(f)}
                          </span>
                        ))}
                      </>
                    ) : (
                      <span className="state state-on">正常</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {list.length > FIRST ? (
        <button type="button" className="link-button" onClick={() => setShowAll((v) => !v)}>
          {showAll ? '收起' : `显示全部 ${list.length} 条`}
        </button>
      ) : null}
    </section>
  )
}
